"""The daemon's control socket: one JSON object per line each way, over a Unix socket.

The daemon calls `serve()` with a handler; the CLI calls `ask()` with a typed request from
`protocol` and gets its typed reply (`exchange()` is the same for a plain JSON object). The
socket lives in the user's runtime dir (dir 0700, socket 0600), so only its owner can reach it.

This module is the transport: a request is a JSON object such as `{"cmd": "status"}`; the reply
is a JSON object with `"ok": true` and the command's fields, or `{"ok": false, "error": "..."}`.
A client may send several requests on one connection; each line in gets one line out.

`ask()` uses a plain blocking socket and this module imports asyncio only inside the server
functions, so a CLI command that talks to the daemon starts fast.
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
import stat
import struct
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from deskbreak.daemon.private import (
    check_own_socket,
    check_private_dir,
    prepare_private_dir,
)
from deskbreak.daemon.protocol import Reply, Request, error_reply
from deskbreak.errors import (
    EXIT_STATE,
    EXIT_USAGE,
    AlreadyRunningError,
    DeskbreakError,
    NotRunningError,
    UnsafePathError,
)

if TYPE_CHECKING:
    import asyncio

Handler = Callable[[dict[str, Any]], Awaitable[dict[str, Any]]]
"""Answers one request. Returns the reply (`"ok": true` is added when missing); a
`DeskbreakError` becomes `{"ok": false, "error": str(err), "exit_code": err.exit_code}` (so a
ConfigError from reload makes the CLI exit 2); any other exception becomes an internal-error
reply and a traceback in the log."""

MAX_REQUEST_BYTES = 64 * 1024
MAX_REPLY_BYTES = 1024 * 1024
MAX_SKIPPED_BYTES = 16 * 1024 * 1024
READ_TIMEOUT_SECONDS = 10.0
# Clients served at once; one more is told so and let go at once, so a flood of connections
# from a looping script never runs the daemon out of file descriptors (accept's EMFILE).
MAX_CONNECTIONS = 64
NOT_RUNNING_HINT = "start it with `deskbreak start` (or `deskbreak service install`)"
NOT_RUNNING = f"deskbreak is not running; {NOT_RUNNING_HINT}"

LOGGER = "deskbreak.daemon.control"  # the client never logs: logging loads only in the server
R = TypeVar("R", bound=Reply)


# --- server -----------------------------------------------------------------------------------


@dataclass(eq=False)
class ControlServer:
    """A started control server. `await close()` stops it and removes its socket file."""

    path: Path
    _server: asyncio.Server
    _identity: tuple[int, int]
    _connections: set[asyncio.Task[None]] = field(default_factory=set)

    async def close(self) -> None:
        import asyncio

        # Let connections the loop just accepted reach their handler task, so they are
        # cancelled below rather than dropped half-made by asyncio (3.11) once it stops serving.
        await asyncio.sleep(0)
        self._server.close()
        # A handler may call close() itself (say, for "stop"): its own connection is spared so
        # it can still send the reply, and is closed when the client hangs up.
        others = [task for task in self._connections if task is not asyncio.current_task()]
        for task in others:
            task.cancel()
        if others:
            await asyncio.gather(*others, return_exceptions=True)
        await self._server.wait_closed()
        # Only remove the file we bound: a newer daemon may have replaced it meanwhile.
        with contextlib.suppress(FileNotFoundError):
            st = self.path.lstat()
            if (st.st_dev, st.st_ino) == self._identity:
                self.path.unlink()

    async def __aenter__(self) -> ControlServer:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()


async def serve(
    path: Path,
    handler: Handler,
    *,
    read_timeout: float = READ_TIMEOUT_SECONDS,
    max_connections: int = MAX_CONNECTIONS,
) -> ControlServer:
    """Listen on the Unix socket `path` and answer each request line with `handler`.

    Raises AlreadyRunningError if another process answers on `path`, and DeskbreakError if the
    runtime dir or the socket cannot be set up safely.
    """
    import asyncio

    prepare_private_dir(path.parent)
    _remove_stale_socket(path)
    sock, identity = _bind(path)
    connections: set[asyncio.Task[None]] = set()

    async def on_connect(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None  # always set inside a task the server started
        if len(connections) >= max_connections:
            await _turn_away(writer, max_connections)
            return
        connections.add(task)
        try:
            await _serve_connection(reader, writer, handler, read_timeout)
        except asyncio.CancelledError:
            pass  # close() cancelled it; end quietly (asyncio logs a cancelled client task)
        finally:
            connections.discard(task)

    try:
        # The limit bounds what one unanswered line can buffer (plus the newline).
        server = await asyncio.start_unix_server(on_connect, sock=sock, limit=MAX_REQUEST_BYTES + 1)
    except BaseException:
        sock.close()
        with contextlib.suppress(OSError):
            path.unlink()
        raise
    return ControlServer(path, server, identity, connections)


def _remove_stale_socket(path: Path) -> None:
    try:
        st = path.lstat()
    except FileNotFoundError:
        return
    if not stat.S_ISSOCK(st.st_mode):
        raise DeskbreakError(f"{path} exists and is not a socket; remove it and start again")
    probe = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    probe.settimeout(1.0)
    try:
        probe.connect(str(path))
    except (ConnectionRefusedError, FileNotFoundError):
        # Left behind by a daemon that crashed: nobody listens, so it is safe to replace.
        import logging

        logging.getLogger(LOGGER).info("replacing stale control socket %s", path)
        with contextlib.suppress(FileNotFoundError):
            path.unlink()
        return
    except OSError as err:
        raise DeskbreakError(f"cannot check the control socket {path}: {err}") from err
    finally:
        probe.close()
    raise AlreadyRunningError(f"deskbreak is already running (it answers on {path})")


def _bind(path: Path) -> tuple[socket.socket, tuple[int, int]]:
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    # The socket is born 0600, and chmod again in case the platform ignores umask for it;
    # the 0700 dir already keeps others out in the moment between.
    old_umask = os.umask(0o177)
    try:
        sock.bind(str(path))
    except OSError as err:
        sock.close()
        raise DeskbreakError(f"cannot listen on {path}: {err.strerror or err}") from err
    finally:
        os.umask(old_umask)
    try:
        path.chmod(0o600)
        st = path.lstat()
        sock.setblocking(False)
    except OSError:
        sock.close()
        path.unlink()
        raise
    return sock, (st.st_dev, st.st_ino)


async def _serve_connection(
    reader: asyncio.StreamReader,
    writer: asyncio.StreamWriter,
    handler: Handler,
    read_timeout: float,
) -> None:
    import asyncio

    try:
        while True:
            try:
                line = await asyncio.wait_for(reader.readuntil(b"\n"), read_timeout)
            except TimeoutError:
                return  # a silent client only holds its own task; let it go
            except asyncio.IncompleteReadError as err:
                if err.partial.strip():
                    await _send(writer, error_reply("incomplete request: a line must end with \\n"))
                return
            except asyncio.LimitOverrunError as err:
                await _send(
                    writer, error_reply(f"request too long (limit {MAX_REQUEST_BYTES} bytes)")
                )
                # Read past the rest of the line (a chunk at a time, never all of it) so the
                # connection stays in step and closing it does not reset the client.
                if not await _skip_rest_of_line(reader, err.consumed, read_timeout):
                    return
                continue
            await _send(writer, await _answer(line, handler))
    except OSError:
        pass  # the client went away (reset, broken pipe); nothing to tell it
    finally:
        writer.close()
        with contextlib.suppress(Exception):
            await writer.wait_closed()


async def _turn_away(writer: asyncio.StreamWriter, limit: int) -> None:
    with contextlib.suppress(OSError):
        writer.write(_encode(error_reply(f"deskbreak is busy ({limit} connections); try again")))
    writer.close()
    with contextlib.suppress(Exception):
        await writer.wait_closed()


async def _skip_rest_of_line(
    reader: asyncio.StreamReader, consumed: int, read_timeout: float
) -> bool:
    """Discard up to the end of an overlong line; False if the client stopped or sent too much."""
    import asyncio

    skipped = 0
    while skipped <= MAX_SKIPPED_BYTES:
        try:
            await asyncio.wait_for(reader.readexactly(consumed), read_timeout)
            skipped += consumed
            await asyncio.wait_for(reader.readuntil(b"\n"), read_timeout)
            return True
        except asyncio.LimitOverrunError as err:
            consumed = err.consumed
        except (TimeoutError, asyncio.IncompleteReadError):
            return False
    return False


async def _answer(line: bytes, handler: Handler) -> dict[str, Any]:
    try:
        request = json.loads(line)
    except (ValueError, RecursionError):
        return error_reply(
            'malformed request: expected one JSON object per line, e.g. {"cmd": "status"}'
        )
    if not isinstance(request, dict):
        return error_reply('malformed request: expected a JSON object, e.g. {"cmd": "status"}')
    try:
        reply = await handler(request)
        if not isinstance(reply, dict):
            raise TypeError(f"handler returned {type(reply).__name__}, not a dict")
        reply = {"ok": True, **reply}
        _encode(reply)  # fail here, inside the guard, if the reply cannot be sent
    except DeskbreakError as err:
        # The exit code travels along so `deskbreak reload` of a broken config exits 2, not 1.
        return error_reply(str(err), err.exit_code)
    except Exception:
        import logging

        logging.getLogger(LOGGER).exception("control request %.200r failed", request)
        return error_reply("internal error in the deskbreak daemon; see its log for details")
    return reply


async def _send(writer: asyncio.StreamWriter, reply: dict[str, Any]) -> None:
    writer.write(_encode(reply))
    await writer.drain()


def _encode(message: dict[str, Any]) -> bytes:
    # ASCII escapes keep any string (even a lone surrogate from a "\ud800" escape) encodable.
    return (json.dumps(message, separators=(",", ":")) + "\n").encode("ascii")


# --- client -----------------------------------------------------------------------------------


def ask(path: Path, request: Request[R], timeout: float = 5.0) -> R:
    """Send one typed request to the daemon at `path` and return its typed reply.

    Raises as `exchange()` does, and DeskbreakError when the reply lacks a field this version
    needs (a daemon older than its CLI).
    """
    reply = exchange(path, request.to_json(), timeout)
    try:
        return request.read_reply(reply)
    except ValueError as err:
        raise DeskbreakError(
            f"the running deskbreak sent a {request.cmd} reply this version cannot read ({err}); "
            "restart it: `deskbreak stop`, then `deskbreak start`"
        ) from None


def exchange(path: Path, request: dict[str, Any], timeout: float = 5.0) -> dict[str, Any]:
    """Send one JSON request to the daemon at `path` and return its reply (`"ok"` is true).

    Raises NotRunningError when nothing listens, DeskbreakError with the daemon's message on
    an error reply, and DeskbreakError naming the timeout when no answer comes in time.
    """
    too_slow = f"deskbreak did not answer within {timeout:g} s (socket {path})"
    deadline = time.monotonic() + timeout
    _check_socket_is_ours(path)
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
        sock.settimeout(timeout)
        try:
            sock.connect(str(path))
        except (FileNotFoundError, ConnectionRefusedError):
            raise NotRunningError(NOT_RUNNING) from None
        except TimeoutError:
            raise DeskbreakError(too_slow) from None
        except PermissionError:
            raise DeskbreakError(
                f"permission denied on {path}; is deskbreak running as another user?"
            ) from None
        except OSError as err:
            raise DeskbreakError(f"cannot reach deskbreak at {path}: {err}") from err
        _check_peer_is_us(sock, path)
        try:
            sock.sendall(_encode(request))
            raw = _read_line(sock, deadline)
        except TimeoutError:
            raise DeskbreakError(too_slow) from None
        except OSError as err:
            raise DeskbreakError(f"lost the connection to deskbreak: {err}") from err
    try:
        reply = json.loads(raw)
    except ValueError:
        reply = None
    if not isinstance(reply, dict):
        raise DeskbreakError(f"deskbreak sent a reply that is not a JSON object: {raw[:200]!r}")
    if reply.get("ok") is not True:
        refused = DeskbreakError(str(reply.get("error") or "deskbreak refused the request"))
        if reply.get("exit_code") in (EXIT_STATE, EXIT_USAGE):
            refused.exit_code = reply["exit_code"]
        raise refused
    return reply


def _check_socket_is_ours(path: Path) -> None:
    """Before trusting what answers on `path`: its folder and the socket are this user's.

    On the temp-dir fallback another user could have made the folder and put a fake daemon
    in it; its replies ("running, 99 done", "stopped") must never reach the user as ours."""
    if not path.parent.exists():
        raise NotRunningError(NOT_RUNNING)
    check_private_dir(path.parent)
    check_own_socket(path)


def _check_peer_is_us(sock: socket.socket, path: Path) -> None:
    """The process on the other end runs as this user (Linux's SO_PEERCRED; elsewhere the
    owner checks above stand alone)."""
    peercred = getattr(socket, "SO_PEERCRED", None)
    if peercred is None:
        return
    creds = sock.getsockopt(socket.SOL_SOCKET, peercred, struct.calcsize("3i"))
    _pid, uid, _gid = struct.unpack("3i", creds)
    if uid != os.getuid():
        raise UnsafePathError(
            f"the process answering on {path} runs as another user (uid {uid}); "
            "refusing to talk to it"
        )


def _read_line(sock: socket.socket, deadline: float) -> bytes:
    buffer = bytearray()
    while b"\n" not in buffer:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise TimeoutError
        sock.settimeout(remaining)
        chunk = sock.recv(65536)
        if not chunk:
            raise DeskbreakError("deskbreak closed the connection without answering; see its log")
        buffer += chunk
        if len(buffer) > MAX_REPLY_BYTES:
            raise DeskbreakError("deskbreak sent a reply that is too long")
    return bytes(buffer[: buffer.index(b"\n")])
