"""Commands that talk to the running daemon over its control socket.

Each command sends one request with `control.ask()` and prints the reply. The rendering
functions are pure (they are handed `now`) so tests can check them without a daemon.
"""

from __future__ import annotations

from dataclasses import fields
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any, TypeVar

import typer

from deskbreak.cli import app
from deskbreak.cli.common import paths_from, print_json
from deskbreak.errors import EXIT_OK, EXIT_STATE, NotRunningError, UsageError
from deskbreak.limits import MAX_PAUSE, MAX_SNOOZE
from deskbreak.planner.durations import format_duration, parse_clock, parse_duration

if TYPE_CHECKING:
    from collections.abc import Callable

    # Each command imports the protocol when it runs: its ~20 frozen dataclasses cost every
    # `deskbreak --help` 20 ms otherwise.
    from deskbreak.daemon import protocol as p

R = TypeVar("R", bound="p.Reply")


def not_running_status() -> dict[str, Any]:
    """`status --json` without a daemon: a running daemon's keys, null where unknown."""
    from deskbreak.daemon.protocol import StatusReply

    return {**{field.name: None for field in fields(StatusReply)}, "running": False}


def _ask(ctx: typer.Context, request: p.Request[R]) -> R:
    from deskbreak.daemon import control  # socket and logging: only for commands that talk

    return control.ask(paths_from(ctx).socket, request)


def _now() -> datetime:
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
}
"""The text renderer of each command's reply (tests render real daemon replies through all)."""


# --- commands ---------------------------------------------------------------------------------


def _duration(help_text: str) -> Any:
    """The optional DURATION argument of pause and snooze."""
    return typer.Argument(None, metavar="DURATION", help=help_text)


@app.command()
def status(
    ctx: typer.Context,
    as_json: bool = typer.Option(False, "--json", help="Print the daemon's state as JSON."),
) -> int:
    """Show whether deskbreak runs, the next reminder and today's count.

    Example: deskbreak status --json
    """
    from deskbreak.daemon import protocol as p

    try:
        reply = _ask(ctx, p.StatusRequest())
    except NotRunningError:
        if as_json:
            print_json(not_running_status())
        else:
            from deskbreak.daemon.control import NOT_RUNNING_HINT

            typer.echo(f"not running\nhint: {NOT_RUNNING_HINT}")
        return EXIT_STATE
    if as_json:
        print_json(reply.to_json())
    else:
        typer.echo(render_status(reply, _now()))
    return EXIT_OK


@app.command()
def pause(
    ctx: typer.Context,
    duration: str | None = _duration('How long, e.g. "1h" or "45m" (default: until resumed).'),
    until: str | None = typer.Option(
        None, "--until", metavar="HH:MM", help="Pause until this time of day."
    ),
) -> int:
    """Stop reminders for a while, until a time, or until `deskbreak resume`.

    Example: deskbreak pause 1h  ·  deskbreak pause --until 14:00
    """
    from deskbreak.daemon import protocol as p

    request = p.PauseRequest()
    length = None
    if duration is not None and until is not None:
        raise UsageError("give either a DURATION or --until HH:MM, not both")
    if duration is not None:
        length = parse_duration(duration, "pause", MAX_PAUSE)
        request = p.PauseRequest(minutes=length.total_seconds() / 60)
    elif until is not None:
        request = p.PauseRequest(until=parse_clock(until))
    typer.echo(render_pause(_ask(ctx, request), _now(), length))
    return EXIT_OK


@app.command()
def snooze(
    ctx: typer.Context,
    duration: str | None = _duration('How long, e.g. "10m" (default: from the config).'),
) -> int:
    """Snooze the reminder on screen (it comes back with the same move), or else the next one.

    Example: deskbreak snooze 10m
    """
    from deskbreak.daemon import protocol as p

    length = parse_duration(duration, "snooze", MAX_SNOOZE) if duration is not None else None
    minutes = length.total_seconds() / 60 if length is not None else None
    request = p.SnoozeRequest(minutes=minutes)
    typer.echo(render_snooze(_ask(ctx, request), _now()))
    return EXIT_OK


@app.command()
def skip(
    ctx: typer.Context,
    undo: bool = typer.Option(False, "--undo", help="Bring back the skipped reminder."),
) -> int:
    """Skip the reminder on screen, or else the next one; the ones after come as planned.

    Example: deskbreak skip  ·  deskbreak skip --undo
    """
    from deskbreak.daemon import protocol as p

    typer.echo(render_skip(_ask(ctx, p.SkipRequest(undo=undo)), _now()))
    return EXIT_OK


@app.command()
def reload(ctx: typer.Context) -> int:
    """Re-read the config file; a broken one is reported and the old one kept.

    Example: deskbreak reload
    """
    from deskbreak.daemon import protocol as p

    reply = _ask(ctx, p.ReloadRequest())
    for note in reply.notes:  # on stderr, as every command that reads the config says them
        typer.echo(f"deskbreak: note: {note}", err=True)
    typer.echo(render_reload(reply, _now()))
    return EXIT_OK


def _plain_command(cmd: str, doc: str) -> Callable[[typer.Context], int]:
    """The command that sends the option-less request `cmd` and prints its reply."""

    def command(ctx: typer.Context) -> int:
        from deskbreak.daemon import protocol as p

        typer.echo(RENDERERS[cmd](_ask(ctx, p.REQUESTS[cmd]()), _now()))
        return EXIT_OK

    command.__doc__ = doc
    command.__name__ = f"{cmd}_command"
    return command


# (name, help): commands without options, one request each, declared once.
PLAIN_COMMANDS = (
    ("resume", "Start reminding again after a pause.\n\nExample: deskbreak resume"),
    (
        "done",
        "Mark the reminder on screen (or else the last one) done, and close it.\n\n"
        "Example: deskbreak done",
    ),
    (
        "now",
        "Send a reminder right now (handy to try the notifications).\n\nExample: deskbreak now",
    ),
    (
        "stop",
        "Stop the running daemon (a systemd service may start it again at login).\n\n"
        "Example: deskbreak stop",
    ),
)
for _name, _doc in PLAIN_COMMANDS:
    app.command(_name)(_plain_command(_name, _doc))
