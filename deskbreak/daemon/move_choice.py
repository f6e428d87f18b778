"""Which move the next reminder shows: the rotation over the configured areas, leaning toward
the running areas on run days.

The same choice as `deskbreak schedule` predicts for a slot: the same history of recent
moves, the same walks, the same lean, read from the calendar windows stored around the slot.
"""

from __future__ import annotations

import logging
import sqlite3
from datetime import datetime, time, timedelta
from typing import TYPE_CHECKING

from deskbreak.library.rotation import RUN_AREAS, next_desk_move, walk_every_for
from deskbreak.planner.runs import CalendarWindow, leans_toward_running

if TYPE_CHECKING:
    from deskbreak.config import Config
    from deskbreak.library.moves import Move
    from deskbreak.store.queued import QueuedHistory

# The daemon's log lines keep the logger name they always had.
log = logging.getLogger("deskbreak.daemon.core")


def choose_move(config: Config, history: QueuedHistory, slot: datetime) -> Move:
    """The rotation's next move for the reminder at `slot`."""
    moves_cfg = config.moves
    candidates = config.library.desk_moves(moves_cfg.areas, moves_cfg.exclude)
    interval_minutes = int(config.schedule.interval.total_seconds() // 60)
    return next_desk_move(
        candidates,
        history.recent_desk_moves(),
        _lean(config, history, slot),
        walk_every=walk_every_for(interval_minutes),
    )


def _lean(config: Config, history: QueuedHistory, slot: datetime) -> tuple[str, ...]:
    """The areas the rotation favours on `slot`'s day: the running ones on a run day."""
    from deskbreak.store.calendar_windows import windows_between

    zone = config.schedule.timezone
    day = slot.astimezone(zone).date()
    midnight = datetime.combine(day, time(), zone)
    try:
        stored = windows_between(
            history.history, midnight - timedelta(days=2), midnight + timedelta(days=1)
        )
    except sqlite3.Error as err:  # a busy database costs the lean, never the reminder
        log.warning("calendar windows unreadable (%s); no run-day lean for this reminder", err)
        stored = []
    windows = [CalendarWindow(w.start, w.end, w.busy, w.run, w.all_day) for w in stored]
    runs = config.running.runs
    return RUN_AREAS if leans_toward_running(runs, windows, zone, day) else ()
