"""The control socket over a real Unix socket, with the server on a loop in a background thread."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import socket
import stat
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from fakes import ServerThread
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from deskbreak.daemon.control import exchange
from deskbreak.errors import AlreadyRunningError, ConfigError, DeskbreakError, NotRunningError
from deskbreak.paths import default_paths


async def echo(request: dict[str, Any]) -> dict[str, Any]:
    if request.get("cmd") == "boom":
        raise RuntimeError("the handler broke")
    if request.get("cmd") == "refuse":
        raise DeskbreakError("no reminder yet")
    if request.get("cmd") == "unsendable":
        return {"when": object()}
    return {"echo": request}


@pytest.fixture
def path() -> Path:
    return default_paths().socket


@pytest.fixture
def server(path: Path) -> Iterator[ServerThread]:
    with ServerThread(path, echo, read_timeout=2.0) as running:
        yield running


def connect(path: Path, timeout: float = 5.0) -> socket.socket:
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.settimeout(timeout)
    sock.connect(str(path))
    return sock


def read_until_closed(sock: socket.socket) -> bytes:
    received = bytearray()
    while chunk := sock.recv(65536):
        received += chunk
    return bytes(received)


def replies(raw: bytes) -> list[dict[str, Any]]:
    return [json.loads(line) for line in raw.splitlines()]


def still_serves(path: Path) -> bool:
    return exchange(path, {"cmd": "ping"}) == {"ok": True, "echo": {"cmd": "ping"}}


def test_a_request_gets_the_handlers_reply_with_ok(server: ServerThread, path: Path) -> None:
    reply = exchange(path, {"cmd": "status", "n": 1})
    assert reply == {"ok": True, "echo": {"cmd": "status", "n": 1}}


def test_the_socket_is_0600_in_a_0700_dir(server: ServerThread, path: Path) -> None:
    assert stat.S_ISSOCK(path.lstat().st_mode)
    assert stat.S_IMODE(path.lstat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.lstat().st_mode) == 0o700


def test_a_too_open_runtime_dir_is_tightened_to_0700(path: Path) -> None:
    path.parent.mkdir(mode=0o755)
    path.parent.chmod(0o755)
    with ServerThread(path, echo):
        assert stat.S_IMODE(path.parent.lstat().st_mode) == 0o700


def test_closing_the_server_removes_the_socket(path: Path) -> None:
    with ServerThread(path, echo):
        assert path.exists()
    assert not path.exists()
    with pytest.raises(NotRunningError):
        exchange(path, {"cmd": "ping"})


def test_a_stale_socket_left_by_a_crash_is_replaced(path: Path) -> None:
    path.parent.mkdir(mode=0o700)
    crashed = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    crashed.bind(str(path))
    crashed.close()  # no unlink: the file stays, nobody listens
    assert path.exists()
    with ServerThread(path, echo):
        assert still_serves(path)


def test_a_second_server_on_a_live_socket_is_refused(server: ServerThread, path: Path) -> None:
    with pytest.raises(AlreadyRunningError, match="already running"):
        ServerThread(path, echo).__enter__()
    assert still_serves(path)


def test_a_file_that_is_not_a_socket_is_left_alone(path: Path) -> None:
    path.parent.mkdir(mode=0o700)
    path.write_text("mine")
    with pytest.raises(DeskbreakError, match="not a socket"):
        ServerThread(path, echo).__enter__()
    assert path.read_text() == "mine"


def test_closing_does_not_remove_a_socket_another_server_made_meanwhile(path: Path) -> None:
    with ServerThread(path, echo) as first:
        path.unlink()  # as an impatient user might, then start a second daemon
        with ServerThread(path, echo):
            first.run(first.server.close())
            assert still_serves(path)


def test_a_handler_may_close_the_server_and_still_reply(path: Path) -> None:
    async def stop(request: dict[str, Any]) -> dict[str, Any]:
        await running.server.close()
        return {"stopping": True}

    with ServerThread(path, stop) as running:
        assert exchange(path, {"cmd": "stop"}) == {"ok": True, "stopping": True}
        assert not path.exists()


def test_closing_drops_connected_clients(path: Path) -> None:
    with ServerThread(path, echo) as running, connect(path) as sock:
        sock.sendall(b'{"cmd": "ping"}\n')
        assert replies(sock.recv(4096))[0]["ok"] is True
        running.run(running.server.close())
        assert sock.recv(1) == b""


def test_twenty_clients_at_once_each_get_their_own_reply(server: ServerThread, path: Path) -> None:
    with ThreadPoolExecutor(max_workers=20) as pool:
        results = list(pool.map(lambda n: exchange(path, {"cmd": "ping", "n": n}), range(20)))
    assert [r["echo"]["n"] for r in results] == list(range(20))


def test_several_requests_on_one_connection_get_replies_in_order(
    server: ServerThread, path: Path
) -> None:
    with connect(path) as sock:
        sock.sendall(b'{"n": 1}\n{"n": 2}\n[3]\n{"n": 4}\n')
        sock.shutdown(socket.SHUT_WR)
        got = replies(read_until_closed(sock))
    assert [r.get("echo", {}).get("n") for r in got] == [1, 2, None, 4]
    assert got[2]["ok"] is False


@pytest.mark.parametrize(
    "line", [b"{not json\n", b"[1, 2]\n", b'"status"\n', b"null\n", b"\xff\xfe\n", b"\n"]
)
def test_a_malformed_request_gets_an_error_reply_and_the_server_goes_on(
    server: ServerThread, path: Path, line: bytes
) -> None:
    with connect(path) as sock:
        sock.sendall(line)
        sock.shutdown(socket.SHUT_WR)
        (reply,) = replies(read_until_closed(sock))
    assert reply["ok"] is False
    assert "malformed request" in reply["error"]
    assert still_serves(path)


def test_strings_come_back_intact_even_odd_ones(server: ServerThread, path: Path) -> None:
    odd = "née 🏃 \ud800"
    assert exchange(path, {"cmd": odd})["echo"]["cmd"] == odd


def test_a_line_cut_off_by_the_client_closing_does_not_hurt_the_server(
    server: ServerThread, path: Path
) -> None:
    with connect(path) as sock:
        sock.sendall(b'{"cmd": "sta')
    assert still_serves(path)


def test_a_huge_line_is_refused_without_buffering_it_all(server: ServerThread, path: Path) -> None:
    with connect(path) as sock:
        sock.sendall(b'{"cmd": "' + b"x" * 1024 * 1024 + b'"}\n{"cmd": "after"}\n')
        sock.shutdown(socket.SHUT_WR)
        refused, after = replies(read_until_closed(sock))
    assert refused == {"ok": False, "error": "request too long (limit 65536 bytes)"}
    assert after == {"ok": True, "echo": {"cmd": "after"}}
    assert still_serves(path)


def test_an_endless_line_is_cut_off(server: ServerThread, path: Path) -> None:
    # Reading may reset once the server hangs up on unread data; all that matters is that
    # the client is cut off and the server lives on.
    with connect(path) as sock, contextlib.suppress(BrokenPipeError, ConnectionResetError):
        sock.sendall(b"x" * (20 * 1024 * 1024))
        read_until_closed(sock)
    assert still_serves(path)


def test_a_silent_client_does_not_block_others(path: Path) -> None:
    # The silent client could hold the server for a minute; the next one must not wait for it.
    with ServerThread(path, echo, read_timeout=60.0), connect(path):
        assert exchange(path, {"cmd": "ping"}, timeout=5.0)["echo"] == {"cmd": "ping"}


def test_a_silent_client_is_disconnected_after_the_read_timeout(path: Path) -> None:
    with ServerThread(path, echo, read_timeout=0.2), connect(path, timeout=5.0) as sock:
        assert sock.recv(1) == b""  # closed by the server, well before our own timeout


def test_a_handler_exception_becomes_an_error_reply_and_a_logged_traceback(
    server: ServerThread, path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with (
        caplog.at_level(logging.ERROR, logger="deskbreak.daemon.control"),
        pytest.raises(DeskbreakError, match="internal error"),
    ):
        exchange(path, {"cmd": "boom"})
    assert any(r.exc_info and "the handler broke" in str(r.exc_info[1]) for r in caplog.records)
    assert still_serves(path)


def test_a_reply_that_is_not_json_becomes_an_internal_error(
    server: ServerThread, path: Path
) -> None:
    with pytest.raises(DeskbreakError, match="internal error"):
        exchange(path, {"cmd": "unsendable"})
    assert still_serves(path)


def test_a_deskbreak_error_in_the_handler_reaches_the_client_as_its_message(
    server: ServerThread, path: Path
) -> None:
    with pytest.raises(DeskbreakError) as err:
        exchange(path, {"cmd": "refuse"})
    assert str(err.value) == "no reminder yet"
    assert not isinstance(err.value, NotRunningError)


def test_a_request_just_under_the_limit_is_served(server: ServerThread, path: Path) -> None:
    big = "x" * 60_000
    assert exchange(path, {"cmd": "ping", "pad": big})["echo"]["pad"] == big


def test_a_deskbreak_error_keeps_its_exit_code(path: Path) -> None:
    async def broken_config(request: dict[str, Any]) -> dict[str, Any]:
        raise ConfigError("config.toml:3: [schedule] interval must be 1 to 240 minutes")

    with ServerThread(path, broken_config), pytest.raises(DeskbreakError) as err:
        exchange(path, {"cmd": "reload"})
    assert err.value.exit_code == 2
    assert "interval" in str(err.value)


def test_ask_says_how_to_start_when_nothing_listens(path: Path) -> None:
    with pytest.raises(NotRunningError, match="deskbreak start") as err:
        exchange(path, {"cmd": "status"})
    assert err.value.exit_code == 1


def test_ask_says_not_running_for_a_stale_socket(path: Path) -> None:
    path.parent.mkdir(mode=0o700)
    crashed = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    crashed.bind(str(path))
    crashed.close()
    with pytest.raises(NotRunningError):
        exchange(path, {"cmd": "status"})


def test_ask_names_the_timeout_when_the_daemon_does_not_answer(path: Path) -> None:
    async def stuck(request: dict[str, Any]) -> dict[str, Any]:
        await asyncio.Event().wait()
        return {}

    with ServerThread(path, stuck), pytest.raises(DeskbreakError, match=r"within 0\.3 s"):
        exchange(path, {"cmd": "status"}, timeout=0.3)


def test_fuzzed_bytes_never_kill_the_server(path: Path) -> None:
    @given(
        data=st.one_of(
            st.binary(max_size=4096),
            st.lists(st.binary(max_size=200), max_size=8).map(b"\n".join),
            st.lists(st.text(max_size=40), max_size=4).map(lambda xs: "\n".join(xs).encode()),
        )
    )
    @settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    def send(data: bytes) -> None:
        with connect(path) as sock:
            sock.sendall(data)
            sock.shutdown(socket.SHUT_WR)
            raw = read_until_closed(sock)
        for reply in replies(raw):
            assert isinstance(reply, dict)
            assert reply["ok"] is True or isinstance(reply["error"], str)
        assert still_serves(path)

    with ServerThread(path, echo, read_timeout=2.0):
        send()


def _connect_as_nobody(path: Path) -> int:
    """Fork a child that drops to the `nobody` user and tries to connect; return its exit code."""
    pid = os.fork()
    if pid == 0:  # pragma: no cover - runs in the child
        code = 3
        try:
            os.setgroups([])
            os.setgid(65534)
            os.setuid(65534)
            connect(path, timeout=2.0).close()
            code = 1
        except PermissionError:
            code = 0
        except BaseException:  # noqa: BLE001 - the forked child must always reach os._exit
            code = 2
        finally:
            os._exit(code)
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status)


root_only = pytest.mark.skipif(
    os.geteuid() != 0, reason="needs root to become another user (nobody) in a child process"
)


@root_only
def test_another_user_cannot_connect(server: ServerThread, path: Path) -> None:
    # The tmp base dir is 0700 to root, so open it up: the 0700 runtime dir must hold on its own.
    for folder in (path.parent.parent, path.parent.parent.parent):
        folder.chmod(0o755)
    assert _connect_as_nobody(path) == 0
    assert still_serves(path)


@root_only
def test_the_socket_mode_alone_keeps_another_user_out(server: ServerThread, path: Path) -> None:
    for folder in (path.parent, path.parent.parent, path.parent.parent.parent):
        folder.chmod(0o711)
    assert _connect_as_nobody(path) == 0
