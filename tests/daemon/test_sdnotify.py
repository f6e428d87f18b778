from __future__ import annotations

import os
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from deskbreak.daemon import sdnotify


@pytest.fixture
def listener(isolated_dirs: Path) -> Iterator[tuple[socket.socket, dict[str, str]]]:
    # The short runtime dir from conftest keeps the socket path under the ~100-byte limit.
    path = isolated_dirs / "runtime" / "notify.sock"
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sock:
        sock.bind(str(path))
        sock.settimeout(5)
        yield sock, {"NOTIFY_SOCKET": str(path)}


def received(sock: socket.socket) -> str:
    return sock.recv(4096).decode("utf-8")


def test_notify_is_a_no_op_returning_false_without_notify_socket() -> None:
    assert sdnotify.notify("READY=1", environ={}) is False


def test_ready_sends_ready_1_to_the_socket(
    listener: tuple[socket.socket, dict[str, str]],
) -> None:
    sock, env = listener
    assert sdnotify.ready(environ=env) is True
    assert received(sock) == "READY=1"


def test_ready_reads_notify_socket_from_the_process_environment(
    listener: tuple[socket.socket, dict[str, str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    sock, env = listener
    monkeypatch.setenv("NOTIFY_SOCKET", env["NOTIFY_SOCKET"])
    assert sdnotify.ready()
    assert received(sock) == "READY=1"


def test_ready_with_status_sends_both_assignments(
    listener: tuple[socket.socket, dict[str, str]],
) -> None:
    sock, env = listener
    sdnotify.ready("next break 10:30", environ=env)
    assert received(sock) == "READY=1\nSTATUS=next break 10:30"


def test_status_text_is_kept_on_one_line(
    listener: tuple[socket.socket, dict[str, str]],
) -> None:
    sock, env = listener
    sdnotify.status("paused\nuntil 14:00", environ=env)
    assert received(sock) == "STATUS=paused until 14:00"


def test_watchdog_and_stopping_send_their_assignments(
    listener: tuple[socket.socket, dict[str, str]],
) -> None:
    sock, env = listener
    sdnotify.watchdog(environ=env)
    sdnotify.stopping(environ=env)
    assert [received(sock), received(sock)] == ["WATCHDOG=1", "STOPPING=1"]


def test_reloading_carries_a_monotonic_timestamp(
    listener: tuple[socket.socket, dict[str, str]],
) -> None:
    sock, env = listener
    sdnotify.reloading(environ=env)
    first, second = received(sock).split("\n")
    assert first == "RELOADING=1"
    assert second.startswith("MONOTONIC_USEC=")
    assert int(second.split("=", 1)[1]) > 0


def test_abstract_namespace_socket_is_reached_through_its_at_sign_name() -> None:
    name = f"deskbreak-test-{os.getpid()}"
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sock:
        sock.bind("\0" + name)
        sock.settimeout(5)
        assert sdnotify.ready(environ={"NOTIFY_SOCKET": "@" + name})
        assert received(sock) == "READY=1"


def test_notify_returns_false_instead_of_raising_when_nobody_listens(
    isolated_dirs: Path,
) -> None:
    env = {"NOTIFY_SOCKET": str(isolated_dirs / "runtime" / "gone.sock")}
    assert sdnotify.ready(environ=env) is False


def test_notify_ignores_transports_other_than_unix_sockets() -> None:
    assert sdnotify.notify("READY=1", environ={"NOTIFY_SOCKET": "vsock:2:1234"}) is False


def test_watchdog_interval_is_none_without_a_watchdog() -> None:
    assert sdnotify.watchdog_interval(environ={}) is None


def test_watchdog_interval_converts_microseconds_to_seconds() -> None:
    env = {"WATCHDOG_USEC": "180000000", "WATCHDOG_PID": "4242"}
    assert sdnotify.watchdog_interval(environ=env, pid=4242) == 180.0


def test_watchdog_interval_applies_to_this_process_when_no_pid_is_named() -> None:
    assert sdnotify.watchdog_interval(environ={"WATCHDOG_USEC": "500000"}) == 0.5


def test_watchdog_interval_is_none_for_another_process() -> None:
    env = {"WATCHDOG_USEC": "180000000", "WATCHDOG_PID": "4242"}
    assert sdnotify.watchdog_interval(environ=env, pid=4243) is None


@pytest.mark.parametrize("usec", ["", "0", "-5", "soon"])
def test_watchdog_interval_is_none_for_a_missing_or_bad_value(usec: str) -> None:
    assert sdnotify.watchdog_interval(environ={"WATCHDOG_USEC": usec}) is None
