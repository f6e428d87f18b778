"""A guided routine as a plan of timed steps, decided without I/O.

`plan_routine` expands a `Routine` into timed steps: a move done "each" side becomes one step per
side (left, then right) and per set; an "alternate" move is one step whose reps go left, right,
left... Each step has its work time (a hold, or reps at the move's own pace) and the short
transition before it ("get ready", "switch sides", "rest"). `--minutes` fits a time budget:
reps and timed bouts shrink or grow within safe bounds, static holds never go below 30 s, and
when that is still too long whole moves are left out (the plan says which).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from typing import Literal

from deskbreak.errors import DeskbreakError, UsageError
from deskbreak.library.moves import TRANSITION_SECONDS, Library, Move, Routine

Side = Literal["left", "right"]
Ready = Literal["start", "next", "switch", "rest"]

# Shown when the library carries no safety line of its own.
SAFETY = (
    "Stop if a move hurts, and also if pain spreads down a leg, if you feel numbness or "
    "tingling, or if pain stays after the move. With back pain, get a physiotherapist's advice "
    "first."
)

# Transition before a step, by what comes before it; a rest between sets is the routine's own
# `rest_seconds` when it sets one.
READY_SECONDS: dict[Ready, int] = {
    "start": TRANSITION_SECONDS,
    "next": TRANSITION_SECONDS,
    "switch": max(1, TRANSITION_SECONDS // 2),
    "rest": 2 * TRANSITION_SECONDS,
}
# Safe bounds for --minutes. A dose already outside them in the data is never pushed further out.
# A static stretch is held at least 30 s: a shorter hold does little after a run.
STATIC_HOLD_SECONDS = (30, 60)
OTHER_HOLD_SECONDS = (10, 60)
REPS = (6, 15)
# The range `--minutes` accepts on the command line.
MINUTES_RANGE = (1, 120)


@dataclass(frozen=True)
class PlanStep:
    """One timed block of work: a move, on one side, one set; and the transition before it."""

    move: Move
    seconds: int
    reps: int | None
    side: Side | None
    ready: Ready
    ready_seconds: int
    set_number: int = 1
    sets: int = 1

    @property
    def rep_seconds(self) -> float | None:
        return None if self.reps is None else self.seconds / self.reps

    @property
    def label(self) -> str:
        """The move's name with the side and set, e.g. "Figure-four stretch, left side"."""
        parts = [self.move.name]
        if self.side:
            parts.append(f"{self.side} side")
        if self.sets > 1:
            parts.append(f"set {self.set_number} / {self.sets}")
        return ", ".join(parts)

    @property
    def alternating(self) -> bool:
        return self.move.sides == "alternate"

    @property
    def dose(self) -> str:
        if self.reps is not None:
            if self.alternating:
                return f"{self.reps // 2} reps a side, alternating"
            return f"{self.reps} reps"
        return f"hold {self.seconds} s" if self.move.kind == "static" else f"{self.seconds} s"


@dataclass(frozen=True)
class RoutinePlan:
    name: str
    title: str
    steps: tuple[PlanStep, ...]
    safety: str = SAFETY
    description: str = ""
    # Set when --minutes asked for a budget the plan could not meet as asked.
    note: str | None = None
    # Names of the moves --minutes left out to fit the budget, in routine order.
    left_out: tuple[str, ...] = field(default=())

    @property
    def total_seconds(self) -> int:
        """Wall time of the whole routine, transitions included."""
        return sum(s.ready_seconds + s.seconds for s in self.steps)

    def as_json(self) -> dict[str, object]:
        return {
            "name": self.name,
            "title": self.title,
            "description": self.description,
            "total_seconds": self.total_seconds,
            "left_out": list(self.left_out),
            "steps": [
                {
                    "move": s.move.id,
                    "name": s.move.name,
                    "seconds": s.seconds,
                    "reps": s.reps,
                    "side": s.side,
                    "alternating": s.alternating,
                }
                for s in self.steps
            ],
        }


@dataclass(frozen=True)
class _Dose:
    move: Move
    hold: int | None
    reps: int | None
    sets: int


def _doses(routine: Routine, library: Library) -> list[_Dose]:
    doses = []
    for step in routine.steps:
        if step.move_id not in library.moves:
            raise DeskbreakError(f"routine {routine.name!r} uses an unknown move {step.move_id!r}")
        move = library.move(step.move_id)
        if step.hold_seconds is not None:
            hold, reps = step.hold_seconds, None
        elif step.reps is not None:
            hold, reps = None, step.reps
        else:
            hold, reps = move.hold_seconds, move.reps
        if hold is None and reps is None:
            raise DeskbreakError(f"move {move.id!r} has neither hold_seconds nor reps")
        doses.append(_Dose(move, hold, reps, step.sets or move.sets))
    return doses


def _scaled(dose: _Dose, factor: float) -> _Dose:
    if dose.hold is not None:
        low, high = STATIC_HOLD_SECONDS if dose.move.kind == "static" else OTHER_HOLD_SECONDS
        hold = round(dose.hold * factor / 5) * 5
        return replace(dose, hold=max(min(low, dose.hold), min(max(high, dose.hold), hold)))
    assert dose.reps is not None
    low, high = REPS
    reps = round(dose.reps * factor)
    return replace(dose, reps=max(min(low, dose.reps), min(max(high, dose.reps), reps)))


def _expand(routine: Routine, doses: list[_Dose]) -> tuple[PlanStep, ...]:
    steps: list[PlanStep] = []
    waits = dict(READY_SECONDS)
    if routine.rest_seconds > 0:
        waits["rest"] = routine.rest_seconds
    for dose in doses:
        sides: tuple[Side | None, ...] = ("left", "right") if dose.move.sides == "each" else (None,)
        for set_number in range(1, dose.sets + 1):
            for side in sides:
                ready: Ready
                if not steps:
                    ready = "start"
                elif side == "right":
                    ready = "switch"
                elif set_number > 1:
                    ready = "rest"
                else:
                    ready = "next"
                if dose.hold is not None:
                    seconds, reps = dose.hold, None
                else:
                    assert dose.reps is not None
                    # An alternating move's reps count one side; both sides are done in turn.
                    reps = dose.reps * (2 if dose.move.sides == "alternate" else 1)
                    seconds = math.ceil(reps * dose.move.seconds_per_rep)
                steps.append(
                    PlanStep(
                        move=dose.move,
                        seconds=seconds,
                        reps=reps,
                        side=side,
                        ready=ready,
                        ready_seconds=waits[ready],
                        set_number=set_number,
                        sets=dose.sets,
                    )
                )
    return tuple(steps)


def plan_routine(routine: Routine, library: Library, minutes: float | None = None) -> RoutinePlan:
    """The routine as timed steps; with `minutes`, fitted to that budget (see the module doc).

    UsageError when not even the routine's first move fits the budget.
    """
    doses = _doses(routine, library)
    base = RoutinePlan(
        routine.name,
        routine.title,
        _expand(routine, doses),
        library.safety or SAFETY,
        routine.description,
    )
    if minutes is None:
        return base
    low_minutes, high_minutes = MINUTES_RANGE
    if not low_minutes <= minutes <= high_minutes:
        raise UsageError(f"--minutes must be from {low_minutes} to {high_minutes}, got {minutes:g}")
    budget = round(minutes * 60)
    kept = _fitting_moves(routine, doses, budget)
    if not kept:
        shortest = _at(routine, doses[:1], 0.0)
        raise UsageError(
            f"--minutes {minutes:g} is too short for {routine.name}: even its first move alone "
            f"takes {duration_text(shortest)}; give it at least "
            f"{math.ceil(shortest / 60)} minutes"
        )
    chosen = [doses[i] for i in kept]
    left_out = tuple(dict.fromkeys(d.move.name for i, d in enumerate(doses) if i not in kept))

    def at(factor: float) -> RoutinePlan:
        steps = _expand(routine, [_scaled(d, factor) for d in chosen])
        return replace(base, steps=steps)

    # The total grows with the factor (bounds only flatten it), so bisect, then keep the
    # closest of the two plans around the budget that is not over it.
    low, high = 0.0, 20.0
    for _ in range(40):
        middle = (low + high) / 2
        if at(middle).total_seconds <= budget:
            low = middle
        else:
            high = middle
    best = at(low)
    notes = []
    if left_out:
        notes.append(
            f"to fit {minutes:g} min with stretches held at least 30 s, "
            f"{routine.name} leaves out: {'; '.join(left_out)}."
        )
    if not left_out and budget - best.total_seconds > max(15, budget // 20):
        notes.append(
            f"{routine.name} takes at most {duration_text(best.total_seconds)} within safe "
            f"holds and reps, so it runs that long rather than {minutes:g} min."
        )
    return replace(best, note=" ".join(notes) or None, left_out=left_out)


def _at(routine: Routine, doses: list[_Dose], factor: float) -> int:
    """Total seconds of these doses scaled by `factor`."""
    steps = _expand(routine, [_scaled(d, factor) for d in doses])
    return sum(s.ready_seconds + s.seconds for s in steps)


def _fitting_moves(routine: Routine, doses: list[_Dose], budget: int) -> list[int]:
    """Indexes of the routine's steps to keep so that their shortest safe form fits `budget`.

    The opening step (the gentle start) stays; after it, the longest steps go first, the later
    one of equal length first. Empty when not even the opening step fits.
    """
    kept = list(range(len(doses)))
    while kept and _at(routine, [doses[i] for i in kept], 0.0) > budget:
        if len(kept) == 1:
            return []
        droppable = kept[1:]
        longest = max(droppable, key=lambda i: (_at(routine, [doses[i]], 0.0), i))
        kept.remove(longest)
    return kept


def duration_text(seconds: float) -> str:
    """ "9 min 40 s", "45 s"."""
    whole = max(0, round(seconds))
    minutes, rest = divmod(whole, 60)
    if not minutes:
        return f"{rest} s"
    return f"{minutes} min {rest} s" if rest else f"{minutes} min"
