"""Tell systemd how the daemon is doing: sd_notify(3) over the datagram socket in NOTIFY_SOCKET.

Every function is a no-op returning False outside systemd (NOTIFY_SOCKET unset) and never
raises: a failed notification must not stop the daemon. The environment is read when called,
not at import, and can be passed in.
"""

from __future__ import annotations

import os
import socket
import time
from collections.abc import Mapping


def _address(notify_socket: str) -> str | None:
    if notify_socket.startswith("@"):
        # Abstract namespace: systemd writes the leading NUL as '@'.
        return "\0" + notify_socket[1:]
    if notify_socket.startswith("/"):
        return notify_socket
    return None  # vsock: and other transports are for VMs, not user services


def notify(message: str, environ: Mapping[str, str] | None = None) -> bool:
    """Send one sd_notify message ("READY=1", "STATUS=..."); True if it was delivered."""
    env = os.environ if environ is None else environ
    address = _address(env.get("NOTIFY_SOCKET", ""))
    if address is None:
        return False
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM | socket.SOCK_CLOEXEC) as sock:
            sock.connect(address)
            sock.sendall(message.encode("utf-8"))
    except OSError:
        return False
    return True


def _one_line(text: str) -> str:
    # A newline would start a new assignment in the message.
    return " ".join(text.splitlines())


def ready(status_text: str | None = None, environ: Mapping[str, str] | None = None) -> bool:
    """The daemon is up (scheduler running, control socket listening)."""
    message = "READY=1"
    if status_text:
        message += f"\nSTATUS={_one_line(status_text)}"
    return notify(message, environ)


def reloading(environ: Mapping[str, str] | None = None) -> bool:
    """A SIGHUP reload has begun; send ready() when it is done."""
    monotonic_usec = time.clock_gettime_ns(time.CLOCK_MONOTONIC) // 1000
    return notify(f"RELOADING=1\nMONOTONIC_USEC={monotonic_usec}", environ)


def stopping(environ: Mapping[str, str] | None = None) -> bool:
    """The daemon is shutting down (on SIGTERM or `deskbreak stop`)."""
    return notify("STOPPING=1", environ)


def watchdog(environ: Mapping[str, str] | None = None) -> bool:
    """Keep-alive ping; send it at least every half of watchdog_interval()."""
    return notify("WATCHDOG=1", environ)


def status(text: str, environ: Mapping[str, str] | None = None) -> bool:
    """One line shown by `systemctl --user status deskbreak` (e.g. "next break 10:30")."""
    return notify(f"STATUS={_one_line(text)}", environ)


def watchdog_interval(
    environ: Mapping[str, str] | None = None, pid: int | None = None
) -> float | None:
    """Seconds systemd waits for a watchdog ping before restarting us, or None if no watchdog.

    WATCHDOG_PID, when set, names the process the watchdog is meant for; a child that
    inherited the variables is not it.
    """
    env = os.environ if environ is None else environ
    try:
        usec = int(env.get("WATCHDOG_USEC", ""))
    except ValueError:
        return None
    if usec <= 0:
        return None
    watchdog_pid = env.get("WATCHDOG_PID")
    if watchdog_pid:
        try:
            if int(watchdog_pid) != (os.getpid() if pid is None else pid):
                return None
        except ValueError:
            return None
    return usec / 1_000_000
