"""What the control commands print: each reply of the daemon as the lines a person reads.

The renderers are pure (they are handed `now`), so tests check them without a daemon. This
module has no Typer in it: `show_status` serves both the Typer command and `cli.quick`, which
answers a plain `deskbreak status` without building the Typer app.
"""

from __future__ import annotations

from dataclasses import fields
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any, TypeVar

from deskbreak.cli.common import print_json
from deskbreak.errors import EXIT_OK, EXIT_STATE, NotRunningError
from deskbreak.planner.durations import format_duration

if TYPE_CHECKING:
    from collections.abc import Callable

    # Imported when a command runs: its frozen dataclasses cost every `deskbreak --help` ~20 ms.
    from deskbreak.daemon import protocol as p
    from deskbreak.paths import Paths

R = TypeVar("R", bound="p.Reply")


def show_status(paths: Paths, as_json: bool) -> int:
    """`deskbreak status`: ask the daemon, print its answer (or that it is not running)."""
    from deskbreak.daemon.protocol import StatusRequest

    try:
        reply = ask(paths, StatusRequest())
    except NotRunningError:
        if as_json:
            print_json(not_running_status())
        else:
            from deskbreak.daemon.control import NOT_RUNNING_HINT

            print(f"not running\nhint: {NOT_RUNNING_HINT}")
        return EXIT_STATE
    if as_json:
        print_json(reply.to_json())
    else:
        print(render_status(reply, now_here()))
    return EXIT_OK


def not_running_status() -> dict[str, Any]:
    """`status --json` without a daemon: a running daemon's keys, null where unknown."""
    from deskbreak.daemon.protocol import StatusReply

    return {**{field.name: None for field in fields(StatusReply)}, "running": False}


def ask(paths: Paths, request: p.Request[R]) -> R:
    """The daemon's typed reply to `request` (NotRunningError when no daemon answers)."""
    from deskbreak.daemon import control  # socket and json: only for commands that talk

    return control.ask(paths.socket, request)


def now_here() -> datetime:
    """The time now in the system's zone, which the renderers start from."""
    return datetime.now(UTC).astimezone()


# --- rendering: each reply as the line(s) a person reads ------------------------------------


def format_moment(moment: datetime | None, now: datetime) -> str | None:
    """An instant as local "HH:MM", with the day when it is not today."""
    if moment is None:
        return None
    local = moment.astimezone(now.tzinfo)
    day = local.date()
    if day == now.date():
        return f"{local:%H:%M}"
    if day == now.date() + timedelta(days=1):
        return f"tomorrow {local:%H:%M}"
    return f"{local:%Y-%m-%d %H:%M}"


def in_zone(now: datetime, zone_name: str) -> tuple[datetime, str]:
    """`now` in the configured zone the daemon plans in, and a note naming that zone when its
    clock differs from the one `now` came in (the system's), so "14:00" is never ambiguous."""
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError  # only once a reply is in: ~5 ms

    try:
        zone = ZoneInfo(zone_name)
    except (ZoneInfoNotFoundError, ValueError):
        return now, ""
    local = now.astimezone(zone)
    return local, "" if local.utcoffset() == now.utcoffset() else f" · times in {zone_name}"


def reminder_at(moment: datetime, now: datetime) -> str:
    """A reminder named by its time: "the 10:30 reminder", "tomorrow's 09:30 reminder"."""
    local = moment.astimezone(now.tzinfo)
    if local.date() == now.date() + timedelta(days=1):
        return f"tomorrow's {local:%H:%M} reminder"
    return f"the {format_moment(moment, now)} reminder"


def _next(next_reminder: datetime | None, now: datetime) -> str:
    when = format_moment(next_reminder, now)
    return f"next reminder {when}" if when else "no reminder scheduled"


def render_status(reply: p.StatusReply, now: datetime) -> str:
    """The `deskbreak status` text for a daemon's status reply."""
    now, zone_note = in_zone(now, reply.timezone)
    first = [f"running (pid {reply.pid})", _next(reply.next_reminder, now)]
    today = reply.today
    counts = [f"{today.sent} sent"]
    for answer in fields(today):
        count = getattr(today, answer.name)
        if answer.name != "sent" and count:
            counts.append(f"{count} {answer.name}")
    first.append("today: " + ", ".join(counts))
    lines = [" · ".join(first) + zone_note]
    if reply.paused:
        until = format_moment(reply.paused_until, now)
        lines.append(
            f"paused until {until}" if until else "paused until you run `deskbreak resume`"
        )
    snoozed = format_moment(reply.snoozed_until, now)
    if snoozed:
        lines.append(f"snoozed until {snoozed}")
    if reply.skipped_slot is not None:
        lines.append(
            f"skipping {reminder_at(reply.skipped_slot, now)}"
            " (`deskbreak skip --undo` brings it back)"
        )
    if reply.held is not None:
        lines.append(
            f"holding {reminder_at(reply.held.slot, now)} until it can be seen: {reply.held.reason}"
        )
    last = reply.last_reminder
    if last:
        at = format_moment(last.at, now)
        lines.append(f"last reminder {at}: {last.name} ({last.answer or 'no answer yet'})")
    return "\n".join(lines)


def render_pause(reply: p.PauseReply, now: datetime, length: timedelta | None = None) -> str:
    now, zone_note = in_zone(now, reply.timezone)
    until = format_moment(reply.paused_until, now)
    if until is None:
        return "paused until you run `deskbreak resume`"
    span = f" for {format_duration(length)}" if length else ""
    return f"paused{span} until {until} · {_next(reply.next_reminder, now)}{zone_note}"


def render_resume(reply: p.ResumeReply, now: datetime) -> str:
    now, zone_note = in_zone(now, reply.timezone)
    return f"resumed · {_next(reply.next_reminder, now)}{zone_note}"


def render_snooze(reply: p.SnoozeReply, now: datetime) -> str:
    now, zone_note = in_zone(now, reply.timezone)
    until = format_moment(reply.snoozed_until, now)
    what = f"snoozed {reminder_at(reply.answered, now)}" if reply.answered else "snoozed"
    if reply.gave_way:
        head = f"{what}; {until} is outside work hours (or paused), so no reminder then"
    else:
        head = f"{what} until {until}"
    return f"{head} · {_next(reply.next_reminder, now)}{zone_note}"


def render_skip(reply: p.SkipReply, now: datetime) -> str:
    now, zone_note = in_zone(now, reply.timezone)
    tail = f" · {_next(reply.next_reminder, now)}{zone_note}"
    if reply.skipped is None:
        return ("no skipped reminder to bring back" if reply.undone else "nothing to skip") + tail
    named = reminder_at(reply.skipped, now)
    if reply.undone:
        return f"{named[0].upper()}{named[1:]} is back{tail}"
    if reply.on_screen:
        return f"skipped {named} (it was on screen){tail}"
    return f"skipped {named}{tail}"


def render_done(reply: p.DoneReply, now: datetime) -> str:
    if reply.counted or reply.at is None:
        return f"nice, {reply.name} done"
    now, _ = in_zone(now, reply.timezone)
    return (
        f"{reminder_at(reply.at, now)} already counts as {reply.answer} (the first answer"
        " counts); your done is kept in the history"
    )


def render_now(reply: p.NowReply, now: datetime) -> str:
    return f"sent {reply.name} via {reply.backend}"


def render_reload(reply: p.ReloadReply, now: datetime) -> str:
    if not reply.file_exists:  # never "reloaded" for a file that is not there
        return (
            f"{reply.config_file} does not exist; the daemon runs on the defaults "
            "(create it: deskbreak config init)"
        )
    now, _ = in_zone(now, reply.timezone)
    line = f"reloaded {reply.config_file}"
    if reply.forgot_skip is not None:
        skipped = reminder_at(reply.forgot_skip, now)
        line += f"\nno longer skipping {skipped}: the new work hours have no such slot"
    return line


def render_stop(reply: p.StopReply, now: datetime) -> str:
    return "stopped"


def render_record_routine(reply: p.RecordRoutineReply, now: datetime) -> str:
    """A routine handed to the daemon: nothing to say if it is written, one calm line if not."""
    if not reply.waiting:
        return ""
    return (
        "the history is busy; the running deskbreak keeps this routine and writes it once "
        "the database is free"
    )


RENDERERS: dict[str, Callable[[Any, datetime], str]] = {
    "status": render_status,
    "pause": render_pause,
    "resume": render_resume,
    "snooze": render_snooze,
    "skip": render_skip,
    "done": render_done,
    "now": render_now,
    "reload": render_reload,
    "stop": render_stop,
    "record_routine": render_record_routine,
}
"""The text renderer of each command's reply (tests render real daemon replies through all)."""
