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
from deskbreak.daemon import protocol as p
from deskbreak.errors import EXIT_OK, EXIT_STATE, NotRunningError, UsageError
from deskbreak.planner.durations import format_duration, parse_clock, parse_duration

if TYPE_CHECKING:
    from collections.abc import Callable

R = TypeVar("R", bound=p.Reply)

NOT_RUNNING_STATUS: dict[str, Any] = {
    "running": False,
    "pid": None,
    "next_reminder": None,
    "paused_until": None,
    "snoozed_until": None,
    "today": None,
}


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


def _next(next_reminder: datetime | None, now: datetime) -> str:
    when = format_moment(next_reminder, now)
    return f"next reminder {when}" if when else "no reminder scheduled"


def render_status(reply: p.StatusReply, now: datetime) -> str:
    """The `deskbreak status` text for a daemon's status reply."""
    first = [f"running (pid {reply.pid})", _next(reply.next_reminder, now)]
    today = reply.today
    counts = [f"{today.sent} sent"]
    for answer in fields(today):
        count = getattr(today, answer.name)
        if answer.name != "sent" and count:
            counts.append(f"{count} {answer.name}")
    first.append("today: " + ", ".join(counts))
    lines = [" · ".join(first)]
    if reply.paused:
        until = format_moment(reply.paused_until, now)
        lines.append(
            f"paused until {until}" if until else "paused until you run `deskbreak resume`"
        )
    snoozed = format_moment(reply.snoozed_until, now)
    if snoozed:
        lines.append(f"snoozed until {snoozed}")
    last = reply.last_reminder
    if last:
        at = format_moment(last.at, now)
        lines.append(f"last reminder {at}: {last.name} ({last.answer or 'no answer yet'})")
    return "\n".join(lines)


def render_pause(reply: p.PauseReply, now: datetime, length: timedelta | None = None) -> str:
    until = format_moment(reply.paused_until, now)
    if until is None:
        return "paused until you run `deskbreak resume`"
    span = f" for {format_duration(length)}" if length else ""
    return f"paused{span} until {until} · {_next(reply.next_reminder, now)}"


def render_resume(reply: p.ResumeReply, now: datetime) -> str:
    return f"resumed · {_next(reply.next_reminder, now)}"


def render_snooze(reply: p.SnoozeReply, now: datetime) -> str:
    until = format_moment(reply.snoozed_until, now)
    return f"snoozed until {until} · {_next(reply.next_reminder, now)}"


def render_skip(reply: p.SkipReply, now: datetime) -> str:
    skipped = format_moment(reply.skipped, now)
    head = f"skipped the {skipped} reminder" if skipped else "nothing to skip"
    return f"{head} · {_next(reply.next_reminder, now)}"


def render_done(reply: p.DoneReply, now: datetime) -> str:
    return f"nice, {reply.name} done"


def render_now(reply: p.NowReply, now: datetime) -> str:
    return f"sent {reply.name} via {reply.backend}"


def render_reload(reply: p.ReloadReply, now: datetime) -> str:
    if not reply.file_exists:  # never "reloaded" for a file that is not there
        return (
            f"{reply.config_file} does not exist; the daemon runs on the defaults "
            "(create it: deskbreak config init)"
        )
    return f"reloaded {reply.config_file}"


def render_stop(reply: p.StopReply, now: datetime) -> str:
    return "stopped"


RENDERERS: dict[type[p.Request[Any]], Callable[[Any, datetime], str]] = {
    p.StatusRequest: render_status,
    p.PauseRequest: render_pause,
    p.ResumeRequest: render_resume,
    p.SnoozeRequest: render_snooze,
    p.SkipRequest: render_skip,
    p.DoneRequest: render_done,
    p.NowRequest: render_now,
    p.ReloadRequest: render_reload,
    p.StopRequest: render_stop,
}
"""The text renderer of each request's reply (tests render real daemon replies through all)."""


# --- commands ---------------------------------------------------------------------------------


@app.command()
def status(
    ctx: typer.Context,
    as_json: bool = typer.Option(False, "--json", help="Print the daemon's state as JSON."),
) -> int:
    """Show whether deskbreak runs, the next reminder and today's count.

    Example: deskbreak status --json
    """
    try:
        reply = _ask(ctx, p.StatusRequest())
    except NotRunningError:
        if as_json:
            print_json(NOT_RUNNING_STATUS)
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
    duration: str | None = typer.Argument(
        None, metavar="DURATION", help='How long, e.g. "1h" or "45m" (default: until resumed).'
    ),
    until: str | None = typer.Option(
        None, "--until", metavar="HH:MM", help="Pause until this time of day."
    ),
) -> int:
    """Stop reminders for a while, until a time, or until `deskbreak resume`.

    Example: deskbreak pause 1h  ·  deskbreak pause --until 14:00
    """
    request = p.PauseRequest()
    length = None
    if duration is not None and until is not None:
        raise UsageError("give either a DURATION or --until HH:MM, not both")
    if duration is not None:
        length = parse_duration(duration)
        request = p.PauseRequest(minutes=length.total_seconds() / 60)
    elif until is not None:
        request = p.PauseRequest(until=parse_clock(until))
    typer.echo(render_pause(_ask(ctx, request), _now(), length))
    return EXIT_OK


@app.command()
def resume(ctx: typer.Context) -> int:
    """Start reminding again after a pause.

    Example: deskbreak resume
    """
    typer.echo(render_resume(_ask(ctx, p.ResumeRequest()), _now()))
    return EXIT_OK


@app.command()
def snooze(
    ctx: typer.Context,
    duration: str | None = typer.Argument(
        None, metavar="DURATION", help='How long, e.g. "10m" (default: from the config).'
    ),
) -> int:
    """Put off the current reminder for a few minutes.

    Example: deskbreak snooze 10m
    """
    minutes = parse_duration(duration).total_seconds() / 60 if duration is not None else None
    request = p.SnoozeRequest(minutes=minutes)
    typer.echo(render_snooze(_ask(ctx, request), _now()))
    return EXIT_OK


@app.command()
def skip(ctx: typer.Context) -> int:
    """Drop the next reminder; the one after it comes as planned.

    Example: deskbreak skip
    """
    typer.echo(render_skip(_ask(ctx, p.SkipRequest()), _now()))
    return EXIT_OK


@app.command()
def done(ctx: typer.Context) -> int:
    """Mark the last reminder's move as done.

    Example: deskbreak done
    """
    typer.echo(render_done(_ask(ctx, p.DoneRequest()), _now()))
    return EXIT_OK


@app.command("now")
def now_command(ctx: typer.Context) -> int:
    """Send a reminder right now (handy to try the notifications).

    Example: deskbreak now
    """
    typer.echo(render_now(_ask(ctx, p.NowRequest()), _now()))
    return EXIT_OK


@app.command()
def reload(ctx: typer.Context) -> int:
    """Re-read the config file; a broken one is reported and the old one kept.

    Example: deskbreak reload
    """
    reply = _ask(ctx, p.ReloadRequest())
    for note in reply.notes:  # on stderr, as every command that reads the config says them
        typer.echo(f"deskbreak: note: {note}", err=True)
    typer.echo(render_reload(reply, _now()))
    return EXIT_OK


@app.command()
def stop(ctx: typer.Context) -> int:
    """Stop the running daemon (a systemd service may start it again at login).

    Example: deskbreak stop
    """
    typer.echo(render_stop(_ask(ctx, p.StopRequest()), _now()))
    return EXIT_OK
