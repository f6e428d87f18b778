"""The one place that asks platformdirs where deskbreak's files live.

Nothing is computed at import time: callers build a `Paths` with `default_paths()` (or by hand
in tests) and pass it down.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

APP = "deskbreak"


@dataclass(frozen=True)
class Paths:
    config_file: Path
    data_dir: Path
    state_dir: Path
    runtime_dir: Path

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


def default_paths(config_override: str | os.PathLike[str] | None = None) -> Paths:
    """Paths for this user; `--config` wins over `DESKBREAK_CONFIG`, which wins over the default."""
    # Imported here: every CLI call builds Paths, few need more than one of them.
    import platformdirs

    if config_override is not None:
        config_file = Path(config_override)
    elif os.environ.get("DESKBREAK_CONFIG"):
        config_file = Path(os.environ["DESKBREAK_CONFIG"])
    else:
        config_file = Path(platformdirs.user_config_dir(APP)) / "config.toml"
    return Paths(
        config_file=config_file.expanduser(),
        data_dir=Path(platformdirs.user_data_dir(APP)),
        state_dir=Path(platformdirs.user_state_dir(APP)),
        runtime_dir=_runtime_dir(),
    )
