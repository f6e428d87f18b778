from __future__ import annotations

from pathlib import Path

from deskbreak.calendar.sources import CalendarSource, SourceList
from deskbreak.desktop.calls import CallCheck
from deskbreak.doctor.runs_checks import check_calendars, check_calls

FEED = "https://cal.example.org/private-token-123/basic.ics?key=abc"


def test_no_calendars_is_fine(tmp_path: Path) -> None:
    check = check_calendars(tmp_path / "calendars.json", libraries_found=False)
    assert check.status == "ok" and "none added" in check.detail


def test_a_synced_feed_is_ok_and_shown_redacted(tmp_path: Path) -> None:
    listing = SourceList(tmp_path / "calendars.json")
    listing.add(CalendarSource("work", FEED, synced_at="2026-11-29T14:00:00+00:00"))
    check = check_calendars(listing.path, libraries_found=True)
    assert check.status == "ok" and "https://cal.example.org/…" in check.detail
    assert "private-token" not in check.detail and "abc" not in check.detail


def test_a_failing_sync_is_a_warning_with_its_reason(tmp_path: Path) -> None:
    listing = SourceList(tmp_path / "calendars.json")
    listing.add(CalendarSource("work", FEED, error="https://cal.example.org/…: 404 Not Found"))
    check = check_calendars(listing.path, libraries_found=True)
    assert check.status == "warn" and "404" in check.detail


def test_calendars_without_their_libraries_fail_with_the_install_command(tmp_path: Path) -> None:
    listing = SourceList(tmp_path / "calendars.json")
    listing.add(CalendarSource("work", FEED))
    check = check_calendars(listing.path, libraries_found=False)
    assert check.status == "fail" and "deskbreak[calendar]" in (check.fix or "")


def test_calls_are_visible_through_pipewire() -> None:
    check = check_calls(lambda: CallCheck(False, None, ("pipewire", "camera")))
    assert check.status == "ok" and "pipewire, camera" in check.detail


def test_without_pw_dump_or_pactl_doctor_says_calls_cannot_be_seen() -> None:
    check = check_calls(lambda: CallCheck(False, None, ("camera",)))
    assert check.status == "warn" and "pipewire-bin" in (check.fix or "")
