"""Commands that talk to the running daemon over its control socket.

Each command sends one request with `control.ask()` and prints the reply. The rendering
functions are pure (they are handed `now`) so tests can check them without a daemon.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import typer

from deskbreak.cli import app
from deskbreak.cli.common import paths_from, print_json
from deskbreak.errors import EXIT_OK, EXIT_STATE, NotRunningError, UsageError
from deskbreak.planner.durations import format_duration, parse_clock, parse_duration

NOT_RUNNING_STATUS: dict[str, Any] = {
    "running": False,
    "pid": None,
    "next_reminder": None,
    "paused_until": None,
    "snoozed_until": None,
    "today": None,
}


def _ask(ctx: typer.Context, request: dict[str, Any]) -> dict[str, Any]:
    from deskbreak.daemon import control  # socket and logging: only for commands that talk

    return control.ask(paths_from(ctx).socket, request)


def _now() -> datetime:
    return datetime.now(UTC).astimezone()


# --- rendering --------------------------------------------------------------------------------


def format_moment(iso: str | None, now: datetime) -> str | None:
    """An ISO time from the daemon as local "HH:MM", with the day when it is not today."""
    if iso is None:
        return None
    moment = datetime.fromisoformat(iso)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    local = moment.astimezone(now.tzinfo)
    day = local.date()
    if day == now.date():
        return f"{local:%H:%M}"
    if day == now.date() + timedelta(days=1):
        return f"tomorrow {local:%H:%M}"
    return f"{local:%Y-%m-%d %H:%M}"


def _next(reply: dict[str, Any], now: datetime) -> str:
    when = format_moment(reply.get("next_reminder"), now)
    return f"next reminder {when}" if when else "no reminder scheduled"


def render_status(reply: dict[str, Any], now: datetime) -> str:
    """The `deskbreak status` text for a daemon's status reply."""
    first = [f"running (pid {reply.get('pid')})", _next(reply, now)]
    today = reply.get("today")
    if today:
        counts = [f"{today.get('sent', 0)} sent"]
        counts += [
            f"{today[key]} {key}"
            for key in ("done", "snoozed", "skipped", "ignored")
            if today.get(key)
        ]
        first.append("today: " + ", ".join(counts))
    lines = [" · ".join(first)]
    if reply.get("paused"):
        until = format_moment(reply.get("paused_until"), now)
        lines.append(
            f"paused until {until}" if until else "paused until you run `deskbreak resume`"
        )
    snoozed = format_moment(reply.get("snoozed_until"), now)
    if snoozed:
        lines.append(f"snoozed until {snoozed}")
    last = reply.get("last_reminder")
    if last:
        at = format_moment(last.get("at"), now)
        answer = last.get("answer") or "no answer yet"
        lines.append(f"last reminder {at}: {last.get('name') or last.get('move')} ({answer})")
    return "\n".join(lines)


def render_pause(reply: dict[str, Any], now: datetime, length: timedelta | None = None) -> str:
    until = format_moment(reply.get("paused_until"), now)
    if until is None:
        return "paused until you run `deskbreak resume`"
    span = f" for {format_duration(length)}" if length else ""
    return f"paused{span} until {until} · {_next(reply, now)}"


def render_resume(reply: dict[str, Any], now: datetime) -> str:
    return f"resumed · {_next(reply, now)}"


def render_snooze(reply: dict[str, Any], now: datetime) -> str:
    return f"snoozed until {format_moment(reply.get('snoozed_until'), now)} · {_next(reply, now)}"


def render_skip(reply: dict[str, Any], now: datetime) -> str:
    skipped = format_moment(reply.get("skipped"), now)
    head = f"skipped the {skipped} reminder" if skipped else "nothing to skip"
    return f"{head} · {_next(reply, now)}"


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
        reply = _ask(ctx, {"cmd": "status"})
    except NotRunningError:
        if as_json:
            print_json(NOT_RUNNING_STATUS)
        else:
            from deskbreak.daemon.control import NOT_RUNNING_HINT

            typer.echo(f"not running\nhint: {NOT_RUNNING_HINT}")
        return EXIT_STATE
    if as_json:
        print_json({key: value for key, value in reply.items() if key != "ok"})
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
    request: dict[str, Any] = {"cmd": "pause"}
    length = None
    if duration is not None and until is not None:
        raise UsageError("give either a DURATION or --until HH:MM, not both")
    if duration is not None:
        length = parse_duration(duration)
        request["minutes"] = length.total_seconds() / 60
    elif until is not None:
        request["until"] = f"{parse_clock(until):%H:%M}"
    typer.echo(render_pause(_ask(ctx, request), _now(), length))
    return EXIT_OK


@app.command()
def resume(ctx: typer.Context) -> int:
    """Start reminding again after a pause.

    Example: deskbreak resume
    """
    typer.echo(render_resume(_ask(ctx, {"cmd": "resume"}), _now()))
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
    request: dict[str, Any] = {"cmd": "snooze"}
    if duration is not None:
        request["minutes"] = parse_duration(duration).total_seconds() / 60
    typer.echo(render_snooze(_ask(ctx, request), _now()))
    return EXIT_OK


@app.command()
def skip(ctx: typer.Context) -> int:
    """Drop the next reminder; the one after it comes as planned.

    Example: deskbreak skip
    """
    typer.echo(render_skip(_ask(ctx, {"cmd": "skip"}), _now()))
    return EXIT_OK


@app.command()
def done(ctx: typer.Context) -> int:
    """Mark the last reminder's move as done.

    Example: deskbreak done
    """
    reply = _ask(ctx, {"cmd": "done"})
    typer.echo(f"nice, {reply.get('name') or reply.get('move')} done")
    return EXIT_OK


@app.command("now")
def now_command(ctx: typer.Context) -> int:
    """Send a reminder right now (handy to try the notifications).

    Example: deskbreak now
    """
    reply = _ask(ctx, {"cmd": "now"})
    typer.echo(f"sent {reply.get('name') or reply.get('move')} via {reply.get('backend')}")
    return EXIT_OK


@app.command()
def reload(ctx: typer.Context) -> int:
    """Re-read the config file; a broken one is reported and the old one kept.

    Example: deskbreak reload
    """
    reply = _ask(ctx, {"cmd": "reload"})
    typer.echo(f"reloaded {reply.get('config_file')}")
    return EXIT_OK


@app.command()
def stop(ctx: typer.Context) -> int:
    """Stop the running daemon (a systemd service may start it again at login).

    Example: deskbreak stop
    """
    _ask(ctx, {"cmd": "stop"})
    typer.echo("stopped")
    return EXIT_OK
