"""The `dbus` backend: org.freedesktop.Notifications over deskbreak's own session connection.

Desktop Notifications Specification 1.2: `Notify` returns an id; `ActionInvoked(id, key)` and
`NotificationClosed(id, reason)` (1 expired, 2 dismissed by the user, 3 closed by a call,
4 other) tell what became of it. Several servers ignore the expire timeout (GNOME keeps
notifications resident), so this backend closes a notification itself when its timeout has
passed. One notification per tag is on screen: a new one passes the old id as `replaces_id`.
When the server goes (`NameOwnerChanged`), its notifications are gone and answered as expired;
the next `Notify` reaches whichever server owns the name then.
"""

from __future__ import annotations

import asyncio
import logging
import os
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field

from jeepney import Message

from deskbreak.desktop.dbus import BUS_NAME, BUS_PATH, Bus, BusError, Buses, Signal
from deskbreak.desktop.notify import (
    APP_NAME,
    DISMISSED,
    EXPIRED,
    AnswerCallback,
    Notification,
    NotifyError,
    session_bus_address,
)
from deskbreak.desktop.tasks import TaskSet

log = logging.getLogger("deskbreak.desktop.notify_dbus")

SERVICE = "org.freedesktop.Notifications"
PATH = "/org/freedesktop/Notifications"
INTERFACE = "org.freedesktop.Notifications"
ICON = "preferences-desktop-accessibility"
CLOSED_BY_USER = 2


@dataclass(frozen=True)
class ServerInfo:
    name: str
    vendor: str
    version: str
    capabilities: frozenset[str]


@dataclass
class _Shown:
    """A notification on screen that still owes its answer."""

    id: int
    tag: str
    on_answer: AnswerCallback
    # Without buttons only a dismissal means something: silence is not an answer.
    answers_expiry: bool
    timer: asyncio.TimerHandle | None = field(default=None)


class DbusNotifier:
    name = "dbus"

    def __init__(
        self,
        buses: Buses | None = None,
        env: Mapping[str, str] | None = None,
        platform: str = sys.platform,
    ) -> None:
        self.env = os.environ if env is None else env
        self.buses = buses or Buses(self.env)
        self.platform = platform
        self._watched: Bus | None = None
        self._info: ServerInfo | None = None
        self._shown: dict[int, _Shown] = {}
        self._tasks = TaskSet(log, "handling a notification answer failed")

    def unavailable_reason(self) -> str | None:
        if not self.platform.startswith("linux"):
            return "D-Bus notifications are for Linux desktops"
        if session_bus_address(self.env) is None:
            return "no D-Bus session bus (DBUS_SESSION_BUS_ADDRESS is unset)"
        return None

    # -- connection and server -------------------------------------------------------------

    async def bus(self) -> Bus:
        """The session connection, with this backend's signals routed to it."""
        try:
            bus = await self.buses.get("session")
            if bus is not self._watched:
                self._watched, self._info = bus, None
                await bus.subscribe(
                    Signal(INTERFACE, "ActionInvoked", PATH, SERVICE), self._on_action
                )
                await bus.subscribe(
                    Signal(INTERFACE, "NotificationClosed", PATH, SERVICE), self._on_closed
                )
                await bus.watch_name(SERVICE, self._on_owner_changed)
        except BusError as err:
            self._watched = None
            raise NotifyError(str(err)) from None
        return bus

    async def server(self) -> ServerInfo:
        """Who shows our notifications, and what it can do (asked once per server)."""
        bus = await self.bus()
        if self._info is not None:
            return self._info
        try:
            if not await bus.has_owner(SERVICE) and not await _activatable(bus, SERVICE):
                raise NotifyError("no notification server on the session bus")
            (caps,) = await bus.call(SERVICE, PATH, INTERFACE, "GetCapabilities")
            name, vendor, version, _spec = await bus.call(
                SERVICE, PATH, INTERFACE, "GetServerInformation"
            )
        except BusError as err:
            raise NotifyError(f"the notification server did not answer: {err}") from None
        self._info = ServerInfo(name, vendor, version, frozenset(caps))
        return self._info

    def _on_owner_changed(self, old: str, new: str) -> None:
        self._info = None
        if new:
            log.info("a notification server is on the session bus again")
            return
        log.info("the notification server left the session bus")
        for shown in list(self._shown.values()):
            self._answer(shown, EXPIRED)

    # -- sending ---------------------------------------------------------------------------

    async def send(self, notification: Notification, on_answer: AnswerCallback) -> object | None:
        if reason := self.unavailable_reason():
            raise NotifyError(reason)
        info = await self.server()
        bus = await self.bus()
        actions = notification.actions if "actions" in info.capabilities else ()
        previous = self._by_tag(notification.tag)
        if previous is not None:
            self._answer(previous, EXPIRED)  # replaced before anyone answered it
        hints = {"desktop-entry": ("s", APP_NAME), "urgency": ("y", 1)}
        try:
            (notification_id,) = await bus.call(
                SERVICE,
                PATH,
                INTERFACE,
                "Notify",
                "susssasa{sv}i",
                (
                    APP_NAME,
                    previous.id if previous else 0,
                    ICON,
                    notification.title,
                    notification.body,
                    [text for action in actions for text in action],
                    hints,
                    notification.timeout_seconds * 1000,
                ),
            )
        except BusError as err:
            raise NotifyError(f"Notify failed: {err}") from None
        shown = _Shown(notification_id, notification.tag, on_answer, answers_expiry=bool(actions))
        if notification.timeout_seconds > 0:
            loop = asyncio.get_running_loop()
            shown.timer = loop.call_later(notification.timeout_seconds, self._expire, shown)
        self._shown[notification_id] = shown
        return shown

    def _by_tag(self, tag: str) -> _Shown | None:
        return next((s for s in self._shown.values() if s.tag == tag), None)

    async def withdraw(self, handle: object) -> None:
        """Take a notification `send` showed off the screen; it owes no answer any more."""
        if isinstance(handle, _Shown) and self._shown.get(handle.id) is handle:
            self._forget(handle)
            await self._close_on_server(handle.id)

    # -- answers ---------------------------------------------------------------------------

    def _expire(self, shown: _Shown) -> None:
        """Its timeout passed: the server may not close it, so we do."""
        self._answer(shown, EXPIRED)
        self._tasks.spawn(self._close_on_server(shown.id))

    async def _close_on_server(self, notification_id: int) -> None:
        bus = self.buses.current("session")
        if bus is None:
            return
        try:
            await bus.call(SERVICE, PATH, INTERFACE, "CloseNotification", "u", (notification_id,))
        except BusError as err:  # already gone, or the server went away: nothing to close
            log.debug("CloseNotification %d: %s", notification_id, err)

    def _on_action(self, message: Message) -> None:
        notification_id, key = message.body
        shown = self._shown.get(notification_id)
        if shown is not None:
            self._answer(shown, str(key))
            # Answered: some servers (dunst) keep it up after a button; its buttons are spent.
            self._tasks.spawn(self._close_on_server(notification_id))

    def _on_closed(self, message: Message) -> None:
        notification_id, reason = message.body
        shown = self._shown.get(notification_id)
        if shown is not None:
            self._answer(shown, DISMISSED if reason == CLOSED_BY_USER else EXPIRED)

    def _answer(self, shown: _Shown, outcome: str) -> None:
        self._forget(shown)
        if outcome == EXPIRED and not shown.answers_expiry:
            return
        self._tasks.spawn(shown.on_answer(outcome))

    def _forget(self, shown: _Shown) -> None:
        self._shown.pop(shown.id, None)
        if shown.timer is not None:
            shown.timer.cancel()


async def _activatable(bus: Bus, name: str) -> bool:
    """Whether the bus would start a server for `name` (a Notify then activates it)."""
    (names,) = await bus.call(BUS_NAME, BUS_PATH, BUS_NAME, "ListActivatableNames")
    return name in names
