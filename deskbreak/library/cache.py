"""The parsed bundled library, kept as JSON in the user's cache dir between CLI calls.

Reading moves.toml (tomllib, then checking every move and routine) is most of what
`deskbreak schedule` does beyond starting Typer. The parsed records are saved once and read
back while nothing they came from has changed: the key holds the mtime and size of the data
file and of the modules that define and parse the records, and the deskbreak version.

Safely: JSON is data, never code (no pickle); the file is read only from a dir that belongs to
this user and that nobody else can write to, and only when the file is ours too; it is written
to a temporary file and renamed, so a reader never sees half of it. A missing, corrupt, foreign
or stale cache is ignored and the library parsed as before.
"""

from __future__ import annotations

import contextlib
import json
import os
import stat
from collections.abc import Callable, Mapping
from dataclasses import asdict
from pathlib import Path
from types import MappingProxyType
from typing import Any

from deskbreak import __version__
from deskbreak.library.moves import Library, Move, Routine, RoutineStep

FORMAT = 1
MAX_BYTES = 4 * 1024 * 1024


def cache_key(data_file: Path) -> dict[str, Any]:
    """What the cached library depends on; OSError if a file cannot be looked at."""
    here = Path(__file__).parent
    sources = [data_file, here / "moves.py", here / "parser.py"]
    return {
        "format": FORMAT,
        "deskbreak": __version__,
        "files": [[str(p), p.stat().st_mtime_ns, p.stat().st_size] for p in sources],
    }


def cached_library(data_file: Path, cache_file: Path, parse: Callable[[], Library]) -> Library:
    """The library from `cache_file` when it is ours and current, else `parse()` (saved)."""
    try:
        key = cache_key(data_file)
    except OSError:
        return parse()
    library = _read(cache_file, key)
    if library is None:
        library = parse()
        with contextlib.suppress(OSError, TypeError, ValueError):
            _write(cache_file, key, library)
    return library


# --- reading ------------------------------------------------------------------------------------


def _private(st: os.stat_result) -> bool:
    """Owned by this user and writable by nobody else."""
    return st.st_uid == os.getuid() and not st.st_mode & (stat.S_IWGRP | stat.S_IWOTH)


def _read(cache_file: Path, key: Mapping[str, Any]) -> Library | None:
    try:
        folder = cache_file.parent.lstat()
        if not stat.S_ISDIR(folder.st_mode) or not _private(folder):
            return None
        fd = os.open(cache_file, os.O_RDONLY | os.O_NOFOLLOW | getattr(os, "O_CLOEXEC", 0))
    except OSError:
        return None
    try:
        with os.fdopen(fd, "rb") as f:
            st = os.fstat(f.fileno())
            if not stat.S_ISREG(st.st_mode) or not _private(st) or st.st_size > MAX_BYTES:
                return None
            saved = json.loads(f.read())
        if not isinstance(saved, dict) or saved.get("key") != key:
            return None
        return _decode(saved["library"])
    except (OSError, ValueError, TypeError, KeyError, AttributeError, RecursionError):
        return None  # anything odd: parse the bundled file instead


def _tuples(value: Any) -> Any:
    """JSON lists back into the tuples the frozen records hold."""
    return tuple(value) if isinstance(value, list) else value


def _decode(raw: Mapping[str, Any]) -> Library:
    decoded_moves = {
        item["id"]: Move(**{name: _tuples(value) for name, value in item.items()})
        for item in raw["moves"]
    }
    routines = {}
    for item in raw["routines"]:
        steps = tuple(RoutineStep(**step) for step in item["steps"])
        routines[item["name"]] = Routine(**{**item, "steps": steps})
    return Library(
        moves=MappingProxyType(decoded_moves),
        routines=MappingProxyType(routines),
        safety=raw["safety"],
    )


# --- writing ------------------------------------------------------------------------------------


def _write(cache_file: Path, key: Mapping[str, Any], library: Library) -> None:
    folder = cache_file.parent
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    if not _private(folder.lstat()):
        return  # a dir others can write to: never leave a file there for us to trust later
    payload = {
        "key": key,
        "library": {
            "moves": [asdict(move) for move in library.moves.values()],
            "routines": [asdict(routine) for routine in library.routines.values()],
            "safety": library.safety,
        },
    }
    text = json.dumps(payload, ensure_ascii=False, separators=(",", ":"))
    if _decode(json.loads(text)["library"]) != library:
        return  # a record this codec does not carry whole; keep parsing instead
    temporary = folder / f".{cache_file.name}.{os.getpid()}.tmp"
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        temporary.replace(cache_file)
    except BaseException:
        with contextlib.suppress(OSError):
            temporary.unlink()
        raise
