from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from deskbreak.planner.model import ScheduleConfig, Window
from deskbreak.planner.schedule import (
    PlanState,
    day_slots,
    due_slot,
    in_work_hours,
    is_paused,
    next_reminder,
    pause,
    pause_for,
    pending_skip,
    pending_snooze,
    plan_days,
    replan,
    resume,
    skip_next,
    snooze,
    unskip,
)

BERLIN = ZoneInfo("Europe/Berlin")
MONDAY = date(2026, 11, 23)


def window(text: str) -> Window:
    start, end = text.split("-")
    h1, m1 = (int(x) for x in start.split(":"))
    h2, m2 = (int(x) for x in end.split(":"))
    return Window(h1 * 60 + m1, h2 * 60 + m2)


def cfg(
    *windows: str,
    interval: int = 30,
    days: range | tuple[int, ...] = range(5),
    align: str = "clock",
    zone: ZoneInfo = BERLIN,
) -> ScheduleConfig:
    spans = tuple(window(w) for w in (windows or ("09:00-17:30",)))
    return ScheduleConfig(
        interval=timedelta(minutes=interval),
        windows={d: spans for d in days},
        timezone=zone,
        align=align,  # type: ignore[arg-type]
    )


def at(hhmm: str, day: date = MONDAY, zone: ZoneInfo = BERLIN) -> datetime:
    h, m = (int(x) for x in hhmm.split(":"))
    return datetime(day.year, day.month, day.day, h, m, tzinfo=zone)


def hhmm(slots: list[datetime]) -> list[str]:
    return [s.strftime("%H:%M") for s in slots]


def test_clock_alignment_puts_reminders_on_the_half_hours_strictly_inside_the_window() -> None:
    slots = day_slots(cfg("09:00-11:00"), MONDAY)
    assert hhmm(slots) == ["09:30", "10:00", "10:30"]


def test_lunch_gap_gets_no_reminder_and_window_edges_are_never_used() -> None:
    slots = day_slots(cfg("09:00-12:30", "13:30-17:30"), MONDAY)
    assert "12:30" not in hhmm(slots) and "13:00" not in hhmm(slots) and "13:30" not in hhmm(slots)
    assert hhmm(slots)[:6] == ["09:30", "10:00", "10:30", "11:00", "11:30", "12:00"]
    assert hhmm(slots)[6:] == ["14:00", "14:30", "15:00", "15:30", "16:00", "16:30", "17:00"]


def test_start_alignment_counts_from_each_windows_start() -> None:
    slots = day_slots(cfg("09:10-11:00", "13:45-15:00", align="start"), MONDAY)
    assert hhmm(slots) == ["09:40", "10:10", "10:40", "14:15", "14:45"]


def test_window_shorter_than_the_interval_brings_nothing() -> None:
    assert day_slots(cfg("09:05-09:25", align="start"), MONDAY) == []
    assert day_slots(cfg("09:01-09:29"), MONDAY) == []


def test_weekend_brings_no_reminder_and_friday_evening_jumps_to_monday() -> None:
    saturday = MONDAY + timedelta(days=5)
    assert day_slots(cfg(), saturday) == []
    friday_evening = at("17:45", MONDAY + timedelta(days=4))
    assert next_reminder(cfg(), PlanState(), friday_evening) == at("09:30", MONDAY + timedelta(7))


def test_next_reminder_is_strictly_after_now() -> None:
    assert next_reminder(cfg(), PlanState(), at("09:30")) == at("10:00")
    assert next_reminder(cfg(), PlanState(), at("09:29")) == at("09:30")


def test_spring_forward_day_never_names_a_local_time_that_does_not_exist() -> None:
    night = cfg("01:00-04:00", days=range(7))
    slots = day_slots(night, date(2026, 3, 29))  # Berlin jumps 02:00 -> 03:00
    assert hhmm(slots) == ["01:30", "03:00", "03:30"]
    gaps = {(b - a) for a, b in itertools.pairwise(slots)}
    assert all(g > timedelta(0) for g in gaps)


def test_fall_back_day_gives_each_instant_once() -> None:
    night = cfg("01:00-04:00", days=range(7))
    slots = day_slots(night, date(2026, 10, 25))  # Berlin repeats 02:00-03:00
    instants = [s.timestamp() for s in slots]
    assert len(instants) == len(set(instants))
    assert instants == sorted(instants)
    assert hhmm(slots) == ["01:30", "02:00", "02:30", "03:00", "03:30"]


def test_work_hours_on_dst_day_stay_at_local_wall_times() -> None:
    slots = day_slots(cfg("09:00-10:30", days=range(7)), date(2026, 3, 29))
    assert hhmm(slots) == ["09:30", "10:00"]
    assert slots[0].utcoffset() == timedelta(hours=2)


def test_snooze_moves_next_reminder_but_not_out_of_work_hours() -> None:
    workday = cfg("09:00-17:00")
    state = snooze(PlanState(), now=at("16:55"), by=timedelta(minutes=10))
    assert next_reminder(workday, state, now=at("16:55")) == at("09:30", MONDAY + timedelta(1))


def test_snooze_inside_work_hours_fires_at_the_snooze_time_and_drops_covered_slots() -> None:
    state = snooze(PlanState(), now=at("10:25"), by=timedelta(minutes=10))
    assert next_reminder(cfg(), state, now=at("10:25")) == at("10:35")
    assert next_reminder(cfg(), state, now=at("10:35")) == at("11:00")


def test_timed_pause_ends_by_itself_on_the_next_slot() -> None:
    state = pause(PlanState(), until=at("11:10"))
    assert next_reminder(cfg(), state, now=at("10:00")) == at("11:30")


def test_pause_past_work_hours_resumes_next_working_morning() -> None:
    state = pause(PlanState(), until=at("20:00"))
    assert next_reminder(cfg(), state, now=at("10:00")) == at("09:30", MONDAY + timedelta(1))


def test_indefinite_pause_has_no_next_reminder_until_resumed() -> None:
    state = pause(PlanState(), until=None)
    assert next_reminder(cfg(), state, now=at("10:00")) is None
    assert next_reminder(cfg(), resume(state), now=at("10:00")) == at("10:30")


def test_skip_drops_exactly_the_next_reminder() -> None:
    state, dropped = skip_next(cfg(), PlanState(), now=at("10:05"))
    assert dropped == at("10:30")
    assert next_reminder(cfg(), state, now=at("10:05")) == at("11:00")
    assert next_reminder(cfg(), state, now=at("11:00")) == at("11:30")


def test_no_working_day_at_all_means_no_reminder() -> None:
    assert next_reminder(cfg(days=()), PlanState(), at("10:00")) is None


def test_in_work_hours_excludes_window_edges() -> None:
    workday = cfg("09:00-17:00")
    assert not in_work_hours(workday, at("09:00"))
    assert in_work_hours(workday, at("09:01"))
    assert not in_work_hours(workday, at("17:00"))
    assert not in_work_hours(workday, at("12:00", MONDAY + timedelta(days=5)))


def test_plan_days_lists_each_day_in_order_with_utc_offsets() -> None:
    slots = plan_days(cfg("09:00-10:00"), MONDAY, 7)
    assert len(slots) == 5  # one slot (09:30) on each working day
    assert all(s.tzinfo is not None and s.utcoffset() is not None for s in slots)
    assert [s.date().weekday() for s in slots] == [0, 1, 2, 3, 4]


def test_other_interval_on_clock_grid_from_midnight() -> None:
    assert hhmm(day_slots(cfg("09:10-11:00", interval=45), MONDAY)) == ["09:45", "10:30"]


# -- skip names one slot ------------------------------------------------------------------------


def test_skip_on_a_day_off_then_new_work_hours_drops_nothing_else() -> None:
    # Skipped on Saturday: the dropped reminder is Monday 09:30. Work hours then start on
    # Saturday: Saturday's reminders all come, and Monday 09:30 is still the one skipped.
    saturday = MONDAY + timedelta(days=5)
    state, dropped = skip_next(cfg(), PlanState(), now=at("10:00", saturday))
    assert dropped == at("09:30", MONDAY + timedelta(days=7))
    weekend_too = cfg(days=range(7))
    assert next_reminder(weekend_too, state, now=at("10:00", saturday)) == at("10:30", saturday)


def test_a_pending_skip_is_named_until_its_slot_passes() -> None:
    state, _ = skip_next(cfg(), PlanState(), now=at("10:05"))
    assert pending_skip(cfg(), state, at("10:05")) == at("10:30")
    assert pending_skip(cfg(), state, at("10:30")) is None


def test_resume_and_undo_bring_the_skipped_reminder_back() -> None:
    state, _ = skip_next(cfg(), PlanState(), now=at("10:05"))
    assert next_reminder(cfg(), unskip(state), at("10:05")) == at("10:30")
    assert next_reminder(cfg(), resume(state), at("10:05")) == at("10:30")


def test_reload_forgets_a_skip_whose_slot_is_no_longer_planned() -> None:
    state, _ = skip_next(cfg(), PlanState(), now=at("10:05"))
    hourly = cfg(interval=60)  # 10:30 is no longer a slot
    assert replan(hourly, state, at("10:05")).skipped_slot is None
    assert replan(cfg(), state, at("10:05")) == state


def test_skipping_a_snoozed_reminder_drops_it_and_keeps_the_slots_it_covered_dropped() -> None:
    snoozed = snooze(PlanState(), now=at("10:25"), by=timedelta(minutes=10))
    state, dropped = skip_next(cfg(), snoozed, now=at("10:26"))
    assert dropped == at("10:35")
    assert next_reminder(cfg(), state, at("10:26")) == at("11:00")


# -- a snooze that cannot fire is not a snooze --------------------------------------------------


def test_a_snooze_past_work_hours_gives_way_and_is_not_pending() -> None:
    workday = cfg("09:00-17:00")
    state = snooze(PlanState(), now=at("16:55"), by=timedelta(minutes=10))
    assert pending_snooze(workday, state, at("16:55")) is None
    inside = snooze(PlanState(), now=at("10:25"), by=timedelta(minutes=10))
    assert pending_snooze(workday, inside, at("10:25")) == at("10:35")


def test_a_snooze_on_a_day_off_is_not_pending() -> None:
    saturday = MONDAY + timedelta(days=5)
    state = snooze(PlanState(), now=at("12:28", saturday), by=timedelta(minutes=10))
    assert pending_snooze(cfg(), state, at("12:28", saturday)) is None


# -- late reminders belong to their slot --------------------------------------------------------


def test_a_reminder_firing_late_belongs_to_the_slot_it_was_planned_for() -> None:
    late = at("12:30") + timedelta(seconds=73)
    assert due_slot(cfg(), PlanState(), late, timedelta(minutes=15)) == at("12:30")
    assert due_slot(cfg(), PlanState(), at("12:50"), timedelta(minutes=15)) is None


def test_a_late_snoozed_reminder_belongs_to_its_snooze_moment() -> None:
    state = snooze(PlanState(), now=at("12:48"), by=timedelta(minutes=10))
    late = at("12:58") + timedelta(seconds=73)
    assert due_slot(cfg(), state, late, timedelta(minutes=15)) == at("12:58")


# -- time: instants in UTC ----------------------------------------------------------------------


def test_snooze_on_the_fall_back_night_lasts_exactly_its_length() -> None:
    night = cfg("00:00-24:00", days=range(7))
    # 02:55 CEST, first pass; ten real minutes later it is 02:05 CET.
    first_pass = datetime(2026, 10, 25, 2, 55, tzinfo=BERLIN)
    state = snooze(PlanState(), now=first_pass, by=timedelta(minutes=10))
    due = next_reminder(night, state, first_pass)
    assert due is not None
    assert due.astimezone(UTC) - first_pass.astimezone(UTC) == timedelta(minutes=10)


def test_on_the_second_pass_through_the_repeated_hour_the_next_reminder_is_ahead() -> None:
    night = cfg("00:00-24:00", days=range(7))
    second_pass = datetime(2026, 10, 25, 2, 15, fold=1, tzinfo=BERLIN)
    due = next_reminder(night, PlanState(), second_pass)
    assert due is not None
    assert due.astimezone(UTC) > second_pass.astimezone(UTC)
    # The repeated hour's wall times were planned on the first pass; the next one is 03:00.
    assert due == datetime(2026, 10, 25, 3, 0, tzinfo=BERLIN)


ZONES = [
    ZoneInfo(name)
    for name in ("Europe/Berlin", "America/New_York", "Australia/Lord_Howe", "America/Santiago")
]
# Instants around each zone's 2026 clock changes, a few hours either side.
DST_INSTANTS = st.sampled_from(
    [
        datetime(2026, 3, 8, 7, tzinfo=UTC),  # New York spring
        datetime(2026, 11, 1, 6, tzinfo=UTC),  # New York autumn
        datetime(2026, 3, 29, 1, tzinfo=UTC),  # Berlin spring
        datetime(2026, 10, 25, 1, tzinfo=UTC),  # Berlin autumn
        datetime(2026, 4, 4, 15, tzinfo=UTC),  # Lord Howe: a half-hour change
        datetime(2026, 10, 3, 15, tzinfo=UTC),
        datetime(2026, 4, 5, 3, tzinfo=UTC),  # Santiago: the change at local midnight
        datetime(2026, 9, 6, 4, tzinfo=UTC),
    ]
)
OFFSETS = st.integers(min_value=-4 * 3600, max_value=4 * 3600).map(lambda s: timedelta(seconds=s))
LENGTHS = st.integers(min_value=1, max_value=6 * 3600).map(lambda s: timedelta(seconds=s))


@settings(max_examples=300, deadline=None)
@given(
    zone=st.sampled_from(ZONES),
    around=DST_INSTANTS,
    offset=OFFSETS,
    interval=st.sampled_from([15, 30, 45]),
)
def test_next_reminder_is_always_strictly_ahead_around_dst_changes(
    zone: ZoneInfo, around: datetime, offset: timedelta, interval: int
) -> None:
    plan = cfg("00:00-24:00", interval=interval, days=range(7), zone=zone)
    now = (around + offset).astimezone(zone)
    due = next_reminder(plan, PlanState(), now)
    assert due is not None and due.astimezone(UTC) > now.astimezone(UTC)
    # never further than two intervals (midnight is a window edge) plus a repeated hour
    assert due.astimezone(UTC) - now.astimezone(UTC) <= timedelta(minutes=2 * interval + 60)


@settings(max_examples=300, deadline=None)
@given(zone=st.sampled_from(ZONES), around=DST_INSTANTS, offset=OFFSETS, length=LENGTHS)
def test_snooze_and_pause_last_exactly_their_real_length_around_dst_changes(
    zone: ZoneInfo, around: datetime, offset: timedelta, length: timedelta
) -> None:
    plan = cfg("00:00-24:00", days=range(7), zone=zone)
    now = (around + offset).astimezone(zone)
    snoozed = snooze(PlanState(), now, length)
    assert snoozed.snoozed_until is not None
    assert snoozed.snoozed_until.astimezone(UTC) - now.astimezone(UTC) == length
    due = next_reminder(plan, snoozed, now)
    if in_work_hours(plan, snoozed.snoozed_until):  # local midnight is a window edge
        assert due is not None and due.astimezone(UTC) - now.astimezone(UTC) == length
    paused = pause_for(PlanState(), now, length)
    assert is_paused(paused, (now.astimezone(UTC) + length - timedelta(seconds=1)).astimezone(zone))
    assert not is_paused(paused, (now.astimezone(UTC) + length).astimezone(zone))
    resumed_at = next_reminder(plan, paused, now)
    assert resumed_at is not None and resumed_at.astimezone(UTC) > now.astimezone(UTC) + length
