"""The schedule's configuration as the planner sees it: work windows, interval, zone.

Plain frozen values with no I/O beyond asking which zone the system uses, so the planner can be
imported without the config loader, TOML or the move library.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

DAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
Align = Literal["clock", "start"]


@dataclass(frozen=True)
class Window:
    """A work window on one day, in minutes after local midnight (end may be 1440 = 24:00)."""

    start_minute: int
    end_minute: int

    def __str__(self) -> str:
        return f"{hhmm(self.start_minute)}-{hhmm(self.end_minute)}"


@dataclass(frozen=True)
class ScheduleConfig:
    interval: timedelta = timedelta(minutes=30)
    # weekday (0 = Monday) → that day's windows; a day that is absent is not a working day
    windows: Mapping[int, tuple[Window, ...]] = field(
        default_factory=lambda: {d: (Window(9 * 60, 17 * 60 + 30),) for d in range(5)}
    )
    timezone: ZoneInfo = field(default_factory=lambda: system_timezone())
    align: Align = "clock"
    snooze: timedelta = timedelta(minutes=10)


def system_timezone() -> ZoneInfo:
    """The system's zone: $TZ, then /etc/localtime's link target, then /etc/timezone, then UTC."""
    candidates: list[str] = []
    tz_env = os.environ.get("TZ", "").lstrip(":")
    if tz_env:
        candidates.append(tz_env)
    localtime = Path("/etc/localtime")
    if localtime.is_symlink():
        target = str(localtime.resolve())
        if "zoneinfo/" in target:
            candidates.append(target.split("zoneinfo/", 1)[1])
    with contextlib.suppress(OSError):
        candidates.append(Path("/etc/timezone").read_text(encoding="utf-8").strip())
    for name in candidates:
        try:
            return ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            continue
    return ZoneInfo("UTC")


def hhmm(minute: int) -> str:
    return f"{minute // 60:02d}:{minute % 60:02d}"
