"""Every control command against the real daemon, in-process: a real Unix socket, a real
SQLite file, a recording notifier and an injected clock (so a pause can end without waiting)."""

from __future__ import annotations

import asyncio
import os
import sqlite3
from dataclasses import replace
from datetime import UTC, datetime, time, timedelta
from pathlib import Path

import pytest
from fakes import ALWAYS, DaemonSession, Scenario, isolated_paths, run_with_daemon

from deskbreak.daemon import protocol as p
from deskbreak.daemon.control import exchange
from deskbreak.errors import DeskbreakError
from deskbreak.planner.schedule import PlanState, next_reminder
from deskbreak.store.history import History


def run(isolated_dirs: Path, scenario: Scenario, config: str = ALWAYS) -> DaemonSession:
    return run_with_daemon(isolated_paths(isolated_dirs), scenario, config)


def test_status_reports_a_running_daemon_and_todays_counts(isolated_dirs: Path) -> None:
    async def scenario(s: DaemonSession) -> None:
        status = await s.ask(p.StatusRequest())
        assert status.running is True and status.pid > 0
        assert status.backend == "console" and status.timezone == "UTC"
        assert status.next_reminder is not None and status.next_reminder > s.clock()
        assert status.paused_until is None and status.snoozed_until is None
        assert status.today == p.TodayCounts(sent=0, done=0, snoozed=0, skipped=0, ignored=0)

    run(isolated_dirs, scenario)


def test_now_sends_and_done_marks_it_done(isolated_dirs: Path) -> None:
    async def scenario(s: DaemonSession) -> None:
        sent = await s.ask(p.NowRequest())
        assert s.notifier.titles == [sent.name]
        assert (await s.ask(p.DoneRequest())).move == sent.move
        status = await s.ask(p.StatusRequest())
        assert status.today.sent == 1 and status.today.done == 1
        assert status.last_reminder is not None and status.last_reminder.answer == "done"

    run(isolated_dirs, scenario)


def test_done_before_any_reminder_is_an_error_reply(isolated_dirs: Path) -> None:
    async def scenario(s: DaemonSession) -> None:
        with pytest.raises(DeskbreakError, match="no reminder has been sent yet"):
            await s.ask(p.DoneRequest())

    run(isolated_dirs, scenario)


def test_snooze_moves_the_next_reminder_to_the_snooze_time(isolated_dirs: Path) -> None:
    async def scenario(s: DaemonSession) -> None:
        await s.ask(p.NowRequest())
        reply = await s.ask(p.SnoozeRequest(minutes=15))
        until = reply.snoozed_until
        assert abs(until - (s.clock() + timedelta(minutes=15))) < timedelta(seconds=5)
        assert reply.next_reminder == until
        assert (await s.ask(p.StatusRequest())).today.snoozed == 1

    run(isolated_dirs, scenario)


def test_skip_drops_exactly_the_next_reminder(isolated_dirs: Path) -> None:
    async def scenario(s: DaemonSession) -> None:
        before = (await s.ask(p.StatusRequest())).next_reminder
        assert before is not None
        reply = await s.ask(p.SkipRequest())
        assert reply.skipped == before
        # asked of the planner: "+30 minutes" is wrong across midnight, a window edge
        assert reply.next_reminder == next_reminder(s.daemon.config.schedule, PlanState(), before)

    run(isolated_dirs, scenario)


def test_a_timed_pause_ends_by_itself(isolated_dirs: Path) -> None:
    async def scenario(s: DaemonSession) -> None:
        reply = await s.ask(p.PauseRequest(minutes=45))
        assert reply.paused_until is not None and reply.next_reminder is not None
        assert reply.next_reminder > reply.paused_until
        assert (await s.ask(p.StatusRequest())).paused is True
        s.clock.offset = timedelta(minutes=46)  # time passes; nobody resumes
        s.daemon.tick()
        status = await s.ask(p.StatusRequest())
        assert status.paused is False and status.paused_until is None
        kinds = [e.kind for e in s.daemon.history.recent_events(5)]
        assert kinds[:2] == ["resume", "pause"]

    run(isolated_dirs, scenario)


def test_pause_until_a_clock_time_and_indefinitely_then_resume(isolated_dirs: Path) -> None:
    async def scenario(s: DaemonSession) -> None:
        until = (await s.ask(p.PauseRequest(until=time(23, 59)))).paused_until
        assert until is not None and (until.hour, until.minute) == (23, 59)
        reply = await s.ask(p.PauseRequest())
        assert reply.paused_until is None and reply.next_reminder is None
        assert (await s.ask(p.StatusRequest())).paused is True
        assert (await s.ask(p.ResumeRequest())).next_reminder is not None

    run(isolated_dirs, scenario)


def test_bad_arguments_get_error_replies_and_the_daemon_keeps_serving(isolated_dirs: Path) -> None:
    async def scenario(s: DaemonSession) -> None:
        for request, message in (
            ({"cmd": "pause", "minutes": -5}, "a pause must be at least 1 second"),
            ({"cmd": "pause", "minutes": 5, "until": "10:00"}, "not both"),
            ({"cmd": "pause", "until": "25:99"}, "HH:MM"),
            ({"cmd": "snooze", "minutes": "ten"}, "minutes must be a number"),
            ({"cmd": "dance"}, "unknown command 'dance'"),
        ):
            with pytest.raises(DeskbreakError, match=message):
                await asyncio.to_thread(exchange, s.paths.socket, request)
        assert (await s.ask(p.StatusRequest())).running is True

    run(isolated_dirs, scenario)


def test_reload_keeps_the_old_config_when_the_new_one_is_broken(isolated_dirs: Path) -> None:
    async def scenario(s: DaemonSession) -> None:
        s.paths.config_file.write_text(ALWAYS.replace("interval", "x") + "[schedule2]\n")
        with pytest.raises(DeskbreakError, match="running config is unchanged"):
            await s.ask(p.ReloadRequest())
        assert s.daemon.config.schedule.interval == timedelta(minutes=30)
        s.paths.config_file.write_text(ALWAYS.replace("[schedule]", "[schedule]\ninterval = 20"))
        await s.ask(p.ReloadRequest())
        assert s.daemon.config.schedule.interval == timedelta(minutes=20)

    run(isolated_dirs, scenario)


def test_reload_of_a_fifo_fails_at_once_and_the_daemon_keeps_serving(isolated_dirs: Path) -> None:
    async def scenario(s: DaemonSession) -> None:
        s.paths.config_file.unlink()
        os.mkfifo(s.paths.config_file)  # nobody will ever write to it
        with pytest.raises(DeskbreakError, match="FIFO"):
            await asyncio.wait_for(s.ask(p.ReloadRequest()), timeout=10)
        assert (await asyncio.wait_for(s.ask(p.StatusRequest()), timeout=10)).running is True

    run(isolated_dirs, scenario)


def test_reload_without_a_config_file_says_the_file_does_not_exist(isolated_dirs: Path) -> None:
    async def scenario(s: DaemonSession) -> None:
        s.paths.config_file.unlink()
        reply = await s.ask(p.ReloadRequest())
        assert reply.file_exists is False
        assert s.daemon.config.schedule.windows[0][0].start_minute == 9 * 60  # the defaults

    run(isolated_dirs, scenario)


def test_reload_reads_the_system_wide_file_under_the_users(isolated_dirs: Path) -> None:
    system_dir = isolated_dirs / "xdg"
    (system_dir / "deskbreak").mkdir()
    (system_dir / "deskbreak" / "config.toml").write_text(
        "[schedule]\ninterval = 15\nsnooze = 7\n", encoding="utf-8"
    )

    async def scenario(s: DaemonSession) -> None:
        s.daemon.paths = replace(s.paths, system_config_dirs=(system_dir,))
        s.paths.config_file.write_text(ALWAYS.replace("[schedule]", "[schedule]\ninterval = 20"))
        reply = await s.ask(p.ReloadRequest())
        assert reply.notes == ()
        assert s.daemon.config.schedule.interval == timedelta(minutes=20)
        assert s.daemon.config.schedule.snooze == timedelta(minutes=7)

    run(isolated_dirs, scenario)


def test_stop_replies_then_the_daemon_exits_and_removes_its_socket(isolated_dirs: Path) -> None:
    async def scenario(s: DaemonSession) -> None:
        assert await s.ask(p.StopRequest()) == p.StopReply()
        for _ in range(200):
            if not s.paths.socket.exists():
                break
            await asyncio.sleep(0.01)
        assert not s.paths.socket.exists()

    session = run(isolated_dirs, scenario)
    kinds = [e.kind for e in History(session.paths.database).recent_events(3)]
    assert kinds[0] == "stop"


# --- skip names one slot; answers: the first counts ---------------------------------------------


def test_skip_is_shown_by_status_and_undone_by_skip_undo_or_resume(isolated_dirs: Path) -> None:
    async def scenario(s: DaemonSession) -> None:
        dropped = (await s.ask(p.SkipRequest())).skipped
        assert dropped is not None
        assert (await s.ask(p.StatusRequest())).skipped_slot == dropped
        undone = await s.ask(p.SkipRequest(undo=True))
        assert (undone.undone, undone.skipped, undone.next_reminder) == (True, dropped, dropped)
        assert (await s.ask(p.StatusRequest())).skipped_slot is None
        await s.ask(p.SkipRequest())
        assert (await s.ask(p.ResumeRequest())).next_reminder == dropped

    run(isolated_dirs, scenario)


def test_reload_with_new_hours_forgets_a_skip_whose_slot_is_gone(isolated_dirs: Path) -> None:
    async def scenario(s: DaemonSession) -> None:
        dropped = (await s.ask(p.SkipRequest())).skipped
        # windows from 00:01 with slots counted from there: none falls on :00 or :30
        shifted = ALWAYS.replace('["00:00-24:00"]', '["00:01-24:00"]\nalign = "start"')
        s.paths.config_file.write_text(shifted)
        reply = await s.ask(p.ReloadRequest())
        assert reply.forgot_skip == dropped
        assert (await s.ask(p.StatusRequest())).skipped_slot is None

    run(isolated_dirs, scenario)


def test_skip_with_a_reminder_on_screen_skips_that_one_not_the_next(isolated_dirs: Path) -> None:
    async def scenario(s: DaemonSession) -> None:
        before = (await s.ask(p.StatusRequest())).next_reminder
        await s.ask(p.NowRequest())
        reply = await s.ask(p.SkipRequest())
        assert reply.on_screen and reply.next_reminder == before
        status = await s.ask(p.StatusRequest())
        assert status.today.skipped == 1 and status.skipped_slot is None

    run(isolated_dirs, scenario)


def test_done_after_a_skip_keeps_the_skip_and_records_the_later_answer(
    isolated_dirs: Path,
) -> None:
    async def scenario(s: DaemonSession) -> None:
        await s.ask(p.NowRequest())
        await s.ask(p.SkipRequest())
        reply = await s.ask(p.DoneRequest())
        assert (reply.counted, reply.answer) == (False, "skipped")
        status = await s.ask(p.StatusRequest())
        assert (status.today.skipped, status.today.done) == (1, 0)
        kinds = [e.kind for e in s.daemon.history.recent_events(5)]
        assert "answer" in kinds

    run(isolated_dirs, scenario)


WORKDAY = """
[schedule]
timezone = "UTC"
hours = ["00:00-00:01"]
days = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
interval = 1
[notifications]
backend = "console"
"""


def test_a_snooze_past_work_hours_gives_way_and_status_does_not_show_it(
    isolated_dirs: Path,
) -> None:
    async def scenario(s: DaemonSession) -> None:
        reply = await s.ask(p.SnoozeRequest(minutes=10))
        assert reply.gave_way
        assert (await s.ask(p.StatusRequest())).snoozed_until is None

    run(isolated_dirs, scenario, WORKDAY)


def test_a_routine_handed_over_while_the_history_is_locked_waits_then_lands_once(
    isolated_dirs: Path,
) -> None:
    started = datetime(2026, 11, 23, 7, 0, tzinfo=UTC)
    request = p.RecordRoutineRequest(
        name="postrun",
        started=started,
        ended=started + timedelta(minutes=9),
        completed=True,
        steps_done=8,
        steps_total=8,
    )

    def routines(database: Path) -> list[tuple[str, int, int]]:
        with History(database) as history:
            return history.query("SELECT name, started, steps_done FROM routines")

    async def scenario(s: DaemonSession) -> None:
        other = sqlite3.connect(s.paths.database, isolation_level=None)
        other.execute("BEGIN EXCLUSIVE")
        try:
            assert (await s.ask(request)).waiting is True
            assert s.daemon.history.pending == 1
        finally:
            other.execute("ROLLBACK")
            other.close()
        assert s.daemon.history.flush()
        assert routines(s.paths.database) == [("postrun", int(started.timestamp()), 8)]
        # Free now: the next one goes straight in.
        assert (await s.ask(request)).waiting is False

    run(isolated_dirs, scenario)


def test_a_routine_with_more_steps_done_than_it_has_is_refused_as_a_usage_error(
    isolated_dirs: Path,
) -> None:
    async def scenario(s: DaemonSession) -> None:
        bad = {"cmd": "record_routine", "name": "prerun", "completed": True}
        bad |= {"started": "2026-11-23T07:00:00+00:00", "ended": "2026-11-23T07:05:00+00:00"}
        bad |= {"steps_done": 9, "steps_total": 8}
        with pytest.raises(DeskbreakError, match="steps_done must be between") as refused:
            await asyncio.to_thread(exchange, s.paths.socket, bad)
        assert refused.value.exit_code == 2

    run(isolated_dirs, scenario)
