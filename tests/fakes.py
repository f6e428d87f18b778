"""Fakes and harnesses the tests share: notifiers, Paths, clocks, control servers, a daemon,
service-manager runners.

pytest puts `tests/` on sys.path (it holds conftest.py), so any test can `from fakes import ...`.
"""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from collections.abc import Awaitable, Callable, Coroutine, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import TracebackType
from typing import Any, TypeVar

from deskbreak.config import load_config
from deskbreak.daemon import protocol
from deskbreak.daemon.control import ControlServer, Handler, ask, serve
from deskbreak.daemon.core import Daemon
from deskbreak.desktop.notify import AnswerCallback, Notification, NotifyError
from deskbreak.paths import Paths
from deskbreak.proc import RunResult
from deskbreak.store.history import History

T = TypeVar("T")
R = TypeVar("R", bound=protocol.Reply)

# A config under which a reminder is always due half an hour ahead, whatever the day and time.
ALWAYS = """
[schedule]
timezone = "UTC"
hours = ["00:00-24:00"]
days = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
[notifications]
backend = "console"
"""


# --- notifiers ----------------------------------------------------------------------------------


@dataclass
class RecordingNotifier:
    """A notification backend that remembers what it showed.

    `answer` is pressed at once (before `send` returns, as a fast user might); `reason` makes it
    unavailable; `error` makes every send fail with NotifyError, as a missing server would.
    """

    name: str = "console"
    answer: str | None = None  # a button key, or DISMISSED / EXPIRED
    reason: str | None = None
    error: str | None = None
    shown: list[Notification] = field(default_factory=list)

    def unavailable_reason(self) -> str | None:
        return self.reason

    async def send(self, reminder: Notification, on_answer: AnswerCallback) -> object | None:
        if self.error:
            raise NotifyError(self.error)
        self.shown.append(reminder)
        if self.answer:
            await on_answer(self.answer)
        return None

    @property
    def titles(self) -> list[str]:
        return [reminder.title for reminder in self.shown]


def broken_notifier(name: str = "dbus") -> RecordingNotifier:
    return RecordingNotifier(name, error="no notification server")


# --- paths and time -----------------------------------------------------------------------------


def paths_in(root: Path) -> Paths:
    """Every deskbreak file under `root` (keep it short: the socket path must fit ~100 bytes)."""
    return Paths(root / "config.toml", root / "data", root / "state", root / "run")


def isolated_paths(isolated_dirs: Path) -> Paths:
    """The Paths `default_paths()` gives inside the conftest's isolated XDG folders."""
    return Paths(
        config_file=isolated_dirs / "config" / "config.toml",
        data_dir=isolated_dirs / "data",
        state_dir=isolated_dirs / "state",
        runtime_dir=isolated_dirs / "runtime" / "deskbreak",
    )


@dataclass
class Clock:
    """The real time plus `offset`, so a test can let an hour pass without waiting."""

    offset: timedelta = timedelta(0)

    def __call__(self) -> datetime:
        return datetime.now(UTC) + self.offset


# --- control server on a background loop --------------------------------------------------------


class ServerThread:
    """`serve()` on its own event loop in a daemon thread, for blocking clients to talk to."""

    def __init__(self, path: Path, handler: Handler, **options: Any) -> None:
        self.path = path
        self.handler = handler
        self.options = options
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self._server: ControlServer | None = None

    @property
    def server(self) -> ControlServer:
        assert self._server is not None, "use ServerThread in a with block"
        return self._server

    def __enter__(self) -> ServerThread:
        self.thread.start()
        try:
            self._server = self.run(serve(self.path, self.handler, **self.options))
        except BaseException:
            self._stop_loop()
            raise
        return self

    def __exit__(
        self, kind: type[BaseException] | None, err: BaseException | None, tb: TracebackType | None
    ) -> None:
        try:
            if self._server is not None:
                self.run(self._server.close())
        finally:
            self._stop_loop()

    def run(self, coro: Coroutine[Any, Any, T]) -> T:
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout=10)

    def _stop_loop(self) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(timeout=10)
        self.loop.close()


# --- the real daemon, in-process ----------------------------------------------------------------


@dataclass
class DaemonSession:
    """A running in-process daemon: real socket, real SQLite file, recording notifier."""

    daemon: Daemon
    clock: Clock
    notifier: RecordingNotifier
    paths: Paths

    async def ask(self, request: protocol.Request[R]) -> R:
        """Ask over the real socket, from a thread, as the CLI would."""
        return await asyncio.to_thread(ask, self.paths.socket, request)


Scenario = Callable[[DaemonSession], Awaitable[None]]
# How long an in-process daemon may take to open its socket before the test fails.
STARTUP_SECONDS = 10.0


def run_with_daemon(paths: Paths, scenario: Scenario, config: str = ALWAYS) -> DaemonSession:
    """Start a Daemon on a fresh loop, run `scenario` against it, then stop it cleanly."""
    paths.config_file.parent.mkdir(parents=True, exist_ok=True)
    paths.config_file.write_text(config, encoding="utf-8")
    clock, notifier = Clock(), RecordingNotifier()
    history = History(paths.database)
    daemon = Daemon(
        paths, load_config(paths.config_file), history, lambda _: [notifier], clock=clock
    )
    session = DaemonSession(daemon, clock, notifier, paths)

    async def main() -> None:
        running = asyncio.create_task(daemon.run())
        deadline = asyncio.get_running_loop().time() + STARTUP_SECONDS
        while not paths.socket.exists():
            if running.done():
                running.result()  # it failed to start: show why
                raise AssertionError("the daemon stopped before it opened its socket")
            if asyncio.get_running_loop().time() > deadline:
                raise AssertionError(f"the daemon opened no socket in {STARTUP_SECONDS} s")
            await asyncio.sleep(0.01)
        try:
            await scenario(session)
        finally:
            daemon.request_stop()
            await running

    try:
        asyncio.run(main())
    finally:
        history.close()
    return session


# --- replies a fake daemon may send -------------------------------------------------------------


def status_reply(now: datetime, **changes: Any) -> protocol.StatusReply:
    """A daemon's status reply, as the real one is shaped; `changes` replace fields."""
    reply = protocol.StatusReply(
        running=True,
        pid=1234,
        config_file="/home/me/.config/deskbreak/config.toml",
        config_found=True,
        backend="notify-send",
        timezone="UTC",
        next_reminder=now + timedelta(minutes=20),
        paused=False,
        paused_until=None,
        snoozed_until=None,
        skipped_slot=None,
        last_reminder=protocol.LastReminder(
            id=7,
            move="hip-circles",
            name="Hip circles",
            at=now - timedelta(minutes=10),
            answer="done",
        ),
        today=protocol.TodayCounts(sent=3, done=2, snoozed=1, skipped=0, ignored=0),
    )
    return replace(reply, **changes)


# --- service managers ---------------------------------------------------------------------------


class RecordingRunner:
    """Records every command; answers from a table of canned results (default: success)."""

    def __init__(self, results: dict[tuple[str, ...], RunResult] | None = None) -> None:
        self.calls: list[tuple[str, ...]] = []
        self.results = results or {}

    def __call__(self, args: Sequence[str]) -> RunResult:
        self.calls.append(tuple(args))
        return self.results.get(tuple(args), RunResult(0))


def which_systemctl(name: str) -> str | None:
    """A machine with systemctl and none of the optional helpers."""
    return f"/usr/bin/{name}" if name == "systemctl" else None


@contextmanager
def write_locked(database: Path) -> Iterator[None]:
    """Another connection holding the history's write lock, as a backup or `sqlite3` would;
    released at the end of the block."""
    other = sqlite3.connect(database, isolation_level=None)
    other.execute("BEGIN EXCLUSIVE")
    try:
        yield
    finally:
        other.execute("ROLLBACK")
        other.close()
