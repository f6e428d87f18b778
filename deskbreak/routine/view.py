"""The routine runner in the terminal: a live screen with keys, or plain lines without a TTY.

The live screen uses the alternate screen buffer and redraws in place (cursor home, each line
overwritten and cleared to its end) only when the picture changes, so it does not flicker. Keys
are read with select() on stdin in cbreak mode; the terminal mode and the cursor are restored in
a `finally`, whether the run ends, is quit, or is stopped by Ctrl-C or SIGTERM/SIGHUP.

`DESKBREAK_TIME_SCALE` (a float, default 1) speeds up the runner's clock and is meant for
tests only: 20 makes a 30 s hold take 1.5 s. The screen still shows routine seconds.
"""

from __future__ import annotations

import os
import select
import signal
import sys
import textwrap
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from types import FrameType
from typing import TextIO

from deskbreak.errors import UsageError
from deskbreak.routine.plan import RoutinePlan, duration_text
from deskbreak.routine.runner import (
    Key,
    RoutineResult,
    RunnerState,
    announcement,
    current_rep,
    handle,
    phase_elapsed,
    phase_remaining,
    quit_run,
    result_of,
    routine_remaining,
    start,
    summary_lines,
    tick,
)
from deskbreak.routine.sound import Cues

FRAME_SECONDS = 0.1  # real seconds between looks at the clock and the keys
KEYS: dict[str, Key] = {" ": "toggle", "p": "toggle", "n": "next", "b": "back", "q": "quit"}
ARROWS: dict[str, Key] = {"\x1b[C": "next", "\x1b[D": "back"}
READY_TITLES = {"start": "GET READY", "next": "GET READY", "switch": "SWITCH SIDES", "rest": "REST"}


def time_scale(environ: Mapping[str, str] = os.environ) -> float:
    """The test-only speed-up of the runner's clock from DESKBREAK_TIME_SCALE (default 1)."""
    raw = environ.get("DESKBREAK_TIME_SCALE", "").strip()
    if not raw:
        return 1.0
    try:
        scale = float(raw)
    except ValueError:
        scale = 0.0
    if not 0 < scale < float("inf"):
        raise UsageError(f"DESKBREAK_TIME_SCALE must be a positive number, got {raw!r}")
    return scale


@dataclass(frozen=True)
class Clock:
    """Monotonic routine seconds; `scale` > 1 makes them pass faster than real ones."""

    scale: float = 1.0

    def now(self) -> float:
        return time.monotonic() * self.scale

    def sleep(self, seconds: float) -> None:
        time.sleep(max(0.0, seconds) / self.scale)


@dataclass(frozen=True)
class RunOutcome:
    result: RoutineResult
    interrupted: bool  # Ctrl-C or a signal, rather than `q` or the end


# -- drawing ---------------------------------------------------------------------------------

Segment = tuple[str, str]  # text, SGR parameters ("" for plain)


def _bar(fraction: float, width: int) -> str:
    filled = round(max(0.0, min(1.0, fraction)) * width)
    return "█" * filled + "░" * (width - filled)


def _clock(seconds: float) -> str:
    whole = max(0, int(seconds + 0.999))  # count down like a kitchen timer: 0:01 until it ends
    return f"{whole // 60}:{whole % 60:02d}"


def _render_line(segments: list[Segment], width: int, color: bool) -> str:
    room = max(0, width - 1)  # never the last column: some terminals wrap there
    parts = []
    for text, sgr in segments:
        if room <= 0:
            break
        text = text[:room]
        room -= len(text)
        if not color:
            sgr = ";".join(p for p in sgr.split(";") if p in ("1", "2", "7"))
        parts.append(f"\x1b[{sgr}m{text}\x1b[0m" if sgr else text)
    return "".join(parts)


def render_frame(
    state: RunnerState, now: float, width: int, height: int, *, color: bool, keys: bool
) -> list[str]:
    """The live screen as lines (with ANSI styles), fitted to the terminal's width and height."""
    plan, step = state.plan, state.step
    assert step is not None
    top: list[list[Segment]] = []
    left = f" deskbreak · {plan.title}"
    right = f"step {state.index + 1} / {len(plan.steps)} "
    top.append([(left + " " * max(1, width - 1 - len(left) - len(right)) + right, "2")])
    if state.index == 0:  # what the routine is for and the safety line, through the first step
        for line in textwrap.wrap(plan.description, max(20, width - 5)):
            top.append([("   " + line, "")])
        for i, line in enumerate(textwrap.wrap(plan.safety, max(20, width - 5))):
            top.append([((" ! " if i == 0 else "   ") + line, "33")])
    top.append([])
    if state.paused:
        top.append([("  ", ""), (" PAUSED · space to resume ", "1;7;33")])
    elif state.phase == "ready":
        top.append([("  ", ""), (f" {READY_TITLES[step.ready]} ", "1;7;36")])
    else:
        badge = " GO "
        if step.reps is not None:
            badge = " REPS "
        elif step.move.kind == "static":
            badge = " HOLD "
        top.append([("  ", ""), (badge, "1;7;32")])
    top.append([])
    top.append([("  ", ""), (step.move.name.upper(), "1;36")])
    detail = [f"{step.side} side"] if step.side else []
    if step.sets > 1:
        detail.append(f"set {step.set_number} / {step.sets}")
    detail.append(step.dose)
    top.append([("  " + " · ".join(detail), "1")])
    if step.move.why:
        top.append([("  why: ", "2"), (step.move.why, "2")])
    top.append([])

    remaining = phase_remaining(state, now)
    fraction = phase_elapsed(state, now) / max(1, state.phase_seconds)
    if state.phase == "ready":
        counter = f"go in {_clock(remaining)}"
    else:
        rep = current_rep(state, now)
        counter = f"{_clock(remaining)} left"
        if rep is not None:
            counter = f"rep {rep} / {step.reps} · {counter}"
    bar_width = max(10, min(50, width - len(counter) - 8))
    top.append([("  ", ""), (f"{counter:<22}", "1"), (" ", ""), (_bar(fraction, bar_width), "32")])
    top.append([])

    middle: list[list[Segment]] = []
    if step.ready == "switch" and state.phase == "ready" and step.move.switch:
        middle.append([("  → ", "1;36"), (step.move.switch, "1")])
    for cue in step.move.cues:
        for i, line in enumerate(textwrap.wrap(cue, max(20, width - 8))):
            middle.append([(("  • " if i == 0 else "    ") + line, "")])
    if step.move.mistake:
        middle.append([(f"  usual mistake: {step.move.mistake}", "33")])
    if step.move.caution:
        middle.append([(f"  ! {step.move.caution}", "33")])

    bottom: list[list[Segment]] = [[]]
    later = plan.steps[state.index + 1] if state.index + 1 < len(plan.steps) else None
    upcoming = f"{later.label} · {later.dose}" if later else "the end: well done"
    bottom.append([("  next: ", "2"), (upcoming, "")])
    bottom.append([])
    left_s = routine_remaining(state, now)
    done = 1 - left_s / max(1, plan.total_seconds)
    bottom.append(
        [
            (" routine ", "2"),
            (_bar(done, max(10, min(50, width - 40))), "36"),
            (f" {round(done * 100):3d} % · {_clock(left_s)} remaining", ""),
        ]
    )
    if keys:
        bottom.append([(" space pause · n next · b back · q quit", "2")])

    spare = height - len(top) - len(bottom)
    lines = top + middle[: max(0, spare)] + bottom
    return [_render_line(line, width, color) for line in lines[:height]]


def plain_line(state: RunnerState, index: int) -> str:
    """One line for a step, for output that is not a terminal."""
    step = state.plan.steps[index]
    lead = "switch sides: " if step.ready == "switch" else ""
    how = f" · {step.move.switch}" if step.ready == "switch" and step.move.switch else ""
    count = len(state.plan.steps)
    return f"[{index + 1:>{len(str(count))}}/{count}] {lead}{step.label} · {step.dose}{how}"


# -- the terminal ----------------------------------------------------------------------------


@contextmanager
def _terminal(out: TextIO, fd: int | None) -> Iterator[None]:
    """Alternate screen, hidden cursor and (with `fd`) cbreak input; all restored on the way out."""
    import termios  # POSIX only; imported here so the module loads everywhere
    import tty

    saved = termios.tcgetattr(fd) if fd is not None else None
    old_handlers = {}

    def stop(signum: int, frame: FrameType | None) -> None:
        raise KeyboardInterrupt

    for name in ("SIGTERM", "SIGHUP"):
        if hasattr(signal, name):
            sig = getattr(signal, name)
            old_handlers[sig] = signal.signal(sig, stop)
    try:
        if fd is not None:
            tty.setcbreak(fd)
        out.write("\x1b[?1049h\x1b[?25l\x1b[H\x1b[2J")
        out.flush()
        yield
    finally:
        out.write("\x1b[0m\x1b[?25h\x1b[?1049l")
        out.flush()
        if fd is not None and saved is not None:
            # TCSAFLUSH drops keys typed at the runner so they do not reach the shell.
            termios.tcsetattr(fd, termios.TCSAFLUSH, saved)
        for sig, handler in old_handlers.items():
            signal.signal(sig, handler)


def _read_keys(fd: int, timeout: float) -> list[Key]:
    ready, _, _ = select.select([fd], [], [], timeout)
    if not ready:
        return []
    data = os.read(fd, 64).decode(errors="ignore")
    keys: list[Key] = []
    i = 0
    while i < len(data):
        arrow = data[i : i + 3]
        if arrow in ARROWS:
            keys.append(ARROWS[arrow])
            i += 3
            continue
        key = KEYS.get(data[i].lower())
        if key is not None:
            keys.append(key)
        i += 1
    return keys


def repaint(before: list[str], after: list[str]) -> str:
    """Escapes that turn the screen `before` into `after`, rewriting only the changed rows."""
    rows = [
        f"\x1b[{row + 1};1H{line}\x1b[K"
        for row, line in enumerate(after)
        if row >= len(before) or before[row] != line
    ]
    if len(after) < len(before):
        rows.append(f"\x1b[{len(after) + 1};1H\x1b[J")
    return "".join(rows)


def _announce(state: RunnerState, cues: Cues) -> None:
    cues.say(announcement(state))
    if state.phase != "ready":
        cues.bell()
    step = state.step
    if state.phase == "ready" and step is not None:
        first_cue = f" · {step.move.cues[0]}" if step.move.cues else ""
        lead = "Switch sides" if step.ready == "switch" else "Next"
        cues.notify(f"{lead}: {step.label}", f"{step.dose}{first_cue}")
    elif state.finished:
        cues.notify(state.plan.title, announcement(state))


def _position(state: RunnerState) -> tuple[int, str]:
    return state.index, state.phase


def _run_live(
    state: RunnerState, out: TextIO, fd: int | None, cues: Cues, clock: Clock, color: bool
) -> tuple[RunnerState, bool]:
    last: list[str] = []
    size = os.terminal_size((0, 0))
    try:
        with _terminal(out, fd):
            while True:
                new = tick(state, clock.now())
                if _position(new) != _position(state):
                    _announce(new, cues)
                state = new
                if state.finished:
                    return state, False
                now_size = os.get_terminal_size(out.fileno())
                frame = render_frame(
                    state,
                    clock.now(),
                    now_size.columns,
                    now_size.lines,
                    color=color,
                    keys=fd is not None,
                )
                if now_size != size:
                    out.write("\x1b[H\x1b[2J")
                    last, size = [], now_size
                if frame != last:
                    out.write(repaint(last, frame))
                    out.flush()
                    last = frame
                if fd is None:
                    time.sleep(FRAME_SECONDS)
                    continue
                for key in _read_keys(fd, FRAME_SECONDS):
                    new = handle(state, key, clock.now())
                    if _position(new) != _position(state):
                        _announce(new, cues)
                    state = new
                if state.finished:
                    return state, False
    except KeyboardInterrupt:
        return quit_run(state, clock.now()), True


def _run_plain(
    state: RunnerState, out: TextIO, cues: Cues, clock: Clock
) -> tuple[RunnerState, bool]:
    plan = state.plan
    about = f"{plan.description}\n" if plan.description else ""
    out.write(f"{plan.title} · {duration_text(plan.total_seconds)}\n{about}{plan.safety}\n")
    out.flush()
    printed = 0
    try:
        while True:
            new = tick(state, clock.now())
            if _position(new) != _position(state):
                _announce(new, cues)
            state = new
            started = len(plan.steps) if state.finished else state.index + (state.phase == "work")
            for i in range(printed, started):
                out.write(plain_line(state, i) + "\n")
            out.flush()
            printed = max(printed, started)
            if state.finished:
                return state, False
            clock.sleep(max(0.001, phase_remaining(state, clock.now())))
    except KeyboardInterrupt:
        return quit_run(state, clock.now()), True


def run_plan(
    plan: RoutinePlan,
    *,
    cues: Cues,
    read_keys: bool,
    out: TextIO | None = None,
    stdin: TextIO | None = None,
    environ: Mapping[str, str] = os.environ,
    wall: Callable[[], datetime] = lambda: datetime.now(UTC).astimezone(),
) -> RunOutcome:
    """Run a plan to its end (or `q`, or Ctrl-C), print a summary, and return what was done."""
    out = out if out is not None else sys.stdout
    stdin = stdin if stdin is not None else sys.stdin
    clock = Clock(time_scale(environ))
    # A dumb terminal cannot move the cursor; Windows has no termios: both get plain lines.
    live = out.isatty() and environ.get("TERM") != "dumb" and sys.platform != "win32"
    fd = stdin.fileno() if read_keys and live and stdin.isatty() else None
    color = not environ.get("NO_COLOR")
    started = wall()
    state = start(plan, clock.now())
    _announce(state, cues)
    if live:
        state, interrupted = _run_live(state, out, fd, cues, clock, color)
    else:
        state, interrupted = _run_plain(state, out, cues, clock)
    if interrupted:
        _announce(state, cues)
    cues.close()
    ended = wall()
    for line in summary_lines(state, (ended - started).total_seconds()):
        out.write(line + "\n")
    out.flush()
    return RunOutcome(result_of(state, started, ended), interrupted)
