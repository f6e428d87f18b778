from __future__ import annotations

from datetime import UTC, datetime, timedelta

from deskbreak.daemon.clock import ClockWatch, stepped_back

T0 = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


def test_a_clock_an_hour_earlier_than_at_the_last_look_was_stepped_back_by_that_hour() -> None:
    assert stepped_back(T0, T0 - timedelta(hours=1)) == timedelta(hours=1)


def test_a_few_seconds_back_is_jitter_not_a_step() -> None:
    assert stepped_back(T0, T0 - timedelta(seconds=5)) is None


def test_a_clock_that_moved_on_or_jumped_forward_was_not_stepped_back() -> None:
    assert stepped_back(T0, T0 + timedelta(minutes=1)) is None
    assert stepped_back(T0, T0 + timedelta(days=2)) is None


def test_the_watch_reports_a_step_once_then_compares_with_the_new_time() -> None:
    watch = ClockWatch(T0)
    back = T0 - timedelta(hours=2)
    assert watch.look(T0 + timedelta(minutes=1)) is None
    assert watch.look(back) == timedelta(hours=2, minutes=1)
    assert watch.look(back + timedelta(minutes=1)) is None
