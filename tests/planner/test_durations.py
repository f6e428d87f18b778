from __future__ import annotations

from datetime import time, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from deskbreak.errors import UsageError
from deskbreak.planner.durations import MAX_DURATION, format_duration, parse_clock, parse_duration


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("45m", timedelta(minutes=45)),
        ("1h30m", timedelta(hours=1, minutes=30)),
        ("1h", timedelta(hours=1)),
        ("90s", timedelta(seconds=90)),
        ("2h 15m", timedelta(hours=2, minutes=15)),
        ("10", timedelta(minutes=10)),
        (" 10 ", timedelta(minutes=10)),
        ("1.5h", timedelta(minutes=90)),
        ("1H30M", timedelta(hours=1, minutes=30)),
        ("2 hours", timedelta(hours=2)),
        ("5 min", timedelta(minutes=5)),
        ("1d", timedelta(days=1)),
        ("1h 0m 30s", timedelta(hours=1, seconds=30)),
    ],
)
def test_parse_duration_accepts_the_forms_people_type(text: str, expected: timedelta) -> None:
    assert parse_duration(text) == expected


@pytest.mark.parametrize(
    "text", ["", " ", "0", "0m", "-5m", "-5", "abc", "5x", "m", "1m1h", "1h1h", "٣m", "0.2s"]
)
def test_parse_duration_rejects_zero_negatives_and_garbage_with_examples(text: str) -> None:
    with pytest.raises(UsageError) as err:
        parse_duration(text)
    assert "45m" in str(err.value) or "at least" in str(err.value)
    assert err.value.exit_code == 2


def test_parse_duration_rejects_more_than_a_year() -> None:
    with pytest.raises(UsageError, match="at most"):
        parse_duration("99999999999999999999h")


@given(st.text(max_size=30))
def test_parse_duration_only_ever_raises_usage_error(text: str) -> None:
    try:
        duration = parse_duration(text)
    except UsageError:
        return
    assert timedelta(seconds=1) <= duration <= MAX_DURATION


@given(st.integers(min_value=1, max_value=int(MAX_DURATION.total_seconds())))
def test_format_duration_round_trips_through_parse_duration(seconds: int) -> None:
    duration = timedelta(seconds=seconds)
    assert parse_duration(format_duration(duration)) == duration


@pytest.mark.parametrize(
    ("duration", "text"),
    [
        (timedelta(hours=1, minutes=30), "1h 30m"),
        (timedelta(minutes=45), "45m"),
        (timedelta(seconds=90), "1m 30s"),
        (timedelta(hours=2), "2h"),
        (timedelta(days=1, hours=3), "1d 3h"),
        (timedelta(0), "0s"),
        (timedelta(minutes=-5), "-5m"),
    ],
)
def test_format_duration_is_short(duration: timedelta, text: str) -> None:
    assert format_duration(duration) == text


@pytest.mark.parametrize(
    ("text", "expected"),
    [("14:00", time(14, 0)), ("9:30", time(9, 30)), ("00:00", time(0, 0)), ("23:59", time(23, 59))],
)
def test_parse_clock_reads_24_hour_times(text: str, expected: time) -> None:
    assert parse_clock(text) == expected


@pytest.mark.parametrize("text", ["24:00", "12:60", "1400", "2pm", "", "12:5", "-1:00", "12:00:00"])
def test_parse_clock_rejects_anything_but_hh_mm(text: str) -> None:
    with pytest.raises(UsageError, match="HH:MM"):
        parse_clock(text)
