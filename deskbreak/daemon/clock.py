"""The daemon's wall clock, and noticing when it is stepped back.

A job waits for a wall-clock moment that a backward step puts further away (an hour back: an
hour of silence), so the daemon looks at the clock at every heartbeat and control request and
re-plans when it went back. A step forward needs nothing: the heartbeat wakes the scheduler,
which treats the moments passed like those of a suspend.
"""

from __future__ import annotations

from datetime import datetime, timedelta

# A wall clock that reads this much earlier than at the last look was stepped back.
BACKWARD_STEP = timedelta(seconds=5)


def wall_clock() -> datetime:
    return datetime.now().astimezone()


def stepped_back(last: datetime, now: datetime) -> timedelta | None:
    """How far the clock went back between the readings `last` and `now`, if it was stepped
    back (by more than `BACKWARD_STEP`); otherwise None."""
    if now < last - BACKWARD_STEP:
        return last - now
    return None


class ClockWatch:
    """The last reading of the wall clock, to compare the next one with."""

    def __init__(self, first: datetime) -> None:
        self.last = first

    def look(self, now: datetime) -> timedelta | None:
        """Take the reading `now`; returns how far the clock was stepped back since the last
        one, or None."""
        step = stepped_back(self.last, now)
        self.last = now
        return step
