"""`deskbreak start` (the daemon in the foreground) and `deskbreak schedule` (the plan)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any

import typer

from deskbreak.cli import app
from deskbreak.cli.common import config_from, paths_from, print_json
from deskbreak.errors import UsageError

if TYPE_CHECKING:
    from deskbreak.config import Config
    from deskbreak.planner.runs import CalendarWindow


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
    from deskbreak.cli.commands_runs import stored_windows
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
    start = datetime.combine(first, time(), zone)
    end = datetime.combine(first + timedelta(days=days), time(), zone)
    windows = stored_windows(paths_from(ctx).database, start - timedelta(days=2), end)
    rows = _schedule_rows(config, slots, windows, _recent_moves(ctx), start, end)
    if as_json:
        print_json(rows)
        return
    typer.echo(f"time zone: {zone}")
    current: date | None = None
    for row in rows:
        moment = datetime.fromisoformat(row["at"])
        if moment.date() != current:
            current = moment.date()
            typer.echo(f"\n{moment:%a %Y-%m-%d}")
        if row["kind"] == "reminder":
            line = f"  {moment:%H:%M}  {row['name']}  ({row['area']})"
            if row.get("held_until"):
                line += f"  held by a meeting until {row['held_until'][11:16]}"
            elif "held_until" in row:
                line += "  not sent: in a meeting until the next reminder"
        else:
            label = "warm-up" if row["kind"] == "warmup" else "cool-down"
            line = f"  {moment:%H:%M}  {label} prompt for the {row['run_start'][11:16]} run"
        typer.echo(line)
    if not slots:
        typer.echo("no reminders on these days (not a working day, or no window long enough)")


def _schedule_rows(
    config: Config,
    slots: list[datetime],
    windows: list[CalendarWindow],
    recent: list[str],
    start: datetime,
    end: datetime,
) -> list[dict[str, Any]]:
    """Reminders (with their move, the run-day lean and any meeting hold) and run prompts."""
    from deskbreak.library.rotation import RUN_AREAS, upcoming_desk_moves, walk_every_for
    from deskbreak.planner.holds import held_until
    from deskbreak.planner.runs import leans_toward_running, prompts_between

    zone = config.schedule.timezone
    runs = config.running.runs
    candidates = config.library.desk_moves(config.moves.areas, config.moves.exclude)
    walk_every = walk_every_for(int(config.schedule.interval.total_seconds() // 60))
    history = list(recent)
    rows: list[dict[str, Any]] = []
    for index, slot in enumerate(slots):
        lean = RUN_AREAS if leans_toward_running(runs, windows, zone, slot.date()) else ()
        move = upcoming_desk_moves(candidates, history, 1, lean, walk_every)[0]
        next_slot = slots[index + 1] if index + 1 < len(slots) else None
        held, until = held_until(windows, slot, next_slot)
        if not held or until is not None:  # a dropped reminder uses no move
            history.append(move.id)
        row: dict[str, Any] = {
            "at": slot.isoformat(timespec="seconds"),
            "kind": "reminder",
            "move": move.id,
            "name": move.name,
            "area": move.area,
        }
        if held:
            row["held_until"] = until.isoformat(timespec="seconds") if until else None
        rows.append(row)
    for prompt in prompts_between(runs, windows, zone, start, end):
        rows.append(
            {
                "at": prompt.at.astimezone(zone).isoformat(timespec="seconds"),
                "kind": prompt.kind,
                "run_start": prompt.run.start.astimezone(zone).isoformat(timespec="seconds"),
            }
        )
    rows.sort(key=lambda r: datetime.fromisoformat(r["at"]))
    return rows


def _recent_moves(ctx: typer.Context) -> list[str]:
    """Continue the rotation from the history, if there is one; the plan stays pure."""
    database = paths_from(ctx).database
    if not database.exists():
        return []
    from deskbreak.store.history import read_recent_desk_moves

    return read_recent_desk_moves(database)
