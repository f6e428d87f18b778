"""The limits a command's numbers must keep, shared by the CLI (which checks them first) and
the daemon (which checks every request again), so both refuse the same input in the same words.
"""

from __future__ import annotations

from datetime import date, timedelta

# Longer than a month is almost surely a typo (40d for 40m); `pause` with no length has no end.
MAX_PAUSE = timedelta(days=31)
MAX_SNOOZE = timedelta(days=31)
MIN_DURATION = timedelta(seconds=1)
# `schedule --days`: a year ahead at most; `stats --days`: ten years back at most.
MAX_SCHEDULE_DAYS = 366
MAX_STATS_DAYS = 3660
# Dates a schedule may cover: far enough from datetime's ends that a span and its time zone
# arithmetic never overflow.
FIRST_DATE = date(1971, 1, 1)
LAST_DATE = date(9998, 12, 31)


def in_words(length: timedelta) -> str:
    """A limit as a person says it: "31 days", "1 second", "90 minutes"."""
    seconds = int(length.total_seconds())
    for unit, size in (("day", 86400), ("hour", 3600), ("minute", 60)):
        if seconds % size == 0 and seconds >= size:
            count = seconds // size
            return f"{count} {unit}{'s' if count != 1 else ''}"
    return f"{seconds} second{'s' if seconds != 1 else ''}"


def check_length(what: str, length: timedelta, limit: timedelta, given: str) -> None:
    """ValueError "a pause can be at most 31 days, got '40d'" when `length` is out of range."""
    if length < MIN_DURATION:
        raise ValueError(f"a {what} must be at least {in_words(MIN_DURATION)}, got {given}")
    if length > limit:
        raise ValueError(f"a {what} can be at most {in_words(limit)}, got {given}")
