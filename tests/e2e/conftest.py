"""End-to-end fixtures: the installed `deskbreak` command, a real notification server, polling.

Skips happen only when a system tool is missing and DESKBREAK_E2E is not "1"; CI sets it, and
then a missing tool fails the run instead of hiding it.
"""

from __future__ import annotations

import os
import shlex
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from e2e_support import HARNESS, DaemonProcess, MakeDaemon, installed_deskbreak, require


@pytest.fixture
def deskbreak_exe() -> str:
    return installed_deskbreak()


@pytest.fixture
def notify_server(isolated_dirs: Path) -> Iterator[dict[str, str]]:
    """A private dunst on its own DBus session under Xvfb; yields the env that reaches it."""
    require("Xvfb", "dbus-daemon", "dunst", "dunstctl", "notify-send", "dbus-monitor")
    if not HARNESS.exists():
        pytest.fail(f"notification harness not found at {HARNESS}")
    started = subprocess.run(
        ["bash", str(HARNESS), "start"], capture_output=True, text=True, check=False
    )
    if started.returncode != 0:
        pytest.fail(f"notify-harness start failed: {started.stderr.strip()}")
    env: dict[str, str] = {}
    for line in started.stdout.splitlines():
        name, _, value = line.removeprefix("export ").partition("=")
        env[name] = shlex.split(value)[0]
    try:
        yield env
    finally:
        subprocess.run(
            ["bash", str(HARNESS), "stop", env["NOTIFY_HARNESS_DIR"]],
            capture_output=True,
            check=False,
        )


@pytest.fixture
def make_daemon(deskbreak_exe: str, isolated_dirs: Path) -> Iterator[MakeDaemon]:
    """make_daemon(config_text, **env) -> a DaemonProcess in this test's private dirs."""
    made: list[DaemonProcess] = []

    def make(config_text: str, **env: str) -> DaemonProcess:
        daemon = DaemonProcess(
            deskbreak_exe, isolated_dirs, config_text, {**os.environ, "TZ": "UTC", **env}
        )
        made.append(daemon)
        return daemon

    yield make
    for daemon in made:
        daemon.kill_all()
