"""Presence sources against small services on a private bus that implement the documented
interfaces of logind (org.freedesktop.login1: Manager.GetUser, User.Display, Session
LockedHint with PropertiesChanged, Manager.PrepareForSleep), GNOME Mutter's
org.gnome.Mutter.IdleMonitor (AddIdleWatch / AddUserActiveWatch / WatchFired) and
org.freedesktop.ScreenSaver (GetActive / ActiveChanged). No real logind, Mutter or screen
saver runs in CI; see bus_fakes.py."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Callable, Coroutine
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from bus_fakes import FakeService, eventually, logind, private_bus, set_locked_hint

from deskbreak.desktop.dbus import Buses
from deskbreak.desktop.presence.monitor import PresenceMonitor

NATURAL_BREAK = timedelta(minutes=5)


def clock() -> datetime:
    return datetime.now(UTC)


def run(tmp_path: Path, scenario: Callable[[str], Coroutine[Any, Any, None]]) -> None:
    with private_bus(tmp_path) as address:
        asyncio.run(scenario(address))


def monitor_on(address: str, woke: list[int] | None = None) -> PresenceMonitor:
    # One private bus plays both the system bus (logind) and the session bus.
    env = {"DBUS_SESSION_BUS_ADDRESS": address, "DBUS_SYSTEM_BUS_ADDRESS": address}
    return PresenceMonitor(
        Buses(env),
        env,
        clock,
        NATURAL_BREAK,
        on_wake=lambda: woke.append(1) if woke is not None else None,
    )


def used(monitor: PresenceMonitor, kind: str) -> list[str]:
    return [s.name for s in monitor.sources() if s.kind == kind and s.used]


def test_logind_lockedhint_of_the_users_display_session_makes_the_person_locked(
    tmp_path: Path,
) -> None:
    async def scenario(address: str) -> None:
        service = await logind(os.getuid()).start(address)
        monitor = monitor_on(address)
        await monitor.start()
        assert used(monitor, "locked") == ["logind"]
        assert monitor.state.is_locked is False
        await set_locked_hint(service, True)
        await eventually(lambda: monitor.state.is_locked)
        assert monitor.state.last_away is not None and monitor.state.last_away.end is None
        await set_locked_hint(service, False)
        await eventually(lambda: monitor.state.is_locked is False)
        assert monitor.state.last_away is not None and monitor.state.last_away.end is not None
        assert service.called("GetUser") == [(os.getuid(),)]
        await monitor.close()
        await monitor.buses.close()
        await service.stop()

    run(tmp_path, scenario)


def test_prepare_for_sleep_false_wakes_the_scheduler_at_once(tmp_path: Path) -> None:
    async def scenario(address: str) -> None:
        service = await logind(os.getuid()).start(address)
        woke: list[int] = []
        monitor = monitor_on(address, woke)
        await monitor.start()
        manager = ("/org/freedesktop/login1", "org.freedesktop.login1.Manager")
        await service.emit(*manager, "PrepareForSleep", "b", (True,))
        await service.emit(*manager, "PrepareForSleep", "b", (False,))
        await eventually(lambda: woke)
        assert woke == [1]
        await monitor.close()
        await monitor.buses.close()
        await service.stop()

    run(tmp_path, scenario)


def test_logind_that_appears_later_is_detected_then(tmp_path: Path) -> None:
    async def scenario(address: str) -> None:
        monitor = monitor_on(address)
        await monitor.start()
        assert used(monitor, "locked") == []
        reasons = [s.detail for s in monitor.sources() if s.name == "logind"]
        assert "logind is not running" in reasons
        service = await logind(os.getuid(), locked=True).start(address)
        await eventually(lambda: used(monitor, "locked") == ["logind"])
        assert monitor.state.is_locked is True
        await monitor.close()
        await monitor.buses.close()
        await service.stop()

    run(tmp_path, scenario)


def mutter() -> FakeService:
    service = FakeService("org.gnome.Mutter.IdleMonitor")
    iface = "org.gnome.Mutter.IdleMonitor"
    service.methods[(iface, "AddIdleWatch")] = lambda body: ("u", (7,))
    service.methods[(iface, "AddUserActiveWatch")] = lambda body: ("u", (8,))
    service.methods[(iface, "GetIdletime")] = lambda body: ("t", (2_000,))
    return service


def test_mutter_idle_watch_and_user_active_watch_mark_an_away_stretch(tmp_path: Path) -> None:
    async def scenario(address: str) -> None:
        service = await mutter().start(address)
        monitor = monitor_on(address)
        await monitor.start()
        assert used(monitor, "idle") == ["mutter"]
        assert service.called("AddIdleWatch") == [(300_000,)]
        assert monitor.state.idle_seconds == 2.0  # GetIdletime, read at start
        path, iface = "/org/gnome/Mutter/IdleMonitor/Core", "org.gnome.Mutter.IdleMonitor"
        await service.emit(path, iface, "WatchFired", "u", (7,))
        await eventually(lambda: service.called("AddUserActiveWatch"))
        stretch = monitor.state.last_away
        assert stretch is not None and stretch.end is None
        assert clock() - stretch.start >= NATURAL_BREAK
        await service.emit(path, iface, "WatchFired", "u", (8,))
        await eventually(lambda: monitor.state.last_away and monitor.state.last_away.end)
        await monitor.close()
        await monitor.buses.close()
        await service.stop()

    run(tmp_path, scenario)


def test_a_reload_with_a_new_natural_break_moves_the_mutter_idle_watch(tmp_path: Path) -> None:
    async def scenario(address: str) -> None:
        service = mutter()
        service.methods[("org.gnome.Mutter.IdleMonitor", "RemoveWatch")] = lambda body: ("", ())
        await service.start(address)
        monitor = monitor_on(address)
        await monitor.start()
        await monitor.set_natural_break(timedelta(minutes=10))
        assert service.called("RemoveWatch") == [(7,)]
        assert service.called("AddIdleWatch") == [(300_000,), (600_000,)]
        await monitor.close()
        await monitor.buses.close()
        await service.stop()

    run(tmp_path, scenario)


def test_screensaver_active_changed_locks_and_unlocks(tmp_path: Path) -> None:
    async def scenario(address: str) -> None:
        service = FakeService("org.freedesktop.ScreenSaver")
        iface = "org.freedesktop.ScreenSaver"
        service.methods[(iface, "GetActive")] = lambda body: ("b", (False,))
        await service.start(address)
        monitor = monitor_on(address)
        await monitor.start()
        assert used(monitor, "locked") == ["screensaver"]
        await service.emit("/org/freedesktop/ScreenSaver", iface, "ActiveChanged", "b", (True,))
        await eventually(lambda: monitor.state.is_locked)
        await service.emit("/ScreenSaver", iface, "ActiveChanged", "b", (False,))
        await eventually(lambda: monitor.state.is_locked is False)
        await monitor.close()
        await monitor.buses.close()
        await service.stop()

    run(tmp_path, scenario)


def test_kde_inhibited_is_do_not_disturb_chosen_by_the_server_name(tmp_path: Path) -> None:
    async def scenario(address: str) -> None:
        service = FakeService("org.freedesktop.Notifications")
        iface = "org.freedesktop.Notifications"
        service.methods[(iface, "GetServerInformation")] = lambda body: (
            "ssss",
            ("Plasma", "KDE", "6.0", "1.2"),
        )
        path = "/org/freedesktop/Notifications"
        service.properties[(path, iface, "Inhibited")] = ("b", False)
        await service.start(address)
        monitor = monitor_on(address)
        await monitor.start()
        assert used(monitor, "dnd") == ["dnd"]
        assert monitor.state.dnd is False
        changed: tuple[str, dict[str, tuple[str, object]], list[str]] = (
            iface,
            {"Inhibited": ("b", True)},
            [],
        )
        await service.emit(
            path, "org.freedesktop.DBus.Properties", "PropertiesChanged", "sa{sv}as", changed
        )
        await eventually(lambda: monitor.state.dnd)
        await monitor.close()
        await monitor.buses.close()
        await service.stop()

    run(tmp_path, scenario)


def test_without_any_service_every_fact_stays_unknown_and_doctor_hears_why(
    tmp_path: Path,
) -> None:
    async def scenario(address: str) -> None:
        monitor = monitor_on(address)
        await monitor.start()
        facts = monitor.state.facts()
        assert (facts.locked, facts.dnd) == (None, None)
        assert all(s.detail for s in monitor.sources())
        await monitor.close()
        await monitor.buses.close()

    run(tmp_path, scenario)
