"""The daemon's presence gate in-process: what each fact does to a reminder slot, with a
recording notifier, a real SQLite file and a clock that is set, never waited for. The facts
are put into the monitor's state as a source would report them."""

from __future__ import annotations

import asyncio
import sqlite3
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from bus_fakes import eventually
from fakes import RecordingNotifier, paths_in

from deskbreak.config import Config
from deskbreak.daemon.core import Daemon
from deskbreak.planner.model import ScheduleConfig
from deskbreak.store.history import History, read_snapshot

UTC_ZONE = ZoneInfo("UTC")
SLOT = datetime(2026, 11, 23, 10, 30, tzinfo=UTC_ZONE)  # a Monday


@dataclass
class Clock:
    now: datetime = SLOT

    def __call__(self) -> datetime:
        return self.now


def make(tmp_path: Path) -> tuple[Daemon, RecordingNotifier, Clock]:
    paths = paths_in(tmp_path)
    notifier, clock = RecordingNotifier(), Clock()
    config = Config(schedule=ScheduleConfig(timezone=UTC_ZONE))
    daemon = Daemon(
        paths, config, History(paths.database), make_notifiers=lambda _: [notifier], clock=clock
    )
    return daemon, notifier, clock


def answers(daemon: Daemon) -> list[tuple[str, str | None]]:
    with sqlite3.connect(daemon.paths.database) as db:
        rows = db.execute("SELECT backend, answer FROM reminders ORDER BY id").fetchall()
    return [(str(backend), answer) for backend, answer in rows]


def test_a_locked_screen_at_the_slot_sends_nothing_and_records_away(tmp_path: Path) -> None:
    daemon, notifier, _ = make(tmp_path)
    daemon.presence.monitor.state.locked["logind"] = True
    asyncio.run(daemon._fire())
    assert notifier.shown == []
    assert answers(daemon) == [("none", "away")]


def test_dnd_holds_the_reminder_and_its_end_sends_it_for_its_slot(tmp_path: Path) -> None:
    daemon, notifier, clock = make(tmp_path)
    state = daemon.presence.monitor.state

    async def scenario() -> None:
        state.dnd = True
        await daemon._fire()
        assert daemon.presence.held is not None and notifier.shown == []
        assert read_snapshot(daemon.paths.database, SLOT, SLOT).state.held_slot == SLOT
        clock.now = SLOT + timedelta(minutes=7)
        state.set_dnd(False)  # as dunst's PropertiesChanged would
        await eventually(lambda: notifier.shown)
        assert len(notifier.shown) == 1 and daemon.presence.held is None

    asyncio.run(scenario())
    assert answers(daemon) == [("console", None)]
    with sqlite3.connect(daemon.paths.database) as db:
        (at,) = db.execute("SELECT at FROM reminders").fetchone()
    assert at == int(SLOT.timestamp())  # recorded at its slot, not when it went out


def test_a_reminder_held_until_the_next_slot_is_recorded_missed(tmp_path: Path) -> None:
    daemon, notifier, clock = make(tmp_path)
    daemon.presence.monitor.state.fullscreen = True
    asyncio.run(daemon._fire())
    clock.now = SLOT + timedelta(minutes=30)
    asyncio.run(daemon._fire())  # the next slot: still fullscreen, so held in its turn
    assert notifier.shown == []
    assert answers(daemon) == [("none", "missed")]
    assert daemon.presence.held is not None and daemon.presence.held.slot == clock.now


def test_respect_dnd_off_sends_through_do_not_disturb(tmp_path: Path) -> None:
    from deskbreak.planner.presence import PresencePolicy

    daemon, notifier, _ = make(tmp_path)
    daemon.config = Config(
        schedule=daemon.config.schedule, presence=PresencePolicy(respect_dnd=False)
    )
    daemon.presence.monitor.state.dnd = True
    asyncio.run(daemon._fire())
    assert len(notifier.shown) == 1
