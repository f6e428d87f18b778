"""`deskbreak start` (the daemon in the foreground) and `deskbreak schedule` (the plan)."""

from __future__ import annotations

from datetime import date, datetime

import typer

from deskbreak.cli import app
from deskbreak.cli.common import config_from, paths_from, print_json
from deskbreak.errors import UsageError


@app.command("start")
def start(
    ctx: typer.Context,
    verbose: bool = typer.Option(False, "--verbose", "-v", help="Log debugging detail."),
) -> None:
    """Run the reminder daemon in the foreground (Ctrl-C stops it).  Example: deskbreak start"""
    # `deskbreak [-c FILE] start [-v]` never gets here (deskbreak.entry runs the daemon without
    # Typer); other spellings of it, such as `-cFILE`, do.
    from deskbreak.daemon.start import run_daemon

    root = ctx.find_root()
    run_daemon(root.params.get("config") if root.params else None, verbose)


@app.command("schedule")
def show_schedule(
    ctx: typer.Context,
    on: str | None = typer.Option(
        None, "--date", "-d", help="First day, YYYY-MM-DD (default: today).", show_default=False
    ),
    days: int = typer.Option(1, "--days", "-n", min=1, max=366, help="How many days to show."),
    as_json: bool = typer.Option(False, "--json", help="Print a JSON list of reminders."),
) -> None:
    """Print the reminders some days would bring, without a daemon.

    Example: deskbreak schedule --date 2026-11-23 --days 5 --json
    """
    from deskbreak.library.rotation import upcoming_desk_moves
    from deskbreak.planner.schedule import plan_days

    config = config_from(ctx)
    zone = config.schedule.timezone
    if on is None:
        first = datetime.now(zone).date()
    else:
        try:
            first = date.fromisoformat(on)
        except ValueError:
            raise UsageError(f"--date must be YYYY-MM-DD, got {on!r}") from None
    slots = plan_days(config.schedule, first, days)
    candidates = config.library.desk_moves(config.moves.areas, config.moves.exclude)
    moves = upcoming_desk_moves(candidates, _recent_moves(ctx), len(slots))
    if as_json:
        print_json(
            [
                {
                    "at": s.isoformat(timespec="seconds"),
                    "move": m.id,
                    "name": m.name,
                    "area": m.area,
                }
                for s, m in zip(slots, moves, strict=True)
            ]
        )
        return
    typer.echo(f"time zone: {zone}")
    current: date | None = None
    for slot, move in zip(slots, moves, strict=True):
        if slot.date() != current:
            current = slot.date()
            typer.echo(f"\n{slot:%a %Y-%m-%d}")
        typer.echo(f"  {slot:%H:%M}  {move.name}  ({move.area})")
    if not slots:
        typer.echo("no reminders on these days (not a working day, or no window long enough)")


def _recent_moves(ctx: typer.Context) -> list[str]:
    """Continue the rotation from the history, if there is one; the plan stays pure."""
    database = paths_from(ctx).database
    if not database.exists():
        return []
    from deskbreak.store.history import read_recent_desk_moves

    return read_recent_desk_moves(database)
