"""The bundled moves.toml: it loads as packaged, and its content keeps to the brief's doses."""

from __future__ import annotations

import re
import tomllib
from importlib import resources

import pytest

from deskbreak.errors import UsageError
from deskbreak.library.loader import load_library
from deskbreak.library.moves import (
    NOTIFICATION_MAX_CHARS,
    NOTIFICATION_MAX_LINES,
    Library,
    Move,
    Routine,
    RoutineStep,
)
from deskbreak.library.names import AREAS
from deskbreak.library.parser import parse_library
from deskbreak.routine.plan import MINUTES_RANGE, PlanStep, plan_routine


@pytest.fixture(scope="module")
def library() -> Library:
    return load_library()


def _all_moves() -> list[Move]:
    return list(load_library().moves.values())


def _desk_moves() -> list[Move]:
    return list(load_library().desk_moves())


def _plan(library: Library, name: str) -> tuple[PlanStep, ...]:
    return plan_routine(library.routine(name), library).steps


def _single(move: Move) -> Routine:
    return Routine(name=move.id, title=move.name, description="", steps=(RoutineStep(move.id),))


def test_bundled_file_is_shipped_as_package_data_and_parses() -> None:
    text = (resources.files("deskbreak.library") / "data" / "moves.toml").read_text(
        encoding="utf-8"
    )
    library = parse_library(tomllib.loads(text), where="moves.toml")
    assert library.moves == load_library().moves


def test_load_library_is_parsed_once_per_process() -> None:
    assert load_library() is load_library()


def test_library_has_the_five_routines(library: Library) -> None:
    assert set(library.routines) == {"prerun", "postrun", "desk", "strength", "upper-back"}


def test_every_routine_refers_only_to_existing_moves(library: Library) -> None:
    for routine in library.routines.values():
        for step in routine.steps:
            assert step.move_id in library.moves, (routine.name, step.move_id)


@pytest.mark.parametrize("move", _all_moves(), ids=lambda m: m.id)
def test_every_move_has_a_why_two_or_three_cues_and_a_caution(move: Move) -> None:
    assert move.why and move.why.endswith(".")
    assert 2 <= len(move.cues) <= 3
    assert move.caution


@pytest.mark.parametrize("move", _all_moves(), ids=lambda m: m.id)
def test_every_move_has_a_known_area(move: Move) -> None:
    assert move.area in AREAS


@pytest.mark.parametrize("move", _all_moves(), ids=lambda m: m.id)
def test_every_cue_is_one_short_sentence(move: Move) -> None:
    for cue in move.cues:
        assert len(cue) <= 80, cue
        assert cue.endswith(".") and cue.count(".") == 1, cue
        # Two clauses joined by a semicolon are two ideas: split them or drop one.
        assert ";" not in cue, cue


# Referents a cue must not leave open: which arm, which leg, which side.
_VAGUE = re.compile(r"\b(that|this|the other) (arm|leg|hand|foot|knee|side)\b", re.I)


@pytest.mark.parametrize("move", _all_moves(), ids=lambda m: m.id)
def test_cues_name_their_limbs_exactly(move: Move) -> None:
    for cue in move.cues:
        assert not _VAGUE.search(cue), cue


@pytest.mark.parametrize("move", _all_moves(), ids=lambda m: m.id)
def test_sides_and_cues_agree(move: Move) -> None:
    text = " ".join(move.cues).lower()
    if move.sides == "alternate":
        assert "switch sides" not in text and move.switch is None
        assert move.reps is not None
    if move.sides != "each":
        assert move.switch is None
    if move.sides == "none":
        # A one-sided move names a side in its cues; a move for both sides at once does not.
        assert not re.search(r"\b(left|right)\b", text), move.id


@pytest.mark.parametrize("move", _all_moves(), ids=lambda m: m.id)
def test_a_move_done_each_side_names_the_left_side_first(move: Move) -> None:
    if move.sides == "each":
        text = " ".join(move.cues).lower()
        # The runner does the left side first; the cues describe the first side.
        assert "left" in text or move.id == "seated-upper-back-stretch", move.id


@pytest.mark.parametrize("move", _desk_moves(), ids=lambda m: m.id)
def test_every_desk_move_fits_a_notification_whole(move: Move) -> None:
    lines = move.notification_lines()
    assert len(move.cues) <= 3
    assert len(lines) <= NOTIFICATION_MAX_LINES
    assert len("\n".join(lines)) <= NOTIFICATION_MAX_CHARS
    assert move.notification_body() == "\n".join(lines)
    assert move.caution in move.notification_body()


@pytest.mark.parametrize("move", _desk_moves(), ids=lambda m: m.id)
def test_every_desk_move_takes_two_minutes_at_most(move: Move, library: Library) -> None:
    plan = plan_routine(_single(move), library)
    # A reminder has no countdown to get ready: the work, switches and rests are the time.
    assert plan.total_seconds - plan.steps[0].ready_seconds <= 120


def test_static_holds_last_30_to_60_seconds(library: Library) -> None:
    holds = {m.id: m.hold_seconds for m in library.moves.values() if m.kind == "static"}
    assert all(s is not None and 30 <= s <= 60 for s in holds.values()), holds


@pytest.mark.parametrize("name", ["postrun", "desk", "strength"])
def test_every_static_hold_stays_at_30_s_or_more_under_any_minutes_the_cli_accepts(
    library: Library, name: str
) -> None:
    low, high = MINUTES_RANGE
    for minutes in range(low, high + 1):
        try:
            plan = plan_routine(library.routine(name), library, minutes)
        except UsageError:
            continue
        for step in plan.steps:
            assert step.move.kind != "static" or step.seconds >= 30, (minutes, step.label)
        assert plan.total_seconds <= minutes * 60 or plan.note, minutes


def test_postrun_fitted_to_eight_minutes_says_what_it_left_out(library: Library) -> None:
    plan = plan_routine(library.routine("postrun"), library, 8)
    assert plan.total_seconds <= 8 * 60
    assert plan.left_out and plan.note is not None
    for name in plan.left_out:
        assert name in plan.note
        assert name not in {s.move.name for s in plan.steps}


def test_sided_mobility_drills_have_10_to_15_reps_a_side(library: Library) -> None:
    drills = [m for m in library.moves.values() if m.kind == "mobility" and m.sides != "none"]
    assert drills
    for move in drills:
        assert move.reps is not None and 10 <= move.reps <= 15, move.id


def test_strength_moves_are_3_sets_of_10_to_12_or_short_holds(library: Library) -> None:
    for move in library.moves.values():
        if move.kind != "strength" or move.desk:
            continue
        assert move.sets == 3, move.id
        if move.reps is not None:
            both = move.reps * (2 if move.sides == "alternate" else 1)
            assert 10 <= both <= 12, move.id
        else:
            assert move.hold_seconds is not None and 10 <= move.hold_seconds <= 30, move.id


@pytest.mark.parametrize("move", _all_moves(), ids=lambda m: m.id)
def test_strength_moves_say_keep_breathing_and_have_an_easier_and_harder_variant(
    move: Move,
) -> None:
    if move.kind == "strength":
        assert "keep breathing" in move.caution.lower()
        assert move.easier and move.harder


@pytest.mark.parametrize(
    ("move_id", "rep_low", "rep_high"),
    [
        ("standing-roll-down", 8, 10),
        ("bridge", 5, 8),
        ("cat-cow", 5, 8),
        ("worlds-greatest-stretch", 5, 8),
        ("chin-tucks", 4, 6),
        ("shoulder-blade-squeezes", 4, 6),
    ],
)
def test_slow_moves_have_their_own_tempo(
    library: Library, move_id: str, rep_low: float, rep_high: float
) -> None:
    assert rep_low <= library.move(move_id).seconds_per_rep <= rep_high


def test_moves_whose_sides_take_turns_alternate(library: Library) -> None:
    for move_id in ("seated-mid-back-rotation", "worlds-greatest-stretch", "walking-lunges"):
        assert library.move(move_id).sides == "alternate", move_id


def test_prerun_has_no_static_hold(library: Library) -> None:
    assert all(s.move.kind != "static" for s in _plan(library, "prerun"))


def test_prerun_opens_with_a_minute_of_brisk_walking_or_marching(library: Library) -> None:
    first = _plan(library, "prerun")[0]
    assert first.move.id == "brisk-march" and first.seconds >= 60


def test_postrun_opens_gently_and_not_with_a_forward_fold(library: Library) -> None:
    first = _plan(library, "postrun")[0]
    assert first.move.setting == "standing" and first.move.id != "standing-roll-down"


def test_postrun_has_the_bridge_knee_to_chest_and_couch_stretch(library: Library) -> None:
    ids = {s.move_id for s in library.routine("postrun").steps}
    assert {"bridge", "knee-to-chest", "half-kneeling-couch-stretch"} <= ids


def test_postrun_holds_last_30_to_60_seconds(library: Library) -> None:
    holds = [s for s in _plan(library, "postrun") if s.move.kind == "static"]
    assert holds
    for step in holds:
        assert 30 <= step.seconds <= 60, step.label


def test_standing_roll_down_warns_about_pain_and_coming_up_slowly(library: Library) -> None:
    caution = library.move("standing-roll-down").caution.lower()
    assert "pain" in caution and "leg" in caution and "slowly" in caution


def test_supermans_lift_the_arms_only_and_the_leg_is_the_harder_variant(
    library: Library,
) -> None:
    supermans = library.move("supermans")
    assert "leg" not in " ".join(supermans.cues).lower()
    assert supermans.harder is not None and "leg" in supermans.harder


def test_seated_rotation_crosses_the_arms_on_the_chest(library: Library) -> None:
    cues = " ".join(library.move("seated-mid-back-rotation").cues).lower()
    assert "crossed on your chest" in cues and "behind your head" not in cues


def test_desk_routine_has_shoulder_circles_and_a_short_walk(library: Library) -> None:
    ids = [s.move_id for s in library.routine("desk").steps]
    assert "shoulder-circles" in ids and ids[-1] == "walk-around"


def test_strength_routine_has_the_core_and_hip_moves(library: Library) -> None:
    ids = {s.move_id for s in library.routine("strength").steps}
    assert {"dead-bug", "side-plank", "clamshell", "glute-bridge-march"} <= ids


@pytest.mark.parametrize(
    ("name", "low_minutes", "high_minutes"),
    [("prerun", 5, 8), ("postrun", 8, 12), ("desk", 4, 8), ("strength", 9, 12)],
)
def test_routine_total_time_is_in_range(
    library: Library, name: str, low_minutes: int, high_minutes: int
) -> None:
    seconds = plan_routine(library.routine(name), library).total_seconds
    assert low_minutes * 60 <= seconds <= high_minutes * 60


@pytest.mark.parametrize("name", ["prerun", "postrun", "desk", "strength", "upper-back"])
def test_every_each_side_move_in_a_routine_is_done_on_both_sides(
    library: Library, name: str
) -> None:
    steps = _plan(library, name)
    for step in steps:
        sides = [s.side for s in steps if s.move.id == step.move.id]
        each = step.move.sides == "each"
        expected = ["left", "right"] * step.sets if each else [None] * step.sets
        assert sides == expected, step.label


@pytest.mark.parametrize("name", ["prerun", "postrun", "desk", "strength", "upper-back"])
def test_every_routine_says_what_it_needs_and_how_long_it_takes(
    library: Library, name: str
) -> None:
    description = library.routine(name).description
    assert "minutes" in description


# Moves the brief names, each in a routine or the desk rotation. The table stretch is the one
# exception: it is a poor fit for a desk (issue 12) and the seated figure-four replaces it there.
BRIEF_MOVES = {
    "shoulder-circles", "seated-upper-back-stretch", "seated-mid-back-rotation",
    "standing-roll-down", "walk-around", "chin-tucks", "shoulder-blade-squeezes",
    "standing-back-extension", "doorway-chest-stretch", "standing-calf-raise",
    "split-stance-hip-flexor-stretch", "leg-swings-front-back", "leg-swings-side",
    "worlds-greatest-stretch", "quadruped-rock-back", "hip-circles", "walking-lunges",
    "high-knees", "downward-dog", "childs-pose", "cat-cow", "modified-childs-pose",
    "kneeling-hip-flexor-stretch", "figure-four-stretch", "knee-to-chest",
    "half-kneeling-couch-stretch", "standing-calf-stretch", "bridge", "lying-twist", "open-book",
    "band-reverse-fly", "chainsaw-row", "supermans", "dead-bug", "side-plank", "clamshell",
    "glute-bridge-march",
}  # fmt: skip


def test_every_move_the_brief_names_is_in_a_routine(library: Library) -> None:
    in_routines = {s.move_id for r in library.routines.values() for s in r.steps}
    assert set(library.moves) >= BRIEF_MOVES
    # The rest are desk moves: the reminder rotation is where they are used.
    assert BRIEF_MOVES - in_routines <= {m.id for m in library.desk_moves()}


def test_the_table_stretch_left_the_desk_rotation_for_a_seated_figure_four(
    library: Library,
) -> None:
    desk = {m.id for m in library.desk_moves()}
    assert "table-hip-stretch" not in desk and "seated-figure-four" in desk


def test_desk_set_contains_the_briefs_desk_moves(library: Library) -> None:
    desk = {m.id for m in library.desk_moves()}
    assert {
        "shoulder-circles",
        "seated-upper-back-stretch",
        "seated-mid-back-rotation",
        "seated-figure-four",
        "standing-roll-down",
        "walk-around",
        "chin-tucks",
        "shoulder-blade-squeezes",
        "standing-back-extension",
        "doorway-chest-stretch",
        "standing-calf-raise",
        "split-stance-hip-flexor-stretch",
    } <= desk


def test_desk_moves_need_no_floor_and_no_equipment(library: Library) -> None:
    for move in library.desk_moves():
        assert move.setting != "floor" and move.equipment is None, move.id


def test_general_practice_additions_are_labelled(library: Library) -> None:
    general = {m.id for m in library.moves.values() if m.source == "general"}
    assert {"chin-tucks", "hip-circles", "walking-lunges", "high-knees", "dead-bug"} <= general
    assert "open-book" not in general


def test_open_book_names_the_lifting_knee_mistake(library: Library) -> None:
    mistake = library.move("open-book").mistake
    assert mistake is not None and "knee" in mistake


def test_upper_back_routine_has_the_three_strength_moves(library: Library) -> None:
    ids = {s.move_id for s in library.routine("upper-back").steps}
    assert {"band-reverse-fly", "chainsaw-row", "supermans"} <= ids


def test_the_safety_line_names_the_warning_signs(library: Library) -> None:
    safety = library.safety.lower()
    assert "hurts" in safety and "physiotherapist" in safety
    for sign in ("down a leg", "numbness", "tingling", "still there after"):
        assert sign in safety, sign
