"""The installed daemon across kill -9, restarts and a suspend-like jump of the wall clock."""

from __future__ import annotations

import signal
from datetime import UTC, datetime
from pathlib import Path

import pytest
from e2e_support import DaemonProcess, MakeDaemon, faketime_env, wait_for

CONSOLE = """
[schedule]
timezone = "UTC"
hours = ["00:00-24:00"]
days = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
[notifications]
backend = "console"
"""


@pytest.fixture
def runner(make_daemon: MakeDaemon) -> DaemonProcess:
    return make_daemon(CONSOLE)


def test_kill_9_loses_no_history_and_the_restart_resumes_pause_and_rotation(
    runner: DaemonProcess,
) -> None:
    first = runner.start()
    assert runner.cli("now").returncode == 0
    moves_before = [e for e in runner.json("history")["events"] if e["kind"] == "reminder"]
    assert len(moves_before) == 1
    paused = runner.cli("pause", "2h")
    assert paused.returncode == 0, paused.stderr
    paused_until = runner.json("status")["paused_until"]
    assert paused_until is not None

    first.send_signal(signal.SIGKILL)
    first.wait(timeout=10)

    runner.start()  # the kernel dropped the lock with the process: no stale-lock refusal
    status = runner.json("status")
    assert status["paused_until"] == paused_until
    assert status["next_reminder"] is None or status["next_reminder"] > paused_until
    assert status["today"]["sent"] == 1
    assert runner.cli("now").returncode == 0
    reminders = [e for e in runner.json("history")["events"] if e["kind"] == "reminder"]
    assert len(reminders) == 2
    assert reminders[0]["detail"] != reminders[1]["detail"]  # rotation went on: another move
    assert runner.cli("stop").returncode == 0


def test_a_clean_stop_removes_the_socket_and_a_restart_works(
    runner: DaemonProcess, isolated_dirs: Path
) -> None:
    proc = runner.start()
    socket = isolated_dirs / "runtime" / "deskbreak" / "control.sock"
    assert socket.exists()
    assert runner.cli("stop").returncode == 0
    assert proc.wait(timeout=15) == 0
    assert not socket.exists()
    not_running = runner.cli("status")
    assert not_running.returncode == 1 and "not running" in not_running.stdout + not_running.stderr
    runner.start()
    assert runner.json("status")["running"] is True


def test_after_a_suspend_the_next_reminder_comes_on_time_without_a_burst(
    runner: DaemonProcess, isolated_dirs: Path
) -> None:
    """The wall clock jumps two hours while the monotonic clock does not: what a laptop
    sees when it wakes. The daemon must drop what fell due and fire the next slot on time."""
    runner.config.write_text(CONSOLE.replace("00:00-24:00", "09:00-17:00"), encoding="utf-8")
    offset_file = isolated_dirs / "faketime"

    def set_wall_clock(target: str) -> None:
        real = datetime.now(UTC).timestamp()
        wanted = datetime.fromisoformat(target).replace(tzinfo=UTC).timestamp()
        offset_file.write_text(f"{int(wanted - real):+d}\n", encoding="utf-8")

    set_wall_clock("2026-11-23T09:10:00")
    runner.start(faketime_env(FAKETIME_TIMESTAMP_FILE=str(offset_file), FAKETIME_NO_CACHE="1"))
    assert "next reminder: Mon 2026-11-23 09:30" in runner.output()
    # "Sleep" from 09:10 to 11:29:10: five slots (09:30 ... 11:30) pass unseen.
    set_wall_clock("2026-11-23T11:29:10")
    # The heartbeat wakes the scheduler within a minute; 11:30 must then fire on its own.
    logged = wait_for(
        lambda: "reminder 11:30" in runner.output() and runner.output(),
        timeout=150,
        what="the 11:30 reminder after the jump",
    )
    assert logged.count("time to move") == 1  # one reminder, not a burst of the missed ones
    assert "reminder 09:30" not in logged and "reminder 11:00" not in logged
