"""The installed daemon against a real notification server (dunst under Xvfb)."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
from pathlib import Path

from e2e_support import MakeDaemon, faketime_env, harness, harness_config, notify_calls, wait_for

from deskbreak.library.loader import load_library

MOVE_NAMES = {m.name for m in load_library().moves.values()}


def test_scheduled_reminder_reaches_dunst_with_buttons_and_snooze_reaches_the_daemon(
    make_daemon: MakeDaemon, notify_server: dict[str, str]
) -> None:
    daemon = make_daemon(harness_config(), **notify_server)
    daemon.start(faketime_env(FAKETIME="@2026-11-23 09:29:55"))
    assert "next reminder: Mon 2026-11-23 09:30" in daemon.output()

    calls = wait_for(
        lambda: notify_calls(notify_server["NOTIFY_HARNESS_DIR"]), what="a Notify call"
    )
    call = calls[0]
    assert call["app"] == "deskbreak"
    assert call["summary"] in MOVE_NAMES
    assert "reps" in str(call["body"]) or "hold" in str(call["body"])
    # The whole move reaches the server: cues, dose and the caution (issue 12).
    move = next(m for m in load_library().desk_moves() if m.name == call["summary"])
    assert str(call["body"]).splitlines() == move.notification_lines()
    assert call["actions"] == ["Done", "Snooze", "Skip"]
    logged = wait_for(
        lambda: "via dbus" in daemon.output() and daemon.output(), what="the log line"
    )
    assert "reminder 09:30: " + str(call["summary"]) in logged

    pressed = harness(notify_server, "act", "Snooze")
    assert pressed.returncode == 0, pressed.stderr
    status = wait_for(
        lambda: (s := daemon.status()) and s["snoozed_until"] and s,
        what="the snooze to reach the daemon",
    )
    assert status["last_reminder"]["answer"] == "snoozed"
    assert status["snoozed_until"].startswith("2026-11-23T09:40")
    assert status["next_reminder"].startswith("2026-11-23T09:40")
    assert daemon.stop() == 0
    assert "deskbreak stopped" in daemon.output()


def test_plyer_backend_reaches_dunst_as_deskbreak(
    make_daemon: MakeDaemon, notify_server: dict[str, str]
) -> None:
    daemon = make_daemon(harness_config("plyer"), **notify_server)
    daemon.start(faketime_env(FAKETIME="@2026-11-23 09:29:57"))
    calls = wait_for(
        lambda: notify_calls(notify_server["NOTIFY_HARNESS_DIR"]), what="a Notify call"
    )
    assert calls[0]["app"] == "deskbreak"
    assert calls[0]["summary"] in MOVE_NAMES
    assert "via plyer" in wait_for(
        lambda: "via plyer" in daemon.output() and daemon.output(), what="the reminder log line"
    )
    assert daemon.stop() == 0


def answers_in(database: Path) -> list[tuple[str, str | None]]:
    with sqlite3.connect(database) as db:
        rows = db.execute("SELECT move_id, answer FROM reminders ORDER BY id").fetchall()
    return [(str(move), answer) for move, answer in rows]


def test_second_start_exits_1_naming_the_running_pid(make_daemon: MakeDaemon) -> None:
    daemon = make_daemon(harness_config("console"))
    daemon.start()
    second = daemon.cli("start")
    assert second.returncode == 1
    assert f"already running (pid {daemon.proc.pid})" in second.stderr
    assert "Traceback" not in second.stderr
    assert daemon.stop() == 0


def test_sighup_with_a_broken_config_keeps_the_old_one_running(make_daemon: MakeDaemon) -> None:
    daemon = make_daemon(harness_config("console"))
    daemon.start()
    daemon.config.write_text("[schedule]\ninterval = 0\n", encoding="utf-8")
    daemon.proc.send_signal(signal.SIGHUP)
    wait_for(lambda: "config not reloaded" in daemon.output(), what="the reload error")
    assert "interval must be a whole number" in daemon.output()
    assert daemon.status()["running"] is True
    reload = daemon.cli("reload")
    assert reload.returncode != 0 and "interval must be a whole number" in reload.stderr
    assert daemon.stop() == 0


def test_routine_with_notify_shows_each_step_as_a_desktop_notification(
    deskbreak_exe: str, notify_server: dict[str, str]
) -> None:
    env = {**os.environ, **notify_server, "DESKBREAK_TIME_SCALE": "60"}
    result = subprocess.run(
        [deskbreak_exe, "routine", "desk", "--no-input", "--notify"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    steps = [line for line in result.stdout.splitlines() if line.startswith("[")]
    calls = wait_for(
        lambda: (
            (c := notify_calls(notify_server["NOTIFY_HARNESS_DIR"])) and len(c) >= len(steps) and c
        ),
        what="one notification per step",
    )
    assert all(call["app"] == "deskbreak" for call in calls)
    first_move = steps[0].split("] ", 1)[1].split(" · ")[0]
    assert any(first_move in str(call["summary"]) + str(call["body"]) for call in calls)
