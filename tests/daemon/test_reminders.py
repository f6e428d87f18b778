"""Reminders on their own, without a daemon: backends, answers, what is still on screen.

A real SQLite file; the answer handler records the answer, as the daemon's does before it
looks at the plan."""

from __future__ import annotations

import asyncio
import itertools
import sqlite3
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from fakes import RecordingNotifier, broken_notifier

from deskbreak.config import Config
from deskbreak.daemon.reminders import Reminders
from deskbreak.desktop.notify import Notifier
from deskbreak.planner.model import ScheduleConfig
from deskbreak.store.history import Answer, History
from deskbreak.store.queued import QueuedHistory

UTC_ZONE = ZoneInfo("UTC")
NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC_ZONE)  # a Monday


class Clock:
    def __init__(self) -> None:
        self.now = NOW

    def __call__(self) -> datetime:
        return self.now


def make_reminders(
    tmp_path: Path, *notifiers: Notifier, clock: Clock | None = None
) -> tuple[Reminders, History]:
    history = History(tmp_path / "history.sqlite")
    queued = QueuedHistory(history)
    config = Config(schedule=ScheduleConfig(timezone=UTC_ZONE))
    now = clock or Clock()

    async def answer(reminder_id: int, answer: Answer) -> bool:
        return await reminders.record_answer(reminder_id, answer, now(), close=False)

    reminders = Reminders(
        queued,
        queued.load_state(),
        config=lambda: config,
        notifiers=lambda: list(notifiers),
        now=now,
        answer=answer,
    )
    return reminders, history


def test_a_failing_backend_falls_back_to_the_next_and_the_reminder_is_recorded(
    tmp_path: Path,
) -> None:
    recorder = RecordingNotifier()
    reminders, history = make_reminders(tmp_path, broken_notifier(), recorder)
    move, backend = asyncio.run(reminders.send(NOW))
    assert backend == "console"
    assert recorder.titles == [move.name]
    assert history.recent_desk_moves() == [move.id]


def test_when_every_backend_fails_the_reminder_is_still_recorded(tmp_path: Path) -> None:
    reminders, history = make_reminders(tmp_path, broken_notifier())
    _, backend = asyncio.run(reminders.send(NOW))
    assert backend == "none"
    assert len(history.recent_desk_moves()) == 1


def test_an_answer_that_arrives_during_sending_is_kept(tmp_path: Path) -> None:
    reminders, history = make_reminders(tmp_path, RecordingNotifier(answer="done"))
    asyncio.run(reminders.send(NOW))
    counts = history.day_counts(NOW.replace(hour=0), NOW.replace(hour=23))
    assert (counts.sent, counts.done) == (1, 1)
    assert reminders.last_answer == "done"


def test_reminders_rotate_so_the_same_move_never_comes_twice_in_a_row(tmp_path: Path) -> None:
    reminders, _ = make_reminders(tmp_path, RecordingNotifier())
    names = [asyncio.run(reminders.send(NOW))[0].name for _ in range(12)]
    assert all(a != b for a, b in itertools.pairwise(names))


def test_a_missing_notification_server_is_logged_once_not_at_every_reminder(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    reminders, _ = make_reminders(tmp_path, broken_notifier(), RecordingNotifier())
    for _ in range(3):
        asyncio.run(reminders.send(NOW))
    warnings = [r for r in caplog.records if "could not show the reminder" in r.message]
    assert len(warnings) == 1


def test_a_dismissed_reminder_is_recorded_as_dismissed_not_ignored(tmp_path: Path) -> None:
    reminders, history = make_reminders(tmp_path, RecordingNotifier(answer="dismissed"))
    asyncio.run(reminders.send(NOW))
    with sqlite3.connect(history.path) as db:
        assert db.execute("SELECT answer FROM reminders").fetchall() == [("dismissed",)]


def test_a_reminder_from_a_backend_without_answers_is_open_until_its_timeout_ends(
    tmp_path: Path,
) -> None:
    clock = Clock()
    reminders, _ = make_reminders(tmp_path, RecordingNotifier(), clock=clock)
    asyncio.run(reminders.send(NOW))
    timeout = timedelta(seconds=Config().notifications.timeout_seconds)
    clock.now = NOW + timeout - timedelta(seconds=1)
    assert reminders.open_id() == reminders.last_id
    clock.now = NOW + timeout
    assert reminders.open_id() is None


def test_a_snoozed_reminders_move_comes_back_once_then_the_rotation_goes_on(
    tmp_path: Path,
) -> None:
    reminders, _ = make_reminders(tmp_path, RecordingNotifier())
    snoozed, _ = asyncio.run(reminders.send(NOW))
    assert reminders.last_id is not None
    reminders.bring_back(reminders.last_id)
    later = NOW + timedelta(minutes=10)
    assert reminders.next_move(later) == snoozed
    assert reminders.next_move(later) != snoozed
