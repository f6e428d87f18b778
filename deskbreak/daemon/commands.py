"""What the running daemon does for each control request (one JSON object in, one out).

The CLI commands status, pause, resume, snooze, skip, done, now, reload and stop are thin
clients of these. Requests and replies are the typed values of `protocol`; a refusal is a
DeskbreakError, which the control server sends as `{"ok": false, "error": ...}`.
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import Awaitable, Callable
from datetime import datetime, time, timedelta
from typing import TYPE_CHECKING, Any

from deskbreak.daemon import protocol as p
from deskbreak.daemon.protocol import iso
from deskbreak.errors import ConfigError, DeskbreakError
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
    plan = daemon.plan
    last = None
    if daemon.last_reminder_id is not None and daemon.last_move_id is not None:
        move = daemon.config.library.moves.get(daemon.last_move_id)
        last = p.LastReminder(
            id=daemon.last_reminder_id,
            move=daemon.last_move_id,
            name=move.name if move else daemon.last_move_id,
            at=daemon.last_reminder_at,
            answer=daemon.last_answer,
        )
    return p.StatusReply(
        running=True,
        pid=os.getpid(),
        config_file=str(daemon.paths.config_file),
        config_found=daemon.config.source is not None,
        backend=daemon.notifiers[0].name if daemon.notifiers else None,
        timezone=str(daemon.config.schedule.timezone),
        next_reminder=daemon.next_reminder(),
        paused=schedule.is_paused(plan, now),
        paused_until=plan.paused_until if plan.paused_until and plan.paused_until > now else None,
        snoozed_until=(
            plan.snoozed_until if plan.snoozed_until and plan.snoozed_until > now else None
        ),
        last_reminder=last,
        today=p.TodayCounts(
            sent=counts.sent,
            done=counts.done,
            snoozed=counts.snoozed,
            skipped=counts.skipped,
            ignored=counts.ignored,
        ),
    )


def pause(daemon: Daemon, request: p.PauseRequest) -> p.PauseReply:
    now = daemon.now()
    if request.minutes is not None:
        until: datetime | None = now + timedelta(minutes=request.minutes)
    elif request.until is not None:
        until = _until_clock(daemon, request.until, now)
    else:
        until = None
    daemon.set_plan(schedule.pause(daemon.plan, until))
    daemon.history.record_event("pause", now, iso(until) or "until resumed")
    log.info("paused %s", f"until {until:%H:%M}" if until else "until resumed")
    return p.PauseReply(paused_until=until, next_reminder=daemon.next_reminder())


def resume(daemon: Daemon, request: p.ResumeRequest) -> p.ResumeReply:
    now = daemon.now()
    daemon.set_plan(schedule.resume(daemon.plan))
    daemon.history.record_event("resume", now, None)
    log.info("resumed; next reminder: %s", daemon.describe_next())
    return p.ResumeReply(next_reminder=daemon.next_reminder())


def snooze(daemon: Daemon, request: p.SnoozeRequest) -> p.SnoozeReply:
    now = daemon.now()
    minutes = request.minutes
    by = timedelta(minutes=minutes) if minutes is not None else daemon.config.schedule.snooze
    daemon.set_plan(schedule.snooze(daemon.plan, now, by))
    daemon.history.record_event("snooze", now, iso(now + by))
    # A snooze answers the reminder on screen, unless the user already did (an expired
    # notification counts as ignored, and a real answer replaces that).
    if daemon.last_reminder_id is not None and daemon.last_answer in (None, "ignored"):
        daemon.history.record_answer(daemon.last_reminder_id, "snoozed", now)
        daemon.last_answer = "snoozed"
    log.info("snoozed until %s", f"{now + by:%H:%M}")
    return p.SnoozeReply(snoozed_until=now + by, next_reminder=daemon.next_reminder())


def skip(daemon: Daemon, request: p.SkipRequest) -> p.SkipReply:
    now = daemon.now()
    plan, dropped = schedule.skip_next(daemon.config.schedule, daemon.plan, now)
    daemon.set_plan(plan)
    daemon.history.record_event("skip", now, iso(dropped))
    log.info("skipped the %s reminder", f"{dropped:%H:%M}" if dropped else "next (none ahead)")
    return p.SkipReply(skipped=dropped, next_reminder=daemon.next_reminder())


def done(daemon: Daemon, request: p.DoneRequest) -> p.DoneReply:
    if daemon.last_reminder_id is None or daemon.last_move_id is None:
        raise DeskbreakError("no reminder has been sent yet; try `deskbreak now` for one")
    now = daemon.now()
    daemon.history.record_answer(daemon.last_reminder_id, "done", now)
    daemon.last_answer = "done"
    move = daemon.config.library.moves.get(daemon.last_move_id)
    log.info("answer to reminder #%d: done (from the command line)", daemon.last_reminder_id)
    return p.DoneReply(move=daemon.last_move_id, name=move.name if move else daemon.last_move_id)


async def now_(daemon: Daemon, request: p.NowRequest) -> p.NowReply:
    move, backend = await daemon.send_reminder(daemon.now())
    daemon.save_state()
    return p.NowReply(move=move.id, name=move.name, backend=backend)


def reload(daemon: Daemon, request: p.ReloadRequest) -> p.ReloadReply:
    try:
        config = daemon.reload()
    except ConfigError as err:
        log.error("config not reloaded, keeping the running one: %s", err)
        raise DeskbreakError(f"{err} (the running config is unchanged)") from None
    return p.ReloadReply(
        config_file=str(daemon.paths.config_file),
        next_reminder=daemon.next_reminder(),
        file_exists=config.source is not None,
        notes=config.notes,
    )


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
}


async def handle_request(daemon: Daemon, message: dict[str, Any]) -> dict[str, Any]:
    """Answer one decoded JSON request; a bad request gets an error reply with a sentence."""
    try:
        request = p.decode_request(message)
    except ValueError as err:
        name = message.get("cmd")
        where = f"{name}: " if isinstance(name, str) and name in p.REQUESTS else ""
        return p.error_reply(f"{where}{err}")
    reply = COMMANDS[type(request)](daemon, request)
    if asyncio.iscoroutine(reply):
        reply = await reply
    assert isinstance(reply, p.Reply)
    return reply.to_json()
