"""What a reminder does given the person's presence: go out, count as a break, or wait.

Pure: the daemon hands in what the desktop and the synced calendars reported
(`PresenceFacts`) and the moment; no source is asked anything here. A busy calendar meeting
is one more reason to hold, beside do-not-disturb, fullscreen and calls. A fact that no
source could tell is None and never holds or drops a reminder: without presence sources the
daemon behaves as it always did.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

Decision = Literal["send", "away", "hold", "missed"]


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
    # The end of the busy calendar meeting under way (back-to-back ones as one), else None.
    meeting_until: datetime | None = None


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
    facts: PresenceFacts,
    policy: PresencePolicy,
    previous_slot: datetime | None,
    now: datetime,
    next_slot: datetime | None = None,
) -> Verdict:
    """What to do with the reminder due `now`; `previous_slot` and `next_slot` are around it.

    Locked, or away for at least `natural_break`: a break is under way (away). A finished away
    stretch that long since the previous slot: the break was just taken (away). Otherwise do
    not disturb, a fullscreen window, a call or a meeting holds the reminder, where the policy
    says so; a meeting that lasts past the next slot means it can never be shown (missed).
    """
    verdict = _decide(facts, policy, previous_slot, now)
    until = facts.meeting_until
    # Whatever else holds it, a meeting that outlasts its turn means it is never shown.
    if verdict.decision == "hold" and until is not None and next_slot and next_slot <= until:
        return Verdict("missed", "in a meeting until the next reminder")
    return verdict


def _decide(
    facts: PresenceFacts, policy: PresencePolicy, previous_slot: datetime | None, now: datetime
) -> Verdict:
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
    """A hold while do-not-disturb, a fullscreen window, a call or a meeting lasts, else None."""
    if policy.respect_dnd and facts.dnd:
        return Verdict("hold", "do not disturb is on")
    if policy.respect_fullscreen and facts.fullscreen:
        return Verdict("hold", "a fullscreen window or a call is in front")
    if policy.respect_calls and facts.in_call:
        return Verdict("hold", "a call is on (microphone or camera in use)")
    if facts.meeting_until is not None:
        return Verdict("hold", f"in a meeting until {facts.meeting_until:%H:%M}")
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
