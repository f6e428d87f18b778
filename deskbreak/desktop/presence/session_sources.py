"""Presence sources on the session bus: Mutter's IdleMonitor, the screen savers, GNOME's
session inhibitors.

- org.gnome.Mutter.IdleMonitor (/org/gnome/Mutter/IdleMonitor/Core): `AddIdleWatch(ms)`
  fires `WatchFired(id)` once the person has been idle that long; `AddUserActiveWatch()` fires
  once at the next input. Signals only; `GetIdletime()` is read just before a reminder.
- org.freedesktop.ScreenSaver and org.gnome.ScreenSaver: `ActiveChanged(b)` and `GetActive()`.
- org.gnome.SessionManager `InhibitedActions`: bit 8 (idle) is set while a video or a call
  keeps the screen awake, the stand-in for "fullscreen" on GNOME Wayland.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from jeepney import Message

from deskbreak.desktop.dbus import Bus, BusError, Signal
from deskbreak.desktop.presence.state import PresenceState, SourceStatus

log = logging.getLogger("deskbreak.desktop.presence")

MUTTER = "org.gnome.Mutter.IdleMonitor"
MUTTER_PATH = "/org/gnome/Mutter/IdleMonitor/Core"
SCREENSAVERS = (
    ("org.freedesktop.ScreenSaver", "/org/freedesktop/ScreenSaver"),
    ("org.gnome.ScreenSaver", "/org/gnome/ScreenSaver"),
)
GNOME_SESSION = "org.gnome.SessionManager"
GNOME_SESSION_PATH = "/org/gnome/SessionManager"
INHIBIT_IDLE = 8


class MutterIdle:
    name = "mutter"
    bus = "session"
    services = (MUTTER,)

    def __init__(
        self, state: PresenceState, clock: Callable[[], datetime], threshold: timedelta
    ) -> None:
        self.state, self.clock, self.threshold = state, clock, threshold
        self.used = False
        self._idle_watch: int | None = None
        self._active_watch: int | None = None
        self._bus: Bus | None = None

    async def subscribe(self, bus: Bus) -> None:
        await bus.subscribe(Signal(MUTTER, "WatchFired", MUTTER_PATH, MUTTER), self._on_fired)

    async def detect(self, bus: Bus) -> None:
        self._bus = bus
        if self._idle_watch is not None and self.used:  # a new length replaces the old watch
            with contextlib.suppress(BusError):
                await bus.call(MUTTER, MUTTER_PATH, MUTTER, "RemoveWatch", "u", (self._idle_watch,))
            self._idle_watch = None
        try:
            if not await bus.has_owner(MUTTER):
                raise BusError("no GNOME Mutter IdleMonitor on the session bus")
            milliseconds = int(self.threshold.total_seconds() * 1000)
            (self._idle_watch,) = await bus.call(
                MUTTER, MUTTER_PATH, MUTTER, "AddIdleWatch", "t", (milliseconds,)
            )
        except BusError as err:
            self.used = False
            self.state.set_source(SourceStatus("idle", self.name, False, str(err)))
            return
        self.used = True
        minutes = self.threshold.total_seconds() / 60
        self.state.set_source(
            SourceStatus("idle", self.name, True, f"IdleMonitor watch at {minutes:g} min")
        )

    async def idle_seconds(self) -> float | None:
        if not self.used or self._bus is None:
            return None
        try:
            (milliseconds,) = await self._bus.call(MUTTER, MUTTER_PATH, MUTTER, "GetIdletime")
        except BusError:
            return None
        return float(milliseconds) / 1000.0

    def _on_fired(self, message: Message) -> None:
        (watch,) = message.body
        now = self.clock()
        if watch == self._idle_watch:
            self.state.went_away(now - self.threshold)
            if self._bus is not None:
                self._spawn_active_watch(self._bus)
        elif watch == self._active_watch:
            self._active_watch = None
            self.state.came_back(now)

    def _spawn_active_watch(self, bus: Bus) -> None:
        async def add() -> None:
            try:
                (self._active_watch,) = await bus.call(
                    MUTTER, MUTTER_PATH, MUTTER, "AddUserActiveWatch"
                )
            except BusError as err:
                log.info("Mutter IdleMonitor: cannot watch for activity: %s", err)

        task = asyncio.ensure_future(add())
        _keep.add(task)
        task.add_done_callback(_keep.discard)


_keep: set[asyncio.Future[Any]] = set()


class ScreenSaver:
    name = "screensaver"
    bus = "session"
    services = tuple(service for service, _ in SCREENSAVERS)

    def __init__(self, state: PresenceState, clock: Callable[[], datetime]) -> None:
        self.state, self.clock = state, clock

    async def subscribe(self, bus: Bus) -> None:
        for service, _path in SCREENSAVERS:
            await bus.subscribe(Signal(service, "ActiveChanged", None, service), self._on_changed)

    async def detect(self, bus: Bus) -> None:
        for service, path in SCREENSAVERS:
            try:
                if not await bus.has_owner(service):
                    continue
                (active,) = await bus.call(service, path, service, "GetActive")
            except BusError:
                continue
            self.state.set_locked(self.name, bool(active), self.clock())
            self.state.set_source(SourceStatus("locked", self.name, True, f"{service}"))
            return
        self.state.set_source(
            SourceStatus("locked", self.name, False, "no screen saver service on the session bus")
        )

    def _on_changed(self, message: Message) -> None:
        (active,) = message.body
        log.info("the screen saver is %s", "on" if active else "off")
        self.state.set_locked(self.name, bool(active), self.clock())


class GnomeInhibit:
    """GNOME's idle inhibitors as the fullscreen fact (a video or call keeps the screen on)."""

    name = "gnome-session"
    bus = "session"
    services = (GNOME_SESSION,)

    def __init__(self, state: PresenceState) -> None:
        self.state = state
        self.used = False
        self._bus: Bus | None = None

    async def subscribe(self, bus: Bus) -> None:
        for member in ("InhibitorAdded", "InhibitorRemoved"):
            await bus.subscribe(
                Signal(GNOME_SESSION, member, GNOME_SESSION_PATH, GNOME_SESSION), self._on_change
            )

    async def detect(self, bus: Bus) -> None:
        self._bus = bus
        self.used = await _owned(bus, GNOME_SESSION)
        detail = "InhibitedActions idle bit" if self.used else "no GNOME session manager"
        self.state.set_source(SourceStatus("fullscreen", self.name, self.used, detail))
        await self.refresh()

    async def refresh(self) -> bool | None:
        if not self.used or self._bus is None:
            return None
        try:
            actions = await self._bus.get_property(
                GNOME_SESSION, GNOME_SESSION_PATH, GNOME_SESSION, "InhibitedActions"
            )
        except BusError:
            return None
        inhibited = bool(int(actions) & INHIBIT_IDLE)
        if inhibited != self.state.fullscreen:
            self.state.fullscreen = inhibited
            self.state.on_change()
        return inhibited

    def _on_change(self, message: Message) -> None:
        task = asyncio.ensure_future(self.refresh())
        _keep.add(task)
        task.add_done_callback(_keep.discard)


async def _owned(bus: Bus, name: str) -> bool:
    try:
        return await bus.has_owner(name)
    except BusError:
        return False
