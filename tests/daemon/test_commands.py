"""Every control command against the real daemon, in-process: a real Unix socket, a real
SQLite file, a recording notifier and an injected clock (so a pause can end without waiting)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from deskbreak.config import load_config
from deskbreak.daemon.control import ask
from deskbreak.daemon.core import Daemon
from deskbreak.desktop.notify import AnswerCallback, Reminder
from deskbreak.errors import DeskbreakError
from deskbreak.paths import Paths
from deskbreak.store.history import History

ALWAYS = """
[schedule]
timezone = "UTC"
hours = ["00:00-24:00"]
days = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
[notifications]
backend = "console"
"""


@dataclass
class Clock:
    offset: timedelta = timedelta(0)

    def __call__(self) -> datetime:
        return datetime.now(UTC) + self.offset


@dataclass
class Recorder:
    name: str = "console"
    shown: list[str] = field(default_factory=list)

    def unavailable_reason(self) -> str | None:
        return None

    async def send(self, reminder: Reminder, on_answer: AnswerCallback) -> None:
        self.shown.append(reminder.title)


@dataclass
class Session:
    daemon: Daemon
    clock: Clock
    recorder: Recorder
    paths: Paths

    async def ask(self, cmd: str, **args: Any) -> dict[str, Any]:
        return await asyncio.to_thread(ask, self.paths.socket, {"cmd": cmd, **args})


Scenario = Callable[[Session], Awaitable[None]]


def run_with_daemon(isolated_dirs: Path, scenario: Scenario, config: str = ALWAYS) -> Session:
    paths = Paths(
        config_file=isolated_dirs / "config" / "config.toml",
        data_dir=isolated_dirs / "data",
        state_dir=isolated_dirs / "state",
        runtime_dir=isolated_dirs / "runtime" / "deskbreak",
    )
    paths.config_file.write_text(config, encoding="utf-8")
    clock, recorder = Clock(), Recorder()
    history = History(paths.database)
    daemon = Daemon(
        paths, load_config(paths.config_file), history, lambda _: [recorder], clock=clock
    )
    session = Session(daemon, clock, recorder, paths)

    async def main() -> None:
        running = asyncio.create_task(daemon.run())
        while not paths.socket.exists():
            await asyncio.sleep(0.01)
        try:
            await scenario(session)
        finally:
            daemon.request_stop()
            await running

    asyncio.run(main())
    history.close()
    return session


def parse(iso: str | None) -> datetime:
    assert iso is not None
    return datetime.fromisoformat(iso)


def test_status_reports_a_running_daemon_and_todays_counts(isolated_dirs: Path) -> None:
    async def scenario(s: Session) -> None:
        status = await s.ask("status")
        assert status["running"] is True and isinstance(status["pid"], int)
        assert status["backend"] == "console" and status["timezone"] == "UTC"
        assert parse(status["next_reminder"]) > s.clock()
        assert status["paused_until"] is None and status["snoozed_until"] is None
        assert status["today"] == {"sent": 0, "done": 0, "snoozed": 0, "skipped": 0, "ignored": 0}

    run_with_daemon(isolated_dirs, scenario)


def test_now_sends_and_done_marks_it_done(isolated_dirs: Path) -> None:
    async def scenario(s: Session) -> None:
        sent = await s.ask("now")
        assert s.recorder.shown == [sent["name"]]
        assert (await s.ask("done"))["move"] == sent["move"]
        status = await s.ask("status")
        assert status["today"]["sent"] == 1 and status["today"]["done"] == 1
        assert status["last_reminder"]["answer"] == "done"

    run_with_daemon(isolated_dirs, scenario)


def test_done_before_any_reminder_is_an_error_reply(isolated_dirs: Path) -> None:
    async def scenario(s: Session) -> None:
        with pytest.raises(DeskbreakError, match="no reminder has been sent yet"):
            await s.ask("done")

    run_with_daemon(isolated_dirs, scenario)


def test_snooze_moves_the_next_reminder_to_the_snooze_time(isolated_dirs: Path) -> None:
    async def scenario(s: Session) -> None:
        await s.ask("now")
        reply = await s.ask("snooze", minutes=15)
        until = parse(reply["snoozed_until"])
        assert abs(until - (s.clock() + timedelta(minutes=15))) < timedelta(seconds=5)
        assert parse(reply["next_reminder"]) == until
        assert (await s.ask("status"))["today"]["snoozed"] == 1

    run_with_daemon(isolated_dirs, scenario)


def test_skip_drops_exactly_the_next_reminder(isolated_dirs: Path) -> None:
    async def scenario(s: Session) -> None:
        before = parse((await s.ask("status"))["next_reminder"])
        reply = await s.ask("skip")
        assert parse(reply["skipped"]) == before
        assert parse(reply["next_reminder"]) == before + timedelta(minutes=30)

    run_with_daemon(isolated_dirs, scenario)


def test_a_timed_pause_ends_by_itself(isolated_dirs: Path) -> None:
    async def scenario(s: Session) -> None:
        reply = await s.ask("pause", minutes=45)
        until = parse(reply["paused_until"])
        assert parse(reply["next_reminder"]) > until
        assert (await s.ask("status"))["paused"] is True
        s.clock.offset = timedelta(minutes=46)  # time passes; nobody resumes
        s.daemon.tick()
        status = await s.ask("status")
        assert status["paused"] is False and status["paused_until"] is None
        kinds = [e.kind for e in s.daemon.history.recent_events(5)]
        assert kinds[:2] == ["resume", "pause"]

    run_with_daemon(isolated_dirs, scenario)


def test_pause_until_a_clock_time_and_indefinitely_then_resume(isolated_dirs: Path) -> None:
    async def scenario(s: Session) -> None:
        until = parse((await s.ask("pause", until="23:59"))["paused_until"])
        assert (until.hour, until.minute) == (23, 59)
        reply = await s.ask("pause")
        assert reply["paused_until"] is None and reply["next_reminder"] is None
        assert (await s.ask("status"))["paused"] is True
        assert (await s.ask("resume"))["next_reminder"] is not None

    run_with_daemon(isolated_dirs, scenario)


def test_bad_arguments_get_error_replies_and_the_daemon_keeps_serving(isolated_dirs: Path) -> None:
    async def scenario(s: Session) -> None:
        for cmd, args in (
            ("pause", {"minutes": -5}),
            ("pause", {"until": "25:99"}),
            ("snooze", {"minutes": "ten"}),
            ("dance", {}),
        ):
            with pytest.raises(DeskbreakError):
                await s.ask(cmd, **args)
        assert (await s.ask("status"))["running"] is True

    run_with_daemon(isolated_dirs, scenario)


def test_reload_keeps_the_old_config_when_the_new_one_is_broken(isolated_dirs: Path) -> None:
    async def scenario(s: Session) -> None:
        s.paths.config_file.write_text(ALWAYS.replace("interval", "x") + "[schedule2]\n")
        with pytest.raises(DeskbreakError, match="running config is unchanged"):
            await s.ask("reload")
        assert s.daemon.config.schedule.interval == timedelta(minutes=30)
        s.paths.config_file.write_text(ALWAYS.replace("[schedule]", "[schedule]\ninterval = 20"))
        await s.ask("reload")
        assert s.daemon.config.schedule.interval == timedelta(minutes=20)

    run_with_daemon(isolated_dirs, scenario)


def test_stop_replies_then_the_daemon_exits_and_removes_its_socket(isolated_dirs: Path) -> None:
    async def scenario(s: Session) -> None:
        assert (await s.ask("stop"))["ok"] is True
        for _ in range(200):
            if not s.paths.socket.exists():
                break
            await asyncio.sleep(0.01)
        assert not s.paths.socket.exists()

    session = run_with_daemon(isolated_dirs, scenario)
    kinds = [e.kind for e in History(session.paths.database).recent_events(3)]
    assert kinds[0] == "stop"
