"""Opening a file only this user can touch: the daemon's lock files and the spill journal.

They live in folders other users may write to (a runtime dir under the shared temp dir), so
the file is never opened through a symbolic link, must be a regular file of this user, and is
kept at mode 0600.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

from deskbreak.errors import UnsafePathError


def open_private_file(path: Path, *, append: bool = False) -> int:
    """Open (or create, 0600) the regular file `path` for reading and writing (`append`: every
    write at its end), never through a symlink; returns the descriptor. Raises UnsafePathError
    with a sentence on any doubt."""
    flags = os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC | (os.O_APPEND if append else 0)
    try:
        fd = os.open(path, flags, 0o600)
    except OSError as err:
        if err.errno == errno.ELOOP:
            raise UnsafePathError(
                f"{path} is a symbolic link; deskbreak will not write through it "
                "(remove it and start again)"
            ) from None
        if err.errno == errno.EISDIR:
            raise UnsafePathError(f"{path} is a directory; remove it and start again") from None
        raise UnsafePathError(f"cannot open {path}: {err.strerror}") from None
    st = os.fstat(fd)
    if not stat.S_ISREG(st.st_mode) or st.st_uid != os.getuid():
        os.close(fd)
        raise UnsafePathError(
            f"{path} is not a regular file of this user; remove it and start again"
        )
    if stat.S_IMODE(st.st_mode) != 0o600:
        os.fchmod(fd, 0o600)
    return fd
