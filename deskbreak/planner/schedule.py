"""The planner: when reminders are due. Pure functions of (config, state, now); no I/O, no clock.

Work windows are local wall-clock times in the configured zone. A slot is a moment on the
interval grid strictly inside a window: never at a window's very start or end, never on a day
off, never at a local time that a DST jump skips, and never twice for one instant.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from deskbreak.planner.model import ScheduleConfig, Window

# How far ahead to look for the next slot; a schedule with no working day in two weeks is
# treated as "no reminder ahead" rather than searched forever.
HORIZON_DAYS = 15


@dataclass(frozen=True)
class PlanState:
    """What the user asked for that changes the plan (kept by the daemon, persisted in history)."""

    paused_until: datetime | None = None
    paused_indefinitely: bool = False
    snoozed_until: datetime | None = None
    # slots at or before this moment are dropped (`deskbreak skip`)
    skip_through: datetime | None = None


def _local(day: date, minute: int, zone: ZoneInfo) -> datetime | None:
    """The aware moment for `minute` after midnight on `day`, or None if DST skips it."""
    naive = datetime.combine(day, time()) + timedelta(minutes=minute)
    if naive.date() != day:  # 24:00 is the next day's midnight
        return naive.replace(tzinfo=zone)
    aware = naive.replace(tzinfo=zone)
    # A wall time inside a spring-forward gap does not survive a round trip through UTC.
    round_trip = aware.astimezone(UTC).astimezone(zone).replace(tzinfo=None)
    return aware if round_trip == naive else None


def _window_slots(cfg: ScheduleConfig, day: date, window: Window) -> Iterator[datetime]:
    step = int(cfg.interval.total_seconds() // 60)
    if cfg.align == "clock":
        first = (window.start_minute // step + 1) * step
    else:
        first = window.start_minute + step
    for minute in range(first, window.end_minute, step):
        moment = _local(day, minute, cfg.timezone)
        if moment is not None:
            yield moment


def day_slots(cfg: ScheduleConfig, day: date) -> list[datetime]:
    """Every reminder slot of one local day, in order, each instant once."""
    seen: set[datetime] = set()
    slots: list[datetime] = []
    for window in cfg.windows.get(day.weekday(), ()):
        for moment in _window_slots(cfg, day, window):
            instant = moment.astimezone(UTC)
            if instant not in seen:  # a repeated hour on a fall-back day gives one slot
                seen.add(instant)
                slots.append(moment)
    slots.sort(key=lambda m: m.astimezone(UTC))
    return slots


def slots_between(cfg: ScheduleConfig, start: datetime, end: datetime) -> Iterator[datetime]:
    """Slots with start < slot <= end (aware datetimes), in order."""
    day = start.astimezone(cfg.timezone).date() - timedelta(days=1)
    last_day = end.astimezone(cfg.timezone).date()
    while day <= last_day:
        for slot in day_slots(cfg, day):
            if start < slot <= end:
                yield slot
        day += timedelta(days=1)


def first_slot_after(cfg: ScheduleConfig, moment: datetime) -> datetime | None:
    """The first slot strictly after `moment`, within the horizon."""
    return next(slots_between(cfg, moment, moment + timedelta(days=HORIZON_DAYS)), None)


def in_work_hours(cfg: ScheduleConfig, moment: datetime) -> bool:
    """True when `moment` lies strictly inside one of its local day's work windows."""
    local = moment.astimezone(cfg.timezone)
    minute = local.hour * 60 + local.minute + local.second / 60 + local.microsecond / 60e6
    return any(w.start_minute < minute < w.end_minute for w in cfg.windows.get(local.weekday(), ()))


def next_reminder(cfg: ScheduleConfig, state: PlanState, now: datetime) -> datetime | None:
    """The next moment a reminder is due after `now`, or None if none is ahead (or paused)."""
    if state.paused_indefinitely:
        return None
    floor = max(
        (t for t in (now, state.paused_until, state.skip_through) if t is not None),
    )
    snoozed = state.snoozed_until
    if snoozed is not None and snoozed > floor:
        # A snooze asks for one reminder at that moment, unless that is outside work hours;
        # either way the grid slots it covers are not sent.
        if in_work_hours(cfg, snoozed):
            return snoozed
        floor = snoozed
    return first_slot_after(cfg, floor)


# -- what the user's commands do to the plan (the daemon stores the returned state) -----------


def pause(state: PlanState, until: datetime | None) -> PlanState:
    """Pause until a moment, or until resumed when `until` is None."""
    return replace(state, paused_until=until, paused_indefinitely=until is None)


def resume(state: PlanState) -> PlanState:
    return replace(state, paused_until=None, paused_indefinitely=False)


def snooze(state: PlanState, now: datetime, by: timedelta) -> PlanState:
    return replace(state, snoozed_until=now + by)


def skip_next(
    cfg: ScheduleConfig, state: PlanState, now: datetime
) -> tuple[PlanState, datetime | None]:
    """Drop the next reminder; returns the new state and the reminder that was dropped."""
    dropped = next_reminder(cfg, state, now)
    if dropped is None:
        return state, None
    return replace(state, skip_through=dropped, snoozed_until=None), dropped


def after_sent(state: PlanState, sent_at: datetime) -> PlanState:
    """Forget a snooze once its reminder went out, and expired pauses and skips."""
    return PlanState(
        paused_until=state.paused_until
        if state.paused_until and state.paused_until > sent_at
        else None,
        paused_indefinitely=state.paused_indefinitely,
        snoozed_until=state.snoozed_until
        if state.snoozed_until and state.snoozed_until > sent_at
        else None,
        skip_through=state.skip_through
        if state.skip_through and state.skip_through > sent_at
        else None,
    )


def is_paused(state: PlanState, now: datetime) -> bool:
    return state.paused_indefinitely or (
        state.paused_until is not None and state.paused_until > now
    )


def plan_days(cfg: ScheduleConfig, first_day: date, days: int) -> list[datetime]:
    """All slots of `days` local days from `first_day` (for `deskbreak schedule`)."""
    return [slot for n in range(days) for slot in day_slots(cfg, first_day + timedelta(days=n))]
