"""Session-wide safety: no test writes to the real home directory."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def isolated_dirs(monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    # A short base under /tmp keeps Unix socket paths well under the ~100-byte limit.
    with tempfile.TemporaryDirectory(prefix="db-") as base:
        root = Path(base)
        for name in ("config", "data", "state", "runtime", "cache", "home", "xdg"):
            (root / name).mkdir()
        (root / "runtime").chmod(0o700)
        monkeypatch.setenv("HOME", str(root / "home"))
        monkeypatch.setenv("XDG_CONFIG_HOME", str(root / "config"))
        monkeypatch.setenv("XDG_DATA_HOME", str(root / "data"))
        monkeypatch.setenv("XDG_STATE_HOME", str(root / "state"))
        monkeypatch.setenv("XDG_CACHE_HOME", str(root / "cache"))
        monkeypatch.setenv("XDG_RUNTIME_DIR", str(root / "runtime"))
        # An empty system-wide config dir: this machine's /etc/xdg/deskbreak never leaks in.
        monkeypatch.setenv("XDG_CONFIG_DIRS", str(root / "xdg"))
        monkeypatch.delenv("DESKBREAK_CONFIG", raising=False)
        yield root
