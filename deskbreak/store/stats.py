"""Stats per local day over the history: answers, moves done by area, routines, the streak.

A local day is cut in the given time zone at query time, so a DST-change day (23 or 25
hours) is counted right and a change of the configured zone re-buckets old data. The
grouping runs inside SQLite: the range is split into `DaySpan`s of equally long days (one
span between two DST changes), and each row's day is integer arithmetic on its epoch.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta, tzinfo

from deskbreak.store.history import COUNTS_SQL, AnswerCounts, History, epoch

# Look back this many days first for a streak, then four times as many each round.
_STREAK_WINDOW_DAYS = 64
_EPOCH_ORDINAL = date(1970, 1, 1).toordinal()
_SECOND = timedelta(seconds=1)
_DAY = timedelta(days=1)


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
    deferred: int = 0  # reminders held: do-not-disturb, fullscreen, a call, a meeting


def local_midnight(day: date, tz: tzinfo) -> datetime:
    """The first instant of `day` in `tz` (01:00 where a DST change skips midnight)."""
    return datetime.combine(day, time(), tz)


def midnights(tz: tzinfo, first_day: date, count: int) -> list[int]:
    """Epoch seconds of the local midnights of `count` days from first_day, and of the day
    after: the same instants as `local_midnight`, computed faster for years of days."""
    wall = datetime.combine(first_day, time())
    local = (first_day.toordinal() - _EPOCH_ORDINAL) * 86400
    starts = []
    for _ in range(count + 1):
        # utcoffset of a naive wall time is what `local_midnight` uses (fold=0 in a gap)
        offset = tz.utcoffset(wall)
        if offset is None:
            raise ValueError(f"{tz!r} gives no UTC offset")
        starts.append(local - offset // _SECOND)
        wall += _DAY
        local += 86400
    return starts


def day_spans(tz: tzinfo, first_day: date, last_day: date) -> list[DaySpan]:
    """Cut the local days first_day..last_day (inclusive) of `tz` into DaySpans."""
    count = (last_day - first_day).days + 1
    starts = midnights(tz, first_day, count)
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


def answers_by_day(
    history: History, spans: Sequence[DaySpan], first_day: date
) -> dict[date, AnswerCounts]:
    """AnswerCounts per local day of `spans` (which start at first_day); days without
    reminders are absent."""
    rows = _by_day(history, "reminders", "at", COUNTS_SQL, spans)
    return {first_day + timedelta(days=row[0]): AnswerCounts(*row[1:]) for row in rows}


def routines_by_day(
    history: History, spans: Sequence[DaySpan], first_day: date
) -> dict[date, tuple[int, int]]:
    """(runs, completed runs) per local day of the routines started that day."""
    rows = _by_day(history, "routines", "started", "count(*), sum(completed)", spans)
    return {first_day + timedelta(days=row[0]): (row[1], row[2]) for row in rows}


def _counted(
    history: History, sql: str, start: datetime, end: datetime
) -> tuple[tuple[str, int], ...]:
    return tuple((name, int(n)) for name, n in history.query(sql, (epoch(start), epoch(end))))


def current_streak(
    history: History,
    tz: tzinfo,
    today: date,
    known: Mapping[date, AnswerCounts] | None = None,
    known_since: date | None = None,
) -> int:
    """Days in a row, back from today, with at least one move done. A day without any
    reminder (weekend, holiday, paused) neither counts nor breaks it; today counts once
    something is done and, the day not being over, does not break it yet.

    `known` holds the answers of the days `known_since`..today when the caller has them."""
    first = history.query("SELECT min(at) FROM reminders")[0][0]
    if first is None:
        return 0
    first_day = datetime.fromtimestamp(first, tz).date()
    streak = 0
    end, window = today, _STREAK_WINDOW_DAYS
    while end >= first_day:
        if known is not None and known_since is not None and known_since <= end:
            start, counts = max(known_since, first_day), known
        else:
            start = max(first_day, end - timedelta(days=window - 1))
            counts = answers_by_day(history, day_spans(tz, start, end), start)
            window *= 4
        for back in range((end - start).days + 1):
            day = end - timedelta(days=back)
            day_counts = counts.get(day)
            if day_counts is None or day_counts.sent == 0:
                continue
            if day_counts.done:
                streak += 1
            elif day != today:
                return streak
        end, known = start - timedelta(days=1), None
    return streak


def compute_stats(
    history: History, tz: tzinfo, start_day: date, end_day: date, today: date
) -> Stats:
    """Stats for the local days start_day..end_day (inclusive) in `tz`; `today` anchors the
    streak. Every day of the range gets a row, zeros included."""
    if end_day < start_day:
        raise ValueError(f"end_day {end_day} is before start_day {start_day}")
    spans = day_spans(tz, start_day, end_day)
    answers = answers_by_day(history, spans, start_day)
    routines = routines_by_day(history, spans, start_day)
    days = []
    none, day = AnswerCounts(), start_day
    for _ in range((end_day - start_day).days + 1):
        counts = answers.get(day, none)
        runs, completed = routines.get(day, (0, 0))
        days.append(
            DayStats(
                day,
                counts.sent,
                counts.done,
                counts.snoozed,
                counts.skipped,
                counts.ignored,
                runs,
                completed,
            )
        )
        day += _DAY
    totals = sum(answers.values(), none)
    # the range's own answers serve the streak when the range runs through today
    if start_day <= today <= end_day:
        streak = current_streak(history, tz, today, answers, start_day)
    else:
        streak = current_streak(history, tz, today)
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
        streak_days=streak,
        deferred=_held_count(history, start, end),
    )


def _held_count(history: History, start: datetime, end: datetime) -> int:
    rows = history.query(
        "SELECT count(*) FROM events WHERE kind = 'held' AND at >= ? AND at < ?",
        (epoch(start), epoch(end)),
    )
    return int(rows[0][0]) if rows else 0


def empty_stats(start_day: date, end_day: date, today: date) -> Stats:
    """The Stats of a history that does not exist yet: no days, nothing counted."""
    return Stats(start_day, end_day, today, (), AnswerCounts(), (), (), 0)


# -- rolling long ranges up so the chart stays one screen ----------------------------------------

# Up to this many days the chart has a row per day; then per ISO week, per month, per quarter.
ROLL_UP = ((31, "day"), (26 * 7, "week"), (36 * 31, "month"))


@dataclass(frozen=True)
class Period:
    """Consecutive days summed: a week (from its Monday), a month or a quarter."""

    first: date
    last: date
    counts: DayStats  # its `day` is `first`


def period_unit(days: int) -> str:
    """How `days` days are charted: "day", "week", "month" or "quarter"."""
    return next((unit for limit, unit in ROLL_UP if days <= limit), "quarter")


def _period_start(day: date, unit: str) -> date:
    if unit == "week":
        return day - timedelta(days=day.weekday())
    if unit == "month":
        return day.replace(day=1)
    if unit == "quarter":
        return day.replace(month=(day.month - 1) // 3 * 3 + 1, day=1)
    return day


def roll_up(days: Sequence[DayStats], unit: str) -> list[Period]:
    """The days summed per `unit`, in order; a period the range cuts starts at its first day."""
    periods: list[Period] = []
    keys: list[date] = []
    for day in days:
        key = _period_start(day.day, unit)
        if keys and keys[-1] == key:
            last = periods[-1]
            summed = DayStats(
                last.first,
                sent=last.counts.sent + day.sent,
                done=last.counts.done + day.done,
                snoozed=last.counts.snoozed + day.snoozed,
                skipped=last.counts.skipped + day.skipped,
                ignored=last.counts.ignored + day.ignored,
                routines=last.counts.routines + day.routines,
                routines_completed=last.counts.routines_completed + day.routines_completed,
            )
            periods[-1] = Period(last.first, day.day, summed)
        else:
            keys.append(key)
            periods.append(Period(day.day, day.day, replace(day)))
    return periods
