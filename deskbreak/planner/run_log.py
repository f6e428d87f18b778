"""Which past runs had a warm-up and a cool-down: runs matched with routine start times.

Pure: the runs come from the planner (config and calendar), the routine start times from the
history. A `prerun` counts for a run when it started up to two hours before the run (or within
its first half hour: people start late); a `postrun` when it started from half an hour before
the run's end to three hours after. Each routine counts for one run at most, the nearest.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from deskbreak.planner.runs import Run

WARMUP_BEFORE = timedelta(hours=2)
WARMUP_AFTER = timedelta(minutes=30)
COOLDOWN_BEFORE = timedelta(minutes=30)
COOLDOWN_AFTER = timedelta(hours=3)


@dataclass(frozen=True)
class RunRecord:
    run: Run
    warmed_up: bool
    cooled_down: bool


@dataclass(frozen=True)
class RunTotals:
    runs: int
    warmed_up: int
    cooled_down: int
    both: int


def _claim(
    anchors: Sequence[datetime], times: Sequence[datetime], before: timedelta, after: timedelta
) -> list[bool]:
    """For each anchor, whether one of `times` falls in [anchor - before, anchor + after];
    each time serves the nearest anchor only."""
    served = [False] * len(anchors)
    for moment in times:
        candidates = [
            (abs(moment - anchor), index)
            for index, anchor in enumerate(anchors)
            if anchor - before <= moment <= anchor + after
        ]
        if candidates:
            served[min(candidates)[1]] = True
    return served


def run_records(
    runs: Sequence[Run], warmups: Sequence[datetime], cooldowns: Sequence[datetime]
) -> list[RunRecord]:
    warmed = _claim([r.start for r in runs], warmups, WARMUP_BEFORE, WARMUP_AFTER)
    cooled = _claim([r.end for r in runs], cooldowns, COOLDOWN_BEFORE, COOLDOWN_AFTER)
    return [RunRecord(run, w, c) for run, w, c in zip(runs, warmed, cooled, strict=True)]


def totals(records: Sequence[RunRecord]) -> RunTotals:
    return RunTotals(
        len(records),
        sum(r.warmed_up for r in records),
        sum(r.cooled_down for r in records),
        sum(r.warmed_up and r.cooled_down for r in records),
    )
