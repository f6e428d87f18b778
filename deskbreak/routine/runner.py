"""A guided routine run, decided without I/O: the runner's state machine over a `RoutinePlan`.

`RunnerState` is advanced by `tick(state, now)` and by the key events `pause`, `resume`,
`next_step`, `back` and `quit_run`. `now` is a monotonic reading in routine seconds handed in by
the caller, so tests drive it with plain numbers and never sleep. (The terminal runner in
`routine.view` reads that clock, scaled by the test-only `DESKBREAK_TIME_SCALE`.) The plan itself
is made by `routine.plan.plan_routine`.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Literal

from deskbreak.routine.plan import PlanStep, RoutinePlan, duration_text

Phase = Literal["ready", "work", "finished"]
Key = Literal["toggle", "pause", "resume", "next", "back", "quit"]

# A step skipped with `n` counts as done once at least this share of it has gone by.
DONE_SHARE = 0.5


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
        if state.quit:
            return "Routine stopped."
        return "Routine done. Well done." if outcome(state) == "done" else "End of the routine."
    step = state.step
    assert step is not None
    if state.phase == "work":
        if step.reps is None:
            return f"Go. Hold {step.seconds} seconds."
        return f"Go. {step.dose.capitalize()}."
    if step.ready == "switch":
        how = f" {step.move.switch}" if step.move.switch else ""
        return f"Switch sides: {step.side} side.{how}"
    if step.ready == "rest":
        return f"Rest. Then set {step.set_number} of {step.sets}."
    return f"Get ready: {step.label}."


@dataclass(frozen=True)
class RoutineResult:
    """A finished or quit run, ready to be recorded in the history."""

    name: str
    started: datetime
    ended: datetime
    # True only when every step was done: a run skipped through with `n` is not a done routine.
    completed: bool
    steps_done: int
    steps_total: int


def outcome(state: RunnerState) -> str:
    """ "done" (every step), "partly done", "skipped" (reached the end, no step done), or
    "stopped" (quit before the end)."""
    if not state.finished or state.quit:
        return "stopped"
    if len(state.done) == len(state.plan.steps):
        return "done"
    return "partly done" if state.done else "skipped"


def result_of(state: RunnerState, started: datetime, ended: datetime) -> RoutineResult:
    return RoutineResult(
        name=state.plan.name,
        started=started,
        ended=ended,
        completed=outcome(state) == "done",
        steps_done=len(state.done),
        steps_total=len(state.plan.steps),
    )


def summary_lines(state: RunnerState, elapsed_seconds: float) -> list[str]:
    """What was done, for the screen after the run ends or is quit."""
    total = len(state.plan.steps)
    how = outcome(state)
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
