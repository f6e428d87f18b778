"""Presence against real things: dunst's do-not-disturb (`dunstctl set-paused`) and X11 idle
time from Xvfb's MIT-SCREEN-SAVER extension, with input through xdotool."""

from __future__ import annotations

import ctypes.util
import json
import os
import sqlite3
import subprocess
from pathlib import Path

import pytest
from e2e_support import MakeDaemon, faketime_env, notify_calls, require, wait_for

CONFIG = """
[schedule]
timezone = "UTC"
interval = {interval}
hours = ["00:00-24:00"]
days = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
[notifications]
backend = "dbus"
timeout = 0
[presence]
natural_break = {natural_break}
"""


def answers_in(database: Path) -> list[tuple[str, str | None, str]]:
    with sqlite3.connect(database) as db:
        rows = db.execute("SELECT at, answer, backend FROM reminders ORDER BY id").fetchall()
    return [(str(at), answer, backend) for at, answer, backend in rows]


def test_dunst_paused_holds_the_reminder_and_unpausing_releases_it(
    make_daemon: MakeDaemon, notify_server: dict[str, str], isolated_dirs: Path
) -> None:
    env = {**os.environ, **notify_server}
    subprocess.run(["dunstctl", "set-paused", "true"], env=env, check=True)
    daemon = make_daemon(CONFIG.format(interval=30, natural_break=0), **notify_server)
    daemon.start(faketime_env(FAKETIME="@2026-11-23 09:29:57"))
    wait_for(lambda: "reminder is held: do not disturb is on" in daemon.output(), what="hold")
    status = daemon.status()
    assert status["presence"]["dnd"] is True
    assert status["held"]["slot"].startswith("2026-11-23T09:30")
    text = daemon.cli("status").stdout
    assert "09:30 reminder until it can be seen: do not disturb is on" in text
    planned = daemon.cli("schedule", "--date", "2026-11-23").stdout
    assert "09:30  held until it can be seen: do not disturb is on" in planned
    assert notify_calls(notify_server["NOTIFY_HARNESS_DIR"]) == []
    subprocess.run(["dunstctl", "set-paused", "false"], env=env, check=True)
    calls = wait_for(
        lambda: notify_calls(notify_server["NOTIFY_HARNESS_DIR"]),
        timeout=60,
        what="the held reminder after do-not-disturb ended",
    )
    assert len(calls) == 1
    assert daemon.status()["held"] is None
    database = isolated_dirs / "data" / "deskbreak" / "history.sqlite3"
    assert [backend for _, _, backend in answers_in(database)] == ["dbus"]
    assert daemon.stop() == 0


def test_no_input_for_natural_break_records_the_slot_away_and_input_makes_you_active(
    make_daemon: MakeDaemon, notify_server: dict[str, str], isolated_dirs: Path
) -> None:
    """Takes a real minute: X11's idle time is the X server's, which libfaketime cannot speed."""
    require("xdotool")
    if ctypes.util.find_library("Xss") is None:
        missing = "libXss is not installed (libxss1)"
        if os.environ.get("DESKBREAK_E2E") == "1":
            pytest.fail(missing)
        pytest.skip(missing)
    env = {**os.environ, **notify_server}
    subprocess.run(["xdotool", "mousemove", "5", "5"], env=env, check=True)
    daemon = make_daemon(CONFIG.format(interval=1, natural_break=1), **notify_server)
    daemon.start(faketime_env(FAKETIME="@2026-11-23 09:28:58"))
    status = daemon.status()
    assert status["presence"]["sources"]
    idle_sources = [s["name"] for s in status["presence"]["sources"] if s["kind"] == "idle"]
    assert "x11" in idle_sources
    wait_for(lambda: notify_calls(notify_server["NOTIFY_HARNESS_DIR"]), what="09:29 sent")
    database = isolated_dirs / "data" / "deskbreak" / "history.sqlite3"
    wait_for(lambda: len(answers_in(database)) >= 2, timeout=90, what="the 09:30 slot")
    first, second = answers_in(database)[:2]
    assert first[1:] == (None, "dbus")
    assert second[1:] == ("away", "none")
    assert "away for 1 min (a natural break)" in daemon.output()
    assert daemon.status()["presence"]["idle_seconds"] >= 60
    subprocess.run(["xdotool", "mousemove", "50", "50"], env=env, check=True)
    assert daemon.status()["presence"]["idle_seconds"] < 5
    stats = daemon.json("stats", "--days", "30")
    assert stats["totals"]["away"] == 1
    planned = daemon.cli("schedule", "--date", "2026-11-23").stdout
    assert "09:30  not sent: you were away (a natural break)" in planned
    assert daemon.stop() == 0


def test_doctor_says_which_source_tells_what_on_a_real_desktop(
    deskbreak_exe: str, notify_server: dict[str, str]
) -> None:
    env = {**os.environ, **notify_server, "DBUS_SYSTEM_BUS_ADDRESS": "unix:path=/nonexistent"}
    done = subprocess.run(
        [deskbreak_exe, "doctor", "--json"], env=env, capture_output=True, text=True, timeout=60
    )
    checks = {c["name"]: c for c in json.loads(done.stdout)["checks"]}
    presence = checks["presence"]
    assert presence["status"] == "ok"
    assert "idle: x11" in presence["detail"]
    assert "dnd: dnd" in presence["detail"]
    assert "fullscreen: x11" in presence["detail"]
    assert "locked unknown (logind: cannot connect to the bus" in presence["detail"]
