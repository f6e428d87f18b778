"""A routine that ends while another process holds the history locked is handed to the
installed daemon and lands in the history exactly once, also across a `kill -9`."""

from __future__ import annotations

import sqlite3
import subprocess
from contextlib import closing
from pathlib import Path

from e2e_support import (
    DaemonProcess,
    MakeDaemon,
    locked_by_another_process,
    release,
    wait_for,
)

CONFIG = """
[schedule]
timezone = "UTC"
[notifications]
backend = "console"
"""


def routine_rows(database: Path) -> list[tuple[str, int, int]]:
    with closing(sqlite3.connect(f"{database.as_uri()}?mode=ro", uri=True)) as db:
        return db.execute("SELECT name, steps_done, steps_total FROM routines").fetchall()


def run_desk_routine(daemon: DaemonProcess) -> subprocess.CompletedProcess[str]:
    """`deskbreak routine desk`, shortened and sped up, no keys read."""
    command = ["routine", "desk", "--no-input", "--minutes", "1"]
    return subprocess.run(
        [daemon.exe, "--config", str(daemon.config), *command],
        env={**daemon.env, "DESKBREAK_TIME_SCALE": "60"},
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )


def finish_a_routine_while_locked(daemon: DaemonProcess, database: Path) -> None:
    """Run the routine; the CLI's own write is refused and the daemon keeps the run."""
    ran = run_desk_routine(daemon)
    assert ran.returncode == 0, ran.stderr
    assert "the running deskbreak keeps this routine" in ran.stderr
    assert "not saved" not in ran.stderr and "Traceback" not in ran.stderr
    assert routine_rows(database) == []
    # Readers count the run waiting in the daemon's spill journal.
    events = daemon.json("history")["events"]
    assert [e for e in events if e["kind"] == "routine" and e["detail"] == "desk"]


def test_a_routine_finished_while_the_history_is_locked_is_written_by_the_daemon_once(
    make_daemon: MakeDaemon, isolated_dirs: Path
) -> None:
    database = isolated_dirs / "data" / "deskbreak" / "history.sqlite3"
    daemon = make_daemon(CONFIG)
    daemon.start()
    with locked_by_another_process(database) as holder:
        finish_a_routine_while_locked(daemon, database)
        release(holder)
    (row,) = wait_for(lambda: routine_rows(database), what="the daemon to write the routine")
    assert row[0] == "desk" and 0 < row[1] <= row[2]
    assert daemon.stop() == 0
    daemon.start()
    assert routine_rows(database) == [row]
    assert daemon.stop() == 0


def test_a_routine_the_daemon_took_survives_its_kill_9_before_the_lock_is_released(
    make_daemon: MakeDaemon, isolated_dirs: Path
) -> None:
    database = isolated_dirs / "data" / "deskbreak" / "history.sqlite3"
    daemon = make_daemon(CONFIG)
    daemon.start()
    with locked_by_another_process(database) as holder:
        finish_a_routine_while_locked(daemon, database)
        daemon.proc.kill()  # SIGKILL: the run is only in the spill journal now
        daemon.proc.wait(timeout=10)
        release(holder)
    daemon.start()
    (row,) = routine_rows(database)
    assert row[0] == "desk"
    daemon.proc.kill()
    daemon.proc.wait(timeout=10)
    daemon.start()
    assert routine_rows(database) == [row]
    assert daemon.stop() == 0
