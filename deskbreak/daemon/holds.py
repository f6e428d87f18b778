"""Holding a desk reminder while the user is in a calendar meeting or on a call.

A reminder due in a meeting waits until the meeting ends, unless the next reminder comes
first (then it is not sent). A reminder due during a call waits until the call is over,
looked at again once a minute by the heartbeat (there is no signal for a call ending).
Each hold is recorded as a `deferred` event with its reason.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from deskbreak.library.moves import Move
from deskbreak.planner.holds import held_until
from deskbreak.planner.runs import CalendarWindow

HOLD_JOB_ID = "held-reminder"


@dataclass(frozen=True)
class Held:
    slot: datetime
    move: Move
    reason: str
    until: datetime | None  # a meeting's end; None while a call lasts

    def describe(self) -> str:
        until = f" until {self.until:%H:%M}" if self.until else ""
        return f"the {self.slot:%H:%M} reminder is held: {self.reason}{until}"


def meeting_hold(
    windows: Sequence[CalendarWindow], slot: datetime, move: Move, next_slot: datetime | None
) -> Held | str | None:
    """A Held for a meeting, a sentence when the reminder is dropped instead, or None."""
    held, until = held_until(windows, slot, next_slot)
    if not held:
        return None
    if until is None:
        return f"the {slot:%H:%M} reminder was not sent: in a meeting until the next one"
    return Held(slot, move, "in a meeting", until.astimezone(slot.tzinfo))
