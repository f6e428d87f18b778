"""Calendar expansion on a hand-written feed around Europe/Berlin's end of summer time
(Sunday 2026-10-25): a weekly RRULE with an EXDATE and a moved occurrence, an all-day run,
a declined meeting, a free (TRANSPARENT) event, a cancelled one and an all-day meeting."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from deskbreak.calendar.expand import expand, keyword_pattern, prefilter
from deskbreak.calendar.sources import CalendarParseError, Mode
from deskbreak.config_runs import DEFAULT_RUN_KEYWORDS
from deskbreak.planner.runs import CalendarWindow, RunsConfig, runs_between

BERLIN = ZoneInfo("Europe/Berlin")
FEED = (Path(__file__).parent / "fixtures" / "dst-week.ics").read_bytes()


def at(day: str, clock: str) -> datetime:
    return datetime.fromisoformat(f"{day}T{clock}").replace(tzinfo=BERLIN)


def windows(mode: Mode = "all") -> list[CalendarWindow]:
    return expand(
        FEED,
        mode,
        DEFAULT_RUN_KEYWORDS,
        BERLIN,
        at("2026-10-19", "00:00"),
        at("2026-10-29", "00:00"),
    )


def meetings() -> list[tuple[datetime, datetime]]:
    return [(w.start, w.end) for w in windows() if w.busy]


def test_the_weekly_stand_up_keeps_ten_oclock_local_across_the_dst_change() -> None:
    starts = [start for start, _ in meetings() if start.astimezone(BERLIN).hour == 10]
    assert starts == [at("2026-10-19", "10:00"), at("2026-10-28", "10:00")]
    # the same wall time is a different UTC hour after the change
    assert [s.astimezone(UTC).hour for s in starts] == [8, 9]


def test_the_exdate_removes_that_wednesdays_stand_up() -> None:
    assert all(start.date() != at("2026-10-21", "00:00").date() for start, _ in meetings())


def test_the_moved_occurrence_is_at_its_new_time_and_not_at_the_old_one() -> None:
    monday = [
        (s, e) for s, e in meetings() if s.astimezone(BERLIN).date().isoformat() == "2026-10-26"
    ]
    assert monday == [(at("2026-10-26", "14:00"), at("2026-10-26", "14:30"))]


def test_a_declined_meeting_holds_nothing() -> None:
    assert all(s.astimezone(BERLIN).date().isoformat() != "2026-10-20" for s, _ in meetings())


def test_free_and_cancelled_events_and_all_day_meetings_hold_nothing() -> None:
    days = {s.astimezone(BERLIN).date().isoformat() for s, _ in meetings()}
    assert "2026-10-23" not in days  # cancelled call and the all-day offsite
    assert (at("2026-10-22", "13:00"), at("2026-10-22", "15:00")) not in meetings()


def test_a_title_with_run_as_a_whole_word_is_a_run_even_when_free() -> None:
    runs = [(w.start, w.end) for w in windows() if w.run and not w.all_day]
    assert runs == [(at("2026-10-22", "18:30"), at("2026-10-22", "19:30"))]


def test_brunch_is_a_meeting_not_a_run() -> None:
    assert (at("2026-10-24", "11:00"), at("2026-10-24", "12:30")) in meetings()


def test_the_all_day_long_run_is_kept_as_its_date() -> None:
    all_day = [w for w in windows() if w.all_day]
    assert all_day == [
        CalendarWindow(
            datetime(2026, 10, 25, tzinfo=UTC),
            datetime(2026, 10, 26, tzinfo=UTC),
            False,
            True,
            True,
        )
    ]


def test_the_all_day_run_becomes_a_six_pm_run_on_its_day() -> None:
    runs = runs_between(
        RunsConfig(), windows(), BERLIN, at("2026-10-25", "00:00"), at("2026-10-26", "00:00")
    )
    assert [(r.start, r.source) for r in runs] == [(at("2026-10-25", "18:00"), "calendar")]


def test_a_runs_only_calendar_makes_every_event_a_run_and_holds_nothing() -> None:
    found = windows("runs-only")
    assert found and all(w.run and not w.busy for w in found)


def test_a_busy_only_calendar_has_no_runs() -> None:
    assert not any(w.run for w in windows("busy-only"))


def test_nothing_from_the_titles_attendees_or_links_is_kept() -> None:
    text = repr(windows())
    for secret in ("Falcon", "stand-up", "meet.example.org", "colleague", "Brunch"):
        assert secret not in text


def test_keywords_match_whole_words_in_any_case() -> None:
    pattern = keyword_pattern(DEFAULT_RUN_KEYWORDS)
    assert pattern.search("Easy RUN by the river")
    assert pattern.search("Saturday parkrun")
    assert not pattern.search("Brunch") and not pattern.search("Runbook review")


def test_a_file_that_is_not_a_calendar_is_a_clear_error() -> None:
    with pytest.raises(CalendarParseError, match="not an iCalendar file"):
        expand(b"hello", "all", (), BERLIN, at("2026-10-19", "00:00"), at("2026-10-20", "00:00"))


def test_the_prefilter_drops_only_one_off_events_outside_the_span() -> None:
    start, end = at("2026-10-19", "00:00"), at("2026-10-29", "00:00")
    filtered = prefilter(FEED, start, end)
    assert filtered.count(b"BEGIN:VEVENT") == FEED.count(b"BEGIN:VEVENT")
    later = prefilter(FEED, at("2027-03-01", "00:00"), at("2027-03-10", "00:00"))
    assert b"UID:standup@example.org" in later  # a series still running: kept
    assert b"RECURRENCE-ID" not in later  # an occurrence edited months before: dropped
    assert b"UID:brunch@example.org" not in later  # a single event months before: dropped
    assert b"UID:tempo@example.org" not in later  # one with a DURATION instead of a DTEND too
    before = prefilter(FEED, at("2026-09-01", "00:00"), at("2026-09-10", "00:00"))
    assert b"UID:standup@example.org" not in before  # a series that starts after the span
    assert b"END:VCALENDAR" in later and b"BEGIN:VTIMEZONE" in later


def test_expanding_with_the_prefilter_gives_what_expanding_everything_gives() -> None:
    import icalendar
    import recurring_ical_events

    start, end = at("2026-10-24", "00:00"), at("2026-10-27", "00:00")
    everything = recurring_ical_events.of(icalendar.Calendar.from_ical(FEED)).between(start, end)
    kept = recurring_ical_events.of(
        icalendar.Calendar.from_ical(prefilter(FEED, start, end))
    ).between(start, end)
    assert sorted(str(e["UID"]) for e in everything) == sorted(str(e["UID"]) for e in kept)


def random_feed(seed: int, events: int = 300) -> bytes:
    """One-off events, weekly series with UNTIL or COUNT, and edited occurrences over 3 years."""
    import random

    rng = random.Random(seed)
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//t//EN"]
    for n in range(events):
        start = datetime(2025, 1, 1, 8) + timedelta(
            days=rng.randrange(1095), hours=rng.randrange(10)
        )
        lines += ["BEGIN:VEVENT", f"UID:e{n}", f"DTSTART;TZID=Europe/Berlin:{start:%Y%m%dT%H%M%S}"]
        lines.append(f"DTEND;TZID=Europe/Berlin:{start + timedelta(hours=1):%Y%m%dT%H%M%S}")
        if n % 10 == 0:
            rule = rng.choice(
                [
                    f"UNTIL={start + timedelta(days=rng.randrange(30, 400)):%Y%m%dT%H%M%S}Z",
                    "COUNT=20",
                ]
            )
            lines.append(f"RRULE:FREQ=WEEKLY;{rule}")
            lines += ["END:VEVENT", "BEGIN:VEVENT", f"UID:e{n}"]
            moved = start + timedelta(weeks=3)
            lines.append(f"RECURRENCE-ID;TZID=Europe/Berlin:{moved:%Y%m%dT%H%M%S}")
            lines.append(f"DTSTART;TZID=Europe/Berlin:{moved + timedelta(days=1):%Y%m%dT%H%M%S}")
            lines.append("DURATION:PT45M")
        lines.append("END:VEVENT")
    lines.append("END:VCALENDAR")
    return "\r\n".join(lines).encode()


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_on_random_feeds_the_prefilter_never_loses_an_occurrence(seed: int) -> None:
    import icalendar
    import recurring_ical_events

    feed = random_feed(seed)
    everything = icalendar.Calendar.from_ical(feed)
    for first in ("2025-03-01", "2026-01-15", "2027-06-30"):
        start = at(first, "00:00")
        end = start + timedelta(days=45)
        expected = recurring_ical_events.of(everything).between(start, end)
        kept = recurring_ical_events.of(
            icalendar.Calendar.from_ical(prefilter(feed, start, end))
        ).between(start, end)
        key = sorted((str(e["UID"]), e["DTSTART"].dt) for e in expected)
        assert key == sorted((str(e["UID"]), e["DTSTART"].dt) for e in kept)
        assert len(prefilter(feed, start, end)) < len(feed) / 2
