"""Calls as a presence fact: a microphone or camera in use holds a reminder."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from deskbreak.planner.presence import PresenceFacts, PresencePolicy, decide, release

SLOT = datetime(2026, 11, 23, 10, 30, tzinfo=UTC)
POLICY = PresencePolicy()


def test_a_call_holds_the_reminder() -> None:
    verdict = decide(PresenceFacts(in_call=True), POLICY, SLOT - timedelta(minutes=30), SLOT)
    assert verdict.decision == "hold" and "call" in verdict.reason


def test_a_call_does_not_hold_when_calls_are_not_respected() -> None:
    policy = PresencePolicy(respect_calls=False)
    verdict = decide(PresenceFacts(in_call=True), policy, None, SLOT)
    assert verdict.decision == "send"


def test_the_held_reminder_shows_when_the_call_ends_unless_the_next_slot_came() -> None:
    later = SLOT + timedelta(minutes=12)
    assert release(PresenceFacts(in_call=True), POLICY, SLOT + timedelta(minutes=30), later) == (
        "keep"
    )
    assert release(PresenceFacts(in_call=False), POLICY, SLOT + timedelta(minutes=30), later) == (
        "show"
    )
    assert release(PresenceFacts(in_call=True), POLICY, later, later) == "missed"
