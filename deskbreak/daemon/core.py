"""The daemon: the composition root that plugs the planner into APScheduler.

One asyncio loop owns everything: the reminder job, the control socket, notification answers,
signals and the once-a-minute heartbeat, so the live state needs no locks. The planner
decides *when*; APScheduler only waits. The heartbeat exists because asyncio waits on a
monotonic clock that stops while the laptop sleeps: waking the scheduler every minute makes a
reminder still come on time after a resume, and the misfire grace drops reminders that fell
due while asleep instead of firing them in a burst.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, time, timedelta
from typing import TYPE_CHECKING, Any

from apscheduler.events import EVENT_JOB_MISSED, JobExecutionEvent
from apscheduler.schedulers.asyncio import AsyncIOScheduler

from deskbreak.config import Config, load_config_for
from deskbreak.daemon import sdnotify
from deskbreak.daemon.calendar_sync import CalendarSyncer, load_windows
from deskbreak.daemon.events import EventLimiter
from deskbreak.daemon.run_prompts import PROMPT_GRACE, RunPrompter
from deskbreak.daemon.supervisor import Supervisor
from deskbreak.daemon.trigger import misfire_grace_seconds, plan_job
from deskbreak.desktop.dbus import Buses
from deskbreak.desktop.notify import (
    DISMISSED,
    EXPIRED,
    REMINDER_ACTIONS,
    REMINDER_TAG,
    Notification,
    Notifier,
    NotifyError,
    backend_chain,
)
from deskbreak.errors import ConfigError
from deskbreak.library.moves import Move
from deskbreak.library.rotation import RUN_AREAS, next_desk_move, walk_every_for
from deskbreak.planner import schedule
from deskbreak.planner.runs import leans_toward_running
from deskbreak.store.history import Answer
from deskbreak.store.queued import QueuedHistory

if TYPE_CHECKING:
    from deskbreak.daemon.control import ControlServer
    from deskbreak.paths import Paths
    from deskbreak.store.history import DaemonState, EventKind, History

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
# A wall clock that reads this much earlier than at the last heartbeat was stepped back.
BACKWARD_STEP_SECONDS = 5.0
# What a notification's outcome (a button key, a dismissal, an expiry) means for the history.
ANSWERS: dict[str, Answer] = {
    "done": "done",
    "snooze": "snoozed",
    "skip": "skipped",
    DISMISSED: "dismissed",
    EXPIRED: "ignored",
}


@dataclass(frozen=True)
class OnScreen:
    """The last reminder's notification while it may be on screen."""

    reminder_id: int
    notifier: Notifier
    handle: object | None  # from Notifier.send; None: the backend reports no answers
    until: datetime  # when its timeout ends


def notifier_timeout(reminder: Notification) -> timedelta:
    return timedelta(seconds=reminder.timeout_seconds)


async def _withdraw(notifier: Notifier, handle: object) -> None:
    """Take a notification off the screen, where the backend can (`Notifier.withdraw`)."""
    withdraw = getattr(notifier, "withdraw", None)
    if withdraw is None:
        return
    try:
        await withdraw(handle)
    except NotifyError as err:
        log.warning("%s could not close the notification: %s", notifier.name, err)


def wall_clock() -> datetime:
    return datetime.now().astimezone()


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
        self._backend_trouble: dict[str, str] = {}
        from deskbreak.daemon.presence_gate import PresenceGate

        self.presence = PresenceGate(
            self.buses,
            dict(os.environ),
            self.now,
            self.history,
            lambda: self.config,
            self._next_after,
            self.send_reminder,
            self._woke,
            self.save_state,
            windows=lambda: self.calendar_windows,
            wake_at=self._check_held_at,
            paused=lambda now: schedule.is_paused(self.plan, now),
        )
        # Through the queue: it has replayed the spill journal a crash left, and a state
        # still waiting there is newer than the saved one.
        saved = self.history.load_state()
        self.plan = schedule.PlanState(
            paused_until=saved.paused_until,
            paused_indefinitely=saved.paused_indefinitely,
            snoozed_until=saved.snoozed_until,
            skipped_slot=saved.skipped_slot,
        )
        self.snoozed_move_id = saved.snoozed_move_id
        self.last_reminder_id = saved.last_reminder_id
        self.last_reminder_at = saved.last_reminder_at
        self.last_move_id = saved.last_move_id
        # The history is the truth about answers, also across a restart.
        self.last_answer: str | None = (
            self.history.reminder_answer(saved.last_reminder_id)
            if saved.last_reminder_id is not None
            else None
        )
        # The notification of the last reminder while it may still be on screen.
        self._on_screen: OnScreen | None = None
        self.scheduler: AsyncIOScheduler | None = None
        self.server: ControlServer | None = None
        self.supervisor = Supervisor()
        self._was_paused = schedule.is_paused(self.plan, self.now())
        self._last_tick = self.now()
        self._retry: asyncio.TimerHandle | None = None
        self._events = EventLimiter()
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
            snoozed_move_id=self.snoozed_move_id,
            last_reminder_id=self.last_reminder_id,
            last_reminder_at=self.last_reminder_at,
            last_move_id=self.last_move_id,
            held_slot=self.presence.held.slot if self.presence.held else None,
            held_reason=self.presence.held.reason if self.presence.held else None,
        )

    def note(self, kind: EventKind, now: datetime, detail: str | None, message: str | None) -> None:
        """Record a user-driven event (a row and, unless `message` is None, a log line), at a
        bounded rate per kind."""
        held = self._events.admit(kind, now)
        if held is None:
            return
        if held:
            repeats = f"(+{held} more since the last one, not recorded)"
            detail = f"{detail} {repeats}" if detail else repeats
            message = f"{message} {repeats}" if message else None
        self.history.record_event(kind, now, detail)
        if message:
            log.info("%s", message)

    def _retry_writes_later(self) -> None:
        """The history refused a write: try the queue again soon, without blocking the loop."""
        if self._retry is not None or not self.supervisor.started:
            return  # a retry is already due, or no loop yet (the heartbeat will flush)

        def retry() -> None:
            self._retry = None
            self.history.flush()  # calls back here if the database still refuses

        self._retry = asyncio.get_running_loop().call_later(WRITE_RETRY_SECONDS, retry)

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

    # -- reminders -----------------------------------------------------------------------

    def _pick_move(self, slot: datetime) -> Move:
        """The rotation's next move, as `deskbreak schedule` predicts it for `slot`: the same
        history, the same walks, the same lean toward running areas on run days."""
        moves_cfg = self.config.moves
        candidates = self.config.library.desk_moves(moves_cfg.areas, moves_cfg.exclude)
        interval_minutes = int(self.config.schedule.interval.total_seconds() // 60)
        return next_desk_move(
            candidates,
            self.history.recent_desk_moves(),
            self._lean(slot),
            walk_every=walk_every_for(interval_minutes),
        )

    def _lean(self, slot: datetime) -> tuple[str, ...]:
        from deskbreak.planner.runs import CalendarWindow
        from deskbreak.store.calendar_windows import windows_between

        zone = self.config.schedule.timezone
        day = slot.astimezone(zone).date()
        midnight = datetime.combine(day, time(), zone)
        try:
            stored = windows_between(
                self.history.history, midnight - timedelta(days=2), midnight + timedelta(days=1)
            )
        except sqlite3.Error as err:  # a busy database costs the lean, never the reminder
            log.warning("calendar windows unreadable (%s); no run-day lean for this reminder", err)
            stored = []
        windows = [CalendarWindow(w.start, w.end, w.busy, w.run, w.all_day) for w in stored]
        runs = self.config.running.runs
        return RUN_AREAS if leans_toward_running(runs, windows, zone, day) else ()

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
            move = self._snoozed_move() or self._pick_move(slot)
            previous_slot = slot - self.config.schedule.interval
            if await self.presence.at_slot(slot, previous_slot, move) == "send":
                await self.send_reminder(slot, move)
        self.plan = schedule.after_sent(self.plan, now)
        self.save_state()

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

    def _snoozed_move(self) -> Move | None:
        """The move of the snoozed reminder, which the next reminder brings back (once)."""
        move_id, self.snoozed_move_id = self.snoozed_move_id, None
        return self.config.library.moves.get(move_id) if move_id else None

    async def send_reminder(self, slot: datetime, move: Move | None = None) -> tuple[Move, str]:
        """Show one reminder through the first backend that works; returns (move, backend).

        `slot` is the moment it was planned for, which the history records."""
        move = move or self._pick_move(slot)
        notes = self.config.notifications
        reminder = Notification(
            move.name,
            move.notification_body(),
            notes.timeout_seconds,
            REMINDER_ACTIONS if notes.buttons else (),
            REMINDER_TAG,
        )
        recorded: list[int] = []
        early: list[Answer] = []

        async def on_answer(outcome: str) -> None:
            answer = ANSWERS.get(outcome)
            if answer is None:
                log.warning("unknown answer %r to a reminder", outcome)
                return
            if not recorded:  # answered before we finished recording the reminder
                early.append(answer)
                return
            try:
                await self.answer(recorded[0], answer)
            except Exception:  # a backend task runs this: log it, never lose it quietly
                log.exception("the answer %r to reminder #%d failed", answer, recorded[0])

        handle: object | None = None
        for notifier in self.notifiers:
            try:
                handle = await notifier.send(reminder, on_answer)
            except NotifyError as err:
                self._backend_failed(notifier.name, str(err))
                continue
            if self._backend_trouble.pop(notifier.name, None) is not None:
                log.info("%s shows reminders again", notifier.name)
            backend = notifier.name
            break
        else:
            log.error(
                "no notification backend worked; the reminder for %s was not shown", move.name
            )
            notifier, backend = None, "none"
        reminder_id = self.history.record_reminder(slot, move.id, move.area, backend)
        recorded.append(reminder_id)
        self.last_reminder_id, self.last_reminder_at, self.last_move_id = reminder_id, slot, move.id
        self.last_answer = None
        self._on_screen = (
            None
            if notifier is None
            else OnScreen(reminder_id, notifier, handle, self.now() + notifier_timeout(reminder))
        )
        log.info("reminder %s: %s (via %s)", slot.strftime("%H:%M"), move.name, backend)
        for answer in early:
            await self.answer(reminder_id, answer)
        return move, backend

    def _backend_failed(self, name: str, why: str) -> None:
        """Log a backend's trouble once, not at every reminder while it lasts."""
        if self._backend_trouble.get(name) != why:
            log.warning("%s could not show the reminder: %s; trying the next backend", name, why)
        self._backend_trouble[name] = why

    def open_reminder(self) -> int | None:
        """The reminder whose notification is still waiting for an answer, if any."""
        shown = self._on_screen
        if shown is None or self.last_answer is not None:
            return None
        if shown.handle is None and self.now() >= shown.until:
            return None  # a backend that reports no answers: assume it expired
        return shown.reminder_id

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
        counted = self.history.record_answer(reminder_id, answer, now)
        shown = self._on_screen
        if shown is not None and shown.reminder_id == reminder_id:
            self._on_screen = None
            if withdraw and shown.handle is not None:
                await _withdraw(shown.notifier, shown.handle)
        if not counted:
            if answer in ("done", "snoozed", "skipped"):  # a close or expiry is no answer
                first = self.history.reminder_answer(reminder_id)
                self.note(
                    "answer",
                    now,
                    f"#{reminder_id} {answer} after {first}",
                    f"later answer to reminder #{reminder_id}: {answer} (kept: {first})",
                )
                if first == "snoozed" and answer in ("done", "skipped"):
                    self._forgo_snooze(reminder_id, now)
            return False
        if reminder_id == self.last_reminder_id:
            self.last_answer = answer
        log.info("answer to reminder #%d: %s", reminder_id, answer)
        if answer == "snoozed":
            self.snoozed_move_id = self._move_of(reminder_id)
            by = snooze_by or self.config.schedule.snooze
            self.set_plan(schedule.snooze(self.plan, now, by))
            log.info("snoozed; next reminder: %s", self.describe_next())
        return True

    def _forgo_snooze(self, reminder_id: int, now: datetime) -> None:
        """Done or skipped after a snooze: the snoozed reminder need not come back. Its moment
        is dropped like a skipped slot, so the slots the snooze covered stay dropped too."""
        cfg = self.config.schedule
        pending = schedule.pending_snooze(cfg, self.plan, now)
        if pending is None or reminder_id != self.last_reminder_id:
            return
        self.snoozed_move_id = None
        self.set_plan(replace(self.plan, skipped_slot=pending))
        log.info("the snoozed reminder at %s will not come back", f"{pending:%H:%M}")

    def _move_of(self, reminder_id: int) -> str | None:
        return self.last_move_id if reminder_id == self.last_reminder_id else None

    def _on_missed(self, event: JobExecutionEvent) -> None:
        when = event.scheduled_run_time.astimezone(self.config.schedule.timezone)
        log.info(
            "the %s reminder was dropped: the computer was asleep or busy", when.strftime("%H:%M")
        )

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
        self.note(
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

    def describe_next(self) -> str:
        when = self.next_reminder()
        if when is None:
            return "none (paused)" if self.plan.paused_indefinitely else "none ahead"
        return when.strftime("%a %Y-%m-%d %H:%M %Z")

    async def _heartbeat(self) -> None:
        while True:
            await asyncio.sleep(HEARTBEAT_SECONDS)
            try:
                self.tick()
            except Exception:  # one bad tick must not end the heartbeat
                log.exception("the heartbeat failed; it carries on")

    def notice_clock(self) -> datetime:
        """The daemon's now, after re-planning if the wall clock went back since last seen.

        A job waits for a wall-clock moment that a backward step puts further away (an hour
        back: an hour of silence), so the planner is asked again from the new now. The
        heartbeat looks once a minute; every control request looks too."""
        now = self.now()
        if now < self._last_tick - timedelta(seconds=BACKWARD_STEP_SECONDS):
            log.warning(
                "the clock went back by %s; re-planning from %s",
                self._last_tick - now,
                now.strftime("%H:%M"),
            )
            self._schedule()
        self._last_tick = now
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
