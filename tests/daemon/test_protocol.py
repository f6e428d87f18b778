"""The control protocol's typed messages and their JSON form."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta, timezone

import pytest
from fakes import status_reply

from deskbreak.daemon import protocol as p

NOW = datetime(2026, 11, 23, 10, 0, 30, tzinfo=timezone(timedelta(hours=1)))


def test_a_request_leaves_unset_options_off_the_wire() -> None:
    assert p.PauseRequest().to_json() == {"cmd": "pause"}
    assert p.PauseRequest(until=time(9, 5)).to_json() == {"cmd": "pause", "until": "09:05"}
    assert p.SnoozeRequest(minutes=1.5).to_json() == {"cmd": "snooze", "minutes": 1.5}


def test_a_request_reads_back_from_its_json() -> None:
    requests = (p.PauseRequest(until=time(14, 0)), p.SnoozeRequest(minutes=10), p.SkipRequest())
    for request in requests:
        assert p.decode_request(request.to_json()) == request


@pytest.mark.parametrize(
    ("message", "error"),
    [
        ({}, "unknown command None"),
        ({"cmd": "dance"}, "unknown command 'dance'; known: status, pause"),
        ({"cmd": "snooze", "minutes": True}, "minutes must be a number, got True"),
        ({"cmd": "snooze", "minutes": 0}, "a snooze must be at least 1 second, got 0 minutes"),
        ({"cmd": "pause", "minutes": 57600}, "a pause can be at most 31 days, got 57600 minutes"),
        ({"cmd": "pause", "until": "25:00"}, 'until must be "HH:MM" in 24-hour time'),
        ({"cmd": "pause", "until": 9}, 'until must be "HH:MM", got 9'),
        (
            {"cmd": "pause", "minutes": 5, "until": "10:00"},
            "give either minutes or until, not both",
        ),
    ],
)
def test_a_bad_request_is_refused_with_a_sentence_naming_the_field(
    message: dict[str, object], error: str
) -> None:
    with pytest.raises(ValueError, match="^" + error.replace("(", r"\(")):
        p.decode_request(message)


def test_instants_travel_with_their_offset_to_the_second() -> None:
    reply = p.PauseReply(paused_until=NOW, next_reminder=None, timezone="Europe/Berlin")
    wire = reply.to_json()
    assert wire == {
        "paused_until": "2026-11-23T10:00:30+01:00",
        "next_reminder": None,
        "timezone": "Europe/Berlin",
    }
    assert p.PauseRequest().read_reply(wire) == reply


def test_a_status_reply_with_nested_values_reads_back_equal() -> None:
    reply = status_reply(NOW.astimezone(UTC))
    assert p.StatusRequest().read_reply(reply.to_json()) == reply


def test_fields_a_newer_daemon_adds_are_ignored() -> None:
    wire = {"move": "m", "name": "M", "backend": "console", "mood": "happy"}
    assert p.NowRequest().read_reply(wire) == p.NowReply(move="m", name="M", backend="console")


@pytest.mark.parametrize(
    ("wire", "error"),
    [
        ({"paused_until": None, "timezone": "UTC"}, "next_reminder is missing"),
        (
            {"paused_until": "10:00", "next_reminder": None, "timezone": "UTC"},
            "paused_until must be an ISO 8601 time",
        ),
        (
            {"paused_until": "2026-11-23T10:00:00", "next_reminder": None, "timezone": "UTC"},
            "with its offset",
        ),
    ],
)
def test_a_reply_missing_a_field_or_with_a_naive_time_is_refused(
    wire: dict[str, object], error: str
) -> None:
    with pytest.raises(ValueError, match=error):
        p.PauseRequest().read_reply(wire)


def test_messages_are_frozen_values_that_compare_hash_and_print_by_their_fields() -> None:
    import dataclasses

    reply = p.PauseReply(paused_until=NOW, next_reminder=None, timezone="UTC")
    same = p.PauseReply(paused_until=NOW, next_reminder=None, timezone="UTC")
    assert reply == same and hash(reply) == hash(same) and len({reply, same}) == 1
    assert reply != dataclasses.replace(reply, timezone="Europe/Berlin")
    # Another message with the same fields is another value.
    assert p.ResumeReply(next_reminder=None, timezone="UTC") != p.ResumeRequest()
    assert p.SkipRequest() != p.DoneRequest() and p.SkipRequest() == p.SkipRequest()
    assert repr(p.SnoozeRequest(minutes=5)) == "SnoozeRequest(minutes=5)"
    assert repr(reply) == f"PauseReply(paused_until={NOW!r}, next_reminder=None, timezone='UTC')"
    with pytest.raises(dataclasses.FrozenInstanceError):
        reply.timezone = "UTC"  # type: ignore[misc]  # the point: it is refused
    assert dataclasses.is_dataclass(reply) and [f.name for f in dataclasses.fields(reply)] == [
        "paused_until",
        "next_reminder",
        "timezone",
    ]
