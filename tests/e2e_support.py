"""Helpers for the end-to-end tests (imported by the tests and by conftest.py)."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Literal, TypedDict, TypeVar

import pytest

REPO = Path(__file__).resolve().parents[1]
HARNESS = REPO.parent / "shared" / "tools" / "notify-harness.sh"
T = TypeVar("T")


def harness_config(backend: str = "dbus", timeout: int = 0) -> str:
    """A daemon config for the harness: times in UTC, the given notification backend, and
    reminders that stay on screen until answered (timeout 0) unless told otherwise."""
    return (
        f'[schedule]\ntimezone = "UTC"\n'
        f'[notifications]\nbackend = "{backend}"\ntimeout = {timeout}\n'
    )


def installed_deskbreak() -> str:
    """The installed `deskbreak` script: the one beside this interpreter first (a fresh pyenv
    may not have a shim for it yet), else whatever PATH finds."""
    import sys

    beside = Path(sys.executable).parent / "deskbreak"
    found = str(beside) if beside.exists() else shutil.which("deskbreak")
    if found is None:
        pytest.fail("the deskbreak command is not installed (pip install .)")
    return found


def require(*tools: str) -> None:
    """Skip (or, under DESKBREAK_E2E=1, fail) when a system tool is missing."""
    missing = [t for t in tools if shutil.which(t) is None]
    if missing:
        reason = f"missing system tools: {', '.join(missing)}"
        if os.environ.get("DESKBREAK_E2E") == "1":
            pytest.fail(reason)
        pytest.skip(reason)


def wait_for(
    probe: Callable[[], T | Literal[False] | None], timeout: float = 15.0, what: str = "condition"
) -> T:
    """Poll `probe` until it returns something truthy, or fail after `timeout` seconds.

    `probe` may be `lambda: ready() and value`: False or None means not yet."""
    deadline = time.monotonic() + timeout
    while True:
        value = probe()
        if value:
            return value
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(0.1)


class NotifyCall(TypedDict):
    app: str
    summary: str
    body: str
    actions: list[str]


def notify_calls(harness_dir: str) -> list[NotifyCall]:
    """Each Notify call dbus-monitor saw: app name, summary, body and button labels.

    dbus-monitor prints a call's arguments three spaces in; the actions array's items six.
    """
    log = Path(harness_dir, "notify.log").read_text(encoding="utf-8", errors="replace")
    calls: list[NotifyCall] = []
    for block in log.split("\nmethod call ")[1:]:
        header, _, body = block.partition("\n")
        if not header.rstrip().endswith("member=Notify"):
            continue
        # A top-level string may span lines (a multi-line body); it ends where the next
        # three-space argument line starts.
        strings = re.findall(r'^   string "(.*?)"\n(?=   \S|\S|\Z)', body + "\n", re.S | re.M)
        actions_block = re.search(r"^   array \[\n(.*?)^   \]", body, re.S | re.M)
        actions = re.findall(
            r'^      string "(.*?)"$', actions_block.group(1) if actions_block else "", re.M
        )
        if len(strings) >= 4:
            calls.append(
                {
                    "app": strings[0],
                    "summary": strings[2],
                    "body": strings[3],
                    "actions": actions[1::2],  # (key, label) pairs: keep the labels
                }
            )
    return calls


def harness(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["bash", str(HARNESS), *args],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, **env},
    )


# What the `faketime` wrapper preloads; preloading it ourselves keeps the daemon the process
# we signal. DONT_FAKE_MONOTONIC: asyncio keeps real waits while the wall clock is faked.
FAKETIME_LIB = "/usr/$LIB/faketime/libfaketime.so.1"


def faketime_env(**settings: str) -> dict[str, str]:
    require("faketime")
    return {"LD_PRELOAD": FAKETIME_LIB, "DONT_FAKE_MONOTONIC": "1", **settings}


class DaemonProcess:
    """The installed `deskbreak start` as a subprocess (restartable), and its CLI."""

    def __init__(self, exe: str, root: Path, config_text: str, env: dict[str, str]) -> None:
        self.exe, self.env = exe, env
        self.config = root / "config.toml"
        self.config.write_text(config_text, encoding="utf-8")
        self.log = root / "daemon.log"
        self.procs: list[subprocess.Popen[bytes]] = []

    @property
    def proc(self) -> subprocess.Popen[bytes]:
        return self.procs[-1]

    def start(self, extra_env: dict[str, str] | None = None) -> subprocess.Popen[bytes]:
        with self.log.open("wb") as out:
            proc = subprocess.Popen(
                [self.exe, "--config", str(self.config), "start"],
                env={**self.env, **(extra_env or {})},
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        self.procs.append(proc)
        wait_for(lambda: "next reminder" in self.output(), what="the daemon to start")
        return proc

    def output(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")

    def cli(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [self.exe, "--config", str(self.config), *args],
            env=self.env,
            capture_output=True,
            text=True,
            check=False,
            timeout=30,
        )

    def json(self, *args: str) -> Any:
        return json.loads(self.cli(*args, "--json").stdout)

    def status(self) -> dict[str, Any]:
        return dict(self.json("status"))

    def stop(self) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        return self.proc.wait(timeout=15)

    def kill_all(self) -> None:
        for proc in self.procs:
            if proc.poll() is None:
                proc.kill()
                proc.wait()


MakeDaemon = Callable[..., DaemonProcess]


# Holds the database's write lock until its stdin closes, as a backup or `sqlite3` would.
LOCK_HOLDER = """
import sqlite3, sys
db = sqlite3.connect(sys.argv[1], isolation_level=None)
db.execute("BEGIN EXCLUSIVE")
print("locked", flush=True)
sys.stdin.read()
db.execute("ROLLBACK")
"""


@contextmanager
def locked_by_another_process(database: Path) -> Iterator[subprocess.Popen[str]]:
    holder = subprocess.Popen(
        [sys.executable, "-c", LOCK_HOLDER, str(database)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
    try:
        yield holder
    finally:
        if holder.poll() is None:
            holder.kill()
            holder.wait()


def release(holder: subprocess.Popen[str]) -> None:
    assert holder.stdin is not None
    holder.stdin.close()
    assert holder.wait(timeout=10) == 0
