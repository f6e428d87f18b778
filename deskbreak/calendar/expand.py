"""Expanding an iCalendar feed into the windows deskbreak keeps: start, end, busy, run.

Recurring events (RRULE, RDATE, EXDATE, edited occurrences with RECURRENCE-ID) and time zones
(VTIMEZONE, TZID) are expanded by `recurring-ical-events` on top of `icalendar`. Titles are read
only to decide "is this a run?" and are never returned; nor are attendees, places or links.

This module is imported only by `deskbreak calendar sync`, never by the daemon.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import icalendar
import recurring_ical_events

from deskbreak.calendar.sources import CalendarParseError, Mode
from deskbreak.planner.runs import CalendarWindow


def keyword_pattern(keywords: Sequence[str]) -> re.Pattern[str]:
    """Whole words (or phrases) from `keywords`, any case: "run" matches "Easy run" but not
    "Brunch"."""
    alternatives = "|".join(re.escape(k) for k in sorted(keywords, key=len, reverse=True))
    return re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)", re.IGNORECASE)


def expand(
    data: bytes,
    mode: Mode,
    keywords: Sequence[str],
    zone: ZoneInfo,
    start: datetime,
    end: datetime,
) -> list[CalendarWindow]:
    """The busy and run windows of the occurrences overlapping [start, end), in order.

    Floating times (no zone) are read in `zone`. Cancelled, declined and free (TRANSPARENT)
    events hold nothing; a free event can still be a run.
    """
    try:
        calendar = icalendar.Calendar.from_ical(prefilter(data, start, end))
    except ValueError as err:
        raise CalendarParseError(f"not an iCalendar file: {err}") from None
    owner = _owner(calendar)
    runs = keyword_pattern(keywords) if keywords else None
    try:
        occurrences = recurring_ical_events.of(calendar).between(start, end)
    except Exception as err:  # noqa: BLE001 - the library raises many kinds on broken feeds
        raise CalendarParseError(f"cannot expand the events: {err}") from None
    windows = {w for w in _windows(occurrences, mode, runs, owner, zone)}
    return sorted(windows, key=lambda w: (w.start, w.end, w.busy, w.run))


_DATE = re.compile(rb"^(DTSTART|DTEND|RECURRENCE-ID)(?:;[^\r\n:]*)?:(\d{8})", re.MULTILINE)
_UNTIL = re.compile(rb"^RRULE[;:][^\r\n]*?UNTIL=(\d{8})", re.MULTILINE)
_RULES = re.compile(rb"^(RRULE|RDATE)[;:]", re.MULTILINE)
# Dates are read without their zone: a margin covers every offset.
_MARGIN = timedelta(days=2)


def prefilter(data: bytes, start: datetime, end: datetime) -> bytes:
    """`data` without the events that cannot have an occurrence in [start, end).

    Parsing is what a sync spends its time on, and a feed covers years while a sync needs a
    few weeks, so events are judged from their dates before parsing: a one-off event (or an
    edited occurrence) wholly outside the span, a series that starts after it or whose RRULE
    ends (UNTIL) before it. Anything else, and anything not understood, is kept.
    """
    text = re.sub(rb"\r?\n[ \t]", b"", data)  # unfold continuation lines
    low = (start - _MARGIN).strftime("%Y%m%d").encode()
    high = (end + _MARGIN).strftime("%Y%m%d").encode()
    kept: list[bytes] = []
    position = 0
    for match in re.finditer(rb"^BEGIN:VEVENT\r?$.*?^END:VEVENT\r?$\n?", text, re.M | re.S):
        block = match.group(0)
        kept.append(text[position : match.start()])
        position = match.end()
        if _needed(block, low, high):
            kept.append(block)
    kept.append(text[position:])
    return b"".join(kept)


def _needed(block: bytes, low: bytes, high: bytes) -> bool:
    dates: dict[bytes, bytes] = dict(_DATE.findall(block))
    first = dates.get(b"DTSTART")
    if first is None:
        return True
    if _RULES.search(block):
        if first > high:
            return False
        until = _UNTIL.search(block)
        return not (until and until.group(1) < low and b"RDATE" not in block)
    last = dates.get(b"DTEND", first)
    original = dates.get(b"RECURRENCE-ID", first)
    in_span = not (last < low or first > high)
    return in_span or low <= original <= high


def _windows(
    occurrences: Iterable[Any],
    mode: Mode,
    runs: re.Pattern[str] | None,
    owner: str | None,
    zone: ZoneInfo,
) -> Iterable[CalendarWindow]:
    for event in occurrences:
        if event.name != "VEVENT":
            continue
        if str(event.get("STATUS", "")).upper() == "CANCELLED" or _declined(event, owner):
            continue
        title = str(event.get("SUMMARY", ""))
        if mode == "runs-only":
            is_run = True
        elif mode == "busy-only":
            is_run = False
        else:
            is_run = bool(runs and runs.search(title))
        free = str(event.get("TRANSP", "OPAQUE")).upper() == "TRANSPARENT"
        busy = not is_run and not free
        begin = event.get("DTSTART")
        if begin is None or not (busy or is_run):
            continue
        first = begin.dt
        finish = event.get("DTEND")
        if finish is not None:
            last = finish.dt
        elif event.get("DURATION") is not None:
            last = first + event["DURATION"].dt
        else:
            last = first + (timedelta(days=1) if not isinstance(first, datetime) else timedelta())
        if not isinstance(first, datetime):
            if not is_run:
                continue  # an all-day meeting would hold every reminder of the day: ignore it
            yield CalendarWindow(_utc_date(first), _utc_date(_as_date(last)), False, True, True)
            continue
        start, stop = _aware(first, zone), _aware(_as_datetime(last), zone)
        if stop > start:
            yield CalendarWindow(start, stop, busy, is_run)


def _owner(calendar: Any) -> str | None:
    """Whose calendar this is, when it says: Google and Outlook name it by the owner's address."""
    name = str(calendar.get("X-WR-CALNAME", "")).strip().lower()
    return name if "@" in name else None


def _declined(event: Any, owner: str | None) -> bool:
    """The owner declined (or, in a calendar that names no owner, its only attendee did)."""
    attendees = event.get("ATTENDEE")
    if attendees is None:
        return False
    if not isinstance(attendees, list):
        attendees = [attendees]
    if owner is None and len(attendees) != 1:
        return False
    for attendee in attendees:
        address = str(attendee).lower().removeprefix("mailto:")
        status = str(attendee.params.get("PARTSTAT", "")).upper()
        if status == "DECLINED" and (owner is None or address == owner):
            return True
    return False


def _aware(moment: datetime, zone: ZoneInfo) -> datetime:
    if moment.tzinfo is None:
        return moment.replace(tzinfo=zone)
    return moment


def _as_datetime(value: date | datetime) -> datetime:
    if isinstance(value, datetime):
        return value
    return datetime.combine(value, time())


def _as_date(value: date | datetime) -> date:
    return value.date() if isinstance(value, datetime) else value


def _utc_date(day: date) -> datetime:
    """An all-day event's date, stored as 00:00 UTC of that date."""
    return datetime.combine(day, time(), tzinfo=UTC)
