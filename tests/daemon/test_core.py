"""The daemon in-process: backend fallback and answers, with a real SQLite file."""

from __future__ import annotations

import asyncio
import itertools
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from fakes import RecordingNotifier, broken_notifier, paths_in

from deskbreak.config import Config
from deskbreak.daemon.core import Daemon
from deskbreak.desktop.notify import Notifier
from deskbreak.store.history import History

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=ZoneInfo("UTC"))


def make_daemon(tmp_path: Path, *notifiers: Notifier) -> tuple[Daemon, History]:
    paths = paths_in(tmp_path)
    history = History(paths.database)
    daemon = Daemon(
        paths, Config(), history, make_notifiers=lambda _: list(notifiers), clock=lambda: NOW
    )
    return daemon, history


def test_a_failing_backend_falls_back_to_the_next_and_the_reminder_is_recorded(
    tmp_path: Path,
) -> None:
    recorder = RecordingNotifier()
    daemon, history = make_daemon(tmp_path, broken_notifier(), recorder)
    move, backend = asyncio.run(daemon.send_reminder(NOW))
    assert backend == "console"
    assert recorder.titles == [move.name]
    assert history.recent_desk_moves() == [move.id]


def test_when_every_backend_fails_the_daemon_still_records_and_carries_on(tmp_path: Path) -> None:
    daemon, history = make_daemon(tmp_path, broken_notifier())
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
