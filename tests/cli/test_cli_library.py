"""`deskbreak moves`, `routine --list` and `--minutes` as a user sees them (in process)."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from deskbreak.cli.app import _register_commands, app
from deskbreak.cli.commands_moves import table_lines
from deskbreak.errors import DeskbreakError
from deskbreak.library.loader import load_library
from deskbreak.routine.plan import plan_routine


def invoke(*args: str) -> tuple[int, str, str]:
    """Exit code, stdout and stderr as `main` would give them (a DeskbreakError becomes its
    message on stderr and its exit code)."""
    _register_commands()
    result = CliRunner().invoke(app, list(args))
    if isinstance(result.exception, DeskbreakError):
        return result.exception.exit_code, result.stdout, str(result.exception)
    return result.exit_code, result.stdout, result.stderr


def test_moves_table_fits_80_columns_and_keeps_every_name_whole() -> None:
    moves = list(load_library().moves.values())
    lines = table_lines(moves, 80)
    assert max(len(line) for line in lines) < 80
    text = "\n".join(lines)
    for move in moves:
        assert move.id in text
        # A name may wrap only at a space, never be cut.
        assert all(word in text for word in move.name.split())


def test_moves_piped_is_not_wrapped_and_has_no_trailing_spaces() -> None:
    code, out, _ = invoke("moves")
    assert code == 0
    lines = out.splitlines()
    assert all(line == line.rstrip() for line in lines)
    assert any(line.startswith("seated-mid-back-rotation ") for line in lines)
    assert "10 reps a side, alternating" in out


def test_moves_shows_a_why_for_every_move() -> None:
    code, out, _ = invoke("moves")
    assert code == 0
    for move in load_library().moves.values():
        assert f"{move.name}: {move.why}" in out


def test_moves_id_shows_the_whole_move_with_its_progressions() -> None:
    code, out, _ = invoke("moves", "side-plank")
    assert code == 0
    move = load_library().move("side-plank")
    assert out.splitlines()[0] == "Side plank (side-plank) · core · floor"
    for text in (*move.cues, move.caution, move.why, move.easier, move.harder, move.switch):
        assert text is not None and text in out
    assert "easier: " in out and "harder: " in out


def test_moves_with_an_unknown_id_is_a_usage_error_with_a_hint() -> None:
    code, _, err = invoke("moves", "dead-bugs")
    assert code == 2
    assert 'unknown move "dead-bugs" (did you mean "dead-bug"?)' in err


def test_moves_id_as_json_is_one_object() -> None:
    code, out, _ = invoke("moves", "dead-bug", "--json")
    assert code == 0
    data = json.loads(out)
    assert data["id"] == "dead-bug" and data["sides"] == "alternate" and data["harder"]


def test_routine_list_shows_each_routines_description() -> None:
    code, out, _ = invoke("routine", "--list")
    assert code == 0
    for routine in load_library().routines.values():
        assert routine.name in out and routine.description in out


def test_routine_list_json_of_one_routine_carries_title_and_description() -> None:
    code, out, _ = invoke("routine", "strength", "--list", "--json")
    assert code == 0
    data = json.loads(out)
    strength = load_library().routine("strength")
    assert (data["title"], data["description"]) == (strength.title, strength.description)


def test_a_routines_list_starts_with_its_description() -> None:
    code, out, _ = invoke("postrun", "--list")
    assert code == 0
    assert out.splitlines()[1] == load_library().routine("postrun").description


def test_postrun_one_minute_fits_by_leaving_moves_out_and_says_which() -> None:
    code, out, err = invoke("postrun", "--minutes", "1", "--list", "--json")
    assert code == 0
    plan = json.loads(out)
    assert plan["total_seconds"] <= 60 and plan["left_out"]
    assert err.startswith("note: to fit 1 min")
    assert all(name in err for name in plan["left_out"])


def test_minutes_too_short_for_the_first_move_is_a_usage_error_naming_the_minimum() -> None:
    code, out, err = invoke("routine", "strength", "--minutes", "1")
    assert code == 2 and out == ""
    assert "--minutes 1 is too short for strength" in err
    assert "give it at least 3 minutes" in err


def test_minutes_the_cli_refuses_are_usage_errors() -> None:
    for minutes in ("0", "121"):
        code, _, _ = invoke("postrun", "--minutes", minutes, "--list")
        assert code == 2, minutes


def test_postrun_eight_minutes_keeps_holds_at_30_s_and_names_what_it_left_out() -> None:
    code, out, err = invoke("postrun", "--minutes", "8", "--list", "--json")
    assert code == 0
    plan = json.loads(out)
    library = load_library()
    for step in plan["steps"]:
        if library.move(step["move"]).kind == "static":
            assert step["seconds"] >= 30, step
    assert plan["total_seconds"] <= 8 * 60
    assert plan["left_out"] and "leaves out" in err
    code, out, _ = invoke("postrun", "--minutes", "8", "--list")
    assert f"left out to fit the time: {'; '.join(plan['left_out'])}" in out
    full = plan_routine(library.routine("postrun"), library)
    assert len(plan["steps"]) < len(full.steps)


def test_moves_of_the_core_area_are_the_new_strength_moves() -> None:
    code, out, _ = invoke("moves", "--area", "core", "--json")
    assert code == 0
    assert {m["id"] for m in json.loads(out)} == {"dead-bug", "side-plank"}
