"""A guided routine as a plan of timed steps, decided without I/O.

`plan_routine` expands a `Routine` into timed steps: one step per side (left, then right) and per
set, each with its work time (a hold, or reps paced at a few seconds each) and the short
transition before it ("get ready", "switch sides", "rest"). `--minutes` scales holds and reps to
a time budget within safe bounds. The runner in `routine` plays the plan.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Literal

from deskbreak.errors import DeskbreakError, UsageError
from deskbreak.library.moves import SECONDS_PER_REP, TRANSITION_SECONDS, Library, Move, Routine

Side = Literal["left", "right"]
Ready = Literal["start", "next", "switch", "rest"]

# Shown when the library carries no safety line of its own.
SAFETY = "Stop if a move hurts. With recurring back pain, see a physiotherapist before starting."

# Transition before a step, by what comes before it; a rest between sets is the routine's own
# `rest_seconds` when it sets one. Reps are paced at SECONDS_PER_REP each.
READY_SECONDS: dict[Ready, int] = {
    "start": TRANSITION_SECONDS,
    "next": TRANSITION_SECONDS,
    "switch": max(1, TRANSITION_SECONDS // 2),
    "rest": 2 * TRANSITION_SECONDS,
}
# Safe bounds for --minutes. A dose already outside them in the data is never pushed further out.
STATIC_HOLD_SECONDS = (20, 60)
OTHER_HOLD_SECONDS = (10, 60)
REPS = (6, 15)


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
    def dose(self) -> str:
        if self.reps is not None:
            return f"{self.reps} reps"
        return f"hold {self.seconds} s" if self.move.kind == "static" else f"{self.seconds} s"


@dataclass(frozen=True)
class RoutinePlan:
    name: str
    title: str
    steps: tuple[PlanStep, ...]
    safety: str = SAFETY
    # Set when --minutes asked for a budget the safe bounds cannot meet.
    note: str | None = None

    @property
    def total_seconds(self) -> int:
        """Wall time of the whole routine, transitions included."""
        return sum(s.ready_seconds + s.seconds for s in self.steps)

    def as_json(self) -> dict[str, object]:
        return {
            "name": self.name,
            "total_seconds": self.total_seconds,
            "steps": [
                {
                    "move": s.move.id,
                    "name": s.move.name,
                    "seconds": s.seconds,
                    "reps": s.reps,
                    "side": s.side,
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
        sides: tuple[Side | None, ...] = ("left", "right") if dose.move.per_side else (None,)
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
                    reps = dose.reps
                    seconds = reps * SECONDS_PER_REP
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
    """The routine as timed steps; with `minutes`, holds and reps scaled to fit that budget."""
    doses = _doses(routine, library)
    safety = library.safety or SAFETY
    plan = RoutinePlan(routine.name, routine.title, _expand(routine, doses), safety)
    if minutes is None:
        return plan
    if minutes <= 0:
        raise UsageError(f"--minutes must be more than 0, got {minutes:g}")
    budget = round(minutes * 60)

    def at(factor: float) -> RoutinePlan:
        steps = _expand(routine, [_scaled(d, factor) for d in doses])
        return RoutinePlan(routine.name, routine.title, steps, safety)

    # The total grows with the factor (bounds only flatten it), so bisect, then keep the
    # closest of the two plans around the budget.
    low, high = 0.0, 20.0
    for _ in range(40):
        middle = (low + high) / 2
        if at(middle).total_seconds < budget:
            low = middle
        else:
            high = middle
    best = min(at(low), at(high), key=lambda p: abs(p.total_seconds - budget))
    note = None
    off = best.total_seconds - budget
    if abs(off) > max(15, budget // 20):
        shortest, longest = at(0.0).total_seconds, at(20.0).total_seconds
        if off > 0:
            note = (
                f"{minutes:g} min is too short for {routine.name}: with safe holds and reps it "
                f"takes at least {duration_text(shortest)}."
            )
        else:
            note = (
                f"{minutes:g} min is more than {routine.name} needs: with safe holds and reps "
                f"it takes at most {duration_text(longest)}."
            )
    return replace(best, note=note)


def duration_text(seconds: float) -> str:
    """ "9 min 40 s", "45 s"."""
    whole = max(0, round(seconds))
    minutes, rest = divmod(whole, 60)
    if not minutes:
        return f"{rest} s"
    return f"{minutes} min {rest} s" if rest else f"{minutes} min"
