"""How often the same kind of daemon event (pause, resume, skip, ...) is written down.

Each pause, resume or skip from the command line writes an event row and a log line. A script
calling `deskbreak pause` in a loop would grow the database and the log without end, so each
kind gets a small burst and then one record per interval; the requests in between still take
effect, and the next record says how many went unrecorded.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

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
