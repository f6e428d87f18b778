"""What the running daemon does for each control request (one JSON object in, one out).

The CLI commands status, pause, resume, snooze, skip, done, now, reload and stop are thin
clients of these; prerun, postrun and routine hand a run over here when the history is
locked. Requests and replies are the typed values of `protocol`; a refusal is a DeskbreakError,
which the control server sends as `{"ok": false, "error": ...}`.
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import Awaitable, Callable
from datetime import datetime, time, timedelta
from typing import TYPE_CHECKING, Any, TypedDict

from deskbreak.daemon import protocol as p
from deskbreak.daemon.protocol import iso
from deskbreak.errors import EXIT_USAGE, ConfigError, DeskbreakError
from deskbreak.planner import schedule

if TYPE_CHECKING:
    from deskbreak.daemon.core import Daemon

log = logging.getLogger("deskbreak.daemon.core")


def _until_clock(daemon: Daemon, clock: time, now: datetime) -> datetime:
    """The next local occurrence of `clock` (today if still ahead, else tomorrow)."""
    zone = daemon.config.schedule.timezone
    moment = datetime.combine(now.date(), clock, tzinfo=zone)
    return (
        moment
        if moment > now
        else datetime.combine(now.date() + timedelta(days=1), clock, tzinfo=zone)
    )


def status(daemon: Daemon, request: p.StatusRequest) -> p.StatusReply:
    now = daemon.now()
    start = now.replace(hour=0, minute=0, second=0, microsecond=0)
    counts = daemon.history.day_counts(start, start + timedelta(days=1))
    plan, cfg = daemon.plan, daemon.config.schedule
    last = None
    if daemon.reminders.last_id is not None and daemon.reminders.last_move_id is not None:
        last = p.LastReminder(
            id=daemon.reminders.last_id,
            move=daemon.reminders.last_move_id,
            name=_move_name(daemon, daemon.reminders.last_move_id),
            at=daemon.reminders.last_at,
            answer=daemon.reminders.last_answer,
        )
    return p.StatusReply(
        running=True,
        pid=os.getpid(),
        config_file=str(daemon.paths.config_file),
        config_found=daemon.config.source is not None,
        backend=daemon.notifiers[0].name if daemon.notifiers else None,
        timezone=str(cfg.timezone),
        next_reminder=daemon.next_reminder(),
        paused=schedule.is_paused(plan, now),
        paused_until=plan.paused_until if schedule.is_paused(plan, now) else None,
        snoozed_until=schedule.pending_snooze(cfg, plan, now),
        skipped_slot=schedule.pending_skip(cfg, plan, now),
        last_reminder=last,
        today=p.TodayCounts(
            sent=counts.sent,
            done=counts.done,
            snoozed=counts.snoozed,
            skipped=counts.skipped,
            ignored=counts.ignored,
        ),
        presence=_presence(daemon),
        held=_held(daemon),
    )


def _presence(daemon: Daemon) -> p.Presence:
    state = daemon.presence.monitor.state
    idle = daemon.presence.monitor.idle_now()
    return p.Presence(
        idle_seconds=None if idle is None else round(idle),
        locked=state.is_locked,
        dnd=state.dnd,
        fullscreen=state.fullscreen,
        sources=tuple(
            p.PresenceSource(s.kind, s.name, s.used, s.detail)
            for s in daemon.presence.monitor.sources()
        ),
    )


def _held(daemon: Daemon) -> p.HeldReminder | None:
    held = daemon.presence.describe_held()
    return None if held is None else p.HeldReminder(slot=held[0], reason=held[1])


def _move_name(daemon: Daemon, move_id: str) -> str:
    move = daemon.config.library.moves.get(move_id)
    return move.name if move else move_id


def _zone(daemon: Daemon) -> str:
    return str(daemon.config.schedule.timezone)


class _Ahead(TypedDict):
    """What every reply to a change of plan ends with: the next reminder now, and the zone
    the client shows times in."""

    next_reminder: datetime | None
    timezone: str


def _ahead(daemon: Daemon) -> _Ahead:
    return {"next_reminder": daemon.next_reminder(), "timezone": _zone(daemon)}


def pause(daemon: Daemon, request: p.PauseRequest) -> p.PauseReply:
    now = daemon.now()
    if request.minutes is not None:
        plan = schedule.pause_for(daemon.plan, now, timedelta(minutes=request.minutes))
    elif request.until is not None:
        plan = schedule.pause(daemon.plan, _until_clock(daemon, request.until, now))
    else:
        plan = schedule.pause(daemon.plan, None)
    daemon.set_plan(plan)
    until = plan.paused_until and plan.paused_until.astimezone(daemon.config.schedule.timezone)
    daemon.events.note(
        "pause",
        now,
        iso(until) or "until resumed",
        f"paused {f'until {until:%H:%M}' if until else 'until resumed'}",
    )
    return p.PauseReply(paused_until=until, **_ahead(daemon))


def resume(daemon: Daemon, request: p.ResumeRequest) -> p.ResumeReply:
    now = daemon.now()
    daemon.set_plan(schedule.resume(daemon.plan))
    daemon.events.note("resume", now, None, f"resumed; next reminder: {daemon.describe_next()}")
    return p.ResumeReply(**_ahead(daemon))


async def snooze(daemon: Daemon, request: p.SnoozeRequest) -> p.SnoozeReply:
    """Snooze the reminder on screen (it comes back with its move), or else put off the next."""
    now = daemon.now()
    minutes = request.minutes
    by = timedelta(minutes=minutes) if minutes is not None else daemon.config.schedule.snooze
    open_id, answered = daemon.reminders.open_id(), None
    if open_id is not None:
        answered = daemon.reminders.last_at
        await daemon.answer(open_id, "snoozed", withdraw=True, snooze_by=by)
    else:
        daemon.set_plan(schedule.snooze(daemon.plan, now, by))
    cfg, plan = daemon.config.schedule, daemon.plan
    until = (plan.snoozed_until or now + by).astimezone(cfg.timezone)
    gave_way = schedule.pending_snooze(cfg, plan, now) is None
    # answer() already logged the snooze of a reminder on screen
    daemon.events.note(
        "snooze",
        now,
        iso(until),
        None
        if open_id is not None
        else f"snoozed until {until:%H:%M}{'; it gives way' if gave_way else ''}",
    )
    return p.SnoozeReply(
        snoozed_until=until, gave_way=gave_way, answered=answered, **_ahead(daemon)
    )


async def skip(daemon: Daemon, request: p.SkipRequest) -> p.SkipReply:
    """Skip the reminder on screen, or else drop the next one (one named slot)."""
    now = daemon.now()
    if request.undo:
        back = schedule.pending_skip(daemon.config.schedule, daemon.plan, now)
        daemon.set_plan(schedule.unskip(daemon.plan))
        if back is not None:
            daemon.events.note(
                "unskip", now, iso(back), f"the skipped {back:%H:%M} reminder is back"
            )
        return _skip_reply(daemon, back, on_screen=False, undone=True)
    open_id = daemon.reminders.open_id()
    if open_id is not None:
        at = daemon.reminders.last_at
        await daemon.answer(open_id, "skipped", withdraw=True)
        return _skip_reply(daemon, at, on_screen=True, undone=False)
    plan, dropped = schedule.skip_next(daemon.config.schedule, daemon.plan, now)
    daemon.set_plan(plan)
    daemon.events.note(
        "skip",
        now,
        iso(dropped),
        f"skipped the {f'{dropped:%H:%M}' if dropped else 'next (none ahead)'} reminder",
    )
    return _skip_reply(daemon, dropped, on_screen=False, undone=False)


def _skip_reply(
    daemon: Daemon, skipped: datetime | None, on_screen: bool, undone: bool
) -> p.SkipReply:
    return p.SkipReply(skipped=skipped, on_screen=on_screen, undone=undone, **_ahead(daemon))


async def done(daemon: Daemon, request: p.DoneRequest) -> p.DoneReply:
    """Mark the reminder on screen, or else the last one, done (and close its notification)."""
    reminder_id, move_id = daemon.reminders.last_id, daemon.reminders.last_move_id
    if reminder_id is None or move_id is None:
        raise DeskbreakError("no reminder has been sent yet; try `deskbreak now` for one")
    counted = await daemon.answer(reminder_id, "done", withdraw=True)
    log.info("answer to reminder #%d: done (from the command line)", reminder_id)
    return p.DoneReply(
        move=move_id,
        name=_move_name(daemon, move_id),
        at=daemon.reminders.last_at,
        counted=counted,
        answer=daemon.history.reminder_answer(reminder_id),
        timezone=_zone(daemon),
    )


async def now_(daemon: Daemon, request: p.NowRequest) -> p.NowReply:
    move, backend = await daemon.reminders.send(daemon.now().replace(microsecond=0))
    daemon.save_state()
    return p.NowReply(move=move.id, name=move.name, backend=backend)


def reload(daemon: Daemon, request: p.ReloadRequest) -> p.ReloadReply:
    skipped = schedule.pending_skip(daemon.config.schedule, daemon.plan, daemon.now())
    try:
        config = daemon.reload()
    except ConfigError as err:
        log.error("config not reloaded, keeping the running one: %s", err)
        raise DeskbreakError(f"{err} (the running config is unchanged)") from None
    forgot = skipped if skipped is not None and daemon.plan.skipped_slot is None else None
    return p.ReloadReply(
        config_file=str(daemon.paths.config_file),
        file_exists=config.source is not None,
        notes=config.notes,
        forgot_skip=forgot,
        **_ahead(daemon),
    )


def record_routine(daemon: Daemon, request: p.RecordRoutineRequest) -> p.RecordRoutineReply:
    """A routine run the CLI could not write (the history was locked): the queued history
    writes it now, or keeps it in the spill journal until the database takes it."""
    daemon.history.record_routine(
        request.name,
        request.started,
        request.ended,
        request.completed,
        request.steps_done,
        request.steps_total,
    )
    waiting = daemon.history.pending > 0
    log.info(
        "routine %s (%d of %d steps) handed over by the command line; %s",
        request.name,
        request.steps_done,
        request.steps_total,
        "it waits for the history" if waiting else "written to the history",
    )
    return p.RecordRoutineReply(waiting=waiting)


def stop(daemon: Daemon, request: p.StopRequest) -> p.StopReply:
    # Reply first, then stop: the client should hear "ok" before the socket goes away.
    asyncio.get_running_loop().call_later(0.05, daemon.request_stop)
    return p.StopReply()


# Each command takes its own request type; the table is keyed by it, so they always match.
Command = Callable[["Daemon", Any], p.Reply | Awaitable[p.Reply]]
COMMANDS: dict[type[p.Request[Any]], Command] = {
    p.StatusRequest: status,
    p.PauseRequest: pause,
    p.ResumeRequest: resume,
    p.SnoozeRequest: snooze,
    p.SkipRequest: skip,
    p.DoneRequest: done,
    p.NowRequest: now_,
    p.ReloadRequest: reload,
    p.StopRequest: stop,
    p.RecordRoutineRequest: record_routine,
}


async def handle_request(daemon: Daemon, message: dict[str, Any]) -> dict[str, Any]:
    """Answer one decoded JSON request; a bad request gets an error reply with a sentence."""
    try:
        request = p.decode_request(message)
    except ValueError as err:
        name = message.get("cmd")
        where = f"{name}: " if isinstance(name, str) and name in p.REQUESTS else ""
        return p.error_reply(f"{where}{err}", EXIT_USAGE)  # a usage error, as the CLI's
    reply = COMMANDS[type(request)](daemon, request)
    if asyncio.iscoroutine(reply):
        reply = await reply
    assert isinstance(reply, p.Reply)
    return reply.to_json()
