"""Getting a calendar's bytes: a local file, or a feed over https with ETag caching.

An unchanged feed (HTTP 304, or a file with the same size and mtime) is reported as such, so
the sync skips parsing it. Errors carry only the redacted address: a URL is a secret.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from deskbreak.calendar.sources import CalendarSource, redact

TIMEOUT_SECONDS = 20.0
MAX_BYTES = 50 * 1024 * 1024  # a feed larger than this is refused rather than read into memory


class FetchError(Exception):
    """The calendar could not be read; the message names it redacted and says why."""


@dataclass(frozen=True)
class Fetched:
    body: bytes | None  # None: unchanged since the last sync
    etag: str | None
    last_modified: str | None


def fetch(source: CalendarSource) -> Fetched:
    if source.is_url:
        return _fetch_url(source)
    return _fetch_file(source)


def _fetch_file(source: CalendarSource) -> Fetched:
    path = Path(source.location)
    try:
        info = path.stat()
        tag = f"file-{info.st_mtime_ns}-{info.st_size}"
        if tag == source.etag:
            return Fetched(None, tag, None)
        if info.st_size > MAX_BYTES:
            raise FetchError(f"{path}: larger than {MAX_BYTES // 2**20} MB")
        return Fetched(path.read_bytes(), tag, None)
    except OSError as err:
        raise FetchError(f"{path}: {err.strerror}") from None


def _fetch_url(source: CalendarSource) -> Fetched:
    import urllib.error
    import urllib.request

    from deskbreak import __version__

    headers = {"User-Agent": f"deskbreak/{__version__}", "Accept": "text/calendar, */*"}
    if source.etag:
        headers["If-None-Match"] = source.etag
    if source.last_modified:
        headers["If-Modified-Since"] = source.last_modified
    request = urllib.request.Request(source.location, headers=headers)
    where = redact(source.location)
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:
            body = response.read(MAX_BYTES + 1)
            if len(body) > MAX_BYTES:
                raise FetchError(f"{where}: larger than {MAX_BYTES // 2**20} MB")
            return Fetched(
                body, response.headers.get("ETag"), response.headers.get("Last-Modified")
            )
    except urllib.error.HTTPError as err:
        if err.code == 304:
            return Fetched(None, source.etag, source.last_modified)
        raise FetchError(f"{where}: the server answered {err.code} {err.reason}") from None
    except urllib.error.URLError as err:
        raise FetchError(f"{where}: {_reason(err.reason)}") from None
    except (OSError, ValueError) as err:
        raise FetchError(f"{where}: {_reason(err)}") from None


def _reason(reason: object) -> str:
    # Exceptions from urllib can quote the URL; keep only the redacted form.
    text = str(getattr(reason, "strerror", None) or reason)
    from deskbreak.calendar.sources import redact_text

    return redact_text(text, [])
