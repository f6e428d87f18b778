"""What a reminder does given the person's presence: go out, count as a break, or wait.

Pure: the daemon hands in what the desktop reported (`PresenceFacts`) and the moment; no
source is asked anything here. A fact that no source could tell is None and never holds or
drops a reminder: without presence sources the daemon behaves as it always did.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

Decision = Literal["send", "away", "hold"]


@dataclass(frozen=True)
class PresencePolicy:
    """The `[presence]` settings."""

    natural_break: timedelta = timedelta(minutes=5)
    respect_dnd: bool = True
    respect_fullscreen: bool = True
    respect_calls: bool = True


@dataclass(frozen=True)
class AwayStretch:
    """A time the person was away (idle or locked), from `start` to `end` (None: still away)."""

    start: datetime
    end: datetime | None = None

    def length(self, now: datetime) -> timedelta:
        return (self.end or now) - self.start


@dataclass(frozen=True)
class PresenceFacts:
    idle_seconds: float | None = None
    locked: bool | None = None
    dnd: bool | None = None
    fullscreen: bool | None = None
    # A microphone or camera in use (looked at just before a reminder, only when respected).
    in_call: bool | None = None
    # The latest away stretch the sources saw (current or finished).
    last_away: AwayStretch | None = None


@dataclass(frozen=True)
class Verdict:
    decision: Decision
    reason: str


def away_for(facts: PresenceFacts, now: datetime) -> timedelta:
    """How long the person has been away right now (zero when they are here)."""
    current = timedelta(0)
    if facts.idle_seconds is not None:
        current = timedelta(seconds=facts.idle_seconds)
    stretch = facts.last_away
    if stretch is not None and stretch.end is None:
        current = max(current, now - stretch.start)
    return current


def decide(
    facts: PresenceFacts, policy: PresencePolicy, previous_slot: datetime | None, now: datetime
) -> Verdict:
    """What to do with the reminder due `now`; `previous_slot` is the one before it.

    Locked, or away for at least `natural_break`: a break is under way (away). A finished away
    stretch that long since the previous slot: the break was just taken (away). Otherwise do
    not disturb or a fullscreen window holds the reminder, where the policy says so.
    """
    if facts.locked:
        return Verdict("away", "the screen is locked")
    if not policy.natural_break:  # natural breaks are off
        return hold_reason(facts, policy) or Verdict("send", "present")
    minutes = _minutes(policy.natural_break)
    away = away_for(facts, now)
    if away >= policy.natural_break:
        return Verdict("away", f"away for {_minutes(away)} min (a natural break)")
    stretch = facts.last_away
    if (
        stretch is not None
        and stretch.end is not None
        and stretch.length(now) >= policy.natural_break
        and (previous_slot is None or stretch.end > previous_slot)
    ):
        return Verdict(
            "away",
            f"a natural break of {_minutes(stretch.length(now))} min (at least {minutes}) "
            f"ended at {stretch.end:%H:%M}",
        )
    return hold_reason(facts, policy) or Verdict("send", "present")


def hold_reason(facts: PresenceFacts, policy: PresencePolicy) -> Verdict | None:
    """A hold while do-not-disturb or a fullscreen window lasts, else None."""
    if policy.respect_dnd and facts.dnd:
        return Verdict("hold", "do not disturb is on")
    if policy.respect_fullscreen and facts.fullscreen:
        return Verdict("hold", "a fullscreen window or a call is in front")
    if policy.respect_calls and facts.in_call:
        return Verdict("hold", "a call is on (microphone or camera in use)")
    return None


ReleaseDecision = Literal["show", "keep", "missed", "away"]


def release(
    facts: PresenceFacts,
    policy: PresencePolicy,
    next_slot: datetime | None,
    now: datetime,
) -> ReleaseDecision:
    """For a held reminder: show it now, keep holding, give it up (the next slot is due), or
    count it as a break (the person locked the screen meanwhile)."""
    if next_slot is not None and now >= next_slot:
        return "missed"
    if facts.locked:
        return "away"
    if hold_reason(facts, policy) is not None:
        return "keep"
    return "show"


def _minutes(length: timedelta) -> int:
    return int(length.total_seconds() // 60)
