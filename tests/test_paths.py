"""Where deskbreak's files live: the XDG dirs read as platformdirs reads them."""

from __future__ import annotations

import sys
from pathlib import Path

import platformdirs
import pytest

from deskbreak.paths import default_paths, user_dir

linux_only = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="XDG on Linux")


@linux_only
@pytest.mark.parametrize("value", [None, "", "   ", "/somewhere/else", "relative/dir"])
@pytest.mark.parametrize("kind", ["config", "data", "state", "cache"])
def test_user_dirs_match_platformdirs_whatever_the_variable_holds(
    monkeypatch: pytest.MonkeyPatch, kind: str, value: str | None
) -> None:
    variable = f"XDG_{kind.upper()}_HOME"
    if value is None:
        monkeypatch.delenv(variable, raising=False)
    else:
        monkeypatch.setenv(variable, value)
    expected = getattr(platformdirs, f"user_{kind}_dir")("deskbreak")
    assert user_dir(kind) == Path(expected)


def test_default_paths_follow_the_isolated_xdg_dirs(isolated_dirs: Path) -> None:
    paths = default_paths()
    assert paths.config_file == isolated_dirs / "config" / "deskbreak" / "config.toml"
    assert paths.database.parent == isolated_dirs / "data" / "deskbreak"
    assert paths.log_file.parent == isolated_dirs / "state" / "deskbreak"
