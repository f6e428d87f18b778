"""The one way deskbreak runs a short external command: captured, with a time limit, never raising.

Doctor and the service installer both go through `run_command` (or a `Runner` made by
`make_runner`) so a hung `systemctl` or `notify-send` can never hang a command for good.
"""

from __future__ import annotations

import subprocess
from collections.abc import Mapping, Sequence
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
