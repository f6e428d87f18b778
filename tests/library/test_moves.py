"""Move records, routine lookup, the desk rotation and `deskbreak moves`."""

from __future__ import annotations

import itertools
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from typer.testing import CliRunner

from deskbreak.cli.app import app
from deskbreak.cli.commands_moves import list_moves
from deskbreak.errors import ConfigError, UsageError
from deskbreak.library.loader import load_library
from deskbreak.library.moves import NOTIFICATION_MAX_CHARS, Move
from deskbreak.library.rotation import next_desk_move, upcoming_desk_moves, walk_every_for


def move(move_id: str = "m", area: str = "neck", **changes: Any) -> Move:
    fields: dict[str, Any] = {
        "id": move_id,
        "name": move_id.title(),
        "area": area,
        "setting": "desk",
        "kind": "mobility",
        "cues": ("Sit tall.", "Move slowly."),
        "caution": "Stop if it hurts.",
        "reps": 10,
        "desk": True,
    }
    fields.update(changes)
    return Move(**fields)


# --------------------------------------------------------------------------- dose and body


@pytest.mark.parametrize(
    ("changes", "text"),
    [
        (
            {"kind": "static", "reps": None, "hold_seconds": 30, "sides": "each"},
            "hold 30 s, each side",
        ),
        ({"reps": 10, "sides": "each"}, "10 reps, each side"),
        ({"reps": 6, "sides": "alternate"}, "6 reps a side, alternating"),
        ({"kind": "strength", "reps": 12, "sets": 3}, "3 \N{MULTIPLICATION SIGN} 12 reps"),
        ({"kind": "dynamic", "reps": None, "hold_seconds": 120}, "2 min"),
        ({"kind": "static", "reps": None, "hold_seconds": 60}, "hold 1 min"),
        ({"kind": "static", "reps": None, "hold_seconds": 20, "sets": 3}, "hold 20 s, 3 times"),
    ],
)
def test_dose_text_reads_as_a_short_phrase(changes: dict[str, Any], text: str) -> None:
    assert move(**changes).dose_text() == text


def test_notification_body_has_three_cues_the_dose_and_the_caution() -> None:
    body = move(cues=("Sit tall.", "Turn left.", "Turn right.", "Breathe.")).notification_body()
    assert body == "Sit tall.\nTurn left.\nTurn right.\n10 reps\nStop if it hurts."


def test_notification_body_says_how_to_switch_sides() -> None:
    body = move(sides="each", switch="Then the right ankle.").notification_body()
    assert body.splitlines() == [
        "Sit tall.",
        "Move slowly.",
        "10 reps, each side",
        "Then the right ankle.",
        "Stop if it hurts.",
    ]


def test_notification_body_drops_cues_that_do_not_fit() -> None:
    body = move(cues=("a" * 90, "b" * 90, "c" * 90)).notification_body(max_chars=220)
    assert body == "a" * 90 + "\n" + "b" * 90 + "\n10 reps\nStop if it hurts."


def test_notification_body_shortens_a_single_overlong_cue() -> None:
    body = move(cues=("x" * 400,)).notification_body()
    assert len(body) == NOTIFICATION_MAX_CHARS
    assert body.endswith("…")


# -------------------------------------------------------------------------------- routines


def test_unknown_routine_names_the_routines_there_are() -> None:
    with pytest.raises(UsageError) as err:
        load_library().routine("pre-run")
    assert str(err.value) == (
        'unknown routine "pre-run" (did you mean "prerun"?); '
        "routines: prerun, postrun, desk, strength, upper-back"
    )


# -------------------------------------------------------------------------------- rotation


def test_first_reminder_is_the_first_desk_move_in_library_order() -> None:
    desk = load_library().desk_moves()
    assert next_desk_move(desk, []) == desk[0]


def test_rotation_never_repeats_a_move_twice_in_a_row_over_200_picks() -> None:
    picks = upcoming_desk_moves(load_library().desk_moves(), [], 200)
    assert all(a.id != b.id for a, b in itertools.pairwise(picks))


def test_without_the_walk_rule_every_area_comes_up_once_before_any_area_comes_twice() -> None:
    desk = load_library().desk_moves()
    areas = {m.area for m in desk}
    picks = upcoming_desk_moves(desk, [], len(areas) * 3, walk_every=1000)
    for start in range(0, len(picks), len(areas)):
        assert {m.area for m in picks[start : start + len(areas)]} == areas


@pytest.mark.parametrize(("interval", "every"), [(30, 4), (60, 2), (20, 6), (15, 8), (240, 2)])
def test_a_walk_comes_at_least_every_two_hours_of_reminders(interval: int, every: int) -> None:
    assert walk_every_for(interval) == every
    picks = upcoming_desk_moves(load_library().desk_moves(), [], 200, walk_every=every)
    walks = [i for i, m in enumerate(picks) if m.id == "walk-around"]
    assert walks and walks[0] < every
    assert all(b - a <= every for a, b in itertools.pairwise(walks))
    assert 200 - walks[-1] <= every


def test_the_walk_rule_counts_the_history_and_never_walks_twice_in_a_row() -> None:
    desk = load_library().desk_moves()
    assert next_desk_move(desk, ["chin-tucks", "shoulder-circles", "cat-cow"]).id == "walk-around"
    assert next_desk_move(desk, ["walk-around", "chin-tucks", "cat-cow"]).id != "walk-around"
    assert next_desk_move(desk, ["chin-tucks", "walk-around"], walk_every=2).id != "walk-around"


def test_within_an_area_the_least_recently_used_move_comes_next() -> None:
    a1, a2, a3 = move("a1", "hips"), move("a2", "hips"), move("a3", "hips")
    b = move("b", "neck")
    picks = [m.id for m in upcoming_desk_moves([a1, a2, a3, b], [], 8)]
    assert picks == ["a1", "b", "a2", "b", "a3", "b", "a1", "b"]


def test_rotation_continues_from_the_recent_history() -> None:
    a1, a2, b = move("a1", "hips"), move("a2", "hips"), move("b", "neck")
    assert next_desk_move([a1, a2, b], ["a1", "b"]) == a2
    assert next_desk_move([a1, a2, b], ["a1", "b", "a2"]) == b


def test_moves_no_longer_offered_in_the_history_are_ignored() -> None:
    a, b = move("a", "hips"), move("b", "neck")
    assert next_desk_move([a, b], ["gone", "a", "removed"]) == b


def test_two_moves_of_one_area_alternate() -> None:
    a1, a2 = move("a1", "hips"), move("a2", "hips")
    picks = [m.id for m in upcoming_desk_moves([a1, a2], ["a2"], 4)]
    assert picks == ["a1", "a2", "a1", "a2"]


def test_a_single_candidate_is_repeated() -> None:
    only = move("only")
    assert upcoming_desk_moves([only], ["only"], 2) == [only, only]


def test_upcoming_does_not_change_the_history_it_is_given() -> None:
    recent = ["chin-tucks"]
    upcoming_desk_moves(load_library().desk_moves(), recent, 5)
    assert recent == ["chin-tucks"]


def test_upcoming_matches_picking_one_at_a_time() -> None:
    desk = load_library().desk_moves()
    history: list[str] = []
    for _ in range(12):
        history.append(next_desk_move(desk, history).id)
    assert [m.id for m in upcoming_desk_moves(desk, [], 12)] == history


@pytest.mark.parametrize("pick", [next_desk_move, lambda c, r: upcoming_desk_moves(c, r, 0)])
def test_no_candidates_is_a_config_error(pick: Any) -> None:
    with pytest.raises(ConfigError) as err:
        pick([], [])
    assert str(err.value) == "no desk moves left after [moves] areas/exclude"


def test_area_filter_keeps_only_those_areas() -> None:
    desk = load_library().desk_moves(areas=["neck", "hips"])
    assert desk and {m.area for m in desk} == {"neck", "hips"}
    picks = upcoming_desk_moves(desk, [], 20)
    assert {m.area for m in picks} == {"neck", "hips"}


def test_excluded_moves_are_never_picked() -> None:
    desk = load_library().desk_moves(exclude=["walk-around", "chin-tucks"])
    picks = {m.id for m in upcoming_desk_moves(desk, [], 100)}
    assert not picks & {"walk-around", "chin-tucks"}
    assert picks == {m.id for m in desk}


def test_excluding_every_move_of_the_chosen_areas_leaves_no_candidates() -> None:
    desk = load_library().desk_moves(areas=["neck"], exclude=["chin-tucks"])
    with pytest.raises(ConfigError):
        next_desk_move(desk, [])


_DESK_IDS = [m.id for m in load_library().desk_moves()]


@given(
    chosen=st.lists(st.sampled_from(_DESK_IDS), min_size=2, unique=True),
    recent=st.lists(st.sampled_from([*_DESK_IDS, "gone"]), max_size=30),
)
def test_any_history_and_any_subset_never_gets_the_last_move_again(
    chosen: list[str], recent: list[str]
) -> None:
    lib = load_library()
    candidates = [lib.move(i) for i in _DESK_IDS if i in chosen]
    picked = next_desk_move(candidates, recent)
    assert picked in candidates
    assert not recent or picked.id != recent[-1]


# ------------------------------------------------------------------------- deskbreak moves


def test_moves_command_prints_every_field_as_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert list_moves(load_library(), area=None, as_json=True) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [r["id"] for r in rows] == list(load_library().moves)
    assert rows[0]["cues"] and rows[0]["dose"] and "caution" in rows[0]


def test_moves_command_filters_by_area(capsys: pytest.CaptureFixture[str]) -> None:
    list_moves(load_library(), area="neck", as_json=True)
    assert {r["area"] for r in json.loads(capsys.readouterr().out)} == {"neck"}


def test_moves_command_prints_a_table_with_the_safety_line(
    capsys: pytest.CaptureFixture[str],
) -> None:
    list_moves(load_library(), area="chest", as_json=False)
    out = capsys.readouterr().out
    assert "doorway-chest-stretch" in out and "Stop any move that hurts" in out


def test_moves_command_rejects_an_unknown_area_naming_the_allowed_ones() -> None:
    with pytest.raises(UsageError) as err:
        list_moves(load_library(), area="back", as_json=False)
    assert str(err.value) == (
        'unknown area "back"; choose one of: neck, shoulders, upper-back, mid-back, '
        "lower-back, chest, hips, legs, core, whole-body"
    )


def test_moves_command_lists_the_users_own_moves_from_the_config(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text(
        '[moves.custom.neck-roll]\nname = "Neck roll"\narea = "neck"\nsetting = "desk"\n'
        'kind = "mobility"\nreps = 5\ncues = ["Drop your chin.", "Roll slowly."]\n',
        encoding="utf-8",
    )
    result = CliRunner().invoke(app, ["--config", str(config), "moves", "--json", "-a", "neck"])
    assert result.exit_code == 0, result.output
    assert [r["id"] for r in json.loads(result.stdout)] == ["chin-tucks", "neck-roll"]
