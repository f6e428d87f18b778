"""The bundled moves.toml: it loads as packaged, and its content keeps to the brief's doses."""

from __future__ import annotations

import tomllib
from importlib import resources

import pytest

from deskbreak.library.loader import load_library
from deskbreak.library.moves import (
    AREAS,
    Library,
    Move,
    Routine,
    RoutineStep,
)
from deskbreak.library.parser import parse_library
from deskbreak.routine.plan import PlanStep, plan_routine


@pytest.fixture(scope="module")
def library() -> Library:
    return load_library()


def _all_moves() -> list[Move]:
    return list(load_library().moves.values())


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


def test_library_has_the_four_routines(library: Library) -> None:
    assert set(library.routines) == {"prerun", "postrun", "desk", "upper-back"}


def test_every_routine_refers_only_to_existing_moves(library: Library) -> None:
    for routine in library.routines.values():
        for step in routine.steps:
            assert step.move_id in library.moves, (routine.name, step.move_id)


@pytest.mark.parametrize("move", _all_moves(), ids=lambda m: m.id)
def test_every_move_has_two_to_four_cues_and_a_caution(move: Move) -> None:
    assert 2 <= len(move.cues) <= 4
    assert move.caution


@pytest.mark.parametrize("move", _all_moves(), ids=lambda m: m.id)
def test_every_move_has_a_known_area(move: Move) -> None:
    assert move.area in AREAS


@pytest.mark.parametrize("move", _all_moves(), ids=lambda m: m.id)
def test_every_cue_is_a_short_sentence(move: Move) -> None:
    for cue in move.cues:
        assert len(cue) <= 100
        assert cue.endswith(".")


@pytest.mark.parametrize("move", _all_moves(), ids=lambda m: m.id)
def test_every_desk_notification_body_fits_in_200_characters(move: Move) -> None:
    assert len(move.notification_body()) <= 200


def test_static_holds_last_30_to_60_seconds(library: Library) -> None:
    holds = {m.id: m.hold_seconds for m in library.moves.values() if m.kind == "static"}
    assert all(s is not None and 30 <= s <= 60 for s in holds.values()), holds


def test_sided_mobility_drills_have_10_to_15_reps_a_side(library: Library) -> None:
    drills = [m for m in library.moves.values() if m.kind == "mobility" and m.per_side]
    assert drills
    for move in drills:
        assert move.reps is not None and 10 <= move.reps <= 15, move.id


def test_strength_moves_are_3_sets_of_10_to_12(library: Library) -> None:
    for move in library.moves.values():
        if move.kind == "strength":
            assert move.sets == 3 and move.reps is not None and 10 <= move.reps <= 12, move.id


def test_prerun_has_no_static_hold_longer_than_15_seconds(library: Library) -> None:
    for step in _plan(library, "prerun"):
        assert step.move.kind != "static" or step.seconds <= 15, step.label


def test_prerun_is_made_of_dynamic_moves(library: Library) -> None:
    assert {s.move.kind for s in _plan(library, "prerun")} <= {"dynamic", "mobility"}


def test_postrun_holds_last_30_to_60_seconds(library: Library) -> None:
    holds = [s for s in _plan(library, "postrun") if s.reps is None]
    assert holds
    for step in holds:
        assert 30 <= step.seconds <= 60, step.label


@pytest.mark.parametrize("name", ["prerun", "postrun", "desk", "upper-back"])
def test_every_per_side_move_in_a_routine_is_done_on_both_sides(
    library: Library, name: str
) -> None:
    steps = _plan(library, name)
    for step in steps:
        sides = [s.side for s in steps if s.move.id == step.move.id]
        expected = ["left", "right"] * step.sets if step.move.per_side else [None] * step.sets
        assert sides == expected, step.label


def test_postrun_contains_the_seven_move_lower_back_cool_down(library: Library) -> None:
    ids = [s.move_id for s in library.routine("postrun").steps]
    seven = [
        "standing-roll-down",
        "downward-dog",
        "childs-pose",
        "cat-cow",
        "modified-childs-pose",
        "kneeling-hip-flexor-stretch",
        "figure-four-stretch",
    ]
    assert [i for i in ids if i in seven] == seven


@pytest.mark.parametrize(
    ("name", "low_minutes", "high_minutes"),
    [("prerun", 5, 8), ("postrun", 8, 12), ("desk", 2, 6)],
)
def test_routine_total_time_is_in_range(
    library: Library, name: str, low_minutes: int, high_minutes: int
) -> None:
    seconds = plan_routine(library.routine(name), library).total_seconds
    assert low_minutes * 60 <= seconds <= high_minutes * 60


def test_desk_set_contains_the_briefs_desk_moves(library: Library) -> None:
    desk = {m.id for m in library.desk_moves()}
    assert {
        "shoulder-circles",
        "seated-upper-back-stretch",
        "seated-mid-back-rotation",
        "table-hip-stretch",
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


def test_desk_moves_take_at_most_two_minutes(library: Library) -> None:
    for move in library.desk_moves():
        assert plan_routine(_single(move), library).total_seconds <= 150, move.id


def test_general_practice_additions_are_labelled(library: Library) -> None:
    general = {m.id for m in library.moves.values() if m.source == "general"}
    assert {"chin-tucks", "hip-circles", "walking-lunges", "high-knees"} <= general
    assert "open-book" not in general


def test_open_book_names_the_lifting_knee_mistake(library: Library) -> None:
    mistake = library.move("open-book").mistake
    assert mistake is not None and "knee" in mistake


def test_upper_back_routine_has_the_three_strength_moves(library: Library) -> None:
    ids = {s.move_id for s in library.routine("upper-back").steps}
    assert {"band-reverse-fly", "chainsaw-row", "supermans"} <= ids


def test_library_carries_the_safety_line(library: Library) -> None:
    assert "Stop if a move hurts" in library.safety
    assert "physiotherapist" in library.safety
