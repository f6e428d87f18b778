"""Durations and clock times as people type them on the command line: "1h30m", "14:00"."""

from __future__ import annotations

import re
from datetime import time, timedelta

from deskbreak.errors import UsageError
from deskbreak.limits import MIN_DURATION, in_words

MAX_DURATION = timedelta(days=366)

_EXAMPLES = 'e.g. "10" (minutes), "45m", "90s", "1h30m" or "2h 15m"'
# Patterns, not compiled ones: `re` compiles each on first use (and caches it), so the CLI
# commands that import this module but parse nothing do not pay for compiling them.
_NUMBER = r"([0-9]+(?:\.[0-9]+)?|\.[0-9]+)"
_DURATION = rf"""
    (?:{_NUMBER} \s* d(?:ays?)? \s*)?
    (?:{_NUMBER} \s* h(?:ours?|rs?)? \s*)?
    (?:{_NUMBER} \s* m(?:in(?:ute)?s?)? \s*)?
    (?:{_NUMBER} \s* s(?:ec(?:ond)?s?)? \s*)?
    """
_DURATION_FLAGS = re.VERBOSE | re.IGNORECASE | re.ASCII
_CLOCK = r"([01]?[0-9]|2[0-3]):([0-5][0-9])"
_SECONDS_PER_UNIT = (86400, 3600, 60, 1)


def parse_duration(text: str, what: str = "duration", limit: timedelta = MAX_DURATION) -> timedelta:
    """A positive duration from text like "45m", "1h30m", "90s", "2h 15m"; a bare number is minutes.

    Raises UsageError (with examples) for anything else, and for less than a second or more
    than `limit` (naming `what` and the limit in words: "a pause can be at most 31 days").
    """
    cleaned = text.strip()
    if plain := re.fullmatch(_NUMBER, cleaned, re.ASCII):
        seconds = float(plain.group(1)) * 60
    elif cleaned and (match := re.fullmatch(_DURATION, cleaned, _DURATION_FLAGS)):
        seconds = sum(
            float(value) * unit
            for value, unit in zip(match.groups(), _SECONDS_PER_UNIT, strict=True)
            if value is not None
        )
    else:
        raise UsageError(f"not a duration: {text!r}; use {_EXAMPLES}")
    if seconds < MIN_DURATION.total_seconds():
        raise UsageError(f"a {what} must be at least 1 second, got {text!r}; use {_EXAMPLES}")
    if seconds > limit.total_seconds():
        raise UsageError(f"a {what} can be at most {in_words(limit)}, got {text!r}")
    return timedelta(seconds=round(seconds))


def parse_clock(text: str) -> time:
    """A wall-clock time from "HH:MM" (24-hour, e.g. "14:00" or "9:30")."""
    match = re.fullmatch(_CLOCK, text.strip(), re.ASCII)
    if match is None:
        raise UsageError(f'not a time of day: {text!r}; use 24-hour HH:MM, e.g. "14:00"')
    return time(int(match.group(1)), int(match.group(2)))


def format_duration(duration: timedelta) -> str:
    """A short human form, whole seconds: "1h 30m", "45m", "1m 30s", "2d 3h", "0s"."""
    total = round(duration.total_seconds())
    sign = "-" if total < 0 else ""
    total = abs(total)
    parts = []
    for unit, size in zip("dhms", _SECONDS_PER_UNIT, strict=True):
        count, total = divmod(total, size)
        if count:
            parts.append(f"{count}{unit}")
    return sign + (" ".join(parts) or "0s")
