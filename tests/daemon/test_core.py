"""The daemon in-process: backend fallback and answers, with a real SQLite file."""

from __future__ import annotations

import asyncio
import itertools
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from deskbreak.config import Config
from deskbreak.daemon.core import Daemon
from deskbreak.desktop.notify import AnswerCallback, NotifyError, Reminder
from deskbreak.paths import Paths
from deskbreak.store.history import History

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=ZoneInfo("UTC"))


class BrokenNotifier:
    name = "notify-send"

    def unavailable_reason(self) -> str | None:
        return None

    async def send(self, reminder: Reminder, on_answer: AnswerCallback) -> None:
        raise NotifyError("no notification server")


class RecordingNotifier:
    name = "console"

    def __init__(self, answer: str | None = None) -> None:
        self.shown: list[Reminder] = []
        self.answer = answer

    def unavailable_reason(self) -> str | None:
        return None

    async def send(self, reminder: Reminder, on_answer: AnswerCallback) -> None:
        self.shown.append(reminder)
        if self.answer:
            await on_answer(self.answer)  # type: ignore[arg-type]


def make_daemon(tmp_path: Path, *notifiers: object) -> tuple[Daemon, History]:
    paths = Paths(tmp_path / "c.toml", tmp_path / "data", tmp_path / "state", tmp_path / "run")
    history = History(paths.database)
    daemon = Daemon(
        paths, Config(), history, make_notifiers=lambda _: list(notifiers), clock=lambda: NOW
    )
    return daemon, history


def test_a_failing_backend_falls_back_to_the_next_and_the_reminder_is_recorded(
    tmp_path: Path,
) -> None:
    recorder = RecordingNotifier()
    daemon, history = make_daemon(tmp_path, BrokenNotifier(), recorder)
    move, backend = asyncio.run(daemon.send_reminder(NOW))
    assert backend == "console"
    assert [r.title for r in recorder.shown] == [move.name]
    assert history.recent_desk_moves() == [move.id]


def test_when_every_backend_fails_the_daemon_still_records_and_carries_on(tmp_path: Path) -> None:
    daemon, history = make_daemon(tmp_path, BrokenNotifier())
    _, backend = asyncio.run(daemon.send_reminder(NOW))
    assert backend == "none"
    assert len(history.recent_desk_moves()) == 1


def test_an_answer_that_arrives_during_sending_is_kept(tmp_path: Path) -> None:
    daemon, history = make_daemon(tmp_path, RecordingNotifier(answer="done"))
    asyncio.run(daemon.send_reminder(NOW))
    counts = history.day_counts(NOW.replace(hour=0), NOW.replace(hour=23))
    assert (counts.sent, counts.done) == (1, 1)


def test_reminders_rotate_so_the_same_move_never_comes_twice_in_a_row(tmp_path: Path) -> None:
    daemon, _ = make_daemon(tmp_path, RecordingNotifier())
    names = [asyncio.run(daemon.send_reminder(NOW))[0].name for _ in range(12)]
    assert all(a != b for a, b in itertools.pairwise(names))
