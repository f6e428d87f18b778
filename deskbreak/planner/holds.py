"""Meeting holds: a desk reminder due inside a busy calendar window waits for its end.

Pure: the daemon hands in the synced busy windows and the next grid slot.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from deskbreak.planner.runs import CalendarWindow


def busy_until(windows: Sequence[CalendarWindow], moment: datetime) -> datetime | None:
    """The end of the meeting `moment` falls in (back-to-back meetings count as one), or None."""
    spans = sorted((w.start, w.end) for w in windows if w.busy and not w.all_day)
    end: datetime | None = None
    for start, stop in spans:
        if end is None:
            if start <= moment < stop:
                end = stop
        elif start <= end:
            end = max(end, stop)
        else:
            break
    return end


def held_until(
    windows: Sequence[CalendarWindow], slot: datetime, next_slot: datetime | None
) -> tuple[bool, datetime | None]:
    """Whether the reminder at `slot` is held, and when to show it.

    (False, None): not in a meeting, show it now. (True, end): show it when the meeting ends.
    (True, None): the next slot comes first, so this one is not shown at all.
    """
    end = busy_until(windows, slot)
    if end is None:
        return False, None
    if next_slot is not None and next_slot <= end:
        return True, None
    return True, end
