"""One daemon per user: an exclusive `flock` on a file in the runtime dir, holding the pid.

The kernel drops the lock when the process dies, even on `kill -9`, so a stale file never
blocks a new start; the pid inside is only there to tell the user who holds it.
"""

from __future__ import annotations

import fcntl
import os
from pathlib import Path
from typing import IO

from deskbreak.errors import AlreadyRunningError


class DaemonLock:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._file: IO[str] | None = None

    def acquire(self) -> None:
        self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        handle = self.path.open("a+", encoding="utf-8")
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "unknown"
            handle.close()
            raise AlreadyRunningError(
                f"deskbreak is already running (pid {holder}); "
                "stop it with `deskbreak stop` or check it with `deskbreak status`"
            ) from None
        handle.seek(0)
        handle.truncate()
        handle.write(f"{os.getpid()}\n")
        handle.flush()
        self._file = handle

    def release(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None


def lock_holder(path: Path) -> int | None:
    """The pid holding the daemon lock, or None when no daemon holds it."""
    try:
        handle = path.open("r", encoding="utf-8")
    except OSError:
        return None
    with handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            text = handle.read().strip()
            return int(text) if text.isdigit() else None
        fcntl.flock(handle, fcntl.LOCK_UN)
        return None
