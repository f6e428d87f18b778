"""Folders and files only this user can touch: the runtime dir, the lock, the socket.

On machines without `$XDG_RUNTIME_DIR` the runtime dir falls back to a folder under the shared
temp dir, where another user can plant a folder, a symlink or a socket before us. So the
daemon checks the folder (a real directory, ours, 0700) before it opens anything in it, opens
its files with `O_NOFOLLOW` (`deskbreak.private_file`), and the CLI checks the folder and the
socket before it trusts what answers there.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from deskbreak.errors import UnsafePathError


def prepare_private_dir(directory: Path) -> None:
    """Create `directory` as 0700 if missing, then make sure it is a real directory of ours
    that nobody else can enter (a looser mode on our own folder is tightened)."""
    try:
        directory.parent.mkdir(parents=True, exist_ok=True)
        directory.mkdir(mode=0o700, exist_ok=True)
    except FileExistsError:
        pass  # a file or a dangling symlink: lstat below says which
    except OSError as err:
        raise UnsafePathError(f"cannot create {directory}: {err.strerror or err}") from err
    st = _lstat(directory)
    _check_owned_dir(directory, st)
    if stat.S_IMODE(st.st_mode) != 0o700:
        try:
            directory.chmod(0o700)
        except OSError as err:
            raise UnsafePathError(f"cannot make {directory} private: {err.strerror}") from err


def check_private_dir(directory: Path) -> None:
    """For a client: `directory` is a real directory of ours that others cannot write to."""
    st = _lstat(directory)
    _check_owned_dir(directory, st)
    if st.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
        raise UnsafePathError(
            f"{directory} can be written by other users; remove it and start deskbreak again"
        )


def check_own_socket(path: Path) -> None:
    """For a client: `path` (if it exists) is a socket of ours, not one someone else planted."""
    try:
        st = path.lstat()
    except FileNotFoundError:
        return  # nothing to trust or distrust: connecting will say "not running"
    except OSError as err:
        raise UnsafePathError(f"cannot check {path}: {err.strerror}") from err
    if not stat.S_ISSOCK(st.st_mode):
        raise UnsafePathError(f"{path} is not a socket; remove it and start deskbreak again")
    if st.st_uid != os.getuid():
        raise UnsafePathError(
            f"{path} belongs to another user (uid {st.st_uid}), not to this deskbreak; "
            "refusing to talk to it"
        )


def _lstat(directory: Path) -> os.stat_result:
    try:
        return directory.lstat()
    except FileNotFoundError:
        raise UnsafePathError(f"{directory} does not exist") from None
    except OSError as err:
        raise UnsafePathError(f"cannot check {directory}: {err.strerror}") from err


def _check_owned_dir(directory: Path, st: os.stat_result) -> None:
    if stat.S_ISLNK(st.st_mode):
        raise UnsafePathError(
            f"{directory} is a symbolic link; deskbreak keeps its socket and lock only in a "
            "real folder of its own (remove the link and start again)"
        )
    if not stat.S_ISDIR(st.st_mode):
        raise UnsafePathError(f"{directory} should be a directory; remove it and start again")
    if st.st_uid != os.getuid():
        # On the /tmp fallback someone else could have made the folder first.
        raise UnsafePathError(
            f"{directory} belongs to another user (uid {st.st_uid}); remove it and start again"
        )
