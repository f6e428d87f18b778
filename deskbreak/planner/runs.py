"""Planned runs and the prompts around them: pure functions of (plans, calendar windows, span).

A run comes from the weekly `[[runs]]` config or from a synced calendar event marked as a run.
Each run brings two prompts: a warm-up `warmup_lead` before it starts and a cool-down
`cooldown_grace` after it ends. Runs are local wall-clock times in the configured zone;
instants are compared in UTC.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

from deskbreak.planner.durations import format_duration
from deskbreak.planner.model import hhmm

PromptKind = Literal["warmup", "cooldown"]
RunSource = Literal["config", "calendar"]
# An all-day run event on a weekday without a configured run starts at this local time.
ALL_DAY_RUN_MINUTE = 18 * 60
ALL_DAY_RUN_DURATION = timedelta(hours=1)
# The day after a run this long leans the desk rotation too (besides runs marked "long").
LONG_RUN = timedelta(minutes=90)


@dataclass(frozen=True)
class RunPlan:
    """One `[[runs]]` entry: on these weekdays (0 = Monday), at this local minute, this long."""

    days: tuple[int, ...]
    start_minute: int
    duration: timedelta
    kind: str = "easy"

    def describe(self) -> str:
        return f"{hhmm(self.start_minute)} for {format_duration(self.duration)} ({self.kind})"


@dataclass(frozen=True)
class RunsConfig:
    plans: tuple[RunPlan, ...] = ()
    warmup_lead: timedelta = timedelta(minutes=10)
    cooldown_grace: timedelta = timedelta(minutes=15)


@dataclass(frozen=True)
class CalendarWindow:
    """What a calendar sync keeps of one event occurrence: its span and what it means."""

    start: datetime
    end: datetime
    busy: bool
    run: bool
    all_day: bool = False


@dataclass(frozen=True)
class Run:
    start: datetime
    end: datetime
    kind: str
    source: RunSource

    @property
    def is_long(self) -> bool:
        return self.kind == "long" or self.end - self.start >= LONG_RUN


@dataclass(frozen=True)
class Prompt:
    at: datetime
    kind: PromptKind
    run: Run = field(compare=False)

    @property
    def key(self) -> str:
        """Names this prompt in the history: its kind and its run's start in UTC."""
        return f"{self.kind} {self.run.start.astimezone(UTC):%Y-%m-%dT%H:%MZ}"


def _local(day: date, minute: int, zone: ZoneInfo) -> datetime:
    """`minute` after local midnight on `day`; a time a DST jump skips moves forward with it."""
    naive = datetime.combine(day, time()) + timedelta(minutes=minute)
    return naive.replace(tzinfo=zone).astimezone(UTC).astimezone(zone)


def _overlaps(run: Run, others: Iterable[Run]) -> bool:
    return any(run.start < other.end and other.start < run.end for other in others)


def runs_between(
    runs: RunsConfig,
    windows: Sequence[CalendarWindow],
    zone: ZoneInfo,
    start: datetime,
    end: datetime,
) -> list[Run]:
    """Runs that start in [start, end), in order.

    A calendar run that overlaps a configured run replaces it: a training plan in a calendar
    knows better than the weekly routine. An all-day run event starts at that weekday's
    configured run time (or 18:00) and lasts that run's duration (or an hour).
    """
    from_calendar: list[Run] = []
    for window in windows:
        if not window.run:
            continue
        if window.all_day:
            # An all-day event's start is its date at 00:00 UTC (a date, not an instant).
            day = window.start.astimezone(UTC).date()
            plan = next((p for p in runs.plans if day.weekday() in p.days), None)
            minute = plan.start_minute if plan else ALL_DAY_RUN_MINUTE
            length = plan.duration if plan else ALL_DAY_RUN_DURATION
            begin = _local(day, minute, zone)
            kind = plan.kind if plan else "calendar"
            from_calendar.append(Run(begin, begin + length, kind, "calendar"))
        else:
            kind = "long" if window.end - window.start >= LONG_RUN else "calendar"
            from_calendar.append(
                Run(window.start.astimezone(zone), window.end.astimezone(zone), kind, "calendar")
            )
    configured: list[Run] = []
    day = start.astimezone(zone).date() - timedelta(days=1)
    while day <= end.astimezone(zone).date():
        for plan in runs.plans:
            if day.weekday() in plan.days:
                begin = _local(day, plan.start_minute, zone)
                configured.append(Run(begin, begin + plan.duration, plan.kind, "config"))
        day += timedelta(days=1)
    kept = [run for run in configured if not _overlaps(run, from_calendar)]
    chosen = {(r.start, r.end): r for r in [*kept, *from_calendar] if start <= r.start < end}
    return sorted(chosen.values(), key=lambda r: (r.start, r.end))


def prompts_for(runs: RunsConfig, run: Run) -> tuple[Prompt, Prompt]:
    return (
        Prompt(run.start - runs.warmup_lead, "warmup", run),
        Prompt(run.end + runs.cooldown_grace, "cooldown", run),
    )


def prompts_between(
    runs: RunsConfig,
    windows: Sequence[CalendarWindow],
    zone: ZoneInfo,
    start: datetime,
    end: datetime,
) -> list[Prompt]:
    """Warm-up and cool-down prompts due in (start, end], in order."""
    # A prompt can fall up to a lead before its run or a long run plus grace after it.
    margin = runs.warmup_lead + runs.cooldown_grace + timedelta(days=1)
    prompts = [
        prompt
        for run in runs_between(runs, windows, zone, start - margin, end + margin)
        for prompt in prompts_for(runs, run)
        if start < prompt.at <= end
    ]
    return sorted(prompts, key=lambda p: (p.at, p.kind))


def next_prompt(
    runs: RunsConfig,
    windows: Sequence[CalendarWindow],
    zone: ZoneInfo,
    after: datetime,
    horizon: timedelta = timedelta(days=8),
) -> Prompt | None:
    """The first prompt strictly after `after`, within `horizon`."""
    prompts = prompts_between(runs, windows, zone, after, after + horizon)
    return prompts[0] if prompts else None


def leans_toward_running(
    runs: RunsConfig, windows: Sequence[CalendarWindow], zone: ZoneInfo, day: date
) -> bool:
    """True on a run day and on the day after a long run: the desk rotation favours the areas
    running loads."""
    midnight = _local(day, 0, zone)
    yesterday = _local(day - timedelta(days=1), 0, zone)
    tomorrow = _local(day + timedelta(days=1), 0, zone)
    for run in runs_between(runs, windows, zone, yesterday, tomorrow):
        if run.start >= midnight or run.is_long:
            return True
    return False
