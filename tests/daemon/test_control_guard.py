"""The control socket's guards: a cap on connections, a client that checks whom it talks to,
and a daemon that records a looping client's repeats at a bounded rate."""

from __future__ import annotations

import json
import os
import socket
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fakes import ServerThread, isolated_paths, run_with_daemon

from deskbreak.daemon import protocol
from deskbreak.daemon.control import exchange
from deskbreak.daemon.events import EventLimiter
from deskbreak.errors import DeskbreakError, NotRunningError, UnsafePathError
from deskbreak.paths import default_paths


async def echo(request: dict[str, Any]) -> dict[str, Any]:
    return {"echo": request}


def silent_client(path: Path) -> socket.socket:
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.settimeout(5.0)
    sock.connect(str(path))
    return sock


def test_a_connection_beyond_the_cap_is_told_the_daemon_is_busy_and_let_go() -> None:
    path = default_paths().socket
    with ServerThread(path, echo, max_connections=3):
        held = [silent_client(path) for _ in range(3)]
        extra = silent_client(path)
        line = extra.makefile("rb").readline()
        assert "busy" in json.loads(line)["error"]
        assert extra.recv(1) == b""  # and the server closed it: no descriptor kept
        held.pop().close()
        for _ in range(50):  # the server notices the hang-up within a loop turn or two
            try:
                assert exchange(path, {"cmd": "ping"})["echo"] == {"cmd": "ping"}
                break
            except DeskbreakError:  # still at the cap for a moment
                continue
        else:
            pytest.fail("a client was still turned away after one hung up")
        for sock in [*held, extra]:
            sock.close()


def test_the_client_refuses_a_socket_folder_of_another_user(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    path = default_paths().socket
    with ServerThread(path, echo):
        real_uid = os.getuid()
        monkeypatch.setattr(os, "getuid", lambda: real_uid + 1)
        with pytest.raises(UnsafePathError, match="another user"):
            exchange(path, {"cmd": "status"})


def test_the_client_refuses_a_socket_folder_others_can_write_to() -> None:
    path = default_paths().socket
    with ServerThread(path, echo):
        path.parent.chmod(0o777)
        with pytest.raises(UnsafePathError, match="written by other users"):
            exchange(path, {"cmd": "status"})
        path.parent.chmod(0o700)


def test_the_client_says_not_running_when_the_socket_folder_is_missing() -> None:
    with pytest.raises(NotRunningError):
        exchange(default_paths().socket, {"cmd": "status"})


def test_the_limiter_admits_a_burst_then_one_a_minute_and_counts_the_rest() -> None:
    limiter = EventLimiter(burst=2, every=timedelta(minutes=1))
    t = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
    assert [limiter.admit("pause", t) for _ in range(5)] == [0, 0, None, None, None]
    assert limiter.admit("resume", t) == 0  # each kind has its own allowance
    assert limiter.admit("pause", t + timedelta(minutes=1)) == 3
    assert limiter.admit("pause", t - timedelta(hours=1)) is None  # a clock step back earns none


def test_a_client_pausing_and_resuming_in_a_loop_cannot_grow_the_history_without_bound(
    isolated_dirs: Path,
) -> None:
    paths = isolated_paths(isolated_dirs)

    async def scenario(session: Any) -> None:
        for _ in range(200):
            await session.ask(protocol.PauseRequest())
            await session.ask(protocol.ResumeRequest())
            await session.ask(protocol.SkipRequest())
        status = await session.ask(protocol.StatusRequest())
        assert status.paused is False

    session = run_with_daemon(paths, scenario)
    del session
    from deskbreak.store.history import History

    with History(paths.database) as history:
        rows = history.query("SELECT kind, count(*) FROM events GROUP BY kind")
    counts = dict(rows)
    assert all(counts.get(kind, 0) <= 6 for kind in ("pause", "resume", "skip")), counts
