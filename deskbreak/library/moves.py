"""The move library's records: Move, Routine and Library, and the names they may use.

`deskbreak/library/data/moves.toml` holds every built-in move and routine. Users add their own
moves and routines in the config; both go through the same parser (`library.parser`) so they
are validated alike.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from deskbreak.errors import UsageError
from deskbreak.library.names import Kind, Setting, Sides, Source

# The pace of one rep when a move sets no `rep_seconds` of its own: swings and marching are
# quick, drills and strength reps are slow and controlled.
REP_SECONDS_BY_KIND: dict[Kind, float] = {
    "dynamic": 2.0,
    "mobility": 4.0,
    "strength": 3.0,
    "static": 4.0,
}
# Getting into position before a move (routine/plan.py times routines with it).
TRANSITION_SECONDS = 10
# What a desktop notification shows of its body without scrolling or expanding: the servers in
# common use (GNOME Shell, KDE Plasma, dunst's defaults) wrap a body to a few short lines, so a
# desk move's body (cues, dose, how to switch sides, caution) must stay within both limits.
NOTIFICATION_MAX_LINES = 6
NOTIFICATION_MAX_CHARS = 300
# Spelled by name so ruff RUF001 (ambiguous characters) stays on for the rest of the module.
_TIMES = "\N{MULTIPLICATION SIGN}"


@dataclass(frozen=True)
class Move:
    """One exercise. Exactly one of `hold_seconds` and `reps` is set.

    `hold_seconds` is a hold for static moves and a timed bout (walking, high knees) otherwise.
    `reps` counts one side: an "alternate" move of 6 reps is 12 movements, left and right in turn.
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
    sides: Sides = "none"
    mistake: str | None = None
    # True for moves that fit the half-hourly reminder: at a desk, in work clothes, 1-2 minutes.
    desk: bool = False
    # "brief" for moves from the physiotherapists' advice, "general" for common-practice additions,
    # "custom" for the user's own moves from the config.
    source: Source = "brief"
    equipment: str | None = None
    # One line: what the move does for a runner.
    why: str = ""
    # Seconds per rep, where the move's own pace differs from its kind's.
    rep_seconds: float | None = None
    # How to change sides, where "switch sides" alone would leave it unclear.
    switch: str | None = None
    # Progressions: an easier and a harder variant.
    easier: str | None = None
    harder: str | None = None

    @property
    def seconds_per_rep(self) -> float:
        return self.rep_seconds if self.rep_seconds is not None else REP_SECONDS_BY_KIND[self.kind]

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
        if self.sides == "each":
            return f"{amount}, each side"
        if self.sides == "alternate":
            return f"{amount} a side, alternating"
        return amount

    def notification_lines(self) -> list[str]:
        """Everything a reminder shows, one line each: up to three cues, the dose, how to
        switch sides, the caution."""
        dose = self.dose_text()
        tail = [dose[0].upper() + dose[1:]]
        if self.switch and self.sides == "each":
            tail.append(self.switch)
        if self.caution:
            tail.append(self.caution)
        return [*self.cues[:3], *tail]

    def notification_body(
        self, max_lines: int = NOTIFICATION_MAX_LINES, max_chars: int = NOTIFICATION_MAX_CHARS
    ) -> str:
        """The reminder's body within what a notification shows. The bundled desk moves fit
        whole (a test keeps them so); a longer custom move loses cues from the end, then text."""
        lines = self.notification_lines()
        cues = min(3, len(self.cues))
        while cues > 1 and (len(lines) > max_lines or len("\n".join(lines)) > max_chars):
            del lines[cues - 1]
            cues -= 1
        lines = lines[:max_lines]
        body = "\n".join(lines)
        if len(body) > max_chars:
            body = body[: max_chars - 1].rstrip() + "…"
        return body


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
    # Shown when the routine starts and in `routine --list`: equipment, how often, why.
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
