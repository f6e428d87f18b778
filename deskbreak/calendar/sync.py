"""`deskbreak calendar sync`: read every added calendar and store its busy/run windows.

Runs as its own short process (the CLI, the daemon's hourly subprocess, or a systemd timer),
so icalendar is never loaded into the daemon. One calendar failing does not stop the others;
its error is kept (redacted) for `calendar list` and `doctor`.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from deskbreak.calendar.fetch import FetchError, fetch
from deskbreak.calendar.sources import (
    CalendarParseError,
    CalendarSource,
    SourceList,
    redact_text,
)
from deskbreak.errors import DeskbreakError
from deskbreak.store.calendar_windows import StoredWindow, replace_windows
from deskbreak.store.history import History

# The span each sync expands: recent past (for stats) and the coming weeks (for the plan).
PAST = timedelta(days=31)
FUTURE = timedelta(days=62)
# An unchanged feed is fetched whole again once the stored span reaches less far ahead.
REFRESH_AHEAD = timedelta(days=31)


INSTALL_HINT = (
    "calendars need two extra libraries: pipx install --force 'deskbreak[calendar]' "
    "(or pip install 'deskbreak[calendar]')"
)


class CalendarLibrariesMissing(DeskbreakError):
    """icalendar / recurring-ical-events are not installed (the optional `calendar` extra)."""


def check_libraries() -> None:
    """Fail early and clearly without the libraries; finding them costs no import."""
    from importlib.util import find_spec

    if find_spec("icalendar") is None or find_spec("recurring_ical_events") is None:
        raise CalendarLibrariesMissing(INSTALL_HINT)


@dataclass(frozen=True)
class SyncResult:
    name: str
    status: str  # "updated", "unchanged" or "failed"
    windows: int = 0
    error: str | None = None


def sync_all(
    sources: SourceList,
    history: History,
    keywords: tuple[str, ...],
    zone: ZoneInfo,
    now: datetime,
) -> list[SyncResult]:
    results = []
    loaded = sources.load()
    if loaded:
        check_libraries()
    for source in loaded:
        result, updated = sync_one(source, history, keywords, zone, now)
        sources.update(updated)
        results.append(result)
    return results


def sync_one(
    source: CalendarSource,
    history: History,
    keywords: tuple[str, ...],
    zone: ZoneInfo,
    now: datetime,
) -> tuple[SyncResult, CalendarSource]:
    check_libraries()
    start, end = now - PAST, now + FUTURE
    covered = datetime.fromisoformat(source.expanded_until) if source.expanded_until else None
    asked = source
    if covered is None or covered - now < REFRESH_AHEAD:
        asked = replace(source, etag=None, last_modified=None)  # need the whole feed again
    stamp = now.astimezone(UTC).isoformat(timespec="seconds")
    try:
        fetched = fetch(asked)
        if fetched.body is None:
            return SyncResult(source.name, "unchanged"), replace(
                source, synced_at=stamp, error=None
            )
        from deskbreak.calendar.expand import expand  # icalendar: only when there is work

        windows = expand(fetched.body, source.mode, keywords, zone, start, end)
    except (FetchError, CalendarParseError) as err:
        message = redact_text(str(err), [source])
        return SyncResult(source.name, "failed", error=message), replace(source, error=message)
    replace_windows(
        history,
        source.name,
        start,
        end,
        [StoredWindow(w.start, w.end, w.busy, w.run, w.all_day) for w in windows],
    )
    return SyncResult(source.name, "updated", len(windows)), replace(
        source,
        etag=fetched.etag,
        last_modified=fetched.last_modified,
        synced_at=stamp,
        expanded_until=end.astimezone(UTC).isoformat(timespec="seconds"),
        error=None,
    )
