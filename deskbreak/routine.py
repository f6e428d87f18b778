"""A guided routine, decided without I/O: the plan of timed steps and the runner's state machine.

`plan_routine` expands a `Routine` into timed steps: one step per side (left, then right) and per
set, each with its work time (a hold, or reps paced at a few seconds each) and the short
transition before it ("get ready", "switch sides", "rest"). `--minutes` scales holds and reps to
a time budget within safe bounds.

`RunnerState` is advanced by `tick(state, now)` and by the key events `pause`, `resume`,
`next_step`, `back` and `quit_run`. `now` is a monotonic reading in routine seconds handed in by
the caller, so tests drive it with plain numbers and never sleep. (The terminal runner in
`routine_view` reads that clock, scaled by the test-only `DESKBREAK_TIME_SCALE`.)
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Literal

from deskbreak.errors import DeskbreakError, UsageError
from deskbreak.moves import SECONDS_PER_REP, TRANSITION_SECONDS, Library, Move, Routine

Side = Literal["left", "right"]
Ready = Literal["start", "next", "switch", "rest"]
Phase = Literal["ready", "work", "finished"]
Key = Literal["toggle", "pause", "resume", "next", "back", "quit"]

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
# A step skipped with `n` counts as done once at least this share of it has gone by.
DONE_SHARE = 0.5


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


# -- the runner's state machine --------------------------------------------------------------


@dataclass(frozen=True)
class RunnerState:
    """Where a run is. Times are monotonic routine seconds from the caller's clock."""

    plan: RoutinePlan
    index: int = 0
    phase: Phase = "ready"
    phase_started: float = 0.0
    paused_at: float | None = None
    done: frozenset[int] = frozenset()
    quit: bool = False

    @property
    def step(self) -> PlanStep | None:
        return self.plan.steps[self.index] if self.index < len(self.plan.steps) else None

    @property
    def paused(self) -> bool:
        return self.paused_at is not None

    @property
    def finished(self) -> bool:
        return self.phase == "finished"

    @property
    def phase_seconds(self) -> int:
        step = self.step
        if step is None or self.phase == "finished":
            return 0
        return step.ready_seconds if self.phase == "ready" else step.seconds


def start(plan: RoutinePlan, now: float) -> RunnerState:
    state = RunnerState(plan=plan, phase_started=now)
    return state if plan.steps else replace(state, phase="finished")


def phase_elapsed(state: RunnerState, now: float) -> float:
    until = state.paused_at if state.paused_at is not None else now
    return max(0.0, min(float(state.phase_seconds), until - state.phase_started))


def phase_remaining(state: RunnerState, now: float) -> float:
    return state.phase_seconds - phase_elapsed(state, now)


def routine_remaining(state: RunnerState, now: float) -> float:
    """Seconds left in the whole routine, transitions included."""
    if state.finished:
        return 0.0
    later = state.plan.steps[state.index + 1 :]
    rest = sum(s.ready_seconds + s.seconds for s in later)
    current = state.plan.steps[state.index].seconds if state.phase == "ready" else 0
    return phase_remaining(state, now) + current + rest


def current_rep(state: RunnerState, now: float) -> int | None:
    """The paced rep count (1-based) during a reps step's work, else None."""
    step = state.step
    if step is None or state.phase != "work" or step.reps is None or step.rep_seconds is None:
        return None
    return min(step.reps, int(phase_elapsed(state, now) // step.rep_seconds) + 1)


def tick(state: RunnerState, now: float) -> RunnerState:
    """Advance past every phase whose time is up; paused or finished runs stay as they are."""
    while not state.finished and not state.paused:
        end = state.phase_started + state.phase_seconds
        if now < end:
            break
        # Carry the overshoot into the next phase, so a late tick does not stretch the routine.
        state = _advance(state, end, completed=True)
    return state


def _advance(state: RunnerState, at: float, *, completed: bool) -> RunnerState:
    if state.phase == "ready":
        return replace(state, phase="work", phase_started=at)
    done = state.done | {state.index} if completed else state.done
    if state.index + 1 >= len(state.plan.steps):
        return replace(state, phase="finished", phase_started=at, done=done, paused_at=None)
    return replace(state, index=state.index + 1, phase="ready", phase_started=at, done=done)


def _moved(state: RunnerState, now: float) -> RunnerState:
    # After n or b, a paused run stays paused at the start of the new phase.
    return replace(state, phase_started=now, paused_at=now if state.paused else None)


def pause(state: RunnerState, now: float) -> RunnerState:
    if state.finished or state.paused:
        return state
    return replace(state, paused_at=now)


def resume(state: RunnerState, now: float) -> RunnerState:
    if state.paused_at is None:
        return state
    return replace(state, phase_started=state.phase_started + now - state.paused_at, paused_at=None)


def next_step(state: RunnerState, now: float) -> RunnerState:
    """During a transition, start the move now; during a move, go on to the next step."""
    if state.finished:
        return state
    step = state.step
    assert step is not None
    enough = state.phase == "work" and phase_elapsed(state, now) >= DONE_SHARE * step.seconds
    moved = _advance(state, now, completed=enough)
    return moved if moved.finished else _moved(moved, now)


def back(state: RunnerState, now: float) -> RunnerState:
    """Go back to the previous step's transition (or the start of the first one)."""
    if state.finished:
        return state
    return _moved(replace(state, index=max(0, state.index - 1), phase="ready"), now)


def quit_run(state: RunnerState, now: float) -> RunnerState:
    if state.finished:
        return state
    return replace(state, phase="finished", phase_started=now, paused_at=None, quit=True)


def handle(state: RunnerState, key: Key, now: float) -> RunnerState:
    """Apply one key event; `toggle` is the space bar (pause or resume)."""
    if key == "toggle":
        return resume(state, now) if state.paused else pause(state, now)
    actions = {"pause": pause, "resume": resume, "next": next_step, "back": back, "quit": quit_run}
    return actions[key](state, now)


# -- what to say, and what was done ----------------------------------------------------------


def announcement(state: RunnerState) -> str:
    """A short spoken or notified cue for the phase the run has just entered."""
    if state.finished:
        return "Routine stopped." if state.quit else "Routine done. Well done."
    step = state.step
    assert step is not None
    if state.phase == "work":
        return (
            f"Go. Hold {step.seconds} seconds." if step.reps is None else f"Go. {step.reps} reps."
        )
    if step.ready == "switch":
        return f"Switch sides: {step.side} side."
    if step.ready == "rest":
        return f"Rest. Then set {step.set_number} of {step.sets}."
    return f"Get ready: {step.label}."


@dataclass(frozen=True)
class RoutineResult:
    """A finished or quit run, ready to be recorded in the history."""

    name: str
    started: datetime
    ended: datetime
    completed: bool
    steps_done: int
    steps_total: int


def result_of(state: RunnerState, started: datetime, ended: datetime) -> RoutineResult:
    return RoutineResult(
        name=state.plan.name,
        started=started,
        ended=ended,
        completed=state.finished and not state.quit,
        steps_done=len(state.done),
        steps_total=len(state.plan.steps),
    )


def summary_lines(state: RunnerState, elapsed_seconds: float) -> list[str]:
    """What was done, for the screen after the run ends or is quit."""
    total = len(state.plan.steps)
    how = "stopped" if not state.finished or state.quit else "done"
    lines = [
        f"{state.plan.title}: {how} · {len(state.done)} of {total} steps"
        f" in {duration_text(elapsed_seconds)}"
    ]
    names: dict[str, list[str]] = {}
    for i in sorted(state.done):
        step = state.plan.steps[i]
        names.setdefault(step.move.name, [])
        if step.side and step.side not in names[step.move.name]:
            names[step.move.name].append(step.side)
    if names:
        moves = [f"{n} ({', '.join(s)})" if s else n for n, s in names.items()]
        lines.append("done: " + ", ".join(moves))
    return lines
