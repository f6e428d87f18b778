"""Calendar sync: local files and feeds from a real HTTP server on 127.0.0.1, ETag caching,
the 0600 calendar list and redaction of feed addresses."""

from __future__ import annotations

import stat
import threading
from collections.abc import Iterator
from datetime import datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from deskbreak.calendar.sources import (
    CalendarSource,
    SourceList,
    normalise_location,
    redact,
    redact_text,
)
from deskbreak.calendar.sync import sync_all
from deskbreak.errors import UsageError
from deskbreak.store.calendar_windows import windows_between
from deskbreak.store.history import History

BERLIN = ZoneInfo("Europe/Berlin")
FEED = (Path(__file__).parent / "fixtures" / "dst-week.ics").read_bytes()
NOW = datetime(2026, 10, 20, 12, 0, tzinfo=BERLIN)
KEYWORDS = ("run", "parkrun")
SECRET = "/calendar/ical/me%40example.org/private-0123456789abcdef/basic.ics?token=s3cret"


class FeedServer:
    """Serves FEED with an ETag and answers 304 to a matching If-None-Match."""

    def __init__(self) -> None:
        self.requests: list[dict[str, str]] = []
        self.body = FEED
        self.etag = '"v1"'
        self.status = 200
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                server.requests.append(dict(self.headers))
                if server.status != 200:
                    self.send_error(server.status)
                    return
                if self.headers.get("If-None-Match") == server.etag:
                    self.send_response(304)
                    self.end_headers()
                    return
                self.send_response(200)
                self.send_header("Content-Type", "text/calendar")
                self.send_header("ETag", server.etag)
                self.end_headers()
                self.wfile.write(server.body)

            def log_message(self, *args: object) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}{SECRET}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def server() -> Iterator[FeedServer]:
    s = FeedServer()
    try:
        yield s
    finally:
        s.close()


@pytest.fixture
def history(tmp_path: Path) -> Iterator[History]:
    with History(tmp_path / "history.sqlite3") as h:
        yield h


def stored(history: History) -> list[tuple[datetime, bool, bool]]:
    return [
        (w.start, w.busy, w.run)
        for w in windows_between(history, NOW - timedelta(days=60), NOW + timedelta(days=90))
    ]


def test_a_feed_is_stored_then_answered_from_the_etag_cache(
    tmp_path: Path, server: FeedServer, history: History
) -> None:
    sources = SourceList(tmp_path / "calendars.json")
    sources.add(CalendarSource("work", server.url))
    first = sync_all(sources, history, KEYWORDS, BERLIN, NOW)
    assert [r.status for r in first] == ["updated"]
    count = first[0].windows
    assert count == len(stored(history)) > 20  # a stand-up twice a week over three months
    second = sync_all(sources, history, KEYWORDS, BERLIN, NOW + timedelta(hours=1))
    assert [r.status for r in second] == ["unchanged"]
    assert server.requests[1]["If-None-Match"] == '"v1"'
    assert len(stored(history)) == count


def test_a_changed_feed_replaces_the_stored_windows(
    tmp_path: Path, server: FeedServer, history: History
) -> None:
    sources = SourceList(tmp_path / "calendars.json")
    sources.add(CalendarSource("work", server.url))
    sync_all(sources, history, KEYWORDS, BERLIN, NOW)
    server.body = FEED.replace(b"SUMMARY:Brunch with Sam", b"SUMMARY:Saturday parkrun")
    server.etag = '"v2"'
    sync_all(sources, history, KEYWORDS, BERLIN, NOW + timedelta(hours=1))
    saturday = [(busy, run) for start, busy, run in stored(history) if start.day == 24]
    assert saturday == [(False, True)]


def test_a_failing_feed_keeps_its_windows_and_a_redacted_error(
    tmp_path: Path, server: FeedServer, history: History
) -> None:
    sources = SourceList(tmp_path / "calendars.json")
    sources.add(CalendarSource("work", server.url))
    sync_all(sources, history, KEYWORDS, BERLIN, NOW)
    before = stored(history)
    server.status = 500
    server.etag = '"v2"'
    (result,) = sync_all(sources, history, KEYWORDS, BERLIN, NOW + timedelta(hours=1))
    assert result.status == "failed" and "500" in (result.error or "")
    assert "s3cret" not in (result.error or "") and "private" not in (result.error or "")
    assert "s3cret" not in str(sources.load()[0].error)
    assert stored(history) == before


def test_a_local_file_is_read_again_only_when_it_changes(tmp_path: Path, history: History) -> None:
    ics = tmp_path / "runs.ics"
    ics.write_bytes(FEED)
    sources = SourceList(tmp_path / "calendars.json")
    sources.add(CalendarSource("runs", str(ics), "runs-only"))
    assert sync_all(sources, history, KEYWORDS, BERLIN, NOW)[0].status == "updated"
    assert sync_all(sources, history, KEYWORDS, BERLIN, NOW)[0].status == "unchanged"
    assert all(run and not busy for _, busy, run in stored(history))


def test_the_calendar_list_is_readable_only_by_its_owner(tmp_path: Path) -> None:
    path = tmp_path / "data" / "calendars.json"
    SourceList(path).add(CalendarSource("work", "https://example.org" + SECRET))
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_a_feed_address_is_shown_without_its_path_and_query() -> None:
    url = "https://calendar.example.org" + SECRET
    assert redact(url) == "https://calendar.example.org/…"
    assert (
        redact_text(f"fetching {url} failed", [])
        == "fetching https://calendar.example.org/… failed"
    )


def test_webcal_is_fetched_over_https_and_plain_http_only_from_this_computer(
    tmp_path: Path,
) -> None:
    assert normalise_location("webcal://example.org/x.ics", tmp_path) == "https://example.org/x.ics"
    assert normalise_location("http://127.0.0.1:8080/x.ics", tmp_path).startswith("http://")
    with pytest.raises(UsageError, match="https://") as caught:
        normalise_location("http://example.org/private/token.ics", tmp_path)
    assert "token" not in str(caught.value)


def test_adding_a_calendar_twice_is_refused(tmp_path: Path) -> None:
    sources = SourceList(tmp_path / "calendars.json")
    sources.add(CalendarSource("work", "https://example.org/a.ics"))
    with pytest.raises(UsageError, match="already added"):
        sources.add(CalendarSource("other", "https://example.org/a.ics"))


def test_removing_an_unknown_calendar_suggests_the_name(tmp_path: Path) -> None:
    sources = SourceList(tmp_path / "calendars.json")
    sources.add(CalendarSource("work", "https://example.org/a.ics"))
    with pytest.raises(UsageError, match='did you mean "work"'):
        sources.remove("wrok")
