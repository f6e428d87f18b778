"""Stats per local day over the history: answers, moves done by area, routines, the streak.

A local day is cut in the given time zone at query time, so a DST-change day (23 or 25
hours) is counted right and a change of the configured zone re-buckets old data. The
grouping runs inside SQLite: the range is split into `DaySpan`s of equally long days (one
span between two DST changes), and each row's day is integer arithmetic on its epoch.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo

from deskbreak.history import COUNTS_SQL, AnswerCounts, History, epoch

# Look back this many days first for a streak, then four times as many each round.
_STREAK_WINDOW_DAYS = 64


@dataclass(frozen=True)
class DaySpan:
    """Consecutive local days in [lo, hi) epoch seconds, each `seconds` long, the first with
    index `first`: the day index of an instant `at` is `first + (at - lo) // seconds`."""

    first: int
    lo: int
    hi: int
    seconds: int


@dataclass(frozen=True)
class DayStats:
    """One local day: reminders sent and their answers, and routine runs started."""

    day: date
    sent: int = 0
    done: int = 0
    snoozed: int = 0
    skipped: int = 0
    ignored: int = 0
    routines: int = 0
    routines_completed: int = 0


@dataclass(frozen=True)
class Stats:
    """Everything `deskbreak stats` shows for the local days start_day..end_day (inclusive)."""

    start_day: date
    end_day: date
    today: date
    days: tuple[DayStats, ...]
    totals: AnswerCounts
    done_by_area: tuple[tuple[str, int], ...]  # most done first
    routines_by_name: tuple[tuple[str, int], ...]  # most run first
    streak_days: int


def local_midnight(day: date, tz: tzinfo) -> datetime:
    """The first instant of `day` in `tz` (01:00 where a DST change skips midnight)."""
    return datetime.combine(day, time(), tz)


def day_spans(tz: tzinfo, first_day: date, last_day: date) -> list[DaySpan]:
    """Cut the local days first_day..last_day (inclusive) of `tz` into DaySpans."""
    count = (last_day - first_day).days + 1
    starts = [epoch(local_midnight(first_day + timedelta(days=i), tz)) for i in range(count + 1)]
    spans: list[DaySpan] = []
    for i in range(count):
        length = starts[i + 1] - starts[i]
        if spans and length == spans[-1].seconds == 86400:
            spans[-1] = DaySpan(spans[-1].first, spans[-1].lo, starts[i + 1], 86400)
        else:
            spans.append(DaySpan(i, starts[i], starts[i + 1], length))
    return spans


def _by_day(
    history: History, table: str, column: str, aggregates: str, spans: Sequence[DaySpan]
) -> list[tuple[int, ...]]:
    rows: list[tuple[int, ...]] = []
    # A couple of spans per year; chunked anyway to stay far below SQLite's parameter limit.
    for i in range(0, len(spans), 500):
        chunk = spans[i : i + 500]
        values = ", ".join("(?, ?, ?, ?)" for _ in chunk)
        params = [v for s in chunk for v in (s.first, s.lo, s.hi, s.seconds)]
        rows += history.query(
            f"WITH span(first, lo, hi, seconds) AS (VALUES {values})"
            f" SELECT span.first + (t.{column} - span.lo) / span.seconds AS day, {aggregates}"
            f" FROM span JOIN {table} AS t ON t.{column} >= span.lo AND t.{column} < span.hi"
            " GROUP BY day",
            params,
        )
    return rows


def answers_by_day(history: History, spans: Sequence[DaySpan]) -> dict[int, AnswerCounts]:
    """AnswerCounts per day index; days without reminders are absent."""
    return {
        row[0]: AnswerCounts(*row[1:])
        for row in _by_day(history, "reminders", "at", COUNTS_SQL, spans)
    }


def routines_by_day(history: History, spans: Sequence[DaySpan]) -> dict[int, tuple[int, int]]:
    """(runs, completed runs) per day index of routines started that day."""
    rows = _by_day(history, "routines", "started", "count(*), sum(completed)", spans)
    return {row[0]: (row[1], row[2]) for row in rows}


def _counted(
    history: History, sql: str, start: datetime, end: datetime
) -> tuple[tuple[str, int], ...]:
    return tuple((name, int(n)) for name, n in history.query(sql, (epoch(start), epoch(end))))


def current_streak(history: History, tz: tzinfo, today: date) -> int:
    """Days in a row, back from today, with at least one move done. A day without any
    reminder (weekend, holiday, paused) neither counts nor breaks it; today counts once
    something is done and, the day not being over, does not break it yet."""
    first = history.query("SELECT min(at) FROM reminders")[0][0]
    if first is None:
        return 0
    first_day = datetime.fromtimestamp(first, tz).date()
    streak = 0
    end, window = today, _STREAK_WINDOW_DAYS
    while end >= first_day:
        start = max(first_day, end - timedelta(days=window - 1))
        counts = answers_by_day(history, day_spans(tz, start, end))
        for index in range((end - start).days, -1, -1):
            day_counts = counts.get(index)
            if day_counts is None or day_counts.sent == 0:
                continue
            if day_counts.done:
                streak += 1
            elif start + timedelta(days=index) != today:
                return streak
        end, window = start - timedelta(days=1), window * 4
    return streak


def compute_stats(
    history: History, tz: tzinfo, start_day: date, end_day: date, today: date
) -> Stats:
    """Stats for the local days start_day..end_day (inclusive) in `tz`; `today` anchors the
    streak. Every day of the range gets a row, zeros included."""
    if end_day < start_day:
        raise ValueError(f"end_day {end_day} is before start_day {start_day}")
    spans = day_spans(tz, start_day, end_day)
    answers = answers_by_day(history, spans)
    routines = routines_by_day(history, spans)
    days = []
    totals = AnswerCounts()
    for index in range((end_day - start_day).days + 1):
        counts = answers.get(index, AnswerCounts())
        runs, completed = routines.get(index, (0, 0))
        totals += counts
        days.append(
            DayStats(
                start_day + timedelta(days=index),
                counts.sent,
                counts.done,
                counts.snoozed,
                counts.skipped,
                counts.ignored,
                runs,
                completed,
            )
        )
    start = local_midnight(start_day, tz)
    end = local_midnight(end_day + timedelta(days=1), tz)
    return Stats(
        start_day=start_day,
        end_day=end_day,
        today=today,
        days=tuple(days),
        totals=totals,
        done_by_area=_counted(
            history,
            "SELECT area, count(*) AS n FROM reminders WHERE at >= ? AND at < ?"
            " AND answer = 'done' GROUP BY area ORDER BY n DESC, area",
            start,
            end,
        ),
        routines_by_name=_counted(
            history,
            "SELECT name, count(*) AS n FROM routines WHERE started >= ? AND started < ?"
            " GROUP BY name ORDER BY n DESC, name",
            start,
            end,
        ),
        streak_days=current_streak(history, tz, today),
    )


def empty_stats(start_day: date, end_day: date, today: date) -> Stats:
    """The Stats of a history that does not exist yet: no days, nothing counted."""
    return Stats(start_day, end_day, today, (), AnswerCounts(), (), (), 0)
