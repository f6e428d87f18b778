"""Runs and calendars end to end: the installed daemon, a real dunst, libfaketime."""

from __future__ import annotations

import sqlite3
import subprocess
from pathlib import Path

from e2e_support import MakeDaemon, faketime_env, notify_calls, wait_for

MEETING = """BEGIN:VCALENDAR\r
VERSION:2.0\r
PRODID:-//deskbreak e2e//EN\r
BEGIN:VEVENT\r
UID:review@example.org\r
SUMMARY:Design review\r
DTSTART:20261123T092500Z\r
DTEND:20261123T093020Z\r
END:VEVENT\r
END:VCALENDAR\r
"""

CONFIG = """
[schedule]
timezone = "UTC"
[notifications]
backend = "notify-send"
timeout = 0
"""


def test_a_desk_reminder_inside_a_calendar_meeting_is_held_and_shown_after_it(
    make_daemon: MakeDaemon, notify_server: dict[str, str], tmp_path: Path
) -> None:
    daemon = make_daemon(CONFIG, **notify_server)
    feed = tmp_path / "work.ics"
    feed.write_text(MEETING, encoding="utf-8")
    faked = faketime_env(FAKETIME="@2026-11-23 09:29:50")
    added = subprocess.run(
        [daemon.exe, "--config", str(daemon.config), "calendar", "add", str(feed)],
        env={**daemon.env, **faked},
        capture_output=True,
        text=True,
        check=False,
    )
    assert added.returncode == 0, added.stderr
    assert "1 busy/run windows stored" in added.stdout

    daemon.start(faked)
    held = wait_for(
        lambda: "held: in a meeting until 09:30" in daemon.output() and daemon.output(),
        what="the reminder to be held",
    )
    assert "reminder 09:30" not in held
    assert notify_calls(notify_server["NOTIFY_HARNESS_DIR"]) == []

    wait_for(
        lambda: notify_calls(notify_server["NOTIFY_HARNESS_DIR"]),
        timeout=40,
        what="the held reminder at the meeting's end",
    )
    assert "the meeting is over: sending the 09:30 reminder" in daemon.output()
    wait_for(lambda: "reminder 09:30: " in daemon.output(), what="the reminder to be recorded")
    assert daemon.stop() == 0
    database = Path(daemon.env["XDG_DATA_HOME"]) / "deskbreak" / "history.sqlite3"
    with sqlite3.connect(database) as db:
        kinds = [row[0] for row in db.execute("SELECT kind FROM events ORDER BY id")]
        reminders = db.execute("SELECT at FROM reminders").fetchall()
    assert "deferred" in kinds
    assert reminders == [(1795426200,)]  # recorded at its 09:30 slot
