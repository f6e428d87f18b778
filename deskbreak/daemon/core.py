"""The daemon: the composition root that plugs the planner into APScheduler.

One asyncio loop owns everything: the reminder job, the control socket, notification answers,
signals and the once-a-minute heartbeat, so the live state needs no locks. The planner
decides *when*; APScheduler only waits. The heartbeat exists because asyncio waits on a
monotonic clock that stops while the laptop sleeps: waking the scheduler every minute makes a
reminder still come on time after a resume, and the misfire grace drops reminders that fell
due while asleep instead of firing them in a burst.

`Daemon` holds the plan and wires the parts that live beside it: the jobs' trigger
(trigger.py), the supervised tasks and the stop request (supervisor.py), the reminders on
screen and their answers (reminders.py), the presence gate, the runs' prompts, the calendar
sync, the clock-step check (clock.py) and the rate-limited event notes (events.py). What an
event means for the plan (a snooze, a reload, a clock stepped back) is decided here.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from apscheduler.events import EVENT_JOB_MISSED, JobExecutionEvent
from apscheduler.schedulers.asyncio import AsyncIOScheduler

from deskbreak.config import Config, load_config_for
from deskbreak.daemon import sdnotify
from deskbreak.daemon.calendar_sync import CalendarSyncer, load_windows
from deskbreak.daemon.clock import ClockWatch, wall_clock
from deskbreak.daemon.events import EventNotes
from deskbreak.daemon.reminders import Reminders
from deskbreak.daemon.run_prompts import PROMPT_GRACE, RunPrompter
from deskbreak.daemon.supervisor import Supervisor
from deskbreak.daemon.trigger import misfire_grace_seconds, plan_job
from deskbreak.desktop.dbus import Buses
from deskbreak.desktop.notify import Notifier, backend_chain
from deskbreak.errors import ConfigError
from deskbreak.planner import schedule
from deskbreak.store.queued import QueuedHistory

if TYPE_CHECKING:
    from deskbreak.daemon.control import ControlServer
    from deskbreak.paths import Paths
    from deskbreak.store.history import Answer, DaemonState, History

log = logging.getLogger("deskbreak.daemon.core")

JOB_ID = "reminder"
PROMPT_JOB_ID = "run-prompt"
# Looks at a held reminder when the meeting holding it ends.
HOLD_JOB_ID = "held-reminder"
# The calendar windows are read again from the history at least this often.
WINDOWS_RELOAD = timedelta(hours=1)
HEARTBEAT_SECONDS = 60.0
# The longest the loop waits for another process's lock on the history; a write that still
# finds it locked is queued and retried this often.
BUSY_TIMEOUT_SECONDS = 0.05
WRITE_RETRY_SECONDS = 2.0


class Daemon:
    def __init__(
        self,
        paths: Paths,
        config: Config,
        history: History,
        make_notifiers: Callable[[Config], list[Notifier]] | None = None,
        clock: Callable[[], datetime] = wall_clock,
    ) -> None:
        self.paths = paths
        self.config = config
        history.set_busy_timeout(BUSY_TIMEOUT_SECONDS)
        self.history = QueuedHistory(history, on_backlog=self._retry_writes_later)
        self.clock = clock
        # One connection per bus for everything desktop-side, and backends that live as long
        # as the daemon (a reload changes the order, not the notifications they track).
        self.buses = Buses(os.environ)
        self._make_notifiers = make_notifiers or self._default_notifiers
        self._backends: dict[str, Notifier] | None = None
        self.notifiers = self._make_notifiers(config)
        # Through the queue: it has replayed the spill journal a crash left, and a state
        # still waiting there is newer than the saved one.
        saved = self.history.load_state()
        self.plan = schedule.PlanState(
            paused_until=saved.paused_until,
            paused_indefinitely=saved.paused_indefinitely,
            snoozed_until=saved.snoozed_until,
            skipped_slot=saved.skipped_slot,
        )
        self.reminders = Reminders(
            self.history,
            saved,
            config=lambda: self.config,
            notifiers=lambda: self.notifiers,
            now=self.now,
            answer=self.answer,
        )
        from deskbreak.daemon.presence_gate import PresenceGate

        self.presence = PresenceGate(
            self.buses,
            dict(os.environ),
            self.now,
            self.history,
            lambda: self.config,
            self._next_after,
            self.reminders.send,
            self._woke,
            self.save_state,
            windows=lambda: self.calendar_windows,
            wake_at=self._check_held_at,
            paused=lambda now: schedule.is_paused(self.plan, now),
        )
        self.scheduler: AsyncIOScheduler | None = None
        self.server: ControlServer | None = None
        self.supervisor = Supervisor()
        self._was_paused = schedule.is_paused(self.plan, self.now())
        self._clock_watch = ClockWatch(self.now())
        self._retry: asyncio.TimerHandle | None = None
        self.events = EventNotes(self.history)
        # Calendars (issue 13): the synced busy/run windows of the coming days, a sync child
        # process at most every [calendar] sync_every; a meeting holds reminders (the gate).
        self.calendar_windows = load_windows(history, self.now())
        self._windows_loaded = self.now()
        self.calendar_sync = CalendarSyncer(
            paths.calendars_file, paths.config_file, self._calendar_synced
        )
        self.run_prompts = RunPrompter(
            self.history,  # its prompts and answers wait in the spill journal too
            runs=lambda: self.config.running.runs,
            terminal=lambda: self.config.running.terminal,
            notifiers=lambda: self.notifiers,
            windows=lambda: self.calendar_windows,
            now=self.now,
            zone=lambda: self.config.schedule.timezone,
        )

    def _default_notifiers(self, config: Config) -> list[Notifier]:
        if self._backends is None:
            from deskbreak.desktop.notify import ConsoleNotifier, PlyerNotifier
            from deskbreak.desktop.notify_dbus import DbusNotifier

            backends: list[Notifier] = [
                DbusNotifier(self.buses),
                PlyerNotifier(),
                ConsoleNotifier(),
            ]
            self._backends = {b.name: b for b in backends}
        return backend_chain(config.notifications.backend, self._backends)

    # -- time and plan -------------------------------------------------------------------

    def now(self) -> datetime:
        return self.clock().astimezone(self.config.schedule.timezone)

    def _next_after(self, moment: datetime) -> datetime | None:
        return schedule.next_reminder(self.config.schedule, self.plan, moment)

    def next_reminder(self) -> datetime | None:
        job = self.scheduler.get_job(JOB_ID) if self.scheduler else None
        if job is None or job.next_run_time is None:
            return None
        when: datetime = job.next_run_time
        return when.astimezone(self.config.schedule.timezone)

    def describe_next(self) -> str:
        when = self.next_reminder()
        if when is None:
            return "none (paused)" if self.plan.paused_indefinitely else "none ahead"
        return when.strftime("%a %Y-%m-%d %H:%M %Z")

    def set_plan(self, plan: schedule.PlanState) -> None:
        """Adopt a new plan (pause, resume, snooze, skip): persist it, then reschedule.

        Saved first: if saving raises, memory, the scheduler and the database all keep the
        old plan rather than disagree."""
        self.history.save_state(self._state_of(plan))
        self.plan = plan
        # The heartbeat logs "pause over" when a pause it saw ends by itself.
        self._was_paused = schedule.is_paused(plan, self.now())
        self._schedule()

    def save_state(self) -> None:
        self.history.save_state(self._state_of(self.plan))

    def _state_of(self, plan: schedule.PlanState) -> DaemonState:
        from deskbreak.store.history import DaemonState

        return DaemonState(
            paused_until=plan.paused_until,
            paused_indefinitely=plan.paused_indefinitely,
            snoozed_until=plan.snoozed_until,
            skipped_slot=plan.skipped_slot,
            snoozed_move_id=self.reminders.snoozed_move_id,
            last_reminder_id=self.reminders.last_id,
            last_reminder_at=self.reminders.last_at,
            last_move_id=self.reminders.last_move_id,
            held_slot=self.presence.held.slot if self.presence.held else None,
            held_reason=self.presence.held.reason if self.presence.held else None,
        )

    def _retry_writes_later(self) -> None:
        """The history refused a write: try the queue again soon, without blocking the loop."""
        if self._retry is not None or not self.supervisor.started:
            return  # a retry is already due, or no loop yet (the heartbeat will flush)

        def retry() -> None:
            self._retry = None
            self.history.flush()  # calls back here if the database still refuses

        self._retry = asyncio.get_running_loop().call_later(WRITE_RETRY_SECONDS, retry)

    # -- jobs ----------------------------------------------------------------------------

    def _schedule(self) -> None:
        """(Re)compute the next runs of the reminder job and of the runs' prompt job from the
        planner, as of the daemon's now.

        The first run is set from our clock rather than left to APScheduler's, so a re-plan
        after the wall clock stepped back starts from the new time."""
        if self.scheduler is None:
            return
        now, prompts = self.now(), self.run_prompts
        grace = self._misfire_grace_seconds()
        plan_job(self.scheduler, JOB_ID, "reminder", self._fire, self._next_after, now, grace)
        grace = int(PROMPT_GRACE.total_seconds())
        plan_job(
            self.scheduler,
            PROMPT_JOB_ID,
            "run prompt",
            prompts.fire,
            prompts.next_after,
            now,
            grace,
        )

    def _misfire_grace_seconds(self) -> int:
        return misfire_grace_seconds(self.config.schedule.interval)

    async def _fire(self) -> None:
        now = self.now()
        if schedule.is_paused(self.plan, now):  # belt and braces: the planner already skips
            return
        grace = timedelta(seconds=self._misfire_grace_seconds())
        interval = self.config.schedule.interval
        slot = schedule.due_slot(self.config.schedule, self.plan, now, interval) or now
        late = now - slot
        if late > grace:  # a stall past the grace: the next reminder is closer than this one
            log.info("the %s reminder was dropped: %d s late", f"{slot:%H:%M}", late.seconds)
        else:
            if late >= timedelta(seconds=1):
                log.info("the %s reminder goes out %d s late", f"{slot:%H:%M}", late.seconds)
            move = self.reminders.next_move(slot)
            previous_slot = slot - self.config.schedule.interval
            if await self.presence.at_slot(slot, previous_slot, move) == "send":
                await self.reminders.send(slot, move)
        self.plan = schedule.after_sent(self.plan, now)
        self.save_state()

    def _on_missed(self, event: JobExecutionEvent) -> None:
        when = event.scheduled_run_time.astimezone(self.config.schedule.timezone)
        log.info(
            "the %s reminder was dropped: the computer was asleep or busy", when.strftime("%H:%M")
        )

    def _check_held_at(self, when: datetime) -> None:
        """Look at the held reminder at `when` (a meeting's end), to the minute rather than
        at the next heartbeat."""
        if self.scheduler is None:
            return
        self.scheduler.add_job(
            self.presence.check_held,
            "date",
            run_date=when,
            id=HOLD_JOB_ID,
            replace_existing=True,
            misfire_grace_time=self._misfire_grace_seconds(),
        )

    def _calendar_synced(self) -> None:
        self._windows_loaded = self.now()
        windows = load_windows(self.history.history, self._windows_loaded)
        if windows != self.calendar_windows:
            self.calendar_windows = windows
            log.info("calendar windows of the coming days: %d", len(windows))
            self._schedule()

    # -- answers -------------------------------------------------------------------------

    async def answer(
        self,
        reminder_id: int,
        answer: Answer,
        withdraw: bool = False,
        snooze_by: timedelta | None = None,
    ) -> bool:
        """An answer to reminder `reminder_id`: a button press, a close without one, or a
        command. The first answer counts (True); a later one is kept as an event (False).
        `withdraw` takes the notification off the screen (the answer came from elsewhere);
        a snooze lasts `snooze_by`, or the configured snooze."""
        now = self.now()
        if not await self.reminders.record_answer(reminder_id, answer, now, close=withdraw):
            if answer in ("done", "snoozed", "skipped"):  # a close or expiry is no answer
                first = self.history.reminder_answer(reminder_id)
                self.events.note(
                    "answer",
                    now,
                    f"#{reminder_id} {answer} after {first}",
                    f"later answer to reminder #{reminder_id}: {answer} (kept: {first})",
                )
                if first == "snoozed" and answer in ("done", "skipped"):
                    self._forgo_snooze(reminder_id, now)
            return False
        if answer == "snoozed":
            self.reminders.bring_back(reminder_id)
            by = snooze_by or self.config.schedule.snooze
            self.set_plan(schedule.snooze(self.plan, now, by))
            log.info("snoozed; next reminder: %s", self.describe_next())
        return True

    def _forgo_snooze(self, reminder_id: int, now: datetime) -> None:
        """Done or skipped after a snooze: the snoozed reminder need not come back. Its moment
        is dropped like a skipped slot, so the slots the snooze covered stay dropped too."""
        cfg = self.config.schedule
        pending = schedule.pending_snooze(cfg, self.plan, now)
        if pending is None or reminder_id != self.reminders.last_id:
            return
        self.reminders.snoozed_move_id = None
        self.set_plan(replace(self.plan, skipped_slot=pending))
        log.info("the snoozed reminder at %s will not come back", f"{pending:%H:%M}")

    # -- lifecycle -----------------------------------------------------------------------

    def reload(self) -> Config:
        """Re-read the config; a broken file raises ConfigError and the old config stays."""
        new = load_config_for(self.paths)
        for note in new.notes:
            log.warning("%s", note)
        self.config = new
        self.notifiers = self._make_notifiers(new)
        self.presence.reconfigure()
        # Re-plan: a skip names a slot of the old plan; if the new one has no such slot, the
        # skip is forgotten rather than left to drop something else.
        self.set_plan(schedule.replan(new.schedule, self.plan, self.now()))
        self.events.note(
            "reload",
            self.now(),
            str(self.paths.config_file),
            f"config reloaded; next reminder: {self.describe_next()}",
        )
        return new

    def _reload_from_signal(self) -> None:
        sdnotify.reloading()  # `systemctl reload` waits until READY=1 follows
        try:
            self.reload()
        except ConfigError as err:
            log.error("config not reloaded, keeping the running one: %s", err)
        finally:
            sdnotify.ready()

    def request_stop(self) -> None:
        self.supervisor.request_stop()

    async def _heartbeat(self) -> None:
        while True:
            await asyncio.sleep(HEARTBEAT_SECONDS)
            try:
                self.tick()
            except Exception:  # one bad tick must not end the heartbeat
                log.exception("the heartbeat failed; it carries on")

    def notice_clock(self) -> datetime:
        """The daemon's now, after re-planning if the wall clock went back since the last
        look (the heartbeat looks once a minute, and every control request looks too)."""
        now = self.now()
        step = self._clock_watch.look(now)
        if step is not None:
            log.warning("the clock went back by %s; re-planning from %s", step, f"{now:%H:%M}")
            self._schedule()
        return now

    def tick(self) -> None:
        """Once a minute: run what fell due (after a suspend), re-plan after a backward clock
        step, retry queued history writes, keep the job alive, ping systemd."""
        assert self.scheduler is not None
        now = self.notice_clock()
        self.history.flush()
        self.scheduler.wakeup()
        paused = schedule.is_paused(self.plan, now)
        if self._was_paused and not paused:
            log.info("pause over; next reminder: %s", self.describe_next())
            self.history.record_event("resume", self.now(), "pause ended")
        self._was_paused = paused
        job = self.scheduler.get_job(JOB_ID)
        if job is None or job.next_run_time is None:
            self._schedule()
        started = self.calendar_sync.maybe_start(now, self.config.running.calendar.sync_every)
        # A sync by a timer or by hand lands in the database: read it at least hourly.
        if not started and now - self._windows_loaded >= WINDOWS_RELOAD:
            self._calendar_synced()
        self.presence.spawn(self.presence.tick())
        sdnotify.watchdog()

    def _woke(self) -> None:
        """logind says the machine resumed: run what fell due now, not at the next heartbeat."""
        if self.scheduler is not None:
            self.tick()

    async def run(self) -> None:
        from deskbreak.daemon import control
        from deskbreak.daemon.commands import handle_request

        loop = asyncio.get_running_loop()
        self.supervisor.start()
        self.scheduler = AsyncIOScheduler(event_loop=loop, timezone=self.config.schedule.timezone)
        self.scheduler.add_listener(self._on_missed, EVENT_JOB_MISSED)
        self.scheduler.start()
        self._schedule()

        async def handler(request: dict[str, Any]) -> dict[str, Any]:
            self.notice_clock()
            return await handle_request(self, request)

        self.server = await control.serve(self.paths.socket, handler)
        loop.add_signal_handler(signal.SIGTERM, self.request_stop)
        loop.add_signal_handler(signal.SIGINT, self.request_stop)
        loop.add_signal_handler(signal.SIGHUP, self._reload_from_signal)
        self.supervisor.supervise("heartbeat", self._heartbeat)
        await self.presence.start()
        self.history.record_event("start", self.now(), f"pid {os.getpid()}")
        if self.history.pending:  # the journal a crash left could not be replayed yet
            self._retry_writes_later()
        source = self.config.source or f"{self.paths.config_file} (not found; using defaults)"
        log.info("deskbreak started (pid %d); config: %s", os.getpid(), source)
        log.info("backends: %s", " → ".join(n.name for n in self.notifiers))
        log.info("next reminder: %s", self.describe_next())
        self.calendar_sync.maybe_start(self.now(), self.config.running.calendar.sync_every)
        sdnotify.ready()
        _release_startup_memory()
        try:
            await self.supervisor.until_stop_requested()
        finally:
            sdnotify.stopping()
            self.supervisor.cancel_all()
            if self._retry is not None:
                self._retry.cancel()
            for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
                loop.remove_signal_handler(sig)
            await self.server.close()
            await self.calendar_sync.close()
            self.scheduler.shutdown(wait=False)
            await self.presence.close()
            await self.buses.close()
            self.history.record_event("stop", self.now(), None)
            self.history.flush_at_stop()
            log.info("deskbreak stopped")


def _release_startup_memory() -> None:
    """Hand the heap freed after start-up (parsing, imports) back to the OS; glibc only."""
    import ctypes
    import gc

    gc.collect()
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6").malloc_trim(0)
