"""The strict TOML → record parser for the move library and the user's own moves and routines.

Both the bundled `moves.toml` and the config's `[moves.custom]` and `[routines]` tables go
through here, so they are validated alike. Errors are ConfigError, naming file, key and value.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import replace
from types import MappingProxyType
from typing import Any, NoReturn, cast

from deskbreak.errors import ConfigError
from deskbreak.library.moves import (
    Library,
    Move,
    Routine,
    RoutineStep,
    did_you_mean,
)
from deskbreak.library.names import (
    AREAS,
    KINDS,
    SETTINGS,
    SIDES,
    SOURCES,
    Kind,
    Setting,
    Sides,
    Source,
)


def parse_library(data: Mapping[str, Any], where: str) -> Library:
    """Turn the bundled file's tables into a Library; ConfigError on anything unexpected."""
    _check_keys(data, ("move", "routine", "safety"), f"{where}:")
    safety = _optional_string(data, "safety", f"{where}:") or ""
    tables = data.get("move", [])
    if not isinstance(tables, list):
        _fail(f"{where}:", "move", f"must be an array of tables ([[move]]), got {_show(tables)}")
    moves: dict[str, Move] = {}
    for number, table in enumerate(tables, start=1):
        at = f"{where}: [[move]] #{number}"
        move_id = _table(table, at).get("id")
        if not isinstance(move_id, str):
            _fail(at, "id", f"must be a kebab-case string, got {_show(move_id)}")
        if move_id in moves:
            _fail(at, "id", f'"{move_id}" is used by an earlier move; ids must be unique')
        moves[move_id] = _parse_move(move_id, table, f"{at} ({move_id})", default_source="brief")
    routines = _table(data.get("routine", {}), f"{where}: [routine]")
    base = Library(moves=MappingProxyType(moves), safety=safety)
    return _with_routines(base, routines, lambda name: f"{where}: [routine.{name}]")


def extend_library(
    base: Library,
    custom_moves: Mapping[str, Any],
    custom_routines: Mapping[str, Any],
    where: str,
) -> Library:
    """`base` plus the user's `[moves.custom]` moves and `[routines]` routines from the config.

    A custom routine with a built-in routine's name replaces it; a custom move may not reuse a
    built-in move's id. Errors start with `where`, the config file's name.
    """
    moves = dict(base.moves)
    for move_id, table in _table(custom_moves, f"{where}: [moves.custom]").items():
        at = f"{where}: [moves.custom.{move_id}]"
        if move_id in base.moves:
            raise ConfigError(
                f'{at} a built-in move already has the id "{move_id}"; choose another id '
                "(to leave the built-in out of reminders, list it in [moves] exclude)"
            )
        moves[move_id] = _parse_move(move_id, table, at, default_source="custom")
    extended = replace(base, moves=MappingProxyType(moves))
    routines = _table(custom_routines, f"{where}: [routines]")
    return _with_routines(extended, routines, lambda name: f"{where}: [routines.{name}]")


# ------------------------------------------------------------------------------------ parsing

_KEBAB = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
_MOVE_KEYS = (
    "id",
    "name",
    "area",
    "setting",
    "kind",
    "hold_seconds",
    "reps",
    "sets",
    "sides",
    "per_side",
    "rep_seconds",
    "cues",
    "switch",
    "mistake",
    "caution",
    "why",
    "easier",
    "harder",
    "equipment",
    "desk",
    "source",
)
_ROUTINE_KEYS = ("title", "description", "rest_seconds", "steps")
_STEP_KEYS = ("move", "hold", "reps", "sets")
_HOLD_RANGE = (5, 600)
_REPS_RANGE = (1, 100)
_SETS_RANGE = (1, 10)
_REP_SECONDS_RANGE = (1, 20)


def _parse_move(move_id: str, raw: Any, at: str, default_source: Source) -> Move:
    table = _table(raw, at)
    _check_keys(table, _MOVE_KEYS, at)
    _check_id(move_id, at, "move id")
    if "id" in table and table["id"] != move_id:
        _fail(at, "id", f'must match the table name "{move_id}", got {_show(table["id"])}')
    hold = _int(table, "hold_seconds", at, *_HOLD_RANGE, unit="seconds")
    reps = _int(table, "reps", at, *_REPS_RANGE)
    if (hold is None) == (reps is None):
        got = "both" if hold is not None else "neither"
        raise ConfigError(f"{at} needs exactly one of hold_seconds and reps, got {got}")
    cues = table.get("cues")
    if (
        not isinstance(cues, list)
        or not 1 <= len(cues) <= 4
        or not all(isinstance(c, str) and c.strip() for c in cues)
    ):
        _fail(at, "cues", f"must be a list of 1 to 4 non-empty strings, got {_show(cues)}")
    sides = _sides(table, at)
    if sides == "alternate" and hold is not None:
        _fail(at, "sides", '"alternate" goes with reps (one rep a side in turn), not a hold')
    return Move(
        id=move_id,
        name=_string(table, "name", at),
        area=_choice(table, "area", at, AREAS),
        setting=cast(Setting, _choice(table, "setting", at, SETTINGS)),
        kind=cast(Kind, _choice(table, "kind", at, KINDS)),
        cues=tuple(c.strip() for c in cues),
        caution=_optional_string(table, "caution", at) or "",
        hold_seconds=hold,
        reps=reps,
        sets=_int(table, "sets", at, *_SETS_RANGE) or 1,
        sides=sides,
        mistake=_optional_string(table, "mistake", at),
        desk=_bool(table, "desk", at),
        source=cast(Source, _choice(table, "source", at, SOURCES, default=default_source)),
        equipment=_optional_string(table, "equipment", at),
        why=_optional_string(table, "why", at) or "",
        rep_seconds=_rep_seconds(table, at),
        switch=_optional_string(table, "switch", at),
        easier=_optional_string(table, "easier", at),
        harder=_optional_string(table, "harder", at),
    )


def _sides(table: Mapping[str, Any], at: str) -> Sides:
    """`sides`, or the older `per_side = true` (the same as sides = "each")."""
    if "sides" in table and "per_side" in table:
        _fail(at, "per_side", 'is the older spelling of sides = "each"; keep only sides')
    if "per_side" in table:
        return "each" if _bool(table, "per_side", at) else "none"
    return cast(Sides, _choice(table, "sides", at, SIDES, default="none"))


def _rep_seconds(table: Mapping[str, Any], at: str) -> float | None:
    value = table.get("rep_seconds")
    if value is None:
        return None
    low, high = _REP_SECONDS_RANGE
    if isinstance(value, bool) or not isinstance(value, int | float) or not low <= value <= high:
        problem = f"must be a number of seconds from {low} to {high}, got {_show(value)}"
        _fail(at, "rep_seconds", problem)
    return float(value)


def _with_routines(
    base: Library, tables: Mapping[str, Any], label: Callable[[str], str]
) -> Library:
    routines = dict(base.routines)
    for name, raw in tables.items():
        routines[name] = _parse_routine(name, raw, label(name), base.moves)
    return replace(base, routines=MappingProxyType(routines))


def _parse_routine(name: str, raw: Any, at: str, moves: Mapping[str, Move]) -> Routine:
    table = _table(raw, at)
    _check_keys(table, _ROUTINE_KEYS, at)
    _check_id(name, at, "routine name")
    steps = table.get("steps")
    if not isinstance(steps, list) or not steps:
        _fail(at, "steps", f"must be a non-empty list of move ids, got {_show(steps)}")
    return Routine(
        name=name,
        title=_optional_string(table, "title", at) or name.replace("-", " ").capitalize(),
        description=_optional_string(table, "description", at) or "",
        steps=tuple(_parse_step(s, at, f"steps[{i}]", moves) for i, s in enumerate(steps)),
        rest_seconds=_int(table, "rest_seconds", at, 0, 600, unit="seconds") or 0,
    )


def _parse_step(raw: Any, at: str, key: str, moves: Mapping[str, Move]) -> RoutineStep:
    if isinstance(raw, str):
        return RoutineStep(_known_move(raw, at, key, moves).id)
    if not isinstance(raw, dict):
        _fail(at, key, f'must be a move id or a table {{move = "id", ...}}, got {_show(raw)}')
    step_at = f"{at} {key}"
    _check_keys(raw, _STEP_KEYS, step_at)
    move_id = raw.get("move")
    if not isinstance(move_id, str):
        _fail(at, f"{key}.move", f"must be a move id, got {_show(move_id)}")
    move = _known_move(move_id, at, key, moves)
    hold = _int(raw, "hold", at, *_HOLD_RANGE, unit="seconds", key_label=f"{key}.hold")
    reps = _int(raw, "reps", at, *_REPS_RANGE, key_label=f"{key}.reps")
    if hold is not None and move.hold_seconds is None:
        _fail(at, f"{key}.hold", f'"{move.id}" is counted in reps, not held; use reps')
    if reps is not None and move.reps is None:
        _fail(at, f"{key}.reps", f'"{move.id}" is timed, not counted; use hold')
    sets = _int(raw, "sets", at, *_SETS_RANGE, key_label=f"{key}.sets")
    return RoutineStep(move.id, hold_seconds=hold, reps=reps, sets=sets)


def _known_move(move_id: str, at: str, key: str, moves: Mapping[str, Move]) -> Move:
    if move_id in moves:
        return moves[move_id]
    hint = did_you_mean(move_id, moves) or " (`deskbreak moves` lists them)"
    _fail(at, key, f'unknown move "{move_id}"{hint}')


# --------------------------------------------------------------------------- value checkers


def _fail(at: str, key: str, problem: str) -> NoReturn:
    raise ConfigError(f"{at} {key}: {problem}")


def _show(value: Any) -> str:
    """A value as the user wrote it in TOML, shortened."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "nothing"
    import json

    text = json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= 60 else text[:57] + "..."


def _table(value: Any, at: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise ConfigError(f"{at} must be a table, got {_show(value)}")
    return value


def _check_keys(table: Mapping[str, Any], allowed: Collection[str], at: str) -> None:
    for key in table:
        if key not in allowed:
            hint = did_you_mean(key, allowed) or f" (allowed: {', '.join(allowed)})"
            raise ConfigError(f'{at} unknown key "{key}"{hint}')


def _check_id(value: str, at: str, what: str) -> None:
    if not _KEBAB.fullmatch(value):
        raise ConfigError(
            f'{at} {what} "{value}" must be kebab-case: lower-case letters, digits and hyphens'
        )


def _string(table: Mapping[str, Any], key: str, at: str) -> str:
    value = table.get(key)
    if not isinstance(value, str) or not value.strip():
        _fail(at, key, f"must be a non-empty string, got {_show(value)}")
    return value.strip()


def _optional_string(table: Mapping[str, Any], key: str, at: str) -> str | None:
    return None if table.get(key) is None else _string(table, key, at)


def _choice(
    table: Mapping[str, Any],
    key: str,
    at: str,
    allowed: Sequence[str],
    default: str | None = None,
) -> str:
    value = table.get(key, default)
    if value not in allowed:
        _fail(at, key, f"must be one of {', '.join(allowed)}, got {_show(value)}")
    return cast(str, value)


def _bool(table: Mapping[str, Any], key: str, at: str) -> bool:
    value = table.get(key, False)
    if not isinstance(value, bool):
        _fail(at, key, f"must be true or false, got {_show(value)}")
    return value


def _int(
    table: Mapping[str, Any],
    key: str,
    at: str,
    low: int,
    high: int,
    unit: str = "",
    key_label: str | None = None,
) -> int | None:
    value = table.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        what = f"a whole number of {unit}" if unit else "a whole number"
        _fail(at, key_label or key, f"must be {what} from {low} to {high}, got {_show(value)}")
    return value
