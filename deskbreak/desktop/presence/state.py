"""What the presence sources report, gathered in one place the daemon reads.

Sources push changes (a signal arrived) or are asked on demand (a poll just before a reminder);
either way they end up here. `PresenceState` turns them into the planner's `PresenceFacts` and
into the `presence` object of `status --json`. It never asks anything itself.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Literal

from deskbreak.planner.presence import AwayStretch, PresenceFacts

Kind = Literal["idle", "locked", "dnd", "fullscreen", "sleep"]
KINDS: tuple[Kind, ...] = ("idle", "locked", "dnd", "fullscreen", "sleep")


@dataclass(frozen=True)
class SourceStatus:
    """One source as `doctor` and `status` show it: in use or not, and why."""

    kind: Kind
    name: str
    used: bool
    detail: str


@dataclass
class PresenceState:
    on_change: Callable[[], None] = lambda: None
    idle_seconds: float | None = None
    locked: dict[str, bool] = field(default_factory=dict)  # per source; any True = locked
    dnd: bool | None = None
    fullscreen: bool | None = None
    last_away: AwayStretch | None = None
    sources: dict[str, SourceStatus] = field(default_factory=dict)

    # -- reported by sources ---------------------------------------------------------------

    def set_source(self, status: SourceStatus) -> None:
        self.sources[f"{status.kind}:{status.name}"] = status

    def went_away(self, since: datetime) -> None:
        if self.last_away is None or self.last_away.end is not None or since < self.last_away.start:
            self.last_away = AwayStretch(since)

    def came_back(self, at: datetime) -> None:
        if self.last_away is not None and self.last_away.end is None:
            self.last_away = AwayStretch(self.last_away.start, max(at, self.last_away.start))
            self.on_change()

    def set_locked(self, source: str, locked: bool, now: datetime) -> None:
        was = self.is_locked
        self.locked[source] = locked
        if self.is_locked and not was:
            self.went_away(now)
        elif was and not self.is_locked:
            self.came_back(now)
        self.on_change()

    def set_dnd(self, on: bool | None) -> None:
        changed = on != self.dnd
        self.dnd = on
        if changed:
            self.on_change()

    def idle_sample(self, idle: timedelta, threshold: timedelta, now: datetime) -> None:
        """An idle time read from a polled source: tracks away stretches between reads."""
        self.idle_seconds = idle.total_seconds()
        if idle >= threshold:
            self.went_away(now - idle)
        elif self.last_away is not None and self.last_away.end is None and not self.is_locked:
            self.came_back(now - idle)

    # -- read by the daemon ----------------------------------------------------------------

    @property
    def is_locked(self) -> bool | None:
        if not self.locked:
            return None
        return any(self.locked.values())

    def facts(self) -> PresenceFacts:
        return PresenceFacts(
            idle_seconds=self.idle_seconds,
            locked=self.is_locked,
            dnd=self.dnd,
            fullscreen=self.fullscreen,
            last_away=self.last_away,
        )

    def as_json(self) -> dict[str, Any]:
        """The `presence` object of `status --json`."""
        return {
            "idle_seconds": None if self.idle_seconds is None else round(self.idle_seconds),
            "locked": self.is_locked,
            "dnd": self.dnd,
            "fullscreen": self.fullscreen,
            "sources": {
                kind: [s.name for s in self.sources.values() if s.kind == kind and s.used]
                for kind in KINDS
            },
        }
