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
    """What the user asked for that changes the plan (kept by the daemon, persisted in history).

    Every moment here is an instant; the planner compares and adds in UTC, so a DST change
    neither stretches a snooze nor brings back a slot that already passed.
    """

    paused_until: datetime | None = None
    paused_indefinitely: bool = False
    snoozed_until: datetime | None = None
    # the one slot `deskbreak skip` dropped; the slots around it come as planned
    skipped_slot: datetime | None = None


def _utc(moment: datetime) -> datetime:
    """An aware moment as UTC. Aware datetimes that share a tzinfo compare by wall time, which
    is wrong across a fall-back hour; UTC ones compare as instants."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"the planner needs timezone-aware datetimes, got naive {moment}")
    return moment.astimezone(UTC)


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
    """Slots with start < slot <= end (aware datetimes, compared as instants), in order."""
    start_utc, end_utc = _utc(start), _utc(end)
    day = start.astimezone(cfg.timezone).date() - timedelta(days=1)
    last_day = end.astimezone(cfg.timezone).date()
    while day <= last_day:
        for slot in day_slots(cfg, day):
            if start_utc < _utc(slot) <= end_utc:
                yield slot
        day += timedelta(days=1)


def in_work_hours(cfg: ScheduleConfig, moment: datetime) -> bool:
    """True when `moment` lies strictly inside one of its local day's work windows."""
    local = moment.astimezone(cfg.timezone)
    minute = local.hour * 60 + local.minute + local.second / 60 + local.microsecond / 60e6
    return any(w.start_minute < minute < w.end_minute for w in cfg.windows.get(local.weekday(), ()))


def next_reminder(cfg: ScheduleConfig, state: PlanState, now: datetime) -> datetime | None:
    """The next moment a reminder is due after `now`, or None if none is ahead (or paused)."""
    if state.paused_indefinitely:
        return None
    floor = max(_utc(t) for t in (now, state.paused_until) if t is not None)
    snoozed = state.snoozed_until
    if snoozed is not None and _utc(snoozed) > floor:
        # A snooze asks for one reminder at that moment, unless that is outside work hours;
        # either way the grid slots it covers are not sent.
        if in_work_hours(cfg, snoozed) and not _is_skipped(state, snoozed):
            return snoozed.astimezone(cfg.timezone)
        floor = _utc(snoozed)
    for slot in slots_between(cfg, floor, floor + timedelta(days=HORIZON_DAYS)):
        if not _is_skipped(state, slot):
            return slot
    return None


def _is_skipped(state: PlanState, moment: datetime) -> bool:
    return state.skipped_slot is not None and _utc(state.skipped_slot) == _utc(moment)


def due_slot(
    cfg: ScheduleConfig, state: PlanState, now: datetime, lookback: timedelta
) -> datetime | None:
    """The latest reminder moment at or before `now` (and within `lookback`): the slot a
    reminder firing at `now` belongs to, so a late one is logged with the slot it was for."""
    found = None
    moment = next_reminder(cfg, state, _utc(now) - lookback - timedelta(microseconds=1))
    while moment is not None and _utc(moment) <= _utc(now):
        found = moment
        moment = next_reminder(cfg, state, moment)
    return found


def pending_snooze(cfg: ScheduleConfig, state: PlanState, now: datetime) -> datetime | None:
    """The snooze that will bring the next reminder, or None: a snooze that ends outside work
    hours, during a pause or on a skipped slot gave way to the next slot and is not shown."""
    if state.snoozed_until is None:
        return None
    due = next_reminder(cfg, state, now)
    return due if due is not None and _utc(due) == _utc(state.snoozed_until) else None


def pending_skip(cfg: ScheduleConfig, state: PlanState, now: datetime) -> datetime | None:
    """The skipped slot while it is still ahead and still a slot of the plan, else None."""
    slot = state.skipped_slot
    if slot is None or _utc(slot) <= _utc(now):
        return None
    without = replace(state, skipped_slot=None)
    return slot.astimezone(cfg.timezone) if _is_planned(cfg, without, slot, now) else None


def _is_planned(cfg: ScheduleConfig, state: PlanState, moment: datetime, now: datetime) -> bool:
    due = next_reminder(cfg, state, now)
    while due is not None and _utc(due) <= _utc(moment):
        if _utc(due) == _utc(moment):
            return True
        due = next_reminder(cfg, state, due)
    return False


# -- what the user's commands do to the plan (the daemon stores the returned state) -----------


def pause(state: PlanState, until: datetime | None) -> PlanState:
    """Pause until a moment, or until resumed when `until` is None."""
    return replace(
        state,
        paused_until=None if until is None else _utc(until),
        paused_indefinitely=until is None,
    )


def pause_for(state: PlanState, now: datetime, length: timedelta) -> PlanState:
    """Pause for `length` of real time (in UTC: a DST change does not stretch it)."""
    return pause(state, _utc(now) + length)


def resume(state: PlanState) -> PlanState:
    """End a pause and forget a pending skip: after `resume` the plan is the plain schedule."""
    return replace(state, paused_until=None, paused_indefinitely=False, skipped_slot=None)


def snooze(state: PlanState, now: datetime, by: timedelta) -> PlanState:
    """One reminder `by` from now, in real time (in UTC: a DST change does not stretch it)."""
    return replace(state, snoozed_until=_utc(now) + by)


def skip_next(
    cfg: ScheduleConfig, state: PlanState, now: datetime
) -> tuple[PlanState, datetime | None]:
    """Drop the next reminder; returns the new state and the reminder that was dropped.

    Exactly that one moment is dropped: if the work hours change before it, it no longer
    names a slot and drops nothing."""
    dropped = next_reminder(cfg, state, now)
    if dropped is None:
        return state, None
    return replace(state, skipped_slot=_utc(dropped)), dropped


def unskip(state: PlanState) -> PlanState:
    """Bring back the skipped reminder (`deskbreak skip --undo`)."""
    return replace(state, skipped_slot=None)


def replan(cfg: ScheduleConfig, state: PlanState, now: datetime) -> PlanState:
    """The state under a new config (after a reload): a skip whose slot is gone is forgotten."""
    if state.skipped_slot is not None and pending_skip(cfg, state, now) is None:
        return unskip(state)
    return state


def after_sent(state: PlanState, sent_at: datetime) -> PlanState:
    """Forget a snooze once its reminder went out, and expired pauses and skips."""
    sent = _utc(sent_at)
    return PlanState(
        paused_until=state.paused_until
        if state.paused_until and _utc(state.paused_until) > sent
        else None,
        paused_indefinitely=state.paused_indefinitely,
        snoozed_until=state.snoozed_until
        if state.snoozed_until and _utc(state.snoozed_until) > sent
        else None,
        skipped_slot=state.skipped_slot
        if state.skipped_slot and _utc(state.skipped_slot) > sent
        else None,
    )


def is_paused(state: PlanState, now: datetime) -> bool:
    return state.paused_indefinitely or (
        state.paused_until is not None and _utc(state.paused_until) > _utc(now)
    )


def plan_days(cfg: ScheduleConfig, first_day: date, days: int) -> list[datetime]:
    """All slots of `days` local days from `first_day` (for `deskbreak schedule`)."""
    return [slot for n in range(days) for slot in day_slots(cfg, first_day + timedelta(days=n))]
