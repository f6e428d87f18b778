"""One daemon per user: an exclusive `flock` on two files, each holding the pid.

The lock lives beside the history database (the data dir) and in the runtime dir. The data-dir
lock is the one that guarantees a single daemon: the runtime dir can vanish (someone removes
`$XDG_RUNTIME_DIR/deskbreak`) or differ (a start from `su` or cron without
`XDG_RUNTIME_DIR` falls back to the temp dir), while the data stays where it is. The runtime
dir is checked (ours, 0700, not a symlink) before anything in it is opened, and both files are
opened without following symlinks.

The kernel drops a `flock` when the process dies, even on `kill -9`, so a stale file never
blocks a new start; the pid inside is only there to tell the user who holds it.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
from pathlib import Path

from deskbreak.daemon.private import prepare_private_dir
from deskbreak.errors import AlreadyRunningError, UnsafePathError
from deskbreak.paths import Paths
from deskbreak.private_file import open_private_file


class DaemonLock:
    """Hold with `acquire()`; `release()` (or process death) lets the next daemon start."""

    def __init__(self, paths: Paths) -> None:
        self.paths = paths
        self._fds: list[int] = []

    def acquire(self) -> None:
        """Take both locks or neither; AlreadyRunningError when a daemon holds one, and an
        UnsafePathError (exit 1, a sentence) when a folder or lock file cannot be trusted."""
        prepare_private_dir(self.paths.runtime_dir)
        try:
            self.paths.data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        except OSError as err:
            raise UnsafePathError(
                f"cannot create the data folder {self.paths.data_dir}: {err.strerror}"
            ) from err
        try:
            # The data-dir lock first: it is the one every daemon of this user agrees on.
            for path in (self.paths.data_lock_file, self.paths.lock_file):
                self._fds.append(_lock(path))
        except BaseException:
            self.release()
            raise

    def release(self) -> None:
        for fd in self._fds:
            with contextlib.suppress(OSError):
                os.close(fd)
        self._fds = []


def _lock(path: Path) -> int:
    fd = open_private_file(path)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        holder = _read_pid(fd)
        os.close(fd)
        raise AlreadyRunningError(
            f"deskbreak is already running (pid {holder or 'unknown'}); "
            "stop it with `deskbreak stop` or check it with `deskbreak status`"
        ) from None
    except OSError as err:
        os.close(fd)
        raise UnsafePathError(f"cannot lock {path}: {err.strerror}") from None
    try:
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
    except OSError as err:
        os.close(fd)
        raise UnsafePathError(f"cannot write the daemon's pid to {path}: {err.strerror}") from None
    return fd


def _read_pid(fd: int) -> int | None:
    try:
        text = os.pread(fd, 32, 0).decode("ascii", errors="replace").strip()
    except OSError:
        return None
    return int(text) if text.isdigit() else None


def lock_holder(path: Path) -> int | None:
    """The pid holding the daemon lock at `path`, or None when no daemon holds it."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC | os.O_NONBLOCK)
    except OSError:
        return None
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except OSError as err:
        if err.errno in (errno.EWOULDBLOCK, errno.EAGAIN):
            return _read_pid(fd)
        return None
    else:
        fcntl.flock(fd, fcntl.LOCK_UN)
        return None
    finally:
        os.close(fd)
