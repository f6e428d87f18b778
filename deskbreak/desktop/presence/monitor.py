"""The presence monitor: starts the sources that work here and keeps `PresenceState` current.

Signals where a source has them (logind, screen savers, Mutter, dunst/KDE/XFCE DND, GNOME
inhibitors); the rest is read on demand by `refresh()`, which the daemon calls just before a
reminder goes out and, while one is held, at its once-a-minute heartbeat. A source that is not
there now is detected again when its D-Bus name appears. Nothing here decides anything: the
planner does (`deskbreak.planner.presence`).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from typing import Any, Protocol

from deskbreak.desktop.dbus import Bus, BusError, Buses
from deskbreak.desktop.presence import x11
from deskbreak.desktop.presence.dnd import DoNotDisturb
from deskbreak.desktop.presence.logind import Logind
from deskbreak.desktop.presence.session_sources import GnomeInhibit, MutterIdle, ScreenSaver
from deskbreak.desktop.presence.state import PresenceState, SourceStatus
from deskbreak.desktop.presence.swayidle import SwayIdle

log = logging.getLogger("deskbreak.desktop.presence")


class BusSource(Protocol):
    @property
    def name(self) -> str: ...

    @property
    def bus(self) -> str: ...

    @property
    def services(self) -> tuple[str, ...]: ...

    async def subscribe(self, bus: Bus) -> None: ...

    async def detect(self, bus: Bus) -> None: ...


class PresenceMonitor:
    def __init__(
        self,
        buses: Buses,
        env: Mapping[str, str],
        clock: Callable[[], datetime],
        natural_break: timedelta,
        on_change: Callable[[], None] = lambda: None,
        on_wake: Callable[[], None] = lambda: None,
    ) -> None:
        self.buses, self.env, self.clock = buses, env, clock
        self.natural_break = natural_break
        self.state = PresenceState(on_change=on_change)
        self.logind = Logind(self.state, clock, on_wake, env)
        self.mutter = MutterIdle(self.state, clock, natural_break)
        self.screensaver = ScreenSaver(self.state, clock)
        self.gnome = GnomeInhibit(self.state)
        self.dnd = DoNotDisturb(self.state)
        self.swayidle = SwayIdle(self.state, clock, natural_break, env)
        self._x11_idle = False
        self._x11_fullscreen = False
        self._tasks: set[asyncio.Task[Any]] = set()

    @property
    def bus_sources(self) -> tuple[BusSource, ...]:
        return (self.logind, self.mutter, self.screensaver, self.gnome, self.dnd)

    async def start(self) -> None:
        """Detect every source once; each one that fails says why in `sources()`."""
        for source in self.bus_sources:
            await self._start_bus_source(source)
        self._detect_x11()
        if not self.mutter.used and not self._x11_idle:
            await self.swayidle.start()
        if not self._idle_source():
            self.state.set_source(
                SourceStatus("idle", "none", False, "no idle source works here; idle is unknown")
            )
        await self.refresh()

    async def _start_bus_source(self, source: BusSource) -> None:
        try:
            bus = await self.buses.get(source.bus)
            await source.subscribe(bus)
            for service in source.services:
                await bus.watch_name(service, self._redetect(source, bus))
            await source.detect(bus)
        except BusError as err:
            self.state.set_source(SourceStatus(_kind_of(source), source.name, False, str(err)))

    def _redetect(self, source: BusSource, bus: Bus) -> Callable[[str, str], None]:
        def appeared(old: str, new: str) -> None:
            log.info("%s %s", source.name, "appeared: detecting it again" if new else "left")
            self._spawn(source.detect(bus))

        return appeared

    def _detect_x11(self) -> None:
        try:
            x11.idle_seconds(self.env)
            self._x11_idle = True
            self.state.set_source(SourceStatus("idle", "x11", True, "MIT-SCREEN-SAVER"))
        except x11.X11Error as err:
            self.state.set_source(SourceStatus("idle", "x11", False, str(err)))
        try:
            x11.active_window_fullscreen(self.env)
            self._x11_fullscreen = True
            self.state.set_source(
                SourceStatus("fullscreen", "x11", True, "_NET_WM_STATE_FULLSCREEN")
            )
        except x11.X11Error as err:
            self.state.set_source(SourceStatus("fullscreen", "x11", False, str(err)))

    def _idle_source(self) -> bool:
        return self.mutter.used or self._x11_idle or self.swayidle.used

    async def refresh(self) -> None:
        """Read the sources that only answer when asked; called just before a reminder."""
        now = self.clock()
        idle = await self.mutter.idle_seconds()
        if idle is None and self._x11_idle:
            idle = _x11_read(x11.idle_seconds, self.env)
        if idle is not None:
            self.state.idle_sample(timedelta(seconds=idle), self.natural_break, now)
        fullscreen: bool | None = await self.gnome.refresh()
        if self._x11_fullscreen:
            x11_full = _x11_read(x11.active_window_fullscreen, self.env)
            if x11_full is not None:
                fullscreen = bool(fullscreen) or x11_full
        if fullscreen is not None and fullscreen != self.state.fullscreen:
            self.state.fullscreen = fullscreen
            self.state.on_change()
        await self.dnd.refresh()

    async def set_natural_break(self, length: timedelta) -> None:
        """Watch for a new idle length (a reload changed `natural_break`)."""
        self.natural_break = length
        self.mutter.threshold = length
        self.swayidle.threshold = length
        if self.mutter.used:
            bus = self.buses.current(self.mutter.bus)
            if bus is not None:
                await self.mutter.detect(bus)  # adds a watch at the new length
        if self.swayidle.used:
            await self.swayidle.close()
            await self.swayidle.start()

    def idle_now(self) -> float | None:
        """The idle time as of now where it can be read at once (X11), else the last one."""
        if self._x11_idle and not self.mutter.used:
            idle = _x11_read(x11.idle_seconds, self.env)
            if idle is not None:
                self.state.idle_sample(timedelta(seconds=idle), self.natural_break, self.clock())
        return self.state.idle_seconds

    def sources(self) -> list[SourceStatus]:
        return list(self.state.sources.values())

    def _spawn(self, work: Any) -> None:
        task = asyncio.ensure_future(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def close(self) -> None:
        for task in self._tasks:
            task.cancel()
        await self.swayidle.close()


def _x11_read(read: Callable[[Mapping[str, str]], Any], env: Mapping[str, str]) -> Any:
    try:
        return read(env)
    except x11.X11Error as err:
        log.debug("X11 presence unreadable: %s", err)
        return None


def _kind_of(source: BusSource) -> Any:
    return {"logind": "locked", "mutter": "idle", "screensaver": "locked"}.get(
        source.name, "fullscreen" if source.name == "gnome-session" else "dnd"
    )


async def detect_sources(env: Mapping[str, str]) -> list[SourceStatus]:
    """Which sources work here and why the others do not (for `deskbreak doctor`)."""
    from datetime import UTC

    buses = Buses(env)
    monitor = PresenceMonitor(buses, env, lambda: datetime.now(UTC), timedelta(minutes=5))
    try:
        await monitor.start()
        return monitor.sources()
    finally:
        await monitor.close()
        await buses.close()
