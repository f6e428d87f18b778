from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from deskbreak.planner.holds import busy_until, held_until
from deskbreak.planner.runs import CalendarWindow

ZONE = ZoneInfo("Europe/Berlin")


def at(clock: str) -> datetime:
    return datetime.fromisoformat(f"2026-11-24T{clock}").replace(tzinfo=ZONE)


def meeting(start: str, end: str, busy: bool = True) -> CalendarWindow:
    return CalendarWindow(at(start), at(end), busy, False)


def test_a_reminder_in_a_meeting_is_held_until_it_ends() -> None:
    assert held_until([meeting("10:15", "10:45")], at("10:30"), at("11:00")) == (True, at("10:45"))


def test_a_reminder_outside_meetings_is_not_held() -> None:
    assert held_until([meeting("10:15", "10:45")], at("11:00"), at("11:30")) == (False, None)


def test_when_the_next_slot_comes_before_the_meeting_ends_the_held_reminder_is_dropped() -> None:
    assert held_until([meeting("10:15", "11:15")], at("10:30"), at("11:00")) == (True, None)


def test_back_to_back_meetings_hold_until_the_last_one_ends() -> None:
    windows = [meeting("10:40", "11:20"), meeting("10:00", "10:40")]
    assert busy_until(windows, at("10:30")) == at("11:20")


def test_a_free_event_does_not_hold() -> None:
    assert busy_until([meeting("10:00", "11:00", busy=False)], at("10:30")) is None


def test_a_reminder_at_the_meetings_end_is_not_held() -> None:
    assert busy_until([meeting("10:00", "10:30")], at("10:30")) is None
