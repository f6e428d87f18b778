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
    try:
        held = wait_for(
            lambda: "held: in a meeting until 09:30" in daemon.output() and daemon.output(),
            timeout=40,
            what="the reminder to be held",
        )
    finally:
        print(daemon.output())  # shown when the test fails
    assert "reminder 09:30" not in held
    assert notify_calls(notify_server["NOTIFY_HARNESS_DIR"]) == []
    assert daemon.status()["held"]["reason"] == "in a meeting until 09:30"
    assert "until it can be seen: in a meeting until 09:30" in daemon.cli("status").stdout

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
    assert "held" in kinds  # the same event as a do-not-disturb hold, counted as deferred
    assert reminders == [(1795426200,)]  # recorded at its 09:30 slot


RUN_CONFIG = """
[schedule]
timezone = "UTC"
[notifications]
timeout = 0
[[runs]]
days = ["mon"]
time = "18:15"
duration = "50m"
[run_prompts]
warmup_lead = 10
terminal = "{terminal}"
"""


def test_the_warmup_prompt_comes_at_the_lead_time_and_start_opens_prerun_in_a_terminal(
    make_daemon: MakeDaemon, notify_server: dict[str, str], tmp_path: Path
) -> None:
    from e2e_support import harness

    record = tmp_path / "terminal-called-with.txt"
    terminal = tmp_path / "fake-terminal.sh"
    terminal.write_text(f'#!/bin/sh\nprintf "%s\\n" "$*" > "{record}"\n', encoding="utf-8")
    terminal.chmod(0o755)
    daemon = make_daemon(RUN_CONFIG.format(terminal=terminal), **notify_server)
    daemon.start(faketime_env(FAKETIME="@2026-11-23 18:04:56"))

    calls = wait_for(
        lambda: notify_calls(notify_server["NOTIFY_HARNESS_DIR"]),
        timeout=40,
        what="the warm-up prompt",
    )
    assert calls[0]["summary"] == "Run at 18:15 — warm up first"
    assert calls[0]["actions"] == ["Start warm-up", "Not today"]
    assert "warmup prompt for the 18:15 run" in daemon.output()

    pressed = harness(notify_server, "act", "Start warm-up")
    assert pressed.returncode == 0, pressed.stderr
    called = wait_for(
        lambda: record.exists() and record.read_text(encoding="utf-8").strip(),
        what="the terminal command",
    )
    assert called.endswith("deskbreak prerun")
    wait_for(lambda: "answer to the warmup prompt: started" in daemon.output(), what="the answer")
    assert daemon.stop() == 0
    database = Path(daemon.env["XDG_DATA_HOME"]) / "deskbreak" / "history.sqlite3"
    with sqlite3.connect(database) as db:
        rows = db.execute("SELECT kind, answer FROM run_prompts").fetchall()
    assert rows == [("warmup", "started")]
