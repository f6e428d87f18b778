"""The daemon's calendar sync: a real `deskbreak calendar sync` child process, at most hourly."""

from __future__ import annotations

import asyncio
import os
from datetime import UTC, datetime, timedelta
from pathlib import Path

from deskbreak.calendar.sources import CalendarSource, SourceList
from deskbreak.daemon.calendar_sync import CalendarSyncer, load_windows
from deskbreak.store.history import History


def meeting_feed(start: datetime) -> str:
    end = start + timedelta(hours=1)
    return (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//EN\r\nBEGIN:VEVENT\r\nUID:m1\r\n"
        f"SUMMARY:Design review\r\nDTSTART:{start:%Y%m%dT%H%M%SZ}\r\n"
        f"DTEND:{end:%Y%m%dT%H%M%SZ}\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    )


def test_a_due_sync_runs_the_sync_command_and_the_windows_are_read_back(tmp_path: Path) -> None:
    data = Path(os.environ["XDG_DATA_HOME"]) / "deskbreak"
    config = tmp_path / "config.toml"
    config.write_text('[schedule]\ntimezone = "UTC"\n', encoding="utf-8")
    soon = (datetime.now(UTC) + timedelta(hours=2)).replace(second=0, microsecond=0)
    feed = tmp_path / "work.ics"
    feed.write_text(meeting_feed(soon), encoding="utf-8")
    SourceList(data / "calendars.json").add(CalendarSource("work", str(feed)))
    synced = asyncio.Event()

    async def scenario() -> bool:
        syncer = CalendarSyncer(data / "calendars.json", config, synced.set)
        started = syncer.maybe_start(datetime.now(UTC), timedelta(hours=1))
        await asyncio.wait_for(synced.wait(), 60)
        return started

    assert asyncio.run(scenario())
    with History(data / "history.sqlite3") as history:
        windows = load_windows(history, datetime.now(UTC))
    assert [(w.start, w.busy) for w in windows] == [(soon, True)]


def test_a_sync_is_not_started_twice_within_the_interval(tmp_path: Path) -> None:
    listing = tmp_path / "calendars.json"
    listing.write_text("[]", encoding="utf-8")
    syncer = CalendarSyncer(listing, tmp_path / "config.toml", lambda: None)
    now = datetime(2026, 11, 23, 10, tzinfo=UTC)
    syncer.last_started = now
    assert not syncer.due(now + timedelta(minutes=59), timedelta(hours=1))
    assert syncer.due(now + timedelta(minutes=60), timedelta(hours=1))
    assert not syncer.due(now + timedelta(hours=5), timedelta(0))  # sync_every = 0: never


def test_without_calendars_no_sync_is_started(tmp_path: Path) -> None:
    syncer = CalendarSyncer(tmp_path / "calendars.json", tmp_path / "config.toml", lambda: None)
    assert not syncer.due(datetime(2026, 11, 23, tzinfo=UTC), timedelta(hours=1))


def test_the_daemon_never_loads_the_calendar_libraries() -> None:
    import subprocess
    import sys

    probe = (
        "import sys, deskbreak.daemon.start, deskbreak.daemon.core, deskbreak.daemon.run_prompts\n"
        "loaded = [m for m in sys.modules if m.split('.')[0] in "
        "('icalendar', 'recurring_ical_events') or m == 'deskbreak.calendar.expand']\n"
        "print(loaded)"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
