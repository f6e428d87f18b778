"""Doctor checks of the desktop side: the session bus and its notification server.

They never D-Bus-activate a notification server: they ask NameHasOwner first.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path

from deskbreak.desktop.notify import session_bus_address
from deskbreak.doctor.check import Check, last_line
from deskbreak.proc import Runner, RunResult
from deskbreak.service.base import Which

BUS_FIX = (
    "run inside your desktop session, or export DBUS_SESSION_BUS_ADDRESS "
    "(under systemd: `systemctl --user import-environment DBUS_SESSION_BUS_ADDRESS DISPLAY`)"
)
NOTIFICATIONS = "org.freedesktop.Notifications"
BUS_TIMEOUT_SECONDS = 3


def _bus_call(
    tool: str, run: Runner, dest: str, path: str, method: str, *args: str
) -> tuple[RunResult, list[str]]:
    """Call a method with gdbus or dbus-send; returns the result and the reply's strings."""
    if Path(tool).name == "gdbus":
        command = [tool, "call", "--session", "--timeout", str(BUS_TIMEOUT_SECONDS)]
        command += ["--dest", dest, "--object-path", path, "--method", method, *args]
        quoted = r"'((?:[^'\\]|\\.)*)'"
    else:
        command = [tool, "--session", "--print-reply"]
        command += [f"--reply-timeout={BUS_TIMEOUT_SECONDS * 1000}", f"--dest={dest}", path]
        command += [method, *(f"string:{a}" for a in args)]
        quoted = r'"((?:[^"\\]|\\.)*)"'
    result = run(command)
    return result, re.findall(quoted, result.stdout) if result.returncode == 0 else []


def _has_owner(tool: str, run: Runner, name: str) -> tuple[RunResult, bool]:
    result, _ = _bus_call(
        tool, run, "org.freedesktop.DBus", "/org/freedesktop/DBus",
        "org.freedesktop.DBus.NameHasOwner", name,
    )  # fmt: skip
    return result, bool(re.search(r"\btrue\b", result.stdout))


def _activatable(tool: str, run: Runner, name: str) -> bool:
    _, names = _bus_call(
        tool, run, "org.freedesktop.DBus", "/org/freedesktop/DBus",
        "org.freedesktop.DBus.ListActivatableNames",
    )  # fmt: skip
    return name in names


def check_server(env: Mapping[str, str], run: Runner, which: Which) -> Check:
    address = session_bus_address(env)
    if address is None:
        return Check(
            "server",
            "fail",
            "no D-Bus session bus: DBUS_SESSION_BUS_ADDRESS is unset and there is no "
            "$XDG_RUNTIME_DIR/bus",
            BUS_FIX,
        )
    shown = address.split(",guid=")[0]  # the guid is noise to a person
    tool = which("gdbus") or which("dbus-send")
    if tool is None:
        return Check(
            "server",
            "warn",
            f"cannot ask the session bus ({shown}): neither gdbus nor dbus-send is installed",
            "install libglib2.0-bin (gdbus) or dbus (dbus-send)",
        )
    # NameHasOwner first: calling the server itself would D-Bus-activate one if none runs.
    result, owned = _has_owner(tool, run, NOTIFICATIONS)
    if result.returncode != 0:
        why = last_line(result.stderr, f"exit status {result.returncode}")
        return Check("server", "fail", f"cannot reach the session bus {shown}: {why}", BUS_FIX)
    if not owned:
        if _activatable(tool, run, NOTIFICATIONS):
            return Check(
                "server",
                "warn",
                "no notification server is running; D-Bus will start one on the first reminder",
                "check it with `deskbreak doctor --send-test`",
            )
        return Check(
            "server",
            "fail",
            f"no notification server on the session bus ({shown})",
            "start one (dunst, mako, or your desktop's own), or run inside your desktop session",
        )
    path = "/org/freedesktop/Notifications"
    info_result, info = _bus_call(
        tool, run, NOTIFICATIONS, path, f"{NOTIFICATIONS}.GetServerInformation"
    )
    caps_result, caps = _bus_call(
        tool, run, NOTIFICATIONS, path, f"{NOTIFICATIONS}.GetCapabilities"
    )
    if info_result.returncode != 0 or caps_result.returncode != 0:
        failed = info_result if info_result.returncode != 0 else caps_result
        why = last_line(failed.stderr, f"exit status {failed.returncode}")
        return Check(
            "server",
            "warn",
            f"a notification server owns {NOTIFICATIONS} but does not answer: {why}",
            "restart your notification server (or log out and in again)",
        )
    name = f"{info[0]} {info[2]}" if len(info) >= 3 else "unnamed server"
    if "actions" in caps:
        return Check("server", "ok", f"{name} on {shown}; supports actions (buttons)")
    return Check(
        "server",
        "warn",
        f"{name} on {shown} does not support actions: reminders come without buttons",
        "answer with `deskbreak done`, `deskbreak snooze` or `deskbreak skip`, or use a "
        "server with actions (dunst, mako, GNOME, KDE)",
    )
