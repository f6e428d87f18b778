"""The presence decision: plain facts and moments in, a verdict out; nothing is waited for."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from deskbreak.planner.presence import (
    AwayStretch,
    PresenceFacts,
    PresencePolicy,
    decide,
    release,
)

POLICY = PresencePolicy(natural_break=timedelta(minutes=5))
SLOT = datetime(2026, 11, 23, 10, 30, tzinfo=UTC)
PREVIOUS = SLOT - timedelta(minutes=30)


def at(minutes: float) -> datetime:
    return SLOT + timedelta(minutes=minutes)


def test_without_any_source_the_reminder_goes_out_as_before() -> None:
    assert decide(PresenceFacts(), POLICY, PREVIOUS, SLOT).decision == "send"


def test_a_locked_screen_at_the_slot_counts_as_away() -> None:
    verdict = decide(PresenceFacts(locked=True), POLICY, PREVIOUS, SLOT)
    assert verdict.decision == "away" and "locked" in verdict.reason


def test_idle_for_the_natural_break_at_the_slot_counts_as_away() -> None:
    assert decide(PresenceFacts(idle_seconds=300), POLICY, PREVIOUS, SLOT).decision == "away"


def test_a_short_pause_in_typing_is_not_a_break() -> None:
    assert decide(PresenceFacts(idle_seconds=120), POLICY, PREVIOUS, SLOT).decision == "send"


def test_a_break_that_ended_since_the_previous_slot_is_the_break_this_reminder_wanted() -> None:
    facts = PresenceFacts(idle_seconds=3, last_away=AwayStretch(at(-20), at(-8)))
    verdict = decide(facts, POLICY, PREVIOUS, SLOT)
    assert verdict.decision == "away"
    assert "ended at 10:22" in verdict.reason


def test_a_break_before_the_previous_slot_does_not_excuse_this_one() -> None:
    facts = PresenceFacts(idle_seconds=3, last_away=AwayStretch(at(-50), at(-35)))
    assert decide(facts, POLICY, PREVIOUS, SLOT).decision == "send"


def test_a_break_shorter_than_natural_break_does_not_count() -> None:
    facts = PresenceFacts(idle_seconds=3, last_away=AwayStretch(at(-10), at(-7)))
    assert decide(facts, POLICY, PREVIOUS, SLOT).decision == "send"


def test_an_away_stretch_still_going_counts_from_its_start() -> None:
    facts = PresenceFacts(last_away=AwayStretch(at(-6)))
    assert decide(facts, POLICY, PREVIOUS, SLOT).decision == "away"


def test_natural_break_zero_turns_idle_off_but_a_locked_screen_still_counts() -> None:
    off = PresencePolicy(natural_break=timedelta(0))
    assert decide(PresenceFacts(idle_seconds=3600), off, PREVIOUS, SLOT).decision == "send"
    assert decide(PresenceFacts(locked=True), off, PREVIOUS, SLOT).decision == "away"


def test_do_not_disturb_holds_the_reminder_unless_switched_off() -> None:
    assert decide(PresenceFacts(dnd=True), POLICY, PREVIOUS, SLOT).decision == "hold"
    ignore = PresencePolicy(respect_dnd=False)
    assert decide(PresenceFacts(dnd=True), ignore, PREVIOUS, SLOT).decision == "send"


def test_a_fullscreen_window_holds_the_reminder_unless_switched_off() -> None:
    assert decide(PresenceFacts(fullscreen=True), POLICY, PREVIOUS, SLOT).decision == "hold"
    ignore = PresencePolicy(respect_fullscreen=False)
    assert decide(PresenceFacts(fullscreen=True), ignore, PREVIOUS, SLOT).decision == "send"


def test_away_wins_over_a_hold() -> None:
    assert decide(PresenceFacts(locked=True, dnd=True), POLICY, PREVIOUS, SLOT).decision == "away"


def test_a_held_reminder_is_shown_once_dnd_is_off() -> None:
    assert release(PresenceFacts(dnd=False), POLICY, at(30), at(5)) == "show"


def test_a_held_reminder_keeps_waiting_while_dnd_lasts() -> None:
    assert release(PresenceFacts(dnd=True), POLICY, at(30), at(5)) == "keep"


def test_a_held_reminder_is_missed_when_the_next_slot_comes_first() -> None:
    assert release(PresenceFacts(dnd=True), POLICY, at(30), at(30)) == "missed"


def test_a_held_reminder_counts_as_away_if_the_screen_got_locked() -> None:
    assert release(PresenceFacts(dnd=False, locked=True), POLICY, at(30), at(5)) == "away"


def test_a_meeting_holds_the_reminder_until_its_end() -> None:
    verdict = decide(PresenceFacts(meeting_until=at(15)), POLICY, PREVIOUS, SLOT, at(30))
    assert verdict.decision == "hold" and verdict.reason == "in a meeting until 10:45"
    assert release(PresenceFacts(meeting_until=at(15)), POLICY, at(30), at(10)) == "keep"
    assert release(PresenceFacts(), POLICY, at(30), at(15)) == "show"


def test_a_meeting_that_outlasts_the_next_slot_makes_the_reminder_missed_at_once() -> None:
    facts = PresenceFacts(dnd=True, meeting_until=at(45))
    assert decide(facts, POLICY, PREVIOUS, SLOT, at(30)).decision == "missed"


def test_a_locked_screen_in_a_meeting_still_counts_as_away() -> None:
    facts = PresenceFacts(locked=True, meeting_until=at(15))
    assert decide(facts, POLICY, PREVIOUS, SLOT, at(30)).decision == "away"
