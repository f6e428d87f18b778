"""The move library's records: Move, Routine and Library, and the names they may use.

`deskbreak/library/data/moves.toml` holds every built-in move and routine. Users add their own
moves and routines in the config; both go through the same parser (`library.parser`) so they
are validated alike.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

from deskbreak.errors import UsageError

Setting = Literal["desk", "standing", "floor"]
Kind = Literal["dynamic", "static", "strength", "mobility"]
Source = Literal["brief", "general", "custom"]

AREAS = (
    "neck",
    "shoulders",
    "upper-back",
    "mid-back",
    "lower-back",
    "chest",
    "hips",
    "legs",
    "whole-body",
)
SETTINGS: tuple[Setting, ...] = ("desk", "standing", "floor")
KINDS: tuple[Kind, ...] = ("dynamic", "static", "strength", "mobility")
SOURCES: tuple[Source, ...] = ("brief", "general", "custom")

# Used by routine.py to time a routine: a rep at an easy pace, and getting into position.
SECONDS_PER_REP = 3
TRANSITION_SECONDS = 10
# Spelled by name so ruff RUF001 (ambiguous characters) stays on for the rest of the module.
_TIMES = "\N{MULTIPLICATION SIGN}"


@dataclass(frozen=True)
class Move:
    """One exercise. Exactly one of `hold_seconds` and `reps` is set.

    `hold_seconds` is a hold for static moves and a timed bout (walking, high knees) otherwise.
    """

    id: str
    name: str
    area: str
    setting: Setting
    kind: Kind
    cues: tuple[str, ...]
    caution: str
    hold_seconds: int | None = None
    reps: int | None = None
    sets: int = 1
    per_side: bool = False
    mistake: str | None = None
    # True for moves that fit the half-hourly reminder: at a desk, in work clothes, 1-2 minutes.
    desk: bool = False
    # "brief" for moves from the physiotherapists' advice, "general" for common-practice additions,
    # "custom" for the user's own moves from the config.
    source: Source = "brief"
    equipment: str | None = None

    def dose_text(self) -> str:
        """Short dose for a notification body, e.g. "hold 30 s, each side" or "3 x 12 reps"."""
        if self.hold_seconds is not None and self.kind == "static":
            amount = f"hold {_duration_text(self.hold_seconds)}"
            if self.sets > 1:
                amount += f", {self.sets} times"
        else:
            if self.hold_seconds is not None:
                amount = _duration_text(self.hold_seconds)
            else:
                amount = f"{self.reps} reps"
            if self.sets > 1:
                amount = f"{self.sets} {_TIMES} {amount}"
        return f"{amount}, each side" if self.per_side else amount

    def notification_body(self, limit: int = 200) -> str:
        """One to three cues and the dose, one per line, at most `limit` characters."""
        dose = self.dose_text()
        dose = dose[0].upper() + dose[1:]
        lines: list[str] = []
        for cue in self.cues[:3]:
            if lines and len("\n".join([*lines, cue, dose])) > limit:
                break
            lines.append(cue)
        room = limit - len(dose) - 1
        if len(lines) == 1 and len(lines[0]) > room:
            lines[0] = lines[0][: max(room - 1, 0)].rstrip() + "…"
        return "\n".join([*lines, dose])


@dataclass(frozen=True)
class RoutineStep:
    """A move inside a routine, with the routine's own dose where it differs from the move's."""

    move_id: str
    hold_seconds: int | None = None
    reps: int | None = None
    sets: int | None = None


@dataclass(frozen=True)
class Routine:
    name: str
    title: str
    description: str
    steps: tuple[RoutineStep, ...]
    # Rest between sets of the same move (strength routines).
    rest_seconds: int = 0


@dataclass(frozen=True)
class Library:
    moves: Mapping[str, Move]
    routines: Mapping[str, Routine] = field(default_factory=dict)
    # Shown with every routine and in `deskbreak moves`.
    safety: str = ""

    def move(self, move_id: str) -> Move:
        return self.moves[move_id]

    def desk_moves(
        self, areas: Sequence[str] = (), exclude: Iterable[str] = ()
    ) -> tuple[Move, ...]:
        """Moves for the reminder, filtered by the user's areas and exclusions, in library order."""
        excluded = set(exclude)
        return tuple(
            m
            for m in self.moves.values()
            if m.desk and m.id not in excluded and (not areas or m.area in areas)
        )

    def routine(self, name: str) -> Routine:
        """The routine called `name`; UsageError naming the routines there are if none is."""
        if name in self.routines:
            return self.routines[name]
        raise UsageError(
            f'unknown routine "{name}"{did_you_mean(name, self.routines)}; '
            f"routines: {', '.join(self.routines)}"
        )


def _duration_text(seconds: int) -> str:
    return f"{seconds // 60} min" if seconds >= 60 and seconds % 60 == 0 else f"{seconds} s"


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """A ' (did you mean "…"?)' hint with the closest of `choices`, or "" if none is close."""
    import difflib

    close = difflib.get_close_matches(word, list(choices), n=1)
    return f' (did you mean "{close[0]}"?)' if close else ""
