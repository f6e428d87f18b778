"""The planner as an APScheduler trigger, and the jobs the daemon plans with it.

The planner decides *when*; APScheduler only waits. Each job's trigger asks a `next_after`
function for the moment after a given one, and every re-plan sets the first run from the
daemon's own clock (`plan_job`), so a job follows a wall clock that was stepped or a plan that
changed at once.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta

from apscheduler.schedulers.base import BaseScheduler
from apscheduler.triggers.base import BaseTrigger

# A reminder later than this (the machine slept through it) is dropped, not sent late.
MISFIRE_GRACE_SECONDS = 90

NextAfter = Callable[[datetime], datetime | None]


class PlannerTrigger(BaseTrigger):  # type: ignore[misc]  # APScheduler ships no type hints
    """An APScheduler trigger that asks the planner for the next reminder."""

    def __init__(
        self,
        next_after: NextAfter,
        grace: timedelta = timedelta(seconds=MISFIRE_GRACE_SECONDS),
    ) -> None:
        self.next_after = next_after
        self.grace = grace

    def get_next_fire_time(
        self, previous_fire_time: datetime | None, now: datetime
    ) -> datetime | None:
        # Each slot strictly after the previous one: after a sleep APScheduler walks the missed
        # slots, coalesces them into the latest, and its misfire grace drops that one if it is
        # too late. So a wake at 11:30:09 still sends the 11:30 reminder, once, and no burst.
        if previous_fire_time is None:
            return self.next_after(now)
        # But a backlog older than the grace would only be dropped: jump over it at once
        # instead of walking every slot of a long sleep (days of 1-minute slots) on the loop.
        return self.next_after(max(previous_fire_time, now - self.grace))

    def __str__(self) -> str:
        return "planner"


def misfire_grace_seconds(interval: timedelta) -> int:
    """How late a reminder may still go out: never so late that it lands just before the
    next one (half the interval), and never long after a sleep."""
    half = int(interval.total_seconds() // 2)
    return max(1, min(MISFIRE_GRACE_SECONDS, half))


def plan_job(
    scheduler: BaseScheduler,
    job_id: str,
    name: str,
    fire: Callable[[], Awaitable[None]],
    next_after: NextAfter,
    now: datetime,
    grace_seconds: int,
) -> None:
    """Add the job `job_id`, or give the one there a fresh trigger, first running at the
    planner's next moment after `now` (None: the job waits, paused, for the next re-plan)."""
    trigger = PlannerTrigger(next_after, timedelta(seconds=grace_seconds))
    first = next_after(now)
    if scheduler.get_job(job_id) is None:
        scheduler.add_job(
            fire,
            trigger,
            id=job_id,
            name=name,
            misfire_grace_time=grace_seconds,
            coalesce=True,
            max_instances=1,
            next_run_time=first,
        )
    else:
        scheduler.modify_job(
            job_id, trigger=trigger, next_run_time=first, misfire_grace_time=grace_seconds
        )
