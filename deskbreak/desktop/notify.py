"""Sending a reminder to the desktop, and learning which button was pressed.

Backends, best first: notify-send (Linux; Done / Snooze / Skip buttons where libnotify has
`--action`), plyer (macOS, Windows, and a fallback elsewhere), console (a line on stdout for
headless and SSH sessions). A failing backend raises `NotifyError`; the daemon then tries the
next one, so a broken notification server never stops the reminders.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import subprocess
import sys
import warnings
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Literal, Protocol

APP_NAME = "deskbreak"
Answer = Literal["done", "snoozed", "skipped", "ignored"]
AnswerCallback = Callable[[Answer], Awaitable[None]]

# notify-send prints the key of the pressed action; these keys map to history answers.
ACTIONS: tuple[tuple[str, str, Answer], ...] = (
    ("done", "Done", "done"),
    ("snooze", "Snooze", "snoozed"),
    ("skip", "Skip", "skipped"),
)
# How long a notify-send that fails (no server, bad arguments) takes to say so.
STARTUP_GRACE_SECONDS = 1.5


class NotifyError(Exception):
    """A backend could not show the notification; the message says why."""


@dataclass(frozen=True)
class Reminder:
    title: str
    body: str
    timeout_seconds: int = 20
    buttons: bool = True


class Notifier(Protocol):
    """One way of showing a reminder. `send` returns once it is shown (or raises NotifyError);
    answers from buttons arrive later through `on_answer`, at most once per reminder.

    `send` returns a handle for a notification that stays on screen waiting for an answer
    (None when the backend reports no answers). A backend that can take a notification off
    the screen again also has `async def withdraw(handle) -> None` (see `Withdrawable`): the
    daemon calls it when the reminder is answered elsewhere (`deskbreak done`), and no answer
    arrives through `on_answer` for a withdrawn notification."""

    name: str

    def unavailable_reason(self) -> str | None:
        """None when this backend can be used here, else a short reason."""

    async def send(self, reminder: Reminder, on_answer: AnswerCallback) -> object | None: ...


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


@cache
def notify_send_supports_actions(executable: str) -> bool:
    """libnotify 0.7.9+ has `--action`; older ones would print a usage error instead."""
    try:
        # No timeout: `--help` never touches the bus, and a timed wait is what libfaketime
        # (used by the end-to-end tests) breaks.
        help_text = subprocess.run(
            [executable, "--help"], capture_output=True, text=True, check=False
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return False
    return "--action" in help_text


class NotifySendNotifier:
    name = "notify-send"

    def __init__(self, executable: str | None = None) -> None:
        self.executable = executable or shutil.which("notify-send")
        self._watchers: set[asyncio.Task[None]] = set()

    def unavailable_reason(self) -> str | None:
        if not sys.platform.startswith("linux"):
            return "notify-send is for Linux desktops"
        if not self.executable:
            return "notify-send is not installed (Debian/Ubuntu: apt install libnotify-bin)"
        if session_bus_address() is None:
            return "no D-Bus session bus (DBUS_SESSION_BUS_ADDRESS is unset)"
        return None

    @property
    def has_buttons(self) -> bool:
        return bool(self.executable) and notify_send_supports_actions(str(self.executable))

    def _waits_for_answer(self, reminder: Reminder) -> bool:
        # Without buttons notify-send returns at once, so its silence is not an answer.
        return reminder.buttons and self.has_buttons

    def command(self, reminder: Reminder) -> list[str]:
        args = [
            str(self.executable),
            f"--app-name={APP_NAME}",
            "--urgency=normal",
            "--icon=preferences-desktop-accessibility",
            f"--expire-time={reminder.timeout_seconds * 1000}",
            "--hint=string:desktop-entry:deskbreak",
        ]
        if self._waits_for_answer(reminder):
            args += [f"--action={key}={label}" for key, label, _ in ACTIONS]
        return [*args, "--", reminder.title, reminder.body]

    async def send(self, reminder: Reminder, on_answer: AnswerCallback) -> object | None:
        if reason := self.unavailable_reason():
            raise NotifyError(reason)
        env = dict(os.environ)
        env.setdefault("DBUS_SESSION_BUS_ADDRESS", session_bus_address() or "")
        try:
            proc = await asyncio.create_subprocess_exec(
                *self.command(reminder),
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                env=env,
            )
        except OSError as err:
            raise NotifyError(f"cannot run notify-send: {err}") from None
        # With buttons, notify-send stays until the notification closes; a failure shows up as
        # a quick non-zero exit, so wait briefly for that before calling it sent.
        communicate = asyncio.ensure_future(proc.communicate())
        done, _ = await asyncio.wait({communicate}, timeout=STARTUP_GRACE_SECONDS)
        if done:
            out, stderr = communicate.result()
            if proc.returncode != 0:
                lines = stderr.decode(errors="replace").strip().splitlines()
                why = lines[-1] if lines else "no output"
                raise NotifyError(f"notify-send exited {proc.returncode}: {why}")
            if self._waits_for_answer(reminder):
                await self._answer(out, on_answer)
            return None
        pending = _Waiting(proc)
        watcher = asyncio.ensure_future(self._await_answer(communicate, on_answer, pending))
        self._watchers.add(watcher)
        watcher.add_done_callback(self._watchers.discard)
        return pending

    async def _await_answer(
        self,
        communicate: asyncio.Future[tuple[bytes, bytes]],
        on_answer: AnswerCallback,
        pending: _Waiting,
    ) -> None:
        out, _ = await communicate
        if not pending.withdrawn:
            await self._answer(out, on_answer)

    async def withdraw(self, handle: object) -> None:
        """notify-send, waiting for a button, closes its notification on SIGINT (libnotify
        0.7.10+: "Wait cancelled, closing notification")."""
        if not isinstance(handle, _Waiting) or handle.proc.returncode is not None:
            return
        handle.withdrawn = True
        try:
            handle.proc.send_signal(signal.SIGINT)
        except ProcessLookupError:
            return  # it ended on its own meanwhile

    async def _answer(self, out: bytes, on_answer: AnswerCallback) -> None:
        key = out.decode(errors="replace").strip()
        answers = {k: answer for k, _, answer in ACTIONS}
        # Closed or expired without a button: the reminder was ignored.
        await on_answer(answers.get(key, "ignored"))

    def close(self) -> None:
        for watcher in self._watchers:
            watcher.cancel()


@dataclass
class _Waiting:
    """A notify-send process that waits for a button on the notification it showed."""

    proc: asyncio.subprocess.Process
    withdrawn: bool = False


class PlyerNotifier:
    name = "plyer"

    def unavailable_reason(self) -> str | None:
        try:
            import plyer  # noqa: F401 - only checking that it imports
        except ImportError:
            return "plyer is not installed"
        if sys.platform.startswith("linux") and session_bus_address() is None:
            return "no D-Bus session bus for plyer to reach"
        return None

    async def send(self, reminder: Reminder, on_answer: AnswerCallback) -> object | None:
        if reason := self.unavailable_reason():
            raise NotifyError(reason)
        await asyncio.to_thread(self._notify, reminder)
        return None

    @staticmethod
    def _notify(reminder: Reminder) -> None:
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

    async def send(self, reminder: Reminder, on_answer: AnswerCallback) -> object | None:
        line = f"deskbreak: time to move: {reminder.title}. {reminder.body.replace(chr(10), ' ')}"
        if self._write is not None:
            self._write(line)
        else:
            print(line, flush=True)
        return None


def all_backends() -> dict[str, Notifier]:
    return {n.name: n for n in (NotifySendNotifier(), PlyerNotifier(), ConsoleNotifier())}


def backend_chain(choice: str, backends: dict[str, Notifier] | None = None) -> list[Notifier]:
    """The backends to try, in order: the chosen one first, then the usable fallbacks.

    `auto` ranks them best first and keeps those usable here; a named backend is tried first
    even if it looks unusable (the user asked for it), then the others as fallbacks.
    """
    backends = backends or all_backends()
    order = ["notify-send", "plyer", "console"]
    if choice == "auto":
        chain = [backends[n] for n in order if backends[n].unavailable_reason() is None]
    else:
        chain = [backends[choice]] + [
            backends[n] for n in order if n != choice and backends[n].unavailable_reason() is None
        ]
    return chain or [backends["console"]]


def explain_auto(backends: dict[str, Notifier] | None = None) -> list[tuple[str, str | None]]:
    """For `doctor`: each backend with the reason it is unusable, or None when usable."""
    backends = backends or all_backends()
    return [(name, b.unavailable_reason()) for name, b in backends.items()]
