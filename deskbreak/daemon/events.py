"""What a person did, written down: event rows and log lines, each kind at a bounded rate.

Each pause, resume or skip from the command line writes an event row and a log line. A script
calling `deskbreak pause` in a loop would grow the database and the log without end, so each
kind gets a small burst and then one record per interval; the requests in between still take
effect, and the next record says how many went unrecorded.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from deskbreak.store.history import EventKind
    from deskbreak.store.queued import QueuedHistory

# The daemon's log lines keep the logger name they always had.
log = logging.getLogger("deskbreak.daemon.core")

BURST = 5
EVERY = timedelta(minutes=1)


@dataclass
class EventLimiter:
    """A token bucket per event kind: `burst` at once, then one more per `every`."""

    burst: int = BURST
    every: timedelta = EVERY
    _tokens: dict[str, float] = field(default_factory=dict)
    _last: dict[str, datetime] = field(default_factory=dict)
    _held: dict[str, int] = field(default_factory=dict)

    def admit(self, kind: str, now: datetime) -> int | None:
        """None when this event should not be recorded (it is counted); otherwise how many
        events of this kind were held back since the last one recorded."""
        last = self._last.get(kind, now)
        # A clock stepped back refills nothing rather than going negative.
        earned = max(0.0, (now - last) / self.every)
        tokens = min(float(self.burst), self._tokens.get(kind, float(self.burst)) + earned)
        self._last[kind] = now
        if tokens < 1.0:
            self._tokens[kind] = tokens
            self._held[kind] = self._held.get(kind, 0) + 1
            return None
        self._tokens[kind] = tokens - 1.0
        return self._held.pop(kind, 0)


class EventNotes:
    """The daemon's record of what a person did: an event row and a log line, each kind at
    the limiter's rate."""

    def __init__(self, history: QueuedHistory, limiter: EventLimiter | None = None) -> None:
        self.history = history
        self.limiter = limiter or EventLimiter()

    def note(self, kind: EventKind, now: datetime, detail: str | None, message: str | None) -> None:
        """Record a user-driven event (a row and, unless `message` is None, a log line), at a
        bounded rate per kind."""
        held = self.limiter.admit(kind, now)
        if held is None:
            return
        if held:
            repeats = f"(+{held} more since the last one, not recorded)"
            detail = f"{detail} {repeats}" if detail else repeats
            message = f"{message} {repeats}" if message else None
        self.history.record_event(kind, now, detail)
        if message:
            log.info("%s", message)
