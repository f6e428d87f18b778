"""Run deskbreak at login on macOS: write, load and remove its launchd agent.

Rendering is pure; the functions that act take the environment and a `Runner` so tests can
record the launchctl calls. `autostart` calls these when the platform is darwin and keeps the
shared types (`Runner`, `Change`, `ServiceStatus`).
"""

from __future__ import annotations

import os
import plistlib
from collections.abc import Mapping, Sequence
from pathlib import Path

from deskbreak.proc import Runner
from deskbreak.service.base import Change, ServiceStatus, home, run_checked

LAUNCHD_LABEL = "dev.deskbreak"


def render_plist(command: Sequence[str], log_file: Path) -> str:
    """A launchd agent that starts `<command> start` at login and again if it fails."""
    agent = {
        "Label": LAUNCHD_LABEL,
        "ProgramArguments": [*command, "start"],
        "RunAtLoad": True,
        "KeepAlive": {"SuccessfulExit": False},
        "ThrottleInterval": 10,
        "ProcessType": "Interactive",
        "StandardOutPath": str(log_file),
        "StandardErrorPath": str(log_file),
    }
    return plistlib.dumps(agent).decode("utf-8")


def plist_path(env: Mapping[str, str]) -> Path:
    return home(env) / "Library" / "LaunchAgents" / f"{LAUNCHD_LABEL}.plist"


def launchd_log_path(env: Mapping[str, str]) -> Path:
    return home(env) / "Library" / "Logs" / "deskbreak.log"


def logs_command(follow: bool, lines: int | None, env: Mapping[str, str]) -> list[str]:
    """tail of the agent's log file."""
    tail = ["tail", "-n", str(lines if lines is not None else 50)]
    return [*tail, *(["-F"] if follow else []), str(launchd_log_path(env))]


def _gui_domain() -> str:
    return f"gui/{os.getuid()}"


def install(run: Runner, env: Mapping[str, str], dry_run: bool, command: Sequence[str]) -> Change:
    path = plist_path(env)
    content = render_plist(command, launchd_log_path(env))
    bootout = ("launchctl", "bootout", _gui_domain(), str(path))
    bootstrap = ("launchctl", "bootstrap", _gui_domain(), str(path))
    if dry_run:
        return Change(path, content, (bootstrap,), True)
    path.parent.mkdir(parents=True, exist_ok=True)
    launchd_log_path(env).parent.mkdir(parents=True, exist_ok=True)
    if path.exists():
        run(bootout)  # an earlier version may be loaded; failure means it was not
    path.write_text(content, encoding="utf-8")
    run_checked(run, bootstrap)
    return Change(path, content, (bootstrap,), False)


def uninstall(run: Runner, env: Mapping[str, str], dry_run: bool) -> Change:
    path = plist_path(env)
    if not path.exists():
        return Change(path, None, (), dry_run, (f"{LAUNCHD_LABEL} is not installed ({path})",))
    bootout = ("launchctl", "bootout", _gui_domain(), str(path))
    if not dry_run:
        run(bootout)  # fails harmlessly when the agent is not loaded
        path.unlink()
    return Change(path, None, (bootout,), dry_run)


def status(run: Runner, env: Mapping[str, str]) -> ServiceStatus:
    path = plist_path(env)
    loaded = run(["launchctl", "print", f"{_gui_domain()}/{LAUNCHD_LABEL}"])
    running = loaded.returncode == 0 and "state = running" in loaded.stdout
    return ServiceStatus(
        manager="launchd",
        path=str(path),
        installed=path.exists(),
        active=running,
        enabled="loaded" if loaded.returncode == 0 else "not loaded",
        state="running" if running else "not running",
    )
