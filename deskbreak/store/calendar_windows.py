"""The synced calendar windows in the history database: start, end, busy, run. Nothing else.

A sync replaces one calendar's windows inside the span it expanded and keeps older ones, so
past runs stay countable in `deskbreak stats` after they scroll out of the feed's window.
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from deskbreak.store.history import History, epoch

WINDOWS_SQL = (
    "SELECT start, stop, busy, run, all_day FROM calendar_windows"
    " WHERE start < ? AND stop > ? ORDER BY start, stop"
)


@dataclass(frozen=True)
class StoredWindow:
    start: datetime
    end: datetime
    busy: bool
    run: bool
    all_day: bool


def replace_windows(
    history: History,
    calendar: str,
    start: datetime,
    end: datetime,
    windows: Sequence[StoredWindow],
) -> None:
    """Replace `calendar`'s windows that start in [start, end) with `windows`, atomically."""
    rows = [
        (calendar, epoch(w.start), epoch(w.end), int(w.busy), int(w.run), int(w.all_day))
        for w in windows
    ]
    history.write(
        [
            (
                "DELETE FROM calendar_windows WHERE calendar = ? AND start >= ? AND start < ?",
                [(calendar, epoch(start), epoch(end))],
            ),
            (
                "INSERT INTO calendar_windows (calendar, start, stop, busy, run, all_day)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                rows,
            ),
        ]
    )


def forget_calendar(history: History, calendar: str) -> None:
    history.write([("DELETE FROM calendar_windows WHERE calendar = ?", [(calendar,)])])


def windows_between(history: History, start: datetime, end: datetime) -> list[StoredWindow]:
    """Windows overlapping [start, end), in order."""
    return _windows(history.query(WINDOWS_SQL, (epoch(end), epoch(start))))


def read_windows_between(path: Path, start: datetime, end: datetime) -> list[StoredWindow]:
    """Like `windows_between` for a reader that must not write (`schedule`, `runs`): read-only,
    and no database (or an older one without calendars) means no windows."""
    if not path.exists():
        return []
    try:
        with contextlib.closing(sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)) as db:
            return _windows(db.execute(WINDOWS_SQL, (epoch(end), epoch(start))).fetchall())
    except sqlite3.Error:
        return []


def _windows(rows: Sequence[tuple[int, int, int, int, int]]) -> list[StoredWindow]:
    return [
        StoredWindow(
            datetime.fromtimestamp(start, UTC),
            datetime.fromtimestamp(stop, UTC),
            bool(busy),
            bool(run),
            bool(all_day),
        )
        for start, stop, busy, run, all_day in rows
    ]
