"""`deskbreak start` (the daemon in the foreground) and `deskbreak schedule` (the plan)."""

from __future__ import annotations

import typer

from deskbreak.cli.app import app
from deskbreak.cli.common import paths_from
from deskbreak.cli.schedule_view import show_schedule


@app.command("start")
def start(
    ctx: typer.Context,
    verbose: bool = typer.Option(False, "--verbose", "-v", help="Log debugging detail."),
) -> None:
    """Run the reminder daemon in the foreground (Ctrl-C stops it).  Example: deskbreak start"""
    # `deskbreak [-c FILE] start [-v]` never gets here (cli.quick runs the daemon without
    # Typer); other spellings of it, such as `-cFILE`, do.
    from deskbreak.daemon.start import run_daemon

    root = ctx.find_root()
    run_daemon(root.params.get("config") if root.params else None, verbose)


@app.command("schedule")
def schedule_command(
    ctx: typer.Context,
    on: str | None = typer.Option(
        None, "--date", "-d", help="First day, YYYY-MM-DD (default: today).", show_default=False
    ),
    days: int = typer.Option(1, "--days", "-n", help="How many days to show (1 to 366)."),
    as_json: bool = typer.Option(False, "--json", help="Print a JSON list of reminders."),
) -> int:
    """Print the reminders some days would bring, without a daemon.

    Example: deskbreak schedule --date 2026-11-23 --days 5 --json
    """
    return show_schedule(paths_from(ctx), on, days, as_json)
