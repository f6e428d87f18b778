"""The one way deskbreak runs a short external command: captured, with a time limit, never raising.

Doctor and the service installer both go through `run_command` (or a `Runner` made by
`make_runner`) so a hung `systemctl` or `notify-send` can never hang a command for good; the
routine's cues start theirs through `Background`, which reaps them and ends stragglers.
"""

from __future__ import annotations

import contextlib
import subprocess
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

DEFAULT_TIMEOUT_SECONDS = 10.0


@dataclass(frozen=True)
class RunResult:
    returncode: int
    stdout: str = ""
    stderr: str = ""


class Runner(Protocol):
    """Runs one command to completion, capturing its output; a missing program gives 127."""

    def __call__(self, args: Sequence[str]) -> RunResult: ...


def run_command(
    args: Sequence[str],
    env: Mapping[str, str] | None = None,
    timeout: float = DEFAULT_TIMEOUT_SECONDS,
) -> RunResult:
    """Run `args`; a missing program gives 127 and one that outlives `timeout` gives 124."""
    try:
        done = subprocess.run(
            list(args),
            capture_output=True,
            text=True,
            check=False,
            env=dict(env) if env is not None else None,
            stdin=subprocess.DEVNULL,
            timeout=timeout,
        )
    except FileNotFoundError as err:
        return RunResult(127, "", str(err))
    except subprocess.TimeoutExpired:
        return RunResult(124, "", f"no answer within {timeout:g} s")
    return RunResult(done.returncode, done.stdout, done.stderr)


def make_runner(env: Mapping[str, str], timeout: float = DEFAULT_TIMEOUT_SECONDS) -> Runner:
    """A Runner bound to `env` and `timeout`."""

    def run(args: Sequence[str]) -> RunResult:
        return run_command(args, env, timeout)

    return run


class Background:
    """Commands started without waiting for them (sound and notification cues), never left
    behind: each is reaped once it ends, one running longer than `limit_seconds` is killed,
    and `close()` gives the rest a last moment and then ends them."""

    def __init__(
        self, limit_seconds: float = 30.0, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.limit_seconds = limit_seconds
        self._clock = clock
        self._running: list[tuple[subprocess.Popen[bytes], float]] = []

    def start(self, args: Sequence[str]) -> subprocess.Popen[bytes] | None:
        """Start `args` (no input, output discarded, own session); None if it cannot run."""
        self.reap()
        try:
            proc = subprocess.Popen(
                list(args),
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                start_new_session=True,  # a Ctrl-C in the terminal must not cut a cue short
            )
        except OSError:
            return None
        self._running.append((proc, self._clock()))
        return proc

    @property
    def running(self) -> int:
        return len(self._running)

    def reap(self) -> None:
        """Collect the commands that ended; kill those past the time limit."""
        now = self._clock()
        still: list[tuple[subprocess.Popen[bytes], float]] = []
        for proc, started in self._running:
            if proc.poll() is not None:
                continue
            if now - started > self.limit_seconds:
                _end(proc, 0.0)
                continue
            still.append((proc, started))
        self._running = still

    def close(self, grace_seconds: float = 3.0) -> None:
        """Let running commands finish within `grace_seconds` in all, then end the rest."""
        deadline = time.monotonic() + grace_seconds
        for proc, _ in self._running:
            _end(proc, max(0.0, deadline - time.monotonic()))
        self._running = []


def _end(proc: subprocess.Popen[bytes], grace_seconds: float) -> None:
    """Wait up to `grace_seconds`, then terminate, then kill; always reaped."""
    with contextlib.suppress(subprocess.TimeoutExpired):
        proc.wait(timeout=grace_seconds)
        return
    proc.terminate()
    try:
        proc.wait(timeout=1.0)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
