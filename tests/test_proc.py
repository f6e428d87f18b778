"""The one subprocess runner: time limits, and background commands that are always reaped."""

from __future__ import annotations

import sys
from pathlib import Path

from deskbreak.proc import Background, run_command


def _is_zombie_or_gone(pid: int) -> bool:
    try:
        text = Path(f"/proc/{pid}/stat").read_text(encoding="ascii")
        return text.split(") ")[1].startswith("Z")
    except FileNotFoundError:
        return True


def test_a_command_that_outlives_its_time_limit_gives_124() -> None:
    done = run_command([sys.executable, "-c", "import time; time.sleep(30)"], timeout=0.2)
    assert done.returncode == 124
    assert "no answer" in done.stderr


def test_a_missing_program_gives_127() -> None:
    assert run_command(["/nonexistent/deskbreak-tool"]).returncode == 127


def test_finished_background_commands_are_reaped_when_the_next_one_starts() -> None:
    procs = Background()
    first = procs.start(["true"])
    assert first is not None
    first.wait()  # ended; a Popen nobody polls again would stay a zombie
    procs.start(["true"])
    assert procs.running <= 1
    procs.close()
    assert procs.running == 0


def test_a_background_command_past_its_time_limit_is_killed_and_reaped() -> None:
    now = [0.0]
    procs = Background(limit_seconds=5.0, clock=lambda: now[0])
    slow = procs.start(["sleep", "60"])
    assert slow is not None
    now[0] = 6.0
    procs.reap()
    assert procs.running == 0
    assert slow.returncode is not None  # waited for: no zombie left
    assert _is_zombie_or_gone(slow.pid)


def test_close_ends_what_is_still_running_and_leaves_no_child_behind() -> None:
    procs = Background()
    slow = procs.start(["sleep", "60"])
    assert slow is not None
    procs.close(grace_seconds=0.1)
    assert slow.returncode is not None
    assert _is_zombie_or_gone(slow.pid)


def test_a_program_that_cannot_start_is_none_not_an_error() -> None:
    assert Background().start(["/nonexistent/deskbreak-voice"]) is None
