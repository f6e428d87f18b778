"""`deskbreak runs`: the coming week's runs (config and calendars) and their prompts."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

import typer

from deskbreak.cli.app import app
from deskbreak.cli.common import config_from, paths_from, print_json
from deskbreak.cli.schedule_view import stored_windows
from deskbreak.errors import EXIT_OK, UsageError

if TYPE_CHECKING:
    pass


@app.command("runs")
def runs_command(
    ctx: typer.Context,
    on: str | None = typer.Option(
        None, "--date", "-d", help="First day, YYYY-MM-DD (default: today).", show_default=False
    ),
    days: int = typer.Option(7, "--days", "-n", min=1, max=366, help="How many days to show."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> int:
    """The coming week's runs with their warm-up and cool-down prompts.

    Example: deskbreak runs --days 14
    """
    from deskbreak.planner.durations import format_duration
    from deskbreak.planner.runs import leans_toward_running, prompts_for, runs_between

    config = config_from(ctx)
    zone = config.schedule.timezone
    runs_cfg = config.running.runs
    try:
        first = datetime.now(zone).date() if on is None else date.fromisoformat(on)
    except ValueError:
        raise UsageError(f"--date must be YYYY-MM-DD, got {on!r}") from None
    start = datetime.combine(first, datetime.min.time(), zone)
    end = datetime.combine(first + timedelta(days=days), datetime.min.time(), zone)
    windows = stored_windows(paths_from(ctx).database, start - timedelta(days=2), end)
    runs = runs_between(runs_cfg, windows, zone, start, end)
    lean_days = [
        first + timedelta(days=n)
        for n in range(days)
        if leans_toward_running(runs_cfg, windows, zone, first + timedelta(days=n))
    ]
    rows: list[dict[str, Any]] = []
    for run in runs:
        warmup, cooldown = prompts_for(runs_cfg, run)
        rows.append(
            {
                "start": run.start.isoformat(timespec="minutes"),
                "end": run.end.isoformat(timespec="minutes"),
                "kind": run.kind,
                "source": run.source,
                "warmup_prompt": warmup.at.isoformat(timespec="minutes"),
                "cooldown_prompt": cooldown.at.isoformat(timespec="minutes"),
            }
        )
    if as_json:
        print_json(
            {
                "timezone": str(zone),
                "runs": rows,
                "lean_days": [d.isoformat() for d in lean_days],
            }
        )
        return EXIT_OK
    if not runs:
        typer.echo(
            "no runs planned; add [[runs]] to the config (see config.example.toml) "
            "or a calendar with `deskbreak calendar add`"
        )
        return EXIT_OK
    typer.echo(f"time zone: {zone}")
    for run in runs:
        warmup, cooldown = prompts_for(runs_cfg, run)
        length = format_duration(run.end - run.start)
        typer.echo(
            f"{run.start:%a %Y-%m-%d %H:%M}  {run.kind} run, {length} ({run.source})"
            f"  warm-up {warmup.at:%H:%M}  cool-down {cooldown.at:%H:%M}"
        )
    if lean_days:
        names = ", ".join(f"{d:%a %m-%d}" for d in lean_days)
        typer.echo(f"desk moves lean toward hips, legs and mid-back on: {names}")
    return EXIT_OK
