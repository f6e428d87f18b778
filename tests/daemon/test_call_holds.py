"""The daemon in-process: a reminder due during a call is held and shown after it."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from fakes import RecordingNotifier, paths_in

from deskbreak.config import Config
from deskbreak.daemon.core import Daemon
from deskbreak.desktop.calls import CallCheck
from deskbreak.planner.model import ScheduleConfig
from deskbreak.planner.presence import PresencePolicy
from deskbreak.store.history import History

UTC_ZONE = ZoneInfo("UTC")
SLOT = datetime(2026, 11, 23, 10, 30, tzinfo=UTC_ZONE)  # a Monday


class Call:
    def __init__(self) -> None:
        self.on = True
        self.looks = 0

    async def __call__(self) -> CallCheck:
        self.looks += 1
        return CallCheck(self.on, "microphone: zoom" if self.on else None, ("pipewire",))


def make(tmp_path: Path, respect_calls: bool = True) -> tuple[Daemon, RecordingNotifier, Call]:
    notifier = RecordingNotifier()
    clock = {"now": SLOT}
    config = Config(
        schedule=ScheduleConfig(timezone=UTC_ZONE),
        presence=PresencePolicy(respect_calls=respect_calls),
    )
    daemon = Daemon(
        paths_in(tmp_path),
        config,
        History(paths_in(tmp_path).database),
        make_notifiers=lambda _: [notifier],
        clock=lambda: clock["now"],
    )
    call = Call()
    daemon.presence.look_for_call = call
    return daemon, notifier, call


def test_a_reminder_during_a_call_is_held_and_shown_when_the_call_ends(tmp_path: Path) -> None:
    daemon, notifier, call = make(tmp_path)
    asyncio.run(daemon._fire())
    assert notifier.shown == [] and call.looks == 1
    assert daemon.presence.describe_held() == (
        SLOT,
        "a call is on (microphone or camera in use)",
    )
    call.on = False
    asyncio.run(daemon.presence.check_held())
    assert len(notifier.shown) == 1


def test_with_respect_calls_off_no_look_is_taken(tmp_path: Path) -> None:
    daemon, notifier, call = make(tmp_path, respect_calls=False)
    asyncio.run(daemon._fire())
    assert len(notifier.shown) == 1 and call.looks == 0


def test_a_call_past_the_next_slot_makes_the_reminder_missed(tmp_path: Path) -> None:
    daemon, notifier, _ = make(tmp_path)
    asyncio.run(daemon._fire())
    daemon.clock = lambda: SLOT + timedelta(minutes=30)
    asyncio.run(daemon.presence.check_held())
    assert notifier.shown == []
    [(answer,)] = daemon.history.query("SELECT answer FROM reminders")
    assert answer == "missed"
