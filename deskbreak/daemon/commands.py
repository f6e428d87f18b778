"""What the running daemon does for each control request (one JSON object in, one out).

The CLI commands status, pause, resume, snooze, skip, done, now, reload and stop are thin
clients of these. Every reply has "ok"; failures carry an "error" sentence for the user.
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import Awaitable, Callable
from datetime import datetime, time, timedelta
from typing import TYPE_CHECKING, Any

from deskbreak.daemon.protocol import iso
from deskbreak.errors import ConfigError
from deskbreak.planner import schedule

if TYPE_CHECKING:
    from deskbreak.daemon.core import Daemon

log = logging.getLogger("deskbreak.daemon.core")
Reply = dict[str, Any]

# Longest pause or snooze a request may ask for; longer is almost surely a typo.
MAX_MINUTES = 60 * 24 * 31


def _error(message: str) -> Reply:
    return {"ok": False, "error": message}


def _minutes(request: Reply) -> float | None:
    value = request.get("minutes")
    if value is None:
        return None
    if (
        isinstance(value, bool)
        or not isinstance(value, int | float)
        or not 0 < value <= MAX_MINUTES
    ):
        raise ValueError(f"minutes must be a number from 0 to {MAX_MINUTES}, got {value!r}")
    return float(value)


def _until_clock(daemon: Daemon, text: Any, now: datetime) -> datetime:
    """The next local occurrence of "HH:MM" (today if still ahead, else tomorrow)."""
    if not isinstance(text, str):
        raise ValueError(f'until must be "HH:MM", got {text!r}')
    try:
        clock = time.fromisoformat(text)
    except ValueError:
        raise ValueError(f'until must be "HH:MM" in 24-hour time, got {text!r}') from None
    zone = daemon.config.schedule.timezone
    moment = datetime.combine(now.date(), clock, tzinfo=zone)
    return (
        moment
        if moment > now
        else datetime.combine(now.date() + timedelta(days=1), clock, tzinfo=zone)
    )


def status(daemon: Daemon, request: Reply) -> Reply:
    now = daemon.now()
    start = now.replace(hour=0, minute=0, second=0, microsecond=0)
    counts = daemon.history.day_counts(start, start + timedelta(days=1))
    plan = daemon.plan
    last = None
    if daemon.last_reminder_id is not None and daemon.last_move_id is not None:
        move = daemon.config.library.moves.get(daemon.last_move_id)
        last = {
            "id": daemon.last_reminder_id,
            "move": daemon.last_move_id,
            "name": move.name if move else daemon.last_move_id,
            "at": iso(daemon.last_reminder_at),
            "answer": daemon.last_answer,
        }
    return {
        "ok": True,
        "running": True,
        "pid": os.getpid(),
        "config_file": str(daemon.paths.config_file),
        "config_found": daemon.config.source is not None,
        "backend": daemon.notifiers[0].name if daemon.notifiers else None,
        "timezone": str(daemon.config.schedule.timezone),
        "next_reminder": iso(daemon.next_reminder()),
        "paused": schedule.is_paused(plan, now),
        "paused_until": iso(
            plan.paused_until if plan.paused_until and plan.paused_until > now else None
        ),
        "snoozed_until": iso(
            plan.snoozed_until if plan.snoozed_until and plan.snoozed_until > now else None
        ),
        "last_reminder": last,
        "today": {
            "sent": counts.sent,
            "done": counts.done,
            "snoozed": counts.snoozed,
            "skipped": counts.skipped,
            "ignored": counts.ignored,
        },
    }


def pause(daemon: Daemon, request: Reply) -> Reply:
    now = daemon.now()
    minutes = _minutes(request)
    if minutes is not None and request.get("until") is not None:
        raise ValueError("give either minutes or until, not both")
    if minutes is not None:
        until: datetime | None = now + timedelta(minutes=minutes)
    elif request.get("until") is not None:
        until = _until_clock(daemon, request["until"], now)
    else:
        until = None
    daemon.set_plan(schedule.pause(daemon.plan, until))
    daemon.history.record_event("pause", now, iso(until) or "until resumed")
    log.info("paused %s", f"until {until:%H:%M}" if until else "until resumed")
    return {"ok": True, "paused_until": iso(until), "next_reminder": iso(daemon.next_reminder())}


def resume(daemon: Daemon, request: Reply) -> Reply:
    now = daemon.now()
    daemon.set_plan(schedule.resume(daemon.plan))
    daemon.history.record_event("resume", now, None)
    log.info("resumed; next reminder: %s", daemon.describe_next())
    return {"ok": True, "next_reminder": iso(daemon.next_reminder())}


def snooze(daemon: Daemon, request: Reply) -> Reply:
    now = daemon.now()
    minutes = _minutes(request)
    by = timedelta(minutes=minutes) if minutes is not None else daemon.config.schedule.snooze
    daemon.set_plan(schedule.snooze(daemon.plan, now, by))
    daemon.history.record_event("snooze", now, iso(now + by))
    # A snooze answers the reminder on screen, unless the user already did (an expired
    # notification counts as ignored, and a real answer replaces that).
    if daemon.last_reminder_id is not None and daemon.last_answer in (None, "ignored"):
        daemon.history.record_answer(daemon.last_reminder_id, "snoozed", now)
        daemon.last_answer = "snoozed"
    log.info("snoozed until %s", f"{now + by:%H:%M}")
    return {
        "ok": True,
        "snoozed_until": iso(now + by),
        "next_reminder": iso(daemon.next_reminder()),
    }


def skip(daemon: Daemon, request: Reply) -> Reply:
    now = daemon.now()
    plan, dropped = schedule.skip_next(daemon.config.schedule, daemon.plan, now)
    daemon.set_plan(plan)
    daemon.history.record_event("skip", now, iso(dropped))
    log.info("skipped the %s reminder", f"{dropped:%H:%M}" if dropped else "next (none ahead)")
    return {"ok": True, "skipped": iso(dropped), "next_reminder": iso(daemon.next_reminder())}


def done(daemon: Daemon, request: Reply) -> Reply:
    if daemon.last_reminder_id is None or daemon.last_move_id is None:
        return _error("no reminder has been sent yet; try `deskbreak now` for one")
    now = daemon.now()
    daemon.history.record_answer(daemon.last_reminder_id, "done", now)
    daemon.last_answer = "done"
    move = daemon.config.library.moves.get(daemon.last_move_id)
    log.info("answer to reminder #%d: done (from the command line)", daemon.last_reminder_id)
    return {
        "ok": True,
        "move": daemon.last_move_id,
        "name": move.name if move else daemon.last_move_id,
    }


async def now_(daemon: Daemon, request: Reply) -> Reply:
    move, backend = await daemon.send_reminder(daemon.now())
    daemon.save_state()
    return {"ok": True, "move": move.id, "name": move.name, "backend": backend}


def reload(daemon: Daemon, request: Reply) -> Reply:
    try:
        daemon.reload()
    except ConfigError as err:
        log.error("config not reloaded, keeping the running one: %s", err)
        return _error(f"{err} (the running config is unchanged)")
    return {
        "ok": True,
        "config_file": str(daemon.paths.config_file),
        "next_reminder": iso(daemon.next_reminder()),
    }


def stop(daemon: Daemon, request: Reply) -> Reply:
    # Reply first, then stop: the client should hear "ok" before the socket goes away.
    asyncio.get_running_loop().call_later(0.05, daemon.request_stop)
    return {"ok": True}


Command = Callable[["Daemon", Reply], Reply | Awaitable[Reply]]
COMMANDS: dict[str, Command] = {
    "status": status,
    "pause": pause,
    "resume": resume,
    "snooze": snooze,
    "skip": skip,
    "done": done,
    "now": now_,
    "reload": reload,
    "stop": stop,
}


async def handle_request(daemon: Daemon, request: Reply) -> Reply:
    name = request.get("cmd")
    command = COMMANDS.get(name) if isinstance(name, str) else None
    if command is None:
        return _error(f"unknown command {name!r}; known: {', '.join(COMMANDS)}")
    try:
        reply = command(daemon, request)
        if asyncio.iscoroutine(reply):
            reply = await reply
    except ValueError as err:
        return _error(str(err))
    assert isinstance(reply, dict)
    return reply
