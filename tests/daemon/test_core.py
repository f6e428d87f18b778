"""The daemon in-process: answers and what they do to the plan, late and dropped reminders, with
a real SQLite file (a reminder's own sending and answers: test_reminders.py)."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from fakes import RecordingNotifier, paths_in

from deskbreak.config import Config
from deskbreak.daemon.core import Daemon
from deskbreak.desktop.notify import AnswerCallback, Notification, Notifier
from deskbreak.planner import schedule
from deskbreak.planner.model import ScheduleConfig
from deskbreak.store.history import History

UTC_ZONE = ZoneInfo("UTC")
NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC_ZONE)  # a Monday


@dataclass
class Clock:
    now: datetime = NOW

    def __call__(self) -> datetime:
        return self.now


@dataclass
class ClosableNotifier(RecordingNotifier):
    """A backend whose notifications stay up waiting for a button, and can be closed."""

    name: str = "dbus"
    withdrawn: list[object] = field(default_factory=list)

    async def send(self, reminder: Notification, on_answer: AnswerCallback) -> object | None:
        self.shown.append(reminder)
        return len(self.shown)

    async def withdraw(self, handle: object) -> None:
        self.withdrawn.append(handle)


def make_daemon(
    tmp_path: Path, *notifiers: Notifier, clock: Clock | None = None
) -> tuple[Daemon, History]:
    paths = paths_in(tmp_path)
    history = History(paths.database)
    config = Config(schedule=ScheduleConfig(timezone=UTC_ZONE))  # Mon-Fri 09:00-17:30
    daemon = Daemon(
        paths,
        config,
        history,
        make_notifiers=lambda _: list(notifiers),
        clock=clock or (lambda: NOW),
    )
    return daemon, history


def test_the_last_answer_survives_a_restart(tmp_path: Path) -> None:
    daemon, history = make_daemon(tmp_path, RecordingNotifier(answer="done"))
    asyncio.run(daemon.reminders.send(NOW))
    daemon.save_state()
    restarted = Daemon(daemon.paths, daemon.config, history, lambda _: [], clock=lambda: NOW)
    assert restarted.reminders.last_answer == "done"


def test_the_first_answer_counts_and_a_later_one_is_kept_as_an_event(tmp_path: Path) -> None:
    daemon, history = make_daemon(tmp_path, RecordingNotifier(answer="done"))
    asyncio.run(daemon.reminders.send(NOW))
    assert daemon.reminders.last_id is not None
    assert not asyncio.run(daemon.answer(daemon.reminders.last_id, "skipped"))
    counts = history.day_counts(NOW.replace(hour=0), NOW.replace(hour=23))
    assert (counts.done, counts.skipped) == (1, 0)
    later = [e for e in history.recent_events() if e.kind == "answer"]
    assert [e.detail for e in later] == [f"#{daemon.reminders.last_id} skipped after done"]


def test_a_snoozed_reminder_comes_back_with_the_same_move(tmp_path: Path) -> None:
    clock = Clock(NOW.replace(hour=10, minute=30))
    notifier = RecordingNotifier(answer="snooze")
    daemon, _ = make_daemon(tmp_path, notifier, clock=clock)
    asyncio.run(daemon._fire())
    notifier.answer = None
    clock.now = clock.now + daemon.config.schedule.snooze
    asyncio.run(daemon._fire())
    assert next(r.title for r in notifier.shown) == notifier.shown[1].title
    clock.now = clock.now.replace(hour=11, minute=0)
    asyncio.run(daemon._fire())
    assert notifier.shown[2].title != notifier.shown[1].title


def test_a_late_reminder_is_recorded_at_its_slot(tmp_path: Path) -> None:
    clock = Clock(NOW.replace(hour=12, minute=30) + timedelta(seconds=73))
    notifier = RecordingNotifier()
    daemon, history = make_daemon(tmp_path, notifier, clock=clock)
    asyncio.run(daemon._fire())
    [event] = history.recent_events()
    assert event.at == NOW.replace(hour=12, minute=30)


def test_a_reminder_later_than_its_grace_is_dropped_not_sent(tmp_path: Path) -> None:
    # the grace is 90 s, or half the interval when that is shorter
    clock = Clock(NOW.replace(hour=12, minute=30) + timedelta(seconds=100))
    notifier = RecordingNotifier()
    daemon, history = make_daemon(tmp_path, notifier, clock=clock)
    asyncio.run(daemon._fire())
    assert notifier.shown == [] and history.recent_events() == []


def test_an_answer_from_the_command_line_closes_the_notification_on_screen(
    tmp_path: Path,
) -> None:
    notifier = ClosableNotifier()
    daemon, _history = make_daemon(tmp_path, notifier)
    asyncio.run(daemon.reminders.send(NOW))
    assert daemon.reminders.open_id() == daemon.reminders.last_id
    assert daemon.reminders.last_id is not None
    asyncio.run(daemon.answer(daemon.reminders.last_id, "done", withdraw=True))
    assert notifier.withdrawn == [1]
    assert daemon.reminders.open_id() is None


def test_done_after_a_snooze_keeps_snoozed_and_the_reminder_does_not_come_back(
    tmp_path: Path,
) -> None:
    clock = Clock(NOW.replace(hour=10, minute=30))
    daemon, history = make_daemon(tmp_path, RecordingNotifier(answer="snooze"), clock=clock)
    asyncio.run(daemon._fire())
    assert daemon.reminders.last_id is not None
    snoozed_until = daemon.plan.snoozed_until
    assert not asyncio.run(daemon.answer(daemon.reminders.last_id, "done"))
    assert history.reminder_answer(daemon.reminders.last_id) == "snoozed"
    due = schedule.next_reminder(daemon.config.schedule, daemon.plan, clock.now)
    assert snoozed_until is not None and due is not None and due > snoozed_until
    assert due == NOW.replace(hour=11)
