"""The daemon under faults, in-process: a locked history, a failing heartbeat, a failing save,
a wall clock stepped back. A real SQLite file and a real (running) scheduler; an injected clock."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from fakes import ALWAYS, Clock, write_locked

from deskbreak.config import load_config
from deskbreak.daemon import core, supervisor
from deskbreak.daemon.core import Daemon
from deskbreak.desktop.notify import AnswerCallback, Notification, Notifier
from deskbreak.paths import Paths
from deskbreak.planner import schedule
from deskbreak.store.history import History


class AnsweringNotifier:
    """Shows a reminder and has the user press a button before `send` even returns."""

    name = "console"

    def __init__(self, answer: str | None = None) -> None:
        self.answer = answer
        self.shown = 0

    def unavailable_reason(self) -> str | None:
        return None

    async def send(self, reminder: Notification, on_answer: AnswerCallback) -> None:
        self.shown += 1
        if self.answer is not None:
            await on_answer(self.answer)


def make(isolated_dirs: Path, notifier: Notifier | None = None) -> tuple[Daemon, Clock, History]:
    paths = Paths(
        isolated_dirs / "config" / "config.toml",
        isolated_dirs / "data",
        isolated_dirs / "state",
        isolated_dirs / "runtime" / "deskbreak",
    )
    paths.config_file.write_text(ALWAYS, encoding="utf-8")
    clock = Clock()
    history = History(paths.database)
    chosen = notifier or AnsweringNotifier()
    daemon = Daemon(paths, load_config(paths.config_file), history, lambda _: [chosen], clock=clock)
    return daemon, clock, history


def running(daemon: Daemon, scenario: Callable[[], Awaitable[None]]) -> None:
    async def main() -> None:
        task = asyncio.create_task(daemon.run())
        while daemon.server is None:
            await asyncio.sleep(0.01)
        try:
            await scenario()
        finally:
            daemon.request_stop()
            await task

    asyncio.run(main())


def answers(history: History) -> list[tuple[str, str | None]]:
    return [tuple(row) for row in history.query("SELECT move_id, answer FROM reminders")]


def test_a_locked_history_neither_freezes_the_daemon_nor_loses_a_reminder_or_its_answer(
    isolated_dirs: Path,
) -> None:
    daemon, _, history = make(isolated_dirs, AnsweringNotifier(answer="done"))
    with write_locked(history.path):
        started = time.monotonic()
        move, _ = asyncio.run(daemon.reminders.send(daemon.now()))
        daemon.history.record_event("pause", daemon.now(), "until resumed")
        waited = time.monotonic() - started
        assert daemon.history.pending == 3
        assert answers(history) == []
    assert waited < 2.0  # the busy timeout used to hold the loop for 5 s per write
    assert daemon.history.flush()
    assert answers(history) == [(move.id, "done")]
    kinds = [e.kind for e in history.recent_events(10)]
    assert "pause" in kinds


def test_an_answer_to_a_reminder_still_queued_lands_once_the_reminder_does(
    isolated_dirs: Path,
) -> None:
    daemon, _, history = make(isolated_dirs)
    with write_locked(history.path):
        move, _ = asyncio.run(daemon.reminders.send(daemon.now()))
        assert daemon.reminders.last_id is not None
        asyncio.run(daemon.answer(daemon.reminders.last_id, "skipped"))
    assert daemon.history.flush()
    assert answers(history) == [(move.id, "skipped")]


def test_reminders_queued_behind_a_lock_still_rotate_the_moves(isolated_dirs: Path) -> None:
    daemon, _, history = make(isolated_dirs)
    with write_locked(history.path):
        first, _ = asyncio.run(daemon.reminders.send(daemon.now()))
        second, _ = asyncio.run(daemon.reminders.send(daemon.now()))
    assert first.id != second.id
    assert daemon.history.flush()
    assert [move for move, _ in answers(history)] == [first.id, second.id]


def test_the_running_daemon_retries_queued_writes_by_itself(
    isolated_dirs: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(core, "WRITE_RETRY_SECONDS", 0.05)
    daemon, _, history = make(isolated_dirs)

    async def scenario() -> None:
        lock = asyncio.create_task(asyncio.to_thread(_hold_lock, history.path, 0.3))
        await asyncio.sleep(0.1)
        await daemon.reminders.send(daemon.now())
        assert daemon.history.pending > 0
        await lock
        for _ in range(100):
            if daemon.history.pending == 0:
                break
            await asyncio.sleep(0.02)
        assert daemon.history.pending == 0

    running(daemon, scenario)
    assert len(answers(history)) == 1


def _hold_lock(database: Path, seconds: float) -> None:
    with write_locked(database):
        time.sleep(seconds)


def test_a_failing_tick_is_logged_and_the_heartbeat_keeps_beating(
    isolated_dirs: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(core, "HEARTBEAT_SECONDS", 0.0)
    daemon, _, _ = make(isolated_dirs)
    beats: list[int] = []

    def tick() -> None:
        beats.append(1)
        if len(beats) == 1:
            raise RuntimeError("a bad minute")

    monkeypatch.setattr(daemon, "tick", tick)

    async def scenario() -> None:
        while len(beats) < 3:
            await asyncio.sleep(0.01)

    with caplog.at_level(logging.ERROR):
        running(daemon, scenario)
    assert "a bad minute" in caplog.text
    assert len(beats) >= 3


def test_a_supervised_task_that_dies_is_logged_and_started_again(
    isolated_dirs: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(supervisor, "RESTART_SECONDS", 0.0)
    daemon, _, _ = make(isolated_dirs)
    starts: list[int] = []

    async def flaky() -> None:
        starts.append(1)
        if len(starts) == 1:
            raise RuntimeError("the watcher fell over")
        await asyncio.Event().wait()

    async def scenario() -> None:
        daemon.supervisor.supervise("watcher", flaky)
        while len(starts) < 2:
            await asyncio.sleep(0.01)

    with caplog.at_level(logging.ERROR):
        running(daemon, scenario)
    assert "the watcher task ended" in caplog.text
    assert "the watcher fell over" in caplog.text


def test_a_plan_that_cannot_be_saved_is_not_adopted(
    isolated_dirs: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    daemon, _, _ = make(isolated_dirs)

    async def scenario() -> None:
        before = daemon.next_reminder()

        def refuse(state: object) -> None:
            raise OSError("disk full")

        monkeypatch.setattr(daemon.history, "save_state", refuse)
        with pytest.raises(OSError, match="disk full"):
            daemon.set_plan(schedule.pause(daemon.plan, None))
        assert daemon.plan.paused_indefinitely is False
        assert daemon.next_reminder() == before

    running(daemon, scenario)


def test_a_wall_clock_stepped_back_is_noticed_by_the_heartbeat_and_re_planned(
    isolated_dirs: Path,
) -> None:
    daemon, clock, _ = make(isolated_dirs)

    async def scenario() -> None:
        daemon.tick()
        before = daemon.next_reminder()
        assert before is not None
        clock.offset = -timedelta(hours=2)  # NTP corrects an RTC kept in local time
        daemon.tick()
        after = daemon.next_reminder()
        assert after is not None
        assert after - daemon.now() <= timedelta(minutes=30)

    running(daemon, scenario)


def test_a_control_request_after_a_backward_step_re_plans_too(isolated_dirs: Path) -> None:
    from deskbreak.daemon.control import exchange

    daemon, clock, _ = make(isolated_dirs)

    async def scenario() -> None:
        daemon.tick()
        clock.offset = -timedelta(hours=2)
        reply = await asyncio.to_thread(exchange, daemon.paths.socket, {"cmd": "status"})
        # (Read from the reply: APScheduler keeps its own, real clock, which this test's
        # injected clock does not move, so its next look would undo the re-plan.)
        after = datetime.fromisoformat(reply["next_reminder"])
        assert after - daemon.now() <= timedelta(minutes=30)

    running(daemon, scenario)
