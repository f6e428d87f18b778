"""`deskbreak calendar add|list|remove|sync`: calendars whose runs and meetings deskbreak knows.

Feed addresses are secrets: they are stored 0600 and only ever shown redacted.
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from deskbreak.cli.app import command_group
from deskbreak.cli.common import config_from, paths_from, print_json, warn
from deskbreak.errors import EXIT_OK, EXIT_STATE, UsageError

if TYPE_CHECKING:
    from deskbreak.calendar.sources import CalendarSource, Mode
    from deskbreak.calendar.sync import SyncResult

calendar_app = command_group(
    "calendar", "Calendars with your runs and meetings: add, list, remove, sync."
)


def _sync(ctx: typer.Context, only: str | None = None) -> list[SyncResult]:
    from deskbreak.calendar.sources import SourceList
    from deskbreak.calendar.sync import sync_all, sync_one
    from deskbreak.store.history import History

    config = config_from(ctx)
    paths = paths_from(ctx)
    sources = SourceList(paths.calendars_file)
    zone = config.schedule.timezone
    keywords = config.running.calendar.run_keywords
    now = datetime.now(zone)
    with History(paths.database) as history:
        if only is None:
            return sync_all(sources, history, keywords, zone, now)
        source = next(s for s in sources.load() if s.name == only)
        result, updated = sync_one(source, history, keywords, zone, now)
        sources.update(updated)
        return [result]


def _result_line(result: SyncResult) -> str:
    if result.status == "updated":
        return f"{result.name}: {result.windows} busy/run windows stored"
    if result.status == "unchanged":
        return f"{result.name}: unchanged since the last sync"
    return f"{result.name}: sync failed: {result.error}"


@calendar_app.command("add")
def add_calendar(
    ctx: typer.Context,
    location: str = typer.Argument(..., help="A .ics file, or an https:// or webcal:// feed."),
    name: str | None = typer.Option(None, "--name", "-n", help="A short name for the calendar."),
    runs_only: bool = typer.Option(
        False, "--runs-only", help="Every event is a run (a training app's calendar)."
    ),
    busy_only: bool = typer.Option(
        False, "--busy-only", help="No event is a run, even if its title says so."
    ),
) -> int:
    """Add a calendar and sync it.  Example: deskbreak calendar add ~/work.ics --name work"""
    from deskbreak.calendar.sources import (
        CalendarSource,
        SourceList,
        default_name,
        normalise_location,
        redact,
    )

    if runs_only and busy_only:
        raise UsageError("choose one of --runs-only and --busy-only")
    paths = paths_from(ctx)
    config_from(ctx)  # a broken config is reported before anything is stored
    sources = SourceList(paths.calendars_file)
    where = normalise_location(location, Path.cwd())
    taken = [s.name for s in sources.load()]
    chosen = name.strip() if name else default_name(where, taken)
    if not chosen or any(c.isspace() for c in chosen):
        raise UsageError(f"--name must be one word, got {name!r}")
    mode: Mode = "runs-only" if runs_only else "busy-only" if busy_only else "all"
    sources.add(CalendarSource(chosen, where, mode))
    typer.echo(f'added calendar "{chosen}" ({redact(where)}, {mode})')
    result = _sync(ctx, chosen)[0]
    typer.echo(_result_line(result))
    return EXIT_OK


def _source_to_json(source: CalendarSource) -> dict[str, Any]:
    from deskbreak.calendar.sources import redact

    row = asdict(source)
    row["location"] = redact(source.location)
    for secret in ("etag", "last_modified"):
        row.pop(secret)
    return row


@calendar_app.command("list")
def list_calendars(
    ctx: typer.Context,
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> int:
    """The added calendars, with feed addresses shortened.  Example: deskbreak calendar list"""
    from deskbreak.calendar.sources import SourceList

    sources = SourceList(paths_from(ctx).calendars_file).load()
    rows = [_source_to_json(s) for s in sources]
    if as_json:
        print_json({"calendars": rows})
        return EXIT_OK
    if not rows:
        typer.echo("no calendars; add one with `deskbreak calendar add PATH|URL`")
    for row in rows:
        synced = row["synced_at"] or "never"
        line = f"{row['name']}  {row['location']}  {row['mode']}  last sync: {synced}"
        if row["error"]:
            line += f"  error: {row['error']}"
        typer.echo(line)
    return EXIT_OK


@calendar_app.command("remove")
def remove_calendar(
    ctx: typer.Context, name: str = typer.Argument(..., help="The calendar's name.")
) -> int:
    """Remove a calendar and its stored windows.  Example: deskbreak calendar remove work"""
    from deskbreak.calendar.sources import SourceList, redact
    from deskbreak.store.calendar_windows import forget_calendar
    from deskbreak.store.history import History

    paths = paths_from(ctx)
    removed = SourceList(paths.calendars_file).remove(name)
    if paths.database.exists():
        with History(paths.database) as history:
            forget_calendar(history, name)
    typer.echo(f'removed calendar "{name}" ({redact(removed.location)})')
    return EXIT_OK


@calendar_app.command("sync")
def sync_calendars(
    ctx: typer.Context,
    quiet: bool = typer.Option(False, "--quiet", "-q", help="Print only failures."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> int:
    """Read every calendar now; store its busy and run times.  Example: deskbreak calendar sync"""
    results = _sync(ctx)
    failed = [r for r in results if r.status == "failed"]
    if as_json:
        print_json({"calendars": [asdict(r) for r in results]})
    else:
        if not results and not quiet:
            typer.echo("no calendars; add one with `deskbreak calendar add PATH|URL`")
        for result in results:
            if result.status == "failed":
                warn(_result_line(result))
            elif not quiet:
                typer.echo(_result_line(result))
    return EXIT_STATE if failed else EXIT_OK
