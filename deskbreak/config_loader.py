"""Reading config files and layering them: system-wide defaults, then the user's file on top.

This module knows nothing about what the keys mean (that is `config.py`'s validator). It
turns bytes on disk into TOML tables with a clear error for whatever a person can get wrong
(a missing `--config` file, a FIFO, a huge or non-UTF-8 file, a syntax error), merges the
layers key by key, remembers which file every value came from, and drops the user's values
for keys an administrator locked.
"""

from __future__ import annotations

import errno
import os
import re
import stat
import tomllib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from deskbreak.errors import ConfigError

# A config is a few kilobytes; anything near this is a mistake (a log file, a binary).
MAX_CONFIG_BYTES = 1024 * 1024
LOCKED_SECTION = "locked"

Layer = Literal["system", "user"]
KeyPath = tuple[str, ...]
Table = dict[str, Any]


@dataclass(frozen=True)
class ConfigFile:
    """One config file as read: its text (for line numbers in errors) and its TOML tables."""

    path: Path
    layer: Layer
    text: str
    table: Mapping[str, Any]

    def line_of(self, section: str, key: str | None) -> int | None:
        """Best-effort line number of `key` in `[section]` (tomllib does not keep positions)."""
        header = re.compile(r"^\s*\[\s*" + re.escape(section) + r"\s*\]")
        in_section = False
        for number, line in enumerate(self.text.splitlines(), start=1):
            if line.lstrip().startswith("["):
                in_section = bool(header.match(line))
                if in_section and key is None:
                    return number
                continue
            if in_section and key and re.match(r"^\s*" + re.escape(key) + r"\s*=", line):
                return number
        return None

    def where(self, section: str, key: str | None) -> str:
        """`path:line` of the key, or just the path when the line cannot be found."""
        line = self.line_of(section, key)
        return f"{self.path}:{line}" if line else str(self.path)


# --- reading one file -------------------------------------------------------------------------


def read_config_file(path: Path, layer: Layer, *, required: bool) -> ConfigFile | None:
    """Read and parse `path`; None if it is absent and not `required`.

    Only a regular file is read: opening is non-blocking and the type is checked before any
    read, so a FIFO or a device named as the config can never hang `start` or `reload`.
    """
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    except (FileNotFoundError, NotADirectoryError):
        if required:
            raise ConfigError(
                f"{path}: no such config file (named by --config or DESKBREAK_CONFIG); "
                "create it with `deskbreak config init`, or fix the path"
            ) from None
        return None
    except OSError as err:
        raise ConfigError(f"{path}: cannot read the config file: {err.strerror}") from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise ConfigError(
                f"{path}: is {_kind(info.st_mode)}, not a regular file; "
                "the config must be a plain text file"
            )
        if info.st_size > MAX_CONFIG_BYTES:
            raise ConfigError(_too_big(path, info.st_size))
        data = _read_at_most(fd, MAX_CONFIG_BYTES + 1, path)
    finally:
        os.close(fd)
    if len(data) > MAX_CONFIG_BYTES:  # it grew while we read it
        raise ConfigError(_too_big(path, len(data)))
    text = decode_config(data, path)
    return ConfigFile(path, layer, text, parse_toml(text, path))


def _read_at_most(fd: int, limit: int, path: Path) -> bytes:
    chunks: list[bytes] = []
    size = 0
    while size < limit:
        try:
            chunk = os.read(fd, limit - size)
        except OSError as err:
            if err.errno == errno.EAGAIN:  # cannot happen for a regular file; never spin
                break
            raise ConfigError(f"{path}: cannot read the config file: {err.strerror}") from None
        if not chunk:
            break
        chunks.append(chunk)
        size += len(chunk)
    return b"".join(chunks)


def _kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a directory"
    if stat.S_ISFIFO(mode):
        return "a FIFO (named pipe)"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    return "not a regular file"


def _too_big(path: Path, size: int) -> str:
    return (
        f"{path}: is {size:,} bytes; a config file may be at most "
        f"{MAX_CONFIG_BYTES // 1024} KiB (is this the right file?)"
    )


def decode_config(data: bytes, path: Path) -> str:
    """UTF-8 text (a leading byte-order mark is allowed), or a ConfigError naming the line."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as err:
        line = data[: err.start].count(b"\n") + 1
        raise ConfigError(
            f"{path}:{line}: not UTF-8 text (byte 0x{data[err.start]:02x}); save the file as UTF-8"
        ) from None
    return text.removeprefix("\ufeff")


def parse_toml(text: str, path: Path) -> Table:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        raise ConfigError(_syntax_message(path, text, err)) from None


def _syntax_message(path: Path, text: str, err: tomllib.TOMLDecodeError) -> str:
    message = str(err)
    match = re.search(r"\(at line (\d+), column (\d+)\)", message)
    if match:
        reason = message[: match.start()].strip()
        return f"{path}:{match.group(1)}: invalid TOML: {reason} (column {match.group(2)})"
    match = re.search(r"\(at end of document\)", message)
    if match:
        reason = message[: match.start()].strip()
        last_line = max(1, len(text.splitlines()))
        return f"{path}:{last_line}: invalid TOML: {reason} (at the end of the file)"
    return f"{path}: invalid TOML: {message}"


# --- layering ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Layered:
    """The merged tables and, for every value, the file it came from."""

    table: Mapping[str, Any]
    origins: Mapping[KeyPath, ConfigFile]
    locked: frozenset[str] = frozenset()
    notes: tuple[str, ...] = ()
    files: tuple[ConfigFile, ...] = field(default=())

    def origin(self, path: KeyPath) -> ConfigFile | None:
        """The file that set `path`, or for a table the topmost file that set a key in it."""
        if path in self.origins:
            return self.origins[path]
        found: ConfigFile | None = None
        for key, source in self.origins.items():
            if key[: len(path)] == path:
                found = source
        return found


def leaves(table: Mapping[str, Any], prefix: KeyPath = ()) -> Iterable[tuple[KeyPath, Any]]:
    """Every value that is not a non-empty table, with its path: tables merge, the rest replaces."""
    for key, value in table.items():
        if isinstance(value, dict) and value:
            yield from leaves(value, (*prefix, key))
        else:
            yield (*prefix, key), value


def is_locked(path: KeyPath, locked: Iterable[str]) -> bool:
    """`schedule.hours` locks that key; `schedule` locks the whole section."""
    dotted = ".".join(path)
    return any(dotted == lock or dotted.startswith(lock + ".") for lock in locked)


def read_locks(source: ConfigFile) -> frozenset[str]:
    """The `[locked] keys = [...]` list of a system file (the validator checks the names)."""
    section = source.table.get(LOCKED_SECTION, {})
    if not isinstance(section, dict):
        raise ConfigError(f"{source.path}: locked must be a [locked] table")
    unknown = [k for k in section if k != "keys"]
    if unknown:
        raise ConfigError(
            f'{source.where(LOCKED_SECTION, unknown[0])}: [locked] unknown key "{unknown[0]}"; '
            "allowed keys: keys"
        )
    keys = section.get("keys", [])
    if not isinstance(keys, list) or not all(isinstance(k, str) and k for k in keys):
        raise ConfigError(
            f"{source.where(LOCKED_SECTION, 'keys')}: [locked] keys must be a list of key "
            f'names like ["schedule.hours", "notifications"], got {keys!r}'
        )
    return frozenset(k.strip() for k in keys)


def layer(files: Sequence[ConfigFile]) -> Layered:
    """Merge `files` in order (later wins key by key); a user file cannot set locked keys.

    The `[locked]` section of system files is taken out of the merged table; in a user file it
    is an error, so nobody believes their own locks are enforced.
    """
    table: Table = {}
    origins: dict[KeyPath, ConfigFile] = {}
    locked: set[str] = set()
    notes: list[str] = []
    for source in files:
        if source.layer == "system":
            locked |= read_locks(source)
        elif LOCKED_SECTION in source.table:
            raise ConfigError(
                f"{source.where(LOCKED_SECTION, None)}: [locked] is read only from the "
                "system-wide config (e.g. /etc/xdg/deskbreak/config.toml); remove it here"
            )
        for path, value in leaves(source.table):
            if path[0] == LOCKED_SECTION:
                continue
            if source.layer == "user" and is_locked(path, locked):
                owner = origins.get(path)
                by = f" ({owner.path})" if owner else ""
                section, key = ".".join(path[:-1]) or path[0], path[-1]
                notes.append(
                    f"{source.where(section, key)}: {'.'.join(path)} is locked by your "
                    f"administrator{by}; your value is ignored"
                )
                continue
            _set(table, path, value)
            origins[path] = source
    return Layered(table, origins, frozenset(locked), tuple(notes), tuple(files))


def _set(table: Table, path: KeyPath, value: Any) -> None:
    node = table
    for key in path[:-1]:
        child = node.get(key)
        if not isinstance(child, dict):
            child = node[key] = {}
        node = child
    if value == {} and isinstance(node.get(path[-1]), dict):
        return  # an empty table adds nothing to one a lower layer filled
    node[path[-1]] = value
