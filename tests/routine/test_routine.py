"""The routine plan and runner state machine, driven with plain numbers (no sleeping)."""

from __future__ import annotations

import io
import json
import re
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from types import MappingProxyType

import pytest
from typer.testing import CliRunner

from deskbreak.errors import DeskbreakError, UsageError
from deskbreak.library.loader import load_library
from deskbreak.library.moves import (
    REP_SECONDS_BY_KIND,
    Library,
    Move,
    Routine,
    RoutineStep,
)
from deskbreak.library.names import Kind
from deskbreak.routine.plan import READY_SECONDS, RoutinePlan, plan_routine
from deskbreak.routine.runner import (
    RunnerState,
    announcement,
    back,
    current_rep,
    handle,
    next_step,
    pause,
    phase_remaining,
    quit_run,
    result_of,
    resume,
    routine_remaining,
    start,
    summary_lines,
    tick,
)
from deskbreak.routine.sound import choose_cues
from deskbreak.routine.view import plain_line, render_frame, run_plan, time_scale


def move(
    move_id: str,
    *,
    hold: int | None = None,
    reps: int | None = None,
    kind: Kind = "static",
    per_side: bool = False,
    sets: int = 1,
    alternate: bool = False,
    rep_seconds: float | None = None,
) -> Move:
    return Move(
        id=move_id,
        name=move_id.replace("-", " ").capitalize(),
        area="hips",
        setting="floor",
        kind=kind,
        cues=(f"{move_id} cue one", f"{move_id} cue two"),
        caution="",
        hold_seconds=hold,
        reps=reps,
        sets=sets,
        sides="each" if per_side else "alternate" if alternate else "none",
        rep_seconds=rep_seconds,
    )


MOVES = {
    m.id: m
    for m in (
        move("childs-pose", hold=30),
        move("figure-four", hold=40, per_side=True),
        move("cat-cow", reps=10, kind="mobility"),
        move("row", reps=10, kind="strength", sets=3, per_side=True),
        move("dead-bug", reps=5, kind="strength", alternate=True),
        move("roll-down", reps=5, kind="mobility", rep_seconds=9),
    )
}
LIBRARY = Library(moves=MappingProxyType(MOVES), safety="Stop if it hurts.")
MOBILITY_PACE = REP_SECONDS_BY_KIND["mobility"]
STRENGTH_PACE = REP_SECONDS_BY_KIND["strength"]
NEXT = READY_SECONDS["next"]
SWITCH = READY_SECONDS["switch"]


def routine(*steps: RoutineStep, rest_seconds: int = 0) -> Routine:
    return Routine("test", "Test routine", "For tests.", steps, rest_seconds)


def plan_of(*move_ids: str) -> RoutinePlan:
    return plan_routine(routine(*(RoutineStep(m) for m in move_ids)), LIBRARY)


# -- plan ------------------------------------------------------------------------------------


def test_a_per_side_move_runs_left_then_right_with_a_switch_between() -> None:
    plan = plan_of("childs-pose", "figure-four")
    assert [(s.move.id, s.side, s.ready) for s in plan.steps] == [
        ("childs-pose", None, "start"),
        ("figure-four", "left", "next"),
        ("figure-four", "right", "switch"),
    ]
    assert [s.seconds for s in plan.steps] == [30, 40, 40]


def test_reps_are_paced_at_a_few_seconds_each() -> None:
    (step,) = plan_of("cat-cow").steps
    assert step.reps == 10
    assert step.seconds == 10 * MOBILITY_PACE


def test_a_move_with_its_own_pace_is_timed_at_that_pace() -> None:
    (step,) = plan_of("roll-down").steps
    assert (step.reps, step.seconds) == (5, 45)


def test_an_alternating_move_is_one_step_of_reps_on_both_sides_with_no_switch() -> None:
    plan = plan_of("childs-pose", "dead-bug")
    assert [(s.move.id, s.side, s.ready) for s in plan.steps] == [
        ("childs-pose", None, "start"),
        ("dead-bug", None, "next"),
    ]
    step = plan.steps[1]
    assert (step.reps, step.seconds) == (10, 10 * STRENGTH_PACE)
    assert step.dose == "5 reps a side, alternating"


def test_total_time_counts_work_and_every_transition() -> None:
    plan = plan_of("childs-pose", "figure-four")
    assert plan.total_seconds == NEXT + 30 + NEXT + 40 + SWITCH + 40


def test_sets_repeat_both_sides_with_the_routines_rest_between_sets() -> None:
    plan = plan_routine(routine(RoutineStep("row"), rest_seconds=45), LIBRARY)
    assert [(s.set_number, s.side, s.ready_seconds) for s in plan.steps] == [
        (1, "left", NEXT),
        (1, "right", SWITCH),
        (2, "left", 45),
        (2, "right", SWITCH),
        (3, "left", 45),
        (3, "right", SWITCH),
    ]


def test_the_routines_dose_wins_over_the_moves() -> None:
    plan = plan_routine(
        routine(RoutineStep("childs-pose", hold_seconds=50), RoutineStep("row", reps=8, sets=1)),
        LIBRARY,
    )
    assert [(s.seconds, s.reps, s.sets) for s in plan.steps] == [
        (50, None, 1),
        (8 * STRENGTH_PACE, 8, 1),
        (8 * STRENGTH_PACE, 8, 1),
    ]


def test_an_unknown_move_in_a_routine_is_reported_by_name() -> None:
    with pytest.raises(DeskbreakError, match="no-such-move"):
        plan_of("no-such-move")


def test_json_has_one_step_per_side_with_seconds_reps_and_side() -> None:
    data = json.loads(json.dumps(plan_of("figure-four", "cat-cow").as_json()))
    assert data == {
        "name": "test",
        "title": "Test routine",
        "description": "For tests.",
        "total_seconds": NEXT + 40 + SWITCH + 40 + NEXT + 10 * MOBILITY_PACE,
        "left_out": [],
        "steps": [
            {"move": "figure-four", "name": "Figure four", "seconds": 40, "reps": None,
             "side": "left", "alternating": False},
            {"move": "figure-four", "name": "Figure four", "seconds": 40, "reps": None,
             "side": "right", "alternating": False},
            {"move": "cat-cow", "name": "Cat cow", "seconds": 40, "reps": 10, "side": None,
             "alternating": False},
        ],
    }  # fmt: skip


def test_minutes_scales_the_routine_close_to_the_budget() -> None:
    plan = plan_routine(routine(RoutineStep("childs-pose"), RoutineStep("figure-four")), LIBRARY, 3)
    assert abs(plan.total_seconds - 180) <= 10
    assert plan.note is None
    assert [s.seconds for s in plan.steps][1] > 40


def test_minutes_never_takes_static_holds_below_thirty_seconds_and_leaves_out_a_move() -> None:
    plan = plan_routine(routine(RoutineStep("childs-pose"), RoutineStep("figure-four")), LIBRARY, 1)
    assert [s.move.id for s in plan.steps] == ["childs-pose"]
    assert plan.steps[0].seconds >= 30
    assert plan.total_seconds <= 60
    assert plan.left_out == ("Figure four",)
    assert plan.note is not None and "leaves out: Figure four" in plan.note


def test_minutes_leaves_out_the_longest_moves_first_and_keeps_the_opener() -> None:
    steps = (RoutineStep("cat-cow"), RoutineStep("childs-pose"), RoutineStep("figure-four"))
    plan = plan_routine(routine(*steps), LIBRARY, 2)
    assert [s.move.id for s in plan.steps] == ["cat-cow", "childs-pose"]
    assert plan.total_seconds <= 120


def test_minutes_too_short_for_even_the_first_move_is_a_usage_error_naming_the_minimum() -> None:
    with pytest.raises(UsageError) as err:
        plan_routine(routine(RoutineStep("row")), LIBRARY, 1)
    assert str(err.value).startswith("--minutes 1 is too short for test: even its first move")
    assert str(err.value).endswith("give it at least 3 minutes")


def test_minutes_never_takes_holds_above_sixty_seconds_or_reps_above_fifteen() -> None:
    plan = plan_routine(routine(RoutineStep("childs-pose"), RoutineStep("cat-cow")), LIBRARY, 60)
    assert [(s.seconds, s.reps) for s in plan.steps] == [(60, None), (15 * MOBILITY_PACE, 15)]
    assert plan.note is not None and "takes at most" in plan.note


def test_minutes_keeps_reps_at_six_or_more() -> None:
    plan = plan_routine(routine(RoutineStep("row")), LIBRARY, 3)
    assert {s.reps for s in plan.steps} == {6}


@pytest.mark.parametrize("minutes", [0, 0.5, 121])
def test_minutes_outside_what_the_cli_accepts_is_a_usage_error(minutes: float) -> None:
    with pytest.raises(UsageError, match="--minutes must be from 1 to 120"):
        plan_routine(routine(RoutineStep("cat-cow")), LIBRARY, minutes)


def test_bundled_prerun_and_postrun_fit_their_time_ranges() -> None:
    library = load_library()
    prerun = plan_routine(library.routine("prerun"), library)
    postrun = plan_routine(library.routine("postrun"), library)
    assert 5 * 60 <= prerun.total_seconds <= 8 * 60
    assert 8 * 60 <= postrun.total_seconds <= 12 * 60


# -- the state machine -----------------------------------------------------------------------


def test_a_run_starts_by_getting_ready_for_the_first_move() -> None:
    state = start(plan_of("childs-pose"), now=100.0)
    assert (state.index, state.phase) == (0, "ready")
    assert announcement(state) == "Get ready: Childs pose."


def test_the_countdown_goes_down_with_the_clock() -> None:
    state = tick(start(plan_of("childs-pose"), 0.0), NEXT + 5.0)
    assert state.phase == "work"
    assert phase_remaining(state, NEXT + 5.0) == 25
    assert phase_remaining(state, NEXT + 12.5) == 17.5


def test_a_late_tick_carries_the_overshoot_into_the_next_phase() -> None:
    plan = plan_of("childs-pose", "figure-four")
    state = tick(start(plan, 0.0), NEXT + 30 + 3.0)
    assert (state.index, state.phase) == (1, "ready")
    assert phase_remaining(state, NEXT + 30 + 3.0) == NEXT - 3


def test_a_run_left_alone_completes_every_step() -> None:
    plan = plan_of("childs-pose", "figure-four")
    state = tick(start(plan, 0.0), plan.total_seconds)
    assert state.finished and not state.quit
    assert state.done == {0, 1, 2}
    assert announcement(state) == "Routine done. Well done."


def test_pause_freezes_time_and_resume_goes_on_where_it_was() -> None:
    state = tick(start(plan_of("childs-pose"), 0.0), NEXT + 10.0)
    state = pause(state, NEXT + 10.0)
    state = tick(state, NEXT + 500.0)
    assert phase_remaining(state, NEXT + 500.0) == 20
    state = tick(resume(state, NEXT + 500.0), NEXT + 505.0)
    assert phase_remaining(state, NEXT + 505.0) == 15
    assert routine_remaining(state, NEXT + 505.0) == 15


def test_space_toggles_pause() -> None:
    state = start(plan_of("childs-pose"), 0.0)
    assert handle(state, "toggle", 1.0).paused
    assert not handle(handle(state, "toggle", 1.0), "toggle", 2.0).paused


def test_next_during_get_ready_starts_the_move_now() -> None:
    state = next_step(start(plan_of("childs-pose"), 0.0), 2.0)
    assert state.phase == "work"
    assert phase_remaining(state, 2.0) == 30


def test_next_during_a_move_goes_to_the_next_step() -> None:
    state = tick(start(plan_of("childs-pose", "figure-four"), 0.0), NEXT + 1.0)
    state = next_step(state, NEXT + 1.0)
    assert (state.index, state.phase) == (1, "ready")
    assert phase_remaining(state, NEXT + 1.0) == NEXT


def test_a_skipped_step_counts_as_done_only_after_half_of_it() -> None:
    state = tick(start(plan_of("childs-pose", "cat-cow", "childs-pose"), 0.0), NEXT + 5.0)
    state = next_step(state, NEXT + 5.0)  # 5 of 30 s: skipped
    state = next_step(state, NEXT + 5.0)  # start cat-cow now
    state = next_step(state, NEXT + 5.0 + 20.0)  # 20 of 40 s: done
    assert state.done == {1}


def test_next_on_the_last_step_finishes_the_run() -> None:
    state = next_step(next_step(start(plan_of("childs-pose"), 0.0), 0.0), 20.0)
    assert state.finished and not state.quit
    assert state.done == {0}


def test_next_while_paused_stays_paused_on_the_new_step() -> None:
    state = pause(tick(start(plan_of("childs-pose", "cat-cow"), 0.0), NEXT + 1.0), NEXT + 1.0)
    state = next_step(state, NEXT + 2.0)
    assert state.index == 1 and state.paused
    assert phase_remaining(tick(state, 99.0), 99.0) == NEXT


def test_back_goes_to_the_previous_step() -> None:
    state = tick(start(plan_of("childs-pose", "cat-cow"), 0.0), NEXT + 30 + NEXT + 4.0)
    assert state.index == 1
    state = back(state, 50.0)
    assert (state.index, state.phase) == (0, "ready")
    assert phase_remaining(state, 50.0) == NEXT


def test_back_on_the_first_step_starts_it_again() -> None:
    state = back(tick(start(plan_of("childs-pose"), 0.0), NEXT + 20.0), NEXT + 20.0)
    assert (state.index, state.phase) == (0, "ready")


def test_quit_ends_the_run_with_what_was_done() -> None:
    plan = plan_of("childs-pose", "figure-four")
    state = tick(start(plan, 0.0), NEXT + 30 + NEXT + 5.0)
    state = quit_run(state, NEXT + 30 + NEXT + 5.0)
    assert state.finished and state.quit
    assert tick(state, 1000.0) == state
    t0 = datetime(2026, 5, 4, 18, 0, tzinfo=UTC)
    result = result_of(state, t0, t0 + timedelta(minutes=1))
    assert (result.name, result.completed, result.steps_done, result.steps_total) == (
        "test",
        False,
        1,
        3,
    )


def test_keys_after_the_end_change_nothing() -> None:
    state = quit_run(start(plan_of("childs-pose"), 0.0), 1.0)
    for key in ("toggle", "next", "back", "quit"):
        assert handle(state, key, 2.0) == state


def test_reps_are_counted_at_the_pace_of_the_step() -> None:
    state = tick(start(plan_of("cat-cow"), 0.0), NEXT)
    assert current_rep(state, NEXT + 0.5) == 1
    assert current_rep(state, NEXT + 3 * MOBILITY_PACE + 0.1) == 4
    assert current_rep(state, NEXT + 10 * MOBILITY_PACE) == 10


def test_switching_sides_is_announced() -> None:
    plan = plan_of("figure-four")
    state = tick(start(plan, 0.0), NEXT + 40 + 1.0)
    assert announcement(state) == "Switch sides: right side."


def test_the_summary_names_the_moves_done_with_their_sides() -> None:
    plan = plan_of("childs-pose", "figure-four")
    state = quit_run(RunnerState(plan, index=2, done=frozenset({0, 1})), 0.0)
    assert summary_lines(state, 95) == [
        "Test routine: stopped · 2 of 3 steps in 1 min 35 s",
        "done: Childs pose, Figure four (left)",
    ]


def _skip_through(plan: RoutinePlan) -> RunnerState:
    state = start(plan, 0.0)
    while not state.finished:
        state = next_step(state, 0.0)
    return state


def test_pressing_n_through_every_step_records_the_routine_as_skipped_not_done() -> None:
    state = _skip_through(plan_of("childs-pose", "figure-four"))
    t0 = datetime(2026, 5, 4, 18, 0, tzinfo=UTC)
    result = result_of(state, t0, t0 + timedelta(seconds=3))
    assert (result.completed, result.steps_done, result.steps_total) == (False, 0, 3)
    assert summary_lines(state, 3)[0] == "Test routine: skipped · 0 of 3 steps in 3 s"
    assert announcement(state) == "End of the routine."


def test_a_run_with_some_steps_skipped_is_partly_done() -> None:
    state = tick(start(plan_of("childs-pose", "figure-four"), 0.0), NEXT + 30.0)
    while not state.finished:
        state = next_step(state, NEXT + 30.0)
    t0 = datetime(2026, 5, 4, 18, 0, tzinfo=UTC)
    assert not result_of(state, t0, t0).completed
    assert summary_lines(state, 40)[0] == "Test routine: partly done · 1 of 3 steps in 40 s"


def test_a_switch_says_how_to_change_sides_when_the_move_tells() -> None:
    four = MOVES["figure-four"]
    library = Library(
        moves={"figure-four": replace(four, switch="Then the right ankle over the left knee.")}
    )
    plan = plan_routine(routine(RoutineStep("figure-four")), library)
    state = tick(start(plan, 0.0), NEXT + 40 + 1.0)
    assert announcement(state) == (
        "Switch sides: right side. Then the right ankle over the left knee."
    )
    frame = "\n".join(render_frame(state, NEXT + 41.0, 80, 30, color=False, keys=True))
    assert "SWITCH SIDES" in frame and "Then the right ankle over the left knee." in frame
    assert plain_line(state, 1).endswith("· Then the right ankle over the left knee.")


def test_an_alternating_move_is_announced_with_its_reps_a_side() -> None:
    state = tick(start(plan_of("dead-bug"), 0.0), NEXT + 0.5)
    assert announcement(state) == "Go. 5 reps a side, alternating."


# -- the view's pure parts and the plain runner -----------------------------------------------


def test_the_screen_shows_the_move_its_cues_the_countdown_and_whats_next() -> None:
    state = tick(start(plan_of("childs-pose", "figure-four"), 0.0), NEXT + 12.0)
    frame = render_frame(state, NEXT + 12.0, 80, 30, color=False, keys=True)
    text = re.sub(r"\x1b\[[0-9;]*m", "", "\n".join(frame))
    assert "CHILDS POSE" in text
    assert "childs-pose cue one" in text
    assert "0:18 left" in text
    assert "next: Figure four, left side · hold 40 s" in text
    assert "q quit" in text


def test_the_screen_shows_why_the_move_helps_and_the_first_screen_the_description() -> None:
    why = replace(MOVES["childs-pose"], why="Rests the low back.")
    library = Library(moves={"childs-pose": why}, safety="Stop if it hurts.")
    plan = plan_routine(routine(RoutineStep("childs-pose")), library)
    frame = render_frame(start(plan, 0.0), 0.0, 80, 30, color=False, keys=True)
    first = re.sub(r"\x1b\[[0-9;]*m", "", "\n".join(frame))
    assert "For tests." in first and "Stop if it hurts." in first
    assert "why: Rests the low back." in first


def test_the_screen_fits_a_small_terminal_and_no_color_drops_colors() -> None:
    state = start(plan_of("childs-pose", "figure-four"), 0.0)
    lines = render_frame(state, 0.0, 40, 12, color=False, keys=True)
    assert len(lines) <= 12
    assert all(len(re.sub(r"\x1b\[[0-9;]*m", "", line)) < 40 for line in lines)
    assert not re.search(r"\x1b\[[0-9;]*3[0-9]m", "".join(lines))
    assert "Stop if it hurts." in "\n".join(lines)


def test_a_switch_gets_its_own_plain_line() -> None:
    state = start(plan_of("figure-four"), 0.0)
    assert plain_line(state, 1) == "[2/2] switch sides: Figure four, right side · hold 40 s"


def test_without_a_terminal_each_step_is_one_plain_line_and_time_is_kept() -> None:
    out = io.StringIO()
    cues, _ = choose_cues(sound=False, voice=False, notify=False, out=out)
    outcome = run_plan(
        plan_of("childs-pose", "figure-four"),
        cues=cues,
        read_keys=False,
        out=out,
        environ={"DESKBREAK_TIME_SCALE": "2000"},
    )
    lines = out.getvalue().splitlines()
    assert lines[1:3] == ["For tests.", "Stop if it hurts."]
    assert [line for line in lines if line.startswith("[")] == [
        "[1/3] Childs pose · hold 30 s",
        "[2/3] Figure four, left side · hold 40 s",
        "[3/3] switch sides: Figure four, right side · hold 40 s",
    ]
    assert outcome.result.completed and outcome.result.steps_done == 3
    assert not outcome.interrupted


@pytest.mark.parametrize("raw", ["0", "-2", "fast", "nan", "inf"])
def test_a_bad_time_scale_is_a_usage_error(raw: str) -> None:
    with pytest.raises(UsageError, match="DESKBREAK_TIME_SCALE"):
        time_scale({"DESKBREAK_TIME_SCALE": raw})


def test_the_time_scale_defaults_to_real_time() -> None:
    assert time_scale({}) == 1.0


def test_missing_voice_and_notify_tools_give_one_note_each() -> None:
    cues, notes = choose_cues(
        sound=True, voice=True, notify=True, out=io.StringIO(), which=lambda name: None
    )
    assert cues.voice is None and cues.notify_send is None and cues.out is None
    assert len(notes) == 3
    assert any("espeak-ng" in n for n in notes) and any("notify-send" in n for n in notes)


def test_the_voice_prefers_spd_say() -> None:
    cues, notes = choose_cues(
        sound=False, voice=True, notify=False, out=io.StringIO(), which=lambda n: f"/usr/bin/{n}"
    )
    assert cues.voice == "/usr/bin/spd-say" and notes == []


# -- the commands ----------------------------------------------------------------------------


def _invoke(*args: str, env: dict[str, str] | None = None) -> tuple[int, str, BaseException | None]:
    from deskbreak.cli.app import _register_commands, app

    _register_commands()
    result = CliRunner().invoke(app, list(args), env=env, standalone_mode=False)
    code = result.return_value if isinstance(result.return_value, int) else result.exit_code
    return code, result.stdout, result.exception


def test_list_json_prints_the_plan_without_running_it() -> None:
    code, out, err = _invoke("postrun", "--list", "--json")
    assert err is None and code == 0
    data = json.loads(out)
    assert data["name"] == "postrun"
    assert set(data["steps"][0]) == {"move", "name", "seconds", "reps", "side", "alternating"}
    assert data["title"] == "Post-run cool-down"
    assert data["description"] == load_library().routine("postrun").description
    assert (
        data["total_seconds"]
        == plan_routine(load_library().routine("postrun"), load_library()).total_seconds
    )


def test_routine_list_names_every_routine() -> None:
    code, out, _ = _invoke("routine", "--list")
    assert code == 0
    for name in ("prerun", "postrun", "desk", "upper-back"):
        assert name in out


def test_json_without_list_is_a_usage_error() -> None:
    _, _, err = _invoke("prerun", "--json")
    assert isinstance(err, UsageError)


def test_a_finished_run_is_recorded_in_the_history() -> None:
    from deskbreak.paths import default_paths
    from deskbreak.store.history import History

    code, _, err = _invoke("routine", "desk", "--no-input", env={"DESKBREAK_TIME_SCALE": "5000"})
    assert err is None and code == 0
    with History(default_paths().database) as history:
        rows = history.query("SELECT name, completed, steps_done, steps_total FROM routines")
    steps = len(plan_routine(load_library().routine("desk"), load_library()).steps)
    assert rows == [("desk", 1, steps, steps)]


def test_a_repaint_rewrites_only_the_rows_that_changed() -> None:
    from deskbreak.routine.view import repaint

    assert repaint(["a", "b", "c"], ["a", "B", "c"]) == "\x1b[2;1HB\x1b[K"
    assert repaint(["a", "b"], ["a"]) == "\x1b[2;1H\x1b[J"
