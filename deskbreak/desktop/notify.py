"""Sending a notification to the desktop, and learning what the person did with it.

Backends, best first: dbus (Linux: org.freedesktop.Notifications over deskbreak's own D-Bus
connection, with buttons where the server has them; see `notify_dbus.py`), plyer (macOS,
Windows, and a fallback elsewhere), console (a line on stdout for headless and SSH sessions).
`notify-send` is still accepted in configs and means the dbus backend: the same server and
protocol, without a child process per notification. A failing backend raises `NotifyError`;
the daemon then tries the next one, so a broken notification server never stops the reminders.

A notification carries its own buttons as (key, label) pairs. Its answer callback receives the
key of the button pressed, `DISMISSED` when the person closed it without a button, or `EXPIRED`
when it timed out, was replaced or its server went away; at most once per notification.
"""

from __future__ import annotations

import asyncio
import importlib.util
import os
import sys
import warnings
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

APP_NAME = "deskbreak"
DISMISSED = "dismissed"
EXPIRED = "expired"
AnswerCallback = Callable[[str], Awaitable[None]]
REMINDER_TAG = "reminder"
# The buttons of a desk reminder.
REMINDER_ACTIONS: tuple[tuple[str, str], ...] = (
    ("done", "Done"),
    ("snooze", "Snooze"),
    ("skip", "Skip"),
)


class NotifyError(Exception):
    """A backend could not show the notification; the message says why."""


@dataclass(frozen=True)
class Notification:
    """What to show. `tag` names a kind of notification: a new one replaces the one with the
    same tag still on screen, and `close(tag)` takes it away. `timeout_seconds` 0: until the
    person closes it."""

    title: str
    body: str
    timeout_seconds: int = 20
    actions: tuple[tuple[str, str], ...] = ()
    tag: str = REMINDER_TAG


class Notifier(Protocol):
    """One way of showing a notification. `send` returns once the desktop took it (or raises
    NotifyError); the answer arrives later through `on_answer`, at most once.

    `send` returns a handle for a notification that stays on screen waiting for an answer
    (None when the backend reports no answers). A backend that can take a notification off
    the screen again also has `async def withdraw(handle) -> None` (see `Withdrawable`): the
    daemon calls it when the reminder is answered elsewhere (`deskbreak done`), and no answer
    arrives through `on_answer` for a withdrawn notification."""

    name: str

    def unavailable_reason(self) -> str | None:
        """None when this backend can be used here, else a short reason."""

    async def send(
        self, notification: Notification, on_answer: AnswerCallback
    ) -> object | None: ...


class Withdrawable(Protocol):
    """The optional part of a Notifier: closing a notification it showed."""

    async def withdraw(self, handle: object) -> None:
        """Close the notification `send` returned `handle` for; NotifyError if it cannot."""


def session_bus_address(env: Mapping[str, str] | None = None) -> str | None:
    """The session bus as libnotify finds it: $DBUS_SESSION_BUS_ADDRESS or $XDG_RUNTIME_DIR/bus."""
    env = os.environ if env is None else env
    address = env.get("DBUS_SESSION_BUS_ADDRESS")
    if address:
        return address
    runtime = env.get("XDG_RUNTIME_DIR")
    if runtime and Path(runtime, "bus").exists():
        return f"unix:path={runtime}/bus"
    return None


class PlyerNotifier:
    name = "plyer"

    def unavailable_reason(self) -> str | None:
        # Found, not imported: plyer loads ~40 modules, which a daemon that never uses it
        # would carry for its whole life.
        if importlib.util.find_spec("plyer") is None:
            return "plyer is not installed"
        if sys.platform.startswith("linux") and session_bus_address() is None:
            return "no D-Bus session bus for plyer to reach"
        return None

    async def send(self, notification: Notification, on_answer: AnswerCallback) -> object | None:
        if reason := self.unavailable_reason():
            raise NotifyError(reason)
        await asyncio.to_thread(self._notify, notification)
        return None

    @staticmethod
    def _notify(reminder: Notification) -> None:
        from plyer import notification

        try:
            with warnings.catch_warnings():
                # plyer warns when python-dbus is missing and then uses notify-send itself
                warnings.simplefilter("ignore")
                notification.notify(
                    title=reminder.title,
                    message=reminder.body,
                    app_name=APP_NAME,
                    timeout=reminder.timeout_seconds,
                )
        except NotImplementedError:
            raise NotifyError("plyer has no notification support on this platform") from None
        except Exception as err:  # noqa: BLE001 - plyer raises whatever its platform raises
            raise NotifyError(f"plyer failed: {err}") from None


class ConsoleNotifier:
    name = "console"

    def __init__(self, write: Callable[[str], object] | None = None) -> None:
        self._write = write

    def unavailable_reason(self) -> str | None:
        return None

    async def send(self, reminder: Notification, on_answer: AnswerCallback) -> object | None:
        line = f"deskbreak: time to move: {reminder.title}. {reminder.body.replace(chr(10), ' ')}"
        if self._write is not None:
            self._write(line)
        else:
            print(line, flush=True)
        return None


ORDER = ("dbus", "plyer", "console")
# Config names that mean another backend now.
ALIASES = {"notify-send": "dbus"}


def backend_chain(choice: str, backends: dict[str, Notifier]) -> list[Notifier]:
    """The backends to try, in order: the chosen one first, then the usable fallbacks.

    `auto` ranks them best first and keeps those usable here; a named backend is tried first
    even if it looks unusable (the user asked for it), then the others as fallbacks.
    """
    choice = ALIASES.get(choice, choice)
    usable = [backends[n] for n in ORDER if n in backends and n != choice]
    usable = [b for b in usable if b.unavailable_reason() is None]
    chain = usable if choice == "auto" or choice not in backends else [backends[choice], *usable]
    return chain or [backends["console"]]


def explain_auto(backends: dict[str, Notifier]) -> list[tuple[str, str | None]]:
    """For `doctor`: each backend with the reason it is unusable, or None when usable."""
    return [(name, b.unavailable_reason()) for name, b in backends.items()]
