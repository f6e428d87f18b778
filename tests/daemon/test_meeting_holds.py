"""The daemon in-process with synced calendar windows: meeting holds and the run-day lean."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from fakes import RecordingNotifier, paths_in

from deskbreak.config import Config
from deskbreak.config_runs import RunningConfig
from deskbreak.daemon.core import Daemon
from deskbreak.library.rotation import RUN_AREAS
from deskbreak.planner.model import ScheduleConfig
from deskbreak.planner.runs import RunPlan, RunsConfig
from deskbreak.store.calendar_windows import StoredWindow, replace_windows
from deskbreak.store.history import History
from deskbreak.store.stats import compute_stats

UTC_ZONE = ZoneInfo("UTC")
MONDAY = datetime(2026, 11, 23, 0, 0, tzinfo=UTC_ZONE)


def at(clock: str) -> datetime:
    hours, minutes = (int(p) for p in clock.split(":"))
    return MONDAY.replace(hour=hours, minute=minutes)


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def daemon_with_meeting(
    tmp_path: Path, start: str, end: str, clock: Clock, config: Config | None = None
) -> tuple[Daemon, History, RecordingNotifier]:
    paths = paths_in(tmp_path)
    history = History(paths.database)
    meeting = StoredWindow(at(start), at(end), busy=True, run=False, all_day=False)
    replace_windows(history, "work", MONDAY, MONDAY + timedelta(days=1), [meeting])
    notifier = RecordingNotifier()
    daemon = Daemon(
        paths,
        config or Config(schedule=ScheduleConfig(timezone=UTC_ZONE)),
        history,
        make_notifiers=lambda _: [notifier],
        clock=clock,
    )
    return daemon, history, notifier


def held(history: History) -> list[str]:
    """The holds recorded: the same `held` events as do-not-disturb and fullscreen holds."""
    return [e.detail or "" for e in history.recent_events() if e.kind == "held"]


def answers(history: History) -> list[tuple[datetime, str | None]]:
    return [(e.at, e.answer) for e in reversed(history.recent_events()) if e.kind == "reminder"]


def test_a_reminder_in_a_meeting_is_held_and_sent_when_it_ends(tmp_path: Path) -> None:
    clock = Clock(at("10:30"))
    daemon, history, notifier = daemon_with_meeting(tmp_path, "10:15", "10:45", clock)
    asyncio.run(daemon._fire())
    assert notifier.shown == []
    assert held(history) == ["2026-11-23T10:30:00+00:00 in a meeting until 10:45"]
    assert daemon.presence.describe_held() == (at("10:30"), "in a meeting until 10:45")
    clock.now = at("10:44")
    asyncio.run(daemon.presence.check_held())
    assert notifier.shown == []  # the meeting still lasts
    clock.now = at("10:45")
    asyncio.run(daemon.presence.check_held())
    assert len(notifier.shown) == 1 and daemon.presence.held is None
    assert [at_ for at_, _ in answers(history)] == [at("10:30")]


def test_a_meeting_past_the_next_reminder_records_this_one_held_and_missed(
    tmp_path: Path,
) -> None:
    clock = Clock(at("10:30"))
    daemon, history, notifier = daemon_with_meeting(tmp_path, "10:15", "11:15", clock)
    asyncio.run(daemon._fire())
    assert notifier.shown == [] and daemon.presence.held is None
    assert held(history) == ["2026-11-23T10:30:00+00:00 in a meeting until the next reminder"]
    assert answers(history) == [(at("10:30"), "missed")]


def test_a_held_reminder_gives_way_to_the_next_slot(tmp_path: Path) -> None:
    clock = Clock(at("10:30"))
    daemon, history, notifier = daemon_with_meeting(tmp_path, "10:20", "10:50", clock)
    asyncio.run(daemon._fire())
    clock.now = at("11:00")  # the release never ran (say, the machine slept through it)
    asyncio.run(daemon._fire())
    assert len(notifier.shown) == 1
    stats = compute_stats(history, UTC_ZONE, MONDAY.date(), MONDAY.date(), MONDAY.date())
    assert stats.totals.missed == 1 and stats.totals.sent == 2


def test_a_meeting_hold_is_counted_by_stats_as_deferred(tmp_path: Path) -> None:
    clock = Clock(at("10:30"))
    daemon, history, _ = daemon_with_meeting(tmp_path, "10:15", "10:45", clock)
    asyncio.run(daemon._fire())
    clock.now = at("10:45")
    asyncio.run(daemon.presence.check_held())
    stats = compute_stats(history, UTC_ZONE, MONDAY.date(), MONDAY.date(), MONDAY.date())
    assert stats.deferred == 1 and stats.totals.sent == 1 and stats.totals.missed == 0


def test_outside_meetings_reminders_go_out_at_once(tmp_path: Path) -> None:
    clock = Clock(at("11:30"))
    daemon, history, notifier = daemon_with_meeting(tmp_path, "10:15", "10:45", clock)
    asyncio.run(daemon._fire())
    assert len(notifier.shown) == 1 and held(history) == []


def test_on_a_run_day_the_daemon_picks_a_running_area_after_another_area(
    tmp_path: Path,
) -> None:
    runs = RunsConfig((RunPlan((0,), 18 * 60, timedelta(minutes=45)),))
    config = Config(schedule=ScheduleConfig(timezone=UTC_ZONE), running=RunningConfig(runs=runs))
    clock = Clock(at("09:30"))
    daemon, _, _ = daemon_with_meeting(tmp_path, "07:00", "07:30", clock, config)
    areas = []
    for clock_time in ("09:30", "10:00", "10:30", "11:00", "11:30", "12:00"):
        clock.now = at(clock_time)
        asyncio.run(daemon._fire())
        areas.append(daemon.config.library.move(daemon.reminders.last_move_id or "").area)
    assert sum(area in RUN_AREAS for area in areas) >= 3
