"""The strict parser: the user's own moves and routines from the config, and its messages."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pytest

from deskbreak.errors import ConfigError
from deskbreak.library.loader import load_library
from deskbreak.library.moves import Library, RoutineStep
from deskbreak.library.parser import extend_library


def extend(
    moves: Mapping[str, Any] | None = None, routines: Mapping[str, Any] | None = None
) -> Library:
    return extend_library(load_library(), moves or {}, routines or {}, where="config.toml")


def custom_move(**changes: Any) -> dict[str, Any]:
    table: dict[str, Any] = {
        "name": "Neck roll",
        "area": "neck",
        "setting": "desk",
        "kind": "mobility",
        "reps": 5,
        "cues": ["Drop your chin.", "Roll the head slowly from side to side."],
        "desk": True,
    }
    table.update(changes)
    return table


def test_custom_move_joins_the_library_as_a_custom_desk_move() -> None:
    lib = extend(moves={"neck-roll": custom_move()})
    added = lib.move("neck-roll")
    assert (added.source, added.desk, added.reps) == ("custom", True, 5)
    assert added in lib.desk_moves()
    assert "shoulder-circles" in lib.moves


def test_the_older_per_side_key_still_means_each_side() -> None:
    lib = extend(moves={"neck-roll": custom_move(per_side=True)})
    assert lib.move("neck-roll").sides == "each"


def test_a_custom_move_may_set_its_own_pace_and_progressions() -> None:
    lib = extend(
        moves={"neck-roll": custom_move(rep_seconds=6.5, easier="Smaller.", harder="Slower.")}
    )
    added = lib.move("neck-roll")
    assert (added.seconds_per_rep, added.easier, added.harder) == (6.5, "Smaller.", "Slower.")


def test_custom_routine_may_use_custom_moves_and_change_doses() -> None:
    lib = extend(
        moves={"neck-roll": custom_move()},
        routines={
            "evening": {
                "title": "Evening",
                "steps": ["neck-roll", {"move": "childs-pose", "hold": 60}],
            }
        },
    )
    routine = lib.routine("evening")
    assert routine.steps == (RoutineStep("neck-roll"), RoutineStep("childs-pose", hold_seconds=60))
    assert lib.routine("prerun") == load_library().routine("prerun")


def test_custom_routine_replaces_a_built_in_routine_of_the_same_name() -> None:
    lib = extend(routines={"prerun": {"steps": ["high-knees"]}})
    assert lib.routine("prerun").steps == (RoutineStep("high-knees"),)
    assert lib.routine("prerun").title == "Prerun"


def test_extending_leaves_the_bundled_library_untouched() -> None:
    extend(moves={"neck-roll": custom_move()}, routines={"prerun": {"steps": ["high-knees"]}})
    assert "neck-roll" not in load_library().moves
    assert len(load_library().routine("prerun").steps) > 1


@pytest.mark.parametrize(
    ("moves", "routines", "message"),
    [
        (
            {"neck-roll": custom_move(hold_second=30)},
            {},
            'config.toml: [moves.custom.neck-roll] unknown key "hold_second" '
            '(did you mean "hold_seconds"?)',
        ),
        (
            {"neck-roll": custom_move(colour="red")},
            {},
            'config.toml: [moves.custom.neck-roll] unknown key "colour" (allowed: id, name, '
            "area, setting, kind, hold_seconds, reps, sets, sides, per_side, rep_seconds, cues, "
            "switch, mistake, caution, why, easier, harder, equipment, desk, source)",
        ),
        (
            {"neck-roll": custom_move(area="back")},
            {},
            "config.toml: [moves.custom.neck-roll] area: must be one of neck, shoulders, "
            'upper-back, mid-back, lower-back, chest, hips, legs, core, whole-body, got "back"',
        ),
        (
            {"neck-roll": custom_move(sides="both")},
            {},
            "config.toml: [moves.custom.neck-roll] sides: must be one of none, each, alternate, "
            'got "both"',
        ),
        (
            {"neck-roll": custom_move(hold_seconds=30, reps=None, sides="alternate")},
            {},
            'config.toml: [moves.custom.neck-roll] sides: "alternate" goes with reps (one rep a '
            "side in turn), not a hold",
        ),
        (
            {"neck-roll": custom_move(rep_seconds=0)},
            {},
            "config.toml: [moves.custom.neck-roll] rep_seconds: must be a number of seconds "
            "from 1 to 20, got 0",
        ),
        (
            {"neck-roll": custom_move(hold_seconds=30)},
            {},
            "config.toml: [moves.custom.neck-roll] needs exactly one of hold_seconds and reps, "
            "got both",
        ),
        (
            {"neck-roll": custom_move(reps=True)},
            {},
            "config.toml: [moves.custom.neck-roll] reps: must be a whole number from 1 to 100, "
            "got true",
        ),
        (
            {"neck-roll": custom_move(cues=[])},
            {},
            "config.toml: [moves.custom.neck-roll] cues: must be a list of 1 to 4 non-empty "
            "strings, got []",
        ),
        (
            {"Neck_Roll": custom_move()},
            {},
            'config.toml: [moves.custom.Neck_Roll] move id "Neck_Roll" must be kebab-case: '
            "lower-case letters, digits and hyphens",
        ),
        (
            {"open-book": custom_move()},
            {},
            'config.toml: [moves.custom.open-book] a built-in move already has the id "open-book"; '
            "choose another id "
            "(to leave the built-in out of reminders, list it in [moves] exclude)",
        ),
        (
            {},
            {"evening": {"steps": ["childs-pose", "open-bok"]}},
            'config.toml: [routines.evening] steps[1]: unknown move "open-bok" '
            '(did you mean "open-book"?)',
        ),
        (
            {},
            {"evening": {"steps": ["zzz"]}},
            'config.toml: [routines.evening] steps[0]: unknown move "zzz" '
            "(`deskbreak moves` lists them)",
        ),
        (
            {},
            {"evening": {"steps": [{"move": "childs-pose", "hold": "ten"}]}},
            "config.toml: [routines.evening] steps[0].hold: must be a whole number of seconds "
            'from 5 to 600, got "ten"',
        ),
        (
            {},
            {"evening": {"steps": [{"move": "childs-pose", "hold": 3600}]}},
            "config.toml: [routines.evening] steps[0].hold: must be a whole number of seconds "
            "from 5 to 600, got 3600",
        ),
        (
            {},
            {"evening": {"steps": [{"move": "open-book", "hold": 30}]}},
            'config.toml: [routines.evening] steps[0].hold: "open-book" is counted in reps, '
            "not held; use reps",
        ),
        (
            {},
            {"evening": {"steps": [{"move": "open-book", "rep": 5}]}},
            'config.toml: [routines.evening] steps[0] unknown key "rep" (did you mean "reps"?)',
        ),
        (
            {},
            {"evening": {"steps": []}},
            "config.toml: [routines.evening] steps: must be a non-empty list of move ids, got []",
        ),
        (
            {},
            {"evening": {"step": ["open-book"]}},
            'config.toml: [routines.evening] unknown key "step" (did you mean "steps"?)',
        ),
        (
            {},
            {"evening": ["open-book"]},
            'config.toml: [routines.evening] must be a table, got ["open-book"]',
        ),
    ],
)
def test_extend_library_rejects_a_mistake_with_a_message_naming_key_value_and_allowed(
    moves: dict[str, Any], routines: dict[str, Any], message: str
) -> None:
    with pytest.raises(ConfigError) as err:
        extend(moves=moves, routines=routines)
    assert str(err.value) == message
