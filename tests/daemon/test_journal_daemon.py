"""The daemon and the spill journal, in-process: what a stop or a restart leaves while another
connection holds the history's write lock is read back and written by the next daemon."""

from __future__ import annotations

import logging
import sqlite3
from pathlib import Path

import pytest
from fakes import ALWAYS, Clock, DaemonSession, RecordingNotifier, paths_in, run_with_daemon

from deskbreak.config import load_config
from deskbreak.daemon.core import Daemon
from deskbreak.paths import Paths
from deskbreak.planner import schedule
from deskbreak.store.history import History


def new_daemon(paths: Paths) -> Daemon:
    """A daemon as `deskbreak start` makes it (constructed: the journal is replayed here)."""
    return Daemon(
        paths,
        load_config(paths.config_file),
        History(paths.database),
        lambda _: [RecordingNotifier()],
        clock=Clock(),
    )


def test_a_daemon_stopped_while_the_history_is_locked_leaves_its_writes_to_the_next_start(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    paths = paths_in(tmp_path)
    other = sqlite3.connect(tmp_path / "unused.sqlite3")  # replaced once the database exists

    async def scenario(session: DaemonSession) -> None:
        nonlocal other
        daemon = session.daemon
        other = sqlite3.connect(paths.database, isolation_level=None)
        other.execute("BEGIN EXCLUSIVE")
        await daemon.reminders.send(daemon.now())
        assert daemon.reminders.last_id is not None
        await daemon.answer(daemon.reminders.last_id, "done")
        daemon.set_plan(schedule.pause(daemon.plan, None))

    with caplog.at_level(logging.WARNING):
        session = run_with_daemon(paths, scenario, ALWAYS)
    assert "are written at the next start" in caplog.text
    reminder_id = session.daemon.reminders.last_id

    # Started again with the lock still held: the plan and the answer come from the journal.
    waiting = new_daemon(paths)
    assert waiting.plan.paused_indefinitely
    assert (waiting.reminders.last_id, waiting.reminders.last_answer) == (reminder_id, "done")
    waiting.history.history.close()

    other.execute("ROLLBACK")
    other.close()
    written = new_daemon(paths).history
    assert written.pending == 0
    rows = written.query("SELECT id, answer FROM reminders")
    assert rows == [(reminder_id, "done")]
    kinds = [kind for (kind,) in written.query("SELECT kind FROM events ORDER BY id")]
    assert kinds[-1] == "stop"
    assert written.history.load_state().paused_indefinitely
