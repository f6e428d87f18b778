"""Real daemon replies through every CLI renderer: the daemon in-process (real socket, real
SQLite file, recording notifier), each command asked over the socket, each reply rendered."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from fakes import DaemonSession, isolated_paths, run_with_daemon

from deskbreak.cli.control_view import RENDERERS
from deskbreak.daemon import protocol as p

AT = r"(tomorrow )?[0-2][0-9]:[0-5][0-9]"


def test_every_request_of_the_protocol_has_a_renderer() -> None:
    assert set(RENDERERS) == set(p.REQUESTS)


def test_every_renderer_turns_the_real_daemons_reply_into_the_line_a_user_reads(
    isolated_dirs: Path,
) -> None:
    shown: dict[str, str] = {}

    async def scenario(s: DaemonSession) -> None:
        now = datetime.now(UTC)
        requests: list[p.Request[Any]] = [
            p.StatusRequest(),
            p.NowRequest(),
            p.DoneRequest(),
            p.SnoozeRequest(minutes=10),
            p.SkipRequest(),
            p.PauseRequest(minutes=45),
            p.ResumeRequest(),
            p.ReloadRequest(),
            p.RecordRoutineRequest("desk", now, now, True, 5, 5),
            p.StatusRequest(),
            p.StopRequest(),
        ]
        for request in requests:
            reply = await s.ask(request)
            assert isinstance(reply, request.reply_type)
            # The JSON a reply travels as reads back to the same value.
            assert request.read_reply(reply.to_json()) == reply
            shown[request.cmd] = RENDERERS[request.cmd](reply, now)

    session = run_with_daemon(isolated_paths(isolated_dirs), scenario)
    move = session.notifier.titles[0]

    assert shown["now"] == f"sent {move} via console"
    assert shown["done"] == f"nice, {move} done"
    snoozed, next_one = shown["snooze"].split(" · ")
    assert snoozed == "snoozed until " + next_one.removeprefix("next reminder ")
    assert re.fullmatch(f"skipped the {AT} reminder · next reminder {AT}", shown["skip"])
    assert re.fullmatch(f"paused until {AT} · next reminder {AT}", shown["pause"])
    assert re.fullmatch(f"resumed · next reminder {AT}", shown["resume"])
    assert shown["reload"] == f"reloaded {session.paths.config_file}"
    assert shown["stop"] == "stopped"
    assert shown["record_routine"] == ""  # written at once: nothing to say
    lines = shown["status"].splitlines()
    assert lines[0].startswith("running (pid ") and lines[0].endswith("today: 1 sent, 1 done")
    assert lines[-1].startswith("last reminder ") and lines[-1].endswith(f": {move} (done)")
