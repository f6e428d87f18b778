"""`deskbreak stats` and `deskbreak history`: what the history database says, per local day.

The commands compute a result (`Stats`, a list of `Event`s) and hand it to one renderer:
text (a rich table with a bar chart), JSON or CSV. SQLite and rich are imported inside the
commands so other commands start without them.
"""

from __future__ import annotations

import dataclasses
import io
from collections.abc import Mapping
from datetime import date, datetime, timedelta, tzinfo
from typing import TYPE_CHECKING, Any

import typer

from deskbreak.cli.app import app
from deskbreak.cli.common import config_from, paths_from, print_json
from deskbreak.errors import EXIT_OK, UsageError
from deskbreak.limits import MAX_STATS_DAYS

if TYPE_CHECKING:
    from rich.text import Text

    from deskbreak.planner.run_log import RunTotals
    from deskbreak.store.history import Event, History
    from deskbreak.store.stats import Period, Stats

NO_HISTORY = "no history yet — start the daemon with `deskbreak start`"
CHART_WIDTH = 24
CSV_COLUMNS = ("date", "sent", "done", "snoozed", "skipped", "ignored", "routines")
# glyph and colour per answer; distinct glyphs keep the chart readable without colour
BAR_PARTS = (
    ("done", "█", "green"),
    ("snoozed", "▒", "yellow"),
    ("skipped", "░", "red"),
    ("ignored", "·", "bright_black"),
)


def _timezone(ctx: typer.Context) -> tzinfo:
    """The zone whose local days the stats are cut by: the configured schedule's."""
    return config_from(ctx).schedule.timezone


def day_range(today: date, days: int | None, week: bool, month: bool) -> tuple[date, date]:
    """The first and last local day asked for: the last `days` days (default 7), or this
    ISO week / calendar month up to today."""
    if sum((days is not None, week, month)) > 1:
        raise UsageError("choose one of --days, --week and --month")
    if week:
        return today - timedelta(days=today.weekday()), today
    if month:
        return today.replace(day=1), today
    count = 7 if days is None else days
    if not 1 <= count <= MAX_STATS_DAYS:
        raise UsageError(f"--days must be from 1 to {MAX_STATS_DAYS}, got {count}")
    return today - timedelta(days=count - 1), today


# --- rendering --------------------------------------------------------------------------------


def stats_to_json(stats: Stats, tz: tzinfo) -> dict[str, Any]:
    """The `stats --json` document."""
    return {
        "timezone": str(tz),
        "start": stats.start_day.isoformat(),
        "end": stats.end_day.isoformat(),
        "today": stats.today.isoformat(),
        "days": [
            {
                "date": day.day.isoformat(),
                "sent": day.sent,
                "done": day.done,
                "snoozed": day.snoozed,
                "skipped": day.skipped,
                "ignored": day.ignored,
                "routines": day.routines,
                "routines_completed": day.routines_completed,
            }
            for day in stats.days
        ],
        "totals": {
            **dataclasses.asdict(stats.totals),
            "deferred": stats.deferred,
            "seen": stats.totals.seen,
            # done over the reminders a person actually saw (away and missed ones left out)
            "done_rate": round(stats.totals.done / stats.totals.seen, 3)
            if stats.totals.seen
            else None,
        },
        "done_by_area": dict(stats.done_by_area),
        "routines": dict(stats.routines_by_name),
        "streak_days": stats.streak_days,
    }


def stats_to_csv(stats: Stats) -> str:
    """One row per local day, with a header row."""
    out = io.StringIO()
    import csv

    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for day in stats.days:
        row = (day.day, day.sent, day.done, day.snoozed, day.skipped, day.ignored, day.routines)
        writer.writerow(row)
    return out.getvalue()


def bar(counts: dict[str, int], scale: int, width: int = CHART_WIDTH) -> Text:
    """One day's answers as a stacked bar; `scale` reminders fill `width` cells."""
    from rich.text import Text

    text = Text()
    total = drawn = 0
    for answer, glyph, colour in BAR_PARTS:
        total += counts[answer]
        # one cell per reminder while they fit; beyond, cumulative rounding keeps the parts
        # adding up to the rounded whole
        cells = round(total * width / scale) - drawn if scale > width else counts[answer]
        text.append(glyph * cells, style=colour)
        drawn += cells
    return text


def percent(part: int, whole: int) -> str:
    """A share rounded to the nearest whole percent: 2 of 3 is "67%"."""
    return f"{round(part * 100 / whole)}%"


def period_label(period: Period, unit: str) -> str:
    """A chart row's label: "Mon 11-23", "week of 11-23", "2026-11", "2026 Q4"."""
    if unit == "day":
        return f"{period.first:%a %m-%d}"
    if unit == "week":
        return f"week of {period.first:%Y-%m-%d}"
    if unit == "month":
        return f"{period.first:%Y-%m}"
    return f"{period.first.year} Q{(period.first.month - 1) // 3 + 1}"


def render_stats(stats: Stats, tz: tzinfo) -> None:
    """Print the stats as tables with a bar chart: a row per day, or per week, month or
    quarter over long ranges, so the chart stays one screen."""
    from rich.console import Console
    from rich.table import Table

    from deskbreak.store.stats import period_unit, roll_up

    console = Console(highlight=False)
    table = Table(
        title=f"Breaks {stats.start_day} to {stats.end_day} ({tz})",
        title_justify="left",
        box=None,
        pad_edge=False,
    )
    unit = period_unit(len(stats.days))
    table.add_column(unit)
    for name in ("sent", "done", "snoozed", "skipped", "ignored", "routines"):
        table.add_column(name, justify="right")
    table.add_column("")
    periods = roll_up(stats.days, unit)
    scale = max((period.counts.sent for period in periods), default=0)
    for period in periods:
        counts = dataclasses.asdict(period.counts)
        table.add_row(
            period_label(period, unit),
            *(str(counts[name]) for name in CSV_COLUMNS[1:]),
            bar(counts, scale),
        )
    console.print(table)
    console.print(
        "  ".join(f"[{colour}]{glyph}[/] {answer}" for answer, glyph, colour in BAR_PARTS),
        style="dim",
    )
    totals = stats.totals
    share = f" ({percent(totals.done, totals.seen)})" if totals.seen else ""
    console.print(f"\n{totals.done} of {totals.seen} reminders you saw done{share}")
    apart = {
        "away": totals.away,
        "deferred": stats.deferred,
        "missed": totals.missed,
        "dismissed": totals.dismissed,
        "ignored": totals.ignored,
    }
    if any(apart.values()):
        console.print(" · ".join(f"{name} {count}" for name, count in apart.items()))
    console.print(f"Streak: {stats.streak_days} day{'s' if stats.streak_days != 1 else ''}")
    if stats.done_by_area:
        areas = Table(title="Moves done by area", title_justify="left", box=None, pad_edge=False)
        areas.add_column("area")
        areas.add_column("done", justify="right")
        areas.add_column("")
        most = stats.done_by_area[0][1]
        for area, count in stats.done_by_area:
            cells = max(1, round(count * CHART_WIDTH / most))
            areas.add_row(area, str(count), f"[green]{'█' * cells}[/]")
        console.print()
        console.print(areas)
    runs = ", ".join(f"{name} {count}" for name, count in stats.routines_by_name)
    console.print(f"\nRoutines: {runs or 'none'}")


def event_to_json(event: Event, tz: tzinfo) -> dict[str, Any]:
    """One event for `history --json`; times in ISO 8601 with the local offset."""
    return {
        key: value.astimezone(tz).isoformat() if isinstance(value, datetime) else value
        for key, value in dataclasses.asdict(event).items()
    }


def event_line(event: Event, tz: tzinfo, names: Mapping[str, str] | None = None) -> str:
    """One event as a line of text: local times, and moves by name (`names`: id → name)."""
    names = names or {}
    when = f"{event.at.astimezone(tz):%Y-%m-%d %H:%M}"
    if event.kind == "reminder":
        answer = event.answer or "no answer"
        if event.answered_at is not None:
            answer += f" at {event.answered_at.astimezone(tz):%H:%M}"
        move = names.get(event.detail or "", event.detail)
        return f"{when}  reminder  {move} ({event.area}) via {event.backend}: {answer}"
    if event.kind == "routine":
        # Not completed: a run quit early or skipped through with `n` (see routine.runner).
        outcome = "finished" if event.completed else "skipped"
        if not event.completed and event.steps_done:
            outcome = "partly done"
        steps = f"{event.steps_done}/{event.steps_total} steps"
        return f"{when}  routine   {event.detail}: {outcome}, {steps}"
    detail = _local_detail(event.detail, event.at.astimezone(tz))
    return f"{when}  {event.kind:<8}  {detail}".rstrip()


def _local_detail(detail: str | None, at: datetime) -> str:
    """An event's detail for people: an ISO instant (a pause's end, a skipped slot) as local
    "until 14:00" style time, with the date when it is another day."""
    if detail is None:
        return ""
    try:
        moment = datetime.fromisoformat(detail)
    except ValueError:
        return detail
    if moment.tzinfo is None:
        return detail
    local = moment.astimezone(at.tzinfo)
    return f"{local:%H:%M}" if local.date() == at.date() else f"{local:%Y-%m-%d %H:%M}"


# --- commands ---------------------------------------------------------------------------------


@app.command("stats")
def stats_command(
    ctx: typer.Context,
    days: int | None = typer.Option(
        None,
        "--days",
        "-d",
        help="The last N days, today included (default 7).",
        show_default=False,
    ),
    week: bool = typer.Option(False, "--week", help="This ISO week, Monday to today."),
    month: bool = typer.Option(False, "--month", help="This calendar month, the 1st to today."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON instead of a chart."),
    as_csv: bool = typer.Option(False, "--csv", help="Print one CSV row per day."),
) -> int:
    """Breaks taken per day, moves done by body area and your streak, as a chart.

    Example: deskbreak stats --month
    """
    if as_json and as_csv:
        raise UsageError("choose one of --json and --csv")
    tz = _timezone(ctx)
    today = datetime.now(tz).date()
    start_day, end_day = day_range(today, days, week, month)
    database = paths_from(ctx).database

    from deskbreak.store.stats import compute_stats, empty_stats

    runs: RunTotals | None = None
    if database.exists():
        from deskbreak.store.journal import open_for_reading

        # Counts writes still waiting in the daemon's spill journal too (a locked history).
        with open_for_reading(database) as history:
            stats = compute_stats(history, tz, start_day, end_day, today)
            runs = _run_totals(ctx, history, start_day, end_day)
    else:
        stats = empty_stats(start_day, end_day, today)
    if as_json:
        document = stats_to_json(stats, tz)
        document["runs"] = dataclasses.asdict(runs) if runs else None
        print_json(document)
    elif as_csv:
        typer.echo(stats_to_csv(stats), nl=False)
    elif not database.exists():
        typer.echo(NO_HISTORY)
    else:
        render_stats(stats, tz)
        if runs is not None and runs.runs:
            typer.echo(
                f"Runs: {runs.runs} planned, {runs.warmed_up} with a warm-up, "
                f"{runs.cooled_down} with a cool-down, {runs.both} with both"
            )
    return EXIT_OK


def _run_totals(ctx: typer.Context, history: History, start_day: date, end_day: date) -> RunTotals:
    """Runs planned in the range (up to now) and how many had a warm-up and a cool-down."""
    from deskbreak.planner.run_log import run_records, totals
    from deskbreak.planner.runs import CalendarWindow, runs_between
    from deskbreak.store.calendar_windows import windows_between
    from deskbreak.store.run_stats import routine_starts
    from deskbreak.store.stats import local_midnight

    config = config_from(ctx)
    tz = config.schedule.timezone
    start = local_midnight(start_day, tz)
    end = min(local_midnight(end_day + timedelta(days=1), tz), datetime.now(tz))
    windows = [
        CalendarWindow(w.start, w.end, w.busy, w.run, w.all_day)
        for w in windows_between(history, start - timedelta(days=2), end)
    ]
    runs = [r for r in runs_between(config.running.runs, windows, tz, start, end) if r.end <= end]
    warmups, cooldowns = routine_starts(history, start - timedelta(hours=3), end)
    return totals(run_records(runs, warmups, cooldowns))


@app.command("history")
def history_command(
    ctx: typer.Context,
    limit: int = typer.Option(50, "--limit", "-n", min=1, help="How many events to list."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON instead of text."),
) -> int:
    """Recent reminders and answers, routines, pauses and daemon starts, newest first.

    Example: deskbreak history --limit 20
    """
    tz = _timezone(ctx)
    database = paths_from(ctx).database
    events: list[Event] = []
    if database.exists():
        from deskbreak.store.journal import open_for_reading

        with open_for_reading(database) as history:
            events = history.recent_events(limit)
    if as_json:
        print_json({"events": [event_to_json(event, tz) for event in events]})
    elif not database.exists():
        typer.echo(NO_HISTORY)
    elif not events:
        typer.echo("no events recorded yet")
    else:
        config = config_from(ctx)
        names = {move_id: move.name for move_id, move in config.library.moves.items()}
        for event in events:
            typer.echo(event_line(event, tz, names))
    return EXIT_OK
