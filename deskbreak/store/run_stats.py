"""The history's side of "how many runs had a warm-up and a cool-down": routine start times."""

from __future__ import annotations

from datetime import UTC, datetime

from deskbreak.store.history import History, epoch

WARMUP_ROUTINE = "prerun"
COOLDOWN_ROUTINE = "postrun"


def routine_starts(
    history: History, start: datetime, end: datetime
) -> tuple[list[datetime], list[datetime]]:
    """Start times of the warm-up and the cool-down routines begun in [start, end)."""
    warmups: list[datetime] = []
    cooldowns: list[datetime] = []
    for name, started in history.query(
        "SELECT name, started FROM routines WHERE started >= ? AND started < ?"
        " AND name IN (?, ?) ORDER BY started",
        (epoch(start), epoch(end), WARMUP_ROUTINE, COOLDOWN_ROUTINE),
    ):
        moment = datetime.fromtimestamp(started, UTC)
        (warmups if name == WARMUP_ROUTINE else cooldowns).append(moment)
    return warmups, cooldowns
