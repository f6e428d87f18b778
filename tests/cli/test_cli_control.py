"""The control commands as a user runs them (`python -m deskbreak ...`) against a fake daemon."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from fakes import ServerThread, status_reply

from deskbreak.cli.app import app
from deskbreak.cli.control_view import (
    format_moment,
    render_done,
    render_pause,
    render_skip,
    render_snooze,
    render_status,
)
from deskbreak.daemon import protocol as p
from deskbreak.paths import default_paths

REPO = Path(__file__).resolve().parents[2]
NOW = datetime.now(UTC).replace(microsecond=0)
SOON = NOW + timedelta(minutes=20)
LATER = NOW + timedelta(minutes=50)
CONFIG_FILE = "/home/me/.config/deskbreak/config.toml"


def iso(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds")


def hhmm(moment: datetime) -> str:
    return f"{moment:%H:%M}"  # shown with or without the day, so tests look for this part


class FakeDaemon:
    """Answers each command with a typed reply (shaped by `protocol`, as the real daemon's are)
    or an error sentence, and records every request it gets as it came off the wire."""

    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []
        self.replies: dict[str, p.Reply | str] = {
            "status": status_reply(NOW, next_reminder=SOON),
            "pause": p.PauseReply(paused_until=LATER, next_reminder=LATER, timezone="UTC"),
            "resume": p.ResumeReply(next_reminder=SOON, timezone="UTC"),
            "snooze": p.SnoozeReply(
                snoozed_until=SOON,
                gave_way=False,
                answered=None,
                next_reminder=SOON,
                timezone="UTC",
            ),
            "skip": p.SkipReply(
                skipped=SOON, on_screen=False, undone=False, next_reminder=LATER, timezone="UTC"
            ),
            "done": p.DoneReply(
                move="hip-circles",
                name="Hip circles",
                at=NOW,
                counted=True,
                answer="done",
                timezone="UTC",
            ),
            "now": p.NowReply(move="neck-rolls", name="Neck rolls", backend="console"),
            "reload": p.ReloadReply(
                config_file=CONFIG_FILE,
                next_reminder=SOON,
                file_exists=True,
                notes=(),
                forgot_skip=None,
                timezone="UTC",
            ),
            "stop": p.StopReply(),
        }

    async def handle(self, request: dict[str, Any]) -> dict[str, Any]:
        self.requests.append(request)
        reply = self.replies[p.decode_request(request).cmd]
        return p.error_reply(reply) if isinstance(reply, str) else reply.to_json()


@pytest.fixture
def daemon() -> Iterator[FakeDaemon]:
    fake = FakeDaemon()
    with ServerThread(default_paths().socket, fake.handle):
        yield fake


def deskbreak(*args: str) -> subprocess.CompletedProcess[str]:
    # os.environ carries the test's XDG_RUNTIME_DIR (set by conftest), so the child finds the
    # fake daemon's socket; TZ=UTC makes the local times it prints match the ones built here.
    env = {**os.environ, "TZ": "UTC", "PYTHONPATH": str(REPO), "COLUMNS": "200"}
    return subprocess.run(
        [sys.executable, "-m", "deskbreak", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=REPO,
        timeout=60,
        check=False,
    )


# --- status -----------------------------------------------------------------------------------


def test_status_prints_one_friendly_line_and_today_counts(daemon: FakeDaemon) -> None:
    result = deskbreak("status")
    assert result.returncode == 0, result.stderr
    first, *rest = result.stdout.splitlines()
    assert first.startswith("running (pid 1234) · next reminder ")
    assert hhmm(SOON) in first
    assert first.endswith("today: 3 sent, 2 done, 1 snoozed")
    assert any("Hip circles" in line and "(done)" in line for line in rest)
    assert daemon.requests == [{"cmd": "status"}]


def test_status_shows_pause_and_snooze_when_set(daemon: FakeDaemon) -> None:
    daemon.replies["status"] = status_reply(
        NOW, paused=True, paused_until=LATER, snoozed_until=SOON, next_reminder=None
    )
    result = deskbreak("status")
    assert result.returncode == 0, result.stderr
    assert "no reminder scheduled" in result.stdout
    assert (
        f"paused until {hhmm(LATER)}" in result.stdout or "paused until tomorrow" in result.stdout
    )
    assert "snoozed until " in result.stdout


def test_status_json_prints_the_daemons_state(daemon: FakeDaemon) -> None:
    result = deskbreak("status", "--json")
    assert result.returncode == 0, result.stderr
    state = json.loads(result.stdout)
    assert state["running"] is True
    assert state["pid"] == 1234
    assert state["next_reminder"] == iso(SOON)
    assert state["today"]["sent"] == 3
    assert "ok" not in state


def test_status_when_not_running_says_so_with_a_hint_and_exits_1() -> None:
    result = deskbreak("status")
    assert result.returncode == 1
    assert result.stdout.splitlines()[0] == "not running"
    assert "deskbreak start" in result.stdout
    assert "Traceback" not in result.stderr


# The `status --json` schema scripts rely on: the same keys whether or not a daemon runs.
STATUS_KEYS = {
    "running",
    "pid",
    "config_file",
    "config_found",
    "backend",
    "timezone",
    "next_reminder",
    "paused",
    "paused_until",
    "snoozed_until",
    "skipped_slot",
    "last_reminder",
    "today",
    "presence",
    "held",
}


def test_status_json_has_the_pinned_keys_when_running(daemon: FakeDaemon) -> None:
    result = deskbreak("status", "--json")
    assert set(json.loads(result.stdout)) == STATUS_KEYS


def test_status_json_when_not_running_has_the_same_keys_all_null_and_exits_1() -> None:
    result = deskbreak("status", "--json")
    assert result.returncode == 1
    state = json.loads(result.stdout)
    assert set(state) == STATUS_KEYS
    assert state["running"] is False
    assert all(value is None for key, value in state.items() if key != "running")


# --- pause, resume, snooze, skip ----------------------------------------------------------------


def test_pause_for_a_duration_sends_minutes(daemon: FakeDaemon) -> None:
    result = deskbreak("pause", "1h30m")
    assert result.returncode == 0, result.stderr
    assert daemon.requests == [{"cmd": "pause", "minutes": 90.0}]
    assert result.stdout.startswith("paused for 1h 30m until ")
    assert hhmm(LATER) in result.stdout


def test_pause_until_a_time_sends_the_time(daemon: FakeDaemon) -> None:
    result = deskbreak("pause", "--until", "9:05")
    assert result.returncode == 0, result.stderr
    assert daemon.requests == [{"cmd": "pause", "until": "09:05"}]


def test_pause_without_arguments_pauses_until_resumed(daemon: FakeDaemon) -> None:
    daemon.replies["pause"] = p.PauseReply(paused_until=None, next_reminder=None, timezone="UTC")
    result = deskbreak("pause")
    assert result.returncode == 0, result.stderr
    assert daemon.requests == [{"cmd": "pause"}]
    assert "deskbreak resume" in result.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("pause", "soon"), "45m"),
        (("pause", "0"), "at least"),
        (("pause", "--", "-5m"), "45m"),
        (("pause", "1h", "--until", "14:00"), "not both"),
        (("pause", "--until", "25:00"), "HH:MM"),
        (("snooze", "ten"), "45m"),
    ],
)
def test_a_bad_duration_or_time_exits_2_without_asking_the_daemon(
    daemon: FakeDaemon, args: tuple[str, ...], message: str
) -> None:
    result = deskbreak(*args)
    assert result.returncode == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr
    assert daemon.requests == []


def test_resume_shows_the_next_reminder(daemon: FakeDaemon) -> None:
    result = deskbreak("resume")
    assert result.returncode == 0, result.stderr
    assert daemon.requests == [{"cmd": "resume"}]
    assert result.stdout.startswith("resumed · next reminder ")


def test_snooze_without_a_duration_leaves_it_to_the_config(daemon: FakeDaemon) -> None:
    result = deskbreak("snooze")
    assert result.returncode == 0, result.stderr
    assert daemon.requests == [{"cmd": "snooze"}]
    assert result.stdout.startswith("snoozed until ")
    assert hhmm(SOON) in result.stdout


def test_snooze_for_a_duration_sends_minutes(daemon: FakeDaemon) -> None:
    result = deskbreak("snooze", "90s")
    assert result.returncode == 0, result.stderr
    assert daemon.requests == [{"cmd": "snooze", "minutes": 1.5}]


def test_skip_names_the_skipped_reminder_and_the_next(daemon: FakeDaemon) -> None:
    result = deskbreak("skip")
    assert result.returncode == 0, result.stderr
    assert daemon.requests == [{"cmd": "skip"}]
    assert result.stdout.startswith("skipped the ")
    assert hhmm(LATER) in result.stdout


def test_reload_without_a_config_file_never_says_reloaded(daemon: FakeDaemon) -> None:
    daemon.replies["reload"] = p.ReloadReply(
        config_file=CONFIG_FILE,
        next_reminder=SOON,
        file_exists=False,
        notes=("locked x",),
        forgot_skip=None,
        timezone="UTC",
    )
    result = deskbreak("reload")
    assert result.returncode == 0, result.stderr
    assert "reloaded" not in result.stdout
    assert result.stdout.startswith(f"{CONFIG_FILE} does not exist")
    assert result.stderr == "deskbreak: note: locked x\n"


# --- done, now, reload, stop -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("command", "expected"),
    [
        ("done", "Hip circles done"),
        ("now", "sent Neck rolls via console"),
        ("reload", "reloaded /home/me/.config/deskbreak/config.toml"),
        ("stop", "stopped"),
    ],
)
def test_simple_commands_send_their_request_and_confirm(
    daemon: FakeDaemon, command: str, expected: str
) -> None:
    result = deskbreak(command)
    assert result.returncode == 0, result.stderr
    assert expected in result.stdout
    assert daemon.requests == [{"cmd": command}]


def test_an_error_reply_is_shown_as_one_line_and_exits_1(daemon: FakeDaemon) -> None:
    daemon.replies["done"] = "no reminder yet today"
    result = deskbreak("done")
    assert result.returncode == 1
    assert result.stderr.strip() == "deskbreak: no reminder yet today"


@pytest.mark.parametrize(
    "args", [("pause",), ("resume",), ("snooze", "5m"), ("skip",), ("done",), ("stop",)]
)
def test_commands_need_a_running_daemon_and_say_how_to_start_it(args: tuple[str, ...]) -> None:
    result = deskbreak(*args)
    assert result.returncode == 1
    assert "deskbreak is not running; start it with `deskbreak start`" in result.stderr
    assert "Traceback" not in result.stderr


# --- help and rendering -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "name", ["status", "pause", "resume", "snooze", "skip", "done", "now", "reload", "stop"]
)
def test_every_control_command_has_a_one_line_help_and_an_example(name: str) -> None:
    import deskbreak.cli.commands_control  # noqa: F401 - registers the commands on `app`

    docs = {
        info.name or info.callback.__name__: info.callback.__doc__ or ""
        for info in app.registered_commands
        if info.callback is not None
    }
    summary, _, body = docs[name].partition("\n")
    assert summary.strip().endswith(".")
    assert f"Example: deskbreak {name}" in body


LOCAL = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        ("2026-11-23T11:30:00+01:00", "10:30"),
        ("2026-11-24T09:30:00+00:00", "tomorrow 09:30"),
        ("2026-11-26T09:30:00+00:00", "2026-11-26 09:30"),
        ("2026-11-22T23:30:00-01:00", "00:30"),
        (None, None),
    ],
)
def test_times_are_shown_in_local_time_with_the_day_when_not_today(
    value: str | None, shown: str | None
) -> None:
    moment = datetime.fromisoformat(value) if value is not None else None
    assert format_moment(moment, LOCAL) == shown


def test_status_while_paused_until_resumed_says_how_to_resume() -> None:
    today = p.TodayCounts(sent=0, done=0, snoozed=0, skipped=0, ignored=0)
    reply = status_reply(
        LOCAL, pid=1, paused=True, next_reminder=None, last_reminder=None, today=today
    )
    assert render_status(reply, LOCAL).splitlines() == [
        "running (pid 1) · no reminder scheduled · today: 0 sent",
        "paused until you run `deskbreak resume`",
    ]


# --- limits, zones and the words each answer uses ----------------------------------------------


def test_a_pause_longer_than_the_limit_is_a_usage_error_naming_the_limit(
    daemon: FakeDaemon,
) -> None:
    result = deskbreak("pause", "40d")
    assert result.returncode == 2
    assert "a pause can be at most 31 days, got '40d'" in result.stderr
    assert daemon.requests == []


def test_times_show_in_the_configured_zone_and_name_it_when_the_system_differs() -> None:
    berlin_now = datetime(2026, 11, 23, 19, 0, tzinfo=ZoneInfo("Europe/Berlin"))
    reply = p.PauseReply(
        paused_until=datetime(2026, 11, 23, 14, 0, tzinfo=ZoneInfo("America/New_York")),
        next_reminder=None,
        timezone="America/New_York",
    )
    line = render_pause(reply, berlin_now)
    assert "until 14:00" in line and "times in America/New_York" in line
    same = render_pause(reply, berlin_now.astimezone(ZoneInfo("America/New_York")))
    assert "until 14:00" in same and "times in" not in same


def test_skipping_tomorrows_reminder_reads_as_english() -> None:
    reply = p.SkipReply(
        skipped=NOW + timedelta(days=1),
        on_screen=False,
        undone=False,
        next_reminder=None,
        timezone="UTC",
    )
    assert render_skip(reply, NOW).startswith(f"skipped tomorrow's {hhmm(NOW)} reminder")


def test_status_names_a_pending_skip_and_how_to_undo_it() -> None:
    text = render_status(status_reply(NOW, skipped_slot=SOON), NOW)
    assert f"skipping the {hhmm(SOON)} reminder" in text or "skipping tomorrow's" in text
    assert "skip --undo" in text


def test_skip_undo_asks_the_daemon_to_bring_the_slot_back(daemon: FakeDaemon) -> None:
    daemon.replies["skip"] = p.SkipReply(
        skipped=SOON, on_screen=False, undone=True, next_reminder=SOON, timezone="UTC"
    )
    result = deskbreak("skip", "--undo")
    assert result.returncode == 0, result.stderr
    assert daemon.requests == [{"cmd": "skip", "undo": True}]
    assert "reminder is back" in result.stdout


def test_a_snooze_that_gives_way_says_so_instead_of_a_time_it_will_not_keep() -> None:
    reply = p.SnoozeReply(
        snoozed_until=SOON, gave_way=True, answered=None, next_reminder=LATER, timezone="UTC"
    )
    text = render_snooze(reply, NOW)
    assert "outside work hours" in text and "snoozed until" not in text


def test_done_on_a_reminder_already_answered_says_the_first_answer_counts() -> None:
    reply = p.DoneReply(
        move="m", name="M", at=SOON, counted=False, answer="skipped", timezone="UTC"
    )
    assert "already counts as skipped" in render_done(reply, NOW)
