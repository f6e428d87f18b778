"""The calendars the user added, kept in one JSON file that only its owner can read.

A feed URL often carries a private token in its path or query, so it is treated as a secret:
the file is written 0600 (atomically, never wider) and every display goes through `redact`.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Literal, get_args
from urllib.parse import urlsplit

from deskbreak.errors import ConfigError, UsageError

Mode = Literal["all", "runs-only", "busy-only"]
MODES: tuple[Mode, ...] = get_args(Mode)
LOOPBACK = ("127.0.0.1", "localhost", "::1")


class CalendarParseError(Exception):
    """The feed is not an iCalendar file deskbreak can read."""


@dataclass(frozen=True)
class CalendarSource:
    name: str
    location: str  # an absolute file path or an https:// URL (webcal:// is stored as https://)
    mode: Mode = "all"
    etag: str | None = None
    last_modified: str | None = None
    synced_at: str | None = None  # ISO time of the last sync that reached the feed
    expanded_until: str | None = None  # ISO end of the span the stored windows cover
    error: str | None = None  # why the last sync failed, redacted

    @property
    def is_url(self) -> bool:
        return "://" in self.location


def redact(location: str) -> str:
    """A feed URL without its path and query (where the secret token lives); paths as given."""
    if "://" not in location:
        return location
    parts = urlsplit(location)
    host = parts.hostname or "?"
    if parts.port:
        host = f"{host}:{parts.port}"
    hidden = "/…" if (parts.path.strip("/") or parts.query) else ""
    return f"{parts.scheme}://{host}{hidden}"


def redact_text(text: str, sources: list[CalendarSource]) -> str:
    """`text` with every feed URL of `sources` (and any other URL) replaced by its redacted form."""
    for source in sources:
        if source.is_url:
            text = text.replace(source.location, redact(source.location))
    return re.sub(r"\b(?:https?|webcal)://[^\s'\"<>]+", lambda m: redact(m.group(0)), text)


def normalise_location(text: str, cwd: Path) -> str:
    """An absolute path to an existing .ics file, or an https URL; UsageError otherwise."""
    if "://" in text:
        parts = urlsplit(text)
        scheme = parts.scheme.lower()
        if scheme == "webcal":
            return "https" + text[len(parts.scheme) :]
        if scheme == "https" or (scheme == "http" and parts.hostname in LOOPBACK):
            return text
        raise UsageError(
            f"{redact(text)}: use an https:// or webcal:// feed address "
            "(plain http only for this computer)"
        )
    path = (cwd / text).expanduser().resolve()
    if not path.is_file():
        raise UsageError(f"{path}: no such calendar file")
    return str(path)


class SourceList:
    """Reads and writes the calendars file at `path`."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def load(self) -> list[CalendarSource]:
        try:
            text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return []
        except OSError as err:
            raise ConfigError(
                f"{self.path}: cannot read the calendar list: {err.strerror}"
            ) from None
        try:
            rows = json.loads(text)
            return [CalendarSource(**row) for row in rows]
        except (ValueError, TypeError) as err:
            raise ConfigError(
                f"{self.path}: the calendar list is damaged ({err.__class__.__name__}); "
                "remove the file and add the calendars again"
            ) from None

    def save(self, sources: list[CalendarSource]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        temporary = self.path.with_name(self.path.name + ".tmp")
        with contextlib.suppress(FileNotFoundError):
            temporary.unlink()
        # O_EXCL + 0600: the secret is never readable by others, not even for a moment.
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump([asdict(s) for s in sources], f, indent=2)
            f.flush()
            os.fsync(f.fileno())
        temporary.replace(self.path)

    def add(self, source: CalendarSource) -> None:
        sources = self.load()
        if any(s.name == source.name for s in sources):
            raise UsageError(
                f'a calendar called "{source.name}" is already added; '
                "choose another with --name, or remove it first"
            )
        if any(s.location == source.location for s in sources):
            raise UsageError(f"{redact(source.location)} is already added")
        self.save([*sources, source])

    def remove(self, name: str) -> CalendarSource:
        sources = self.load()
        for source in sources:
            if source.name == name:
                self.save([s for s in sources if s.name != name])
                return source
        from deskbreak.library.moves import did_you_mean

        known = [s.name for s in sources]
        hint = did_you_mean(name, known)
        raise UsageError(
            f'no calendar called "{name}"{hint}; '
            + (f"added: {', '.join(known)}" if known else "none are added")
        )

    def update(self, source: CalendarSource) -> None:
        self.save([source if s.name == source.name else s for s in self.load()])


def default_name(location: str, taken: list[str]) -> str:
    if "://" in location:
        base = urlsplit(location).hostname or "calendar"
    else:
        base = Path(location).stem or "calendar"
    name, n = base, 2
    while name in taken:
        name, n = f"{base}-{n}", n + 1
    return name


__all__ = ["MODES", "CalendarSource", "Mode", "SourceList", "redact", "replace"]
