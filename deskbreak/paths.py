"""The one place that asks platformdirs where deskbreak's files live.

Nothing is computed at import time: callers build a `Paths` with `default_paths()` (or by hand
in tests) and pass it down.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path

APP = "deskbreak"


@dataclass(frozen=True)
class Paths:
    config_file: Path
    data_dir: Path
    state_dir: Path
    runtime_dir: Path
    # True when --config or DESKBREAK_CONFIG named the file: then it must exist.
    config_explicit: bool = False
    # System-wide config bases ($XDG_CONFIG_DIRS), most important first as the spec lists them.
    system_config_dirs: tuple[Path, ...] = ()

    @property
    def system_config_files(self) -> list[Path]:
        """`<dir>/deskbreak/config.toml` for each system dir, least important first (the order
        they are layered in: later files win)."""
        return [directory / APP / "config.toml" for directory in reversed(self.system_config_dirs)]

    @property
    def database(self) -> Path:
        return self.data_dir / "history.sqlite3"

    @property
    def calendars_file(self) -> Path:
        """The added calendars (feed URLs are secrets: the file is 0600)."""
        return self.data_dir / "calendars.json"

    @property
    def socket(self) -> Path:
        return self.runtime_dir / "control.sock"

    @property
    def lock_file(self) -> Path:
        return self.runtime_dir / "daemon.lock"

    @property
    def data_lock_file(self) -> Path:
        """The single-instance lock beside the history, which every daemon of this user sees
        even when their runtime dirs differ."""
        return self.data_dir / "daemon.lock"

    @property
    def log_file(self) -> Path:
        return self.state_dir / "deskbreak.log"


def _runtime_dir() -> Path:
    # XDG_RUNTIME_DIR is per user and 0700 on systemd machines; elsewhere (macOS, containers)
    # fall back to a per-user folder under the temp dir, which the daemon creates as 0700.
    xdg = os.environ.get("XDG_RUNTIME_DIR")
    if xdg and Path(xdg).is_dir():
        return Path(xdg) / APP
    import tempfile

    return Path(tempfile.gettempdir()) / f"{APP}-{os.getuid()}"


# On Linux the XDG base dirs are read here as the XDG spec and platformdirs read them (a variable
# holding an absolute path, else the default under ~), without importing platformdirs: that
# would cost every CLI call ~10 ms.
_XDG_HOMES = {
    "config": ("XDG_CONFIG_HOME", "~/.config"),
    "data": ("XDG_DATA_HOME", "~/.local/share"),
    "state": ("XDG_STATE_HOME", "~/.local/state"),
    "cache": ("XDG_CACHE_HOME", "~/.cache"),
}


def user_dir(kind: str) -> Path:
    """deskbreak's user dir of one `kind`: "config", "data", "state" or "cache"."""
    if sys.platform.startswith("linux"):
        variable, default = _XDG_HOMES[kind]
        base = Path(os.environ.get(variable, ""))
        return (base if base.is_absolute() else Path(default).expanduser()) / APP
    import platformdirs

    return Path(getattr(platformdirs, f"user_{kind}_dir")(APP))


def cache_dir() -> Path:
    """Where deskbreak keeps what it can always rebuild (the parsed move library)."""
    return user_dir("cache")


def system_config_dirs(environ: dict[str, str] | os._Environ[str] = os.environ) -> tuple[Path, ...]:
    """$XDG_CONFIG_DIRS (default /etc/xdg); relative entries are ignored, as the spec says."""
    if sys.platform == "darwin":
        return (Path("/Library/Application Support"),)
    raw = environ.get("XDG_CONFIG_DIRS") or "/etc/xdg"
    return tuple(Path(d) for d in raw.split(":") if d and Path(d).is_absolute())


def default_paths(config_override: str | os.PathLike[str] | None = None) -> Paths:
    """Paths for this user; `--config` wins over `DESKBREAK_CONFIG`, which wins over the default."""
    explicit = True
    if config_override is not None:
        config_file = Path(config_override)
    elif os.environ.get("DESKBREAK_CONFIG"):
        config_file = Path(os.environ["DESKBREAK_CONFIG"])
    else:
        config_file = user_dir("config") / "config.toml"
        explicit = False
    return Paths(
        config_file=config_file.expanduser(),
        config_explicit=explicit,
        system_config_dirs=system_config_dirs(),
        data_dir=user_dir("data"),
        state_dir=user_dir("state"),
        runtime_dir=_runtime_dir(),
    )
