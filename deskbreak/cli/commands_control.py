"""Commands that talk to the running daemon over its control socket.

Each command sends one request and prints the reply with a renderer of `control_view`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import typer

from deskbreak.cli.app import app
from deskbreak.cli.common import paths_from
from deskbreak.cli.control_view import (
    RENDERERS,
    R,
    ask,
    now_here,
    render_pause,
    render_reload,
    render_skip,
    render_snooze,
    show_status,
)
from deskbreak.errors import EXIT_OK, UsageError
from deskbreak.limits import MAX_PAUSE, MAX_SNOOZE
from deskbreak.planner.durations import parse_clock, parse_duration

if TYPE_CHECKING:
    # Each command imports the protocol when it runs: its ~20 frozen dataclasses cost every
    # `deskbreak --help` 20 ms otherwise.
    from deskbreak.daemon import protocol as p


def _ask(ctx: typer.Context, request: p.Request[R]) -> R:
    return ask(paths_from(ctx), request)


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
    return show_status(paths_from(ctx), as_json)


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
    typer.echo(render_pause(_ask(ctx, request), now_here(), length))
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
    typer.echo(render_snooze(_ask(ctx, request), now_here()))
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

    typer.echo(render_skip(_ask(ctx, p.SkipRequest(undo=undo)), now_here()))
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
    typer.echo(render_reload(reply, now_here()))
    return EXIT_OK


def _plain_command(cmd: str, doc: str) -> Callable[[typer.Context], int]:
    """The command that sends the option-less request `cmd` and prints its reply."""

    def command(ctx: typer.Context) -> int:
        from deskbreak.daemon import protocol as p

        typer.echo(RENDERERS[cmd](_ask(ctx, p.REQUESTS[cmd]()), now_here()))
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
