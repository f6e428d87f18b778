"""The daemon's side of calendars: the synced windows it plans with, and an hourly sync.

The sync itself runs as a child process (`deskbreak calendar sync --quiet`), so icalendar and
the parsed feeds never enter the daemon; the daemon only reads the few windows of the coming
days back from the history database when the child is done.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sqlite3
import sys
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

from deskbreak.daemon.children import start_child
from deskbreak.planner.runs import CalendarWindow
from deskbreak.store.calendar_windows import windows_between
from deskbreak.store.history import History

log = logging.getLogger("deskbreak.daemon.calendar_sync")

# The windows the daemon keeps in memory: enough for holds and the next prompts.
BEHIND = timedelta(days=2)
AHEAD = timedelta(days=9)
SYNC_TIMEOUT_SECONDS = 120.0


def load_windows(history: History, now: datetime) -> tuple[CalendarWindow, ...]:
    """The windows of the coming days; none (logged) when the database cannot be read."""
    try:
        stored = windows_between(history, now - BEHIND, now + AHEAD)
    except sqlite3.Error as err:
        log.warning("cannot read the calendar windows: %s", err)
        return ()
    return tuple(CalendarWindow(w.start, w.end, w.busy, w.run, w.all_day) for w in stored)


def sync_command(config_file: Path) -> list[str]:
    """`deskbreak calendar sync --quiet` with this installation and this config."""
    beside = Path(sys.executable).parent / "deskbreak"
    head = [str(beside)] if beside.exists() else [sys.executable, "-m", "deskbreak"]
    return [*head, "--config", str(config_file), "calendar", "sync", "--quiet"]


class CalendarSyncer:
    """Starts a sync when one is due (at most every `every`), one at a time."""

    def __init__(
        self,
        calendars_file: Path,
        config_file: Path,
        on_synced: Callable[[], None],
    ) -> None:
        self.calendars_file = calendars_file
        self.config_file = config_file
        self.on_synced = on_synced
        self.last_started: datetime | None = None
        self._task: asyncio.Task[None] | None = None

    def due(self, now: datetime, every: timedelta) -> bool:
        if not every or not self.calendars_file.exists():
            return False
        if self._task is not None and not self._task.done():
            return False
        return self.last_started is None or now - self.last_started >= every

    def maybe_start(self, now: datetime, every: timedelta) -> bool:
        if not self.due(now, every):
            return False
        self.last_started = now
        self._task = asyncio.get_running_loop().create_task(self._run())
        return True

    async def _run(self) -> None:
        command = sync_command(self.config_file)
        child = await start_child(command, "the calendar sync", log, pipe_errors=True)
        if child is None:
            return
        try:
            _, errors = await asyncio.wait_for(child.communicate(), SYNC_TIMEOUT_SECONDS)
        except TimeoutError:
            child.kill()
            await child.wait()
            log.warning("the calendar sync took over %d s and was stopped", SYNC_TIMEOUT_SECONDS)
            return
        # The child redacts feed addresses in what it prints.
        for line in errors.decode(errors="replace").splitlines():
            log.warning("calendar sync: %s", line)
        self.on_synced()

    async def close(self) -> None:
        if self._task is not None and not self._task.done():
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
