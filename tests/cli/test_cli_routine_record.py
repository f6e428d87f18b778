"""Where a finished routine goes when the history cannot take it (in process)."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from deskbreak.cli.app import _register_commands, app


def test_a_routine_neither_the_history_nor_a_daemon_takes_is_named_in_the_warning(
    isolated_dirs: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A file where the data folder should be: the history cannot be opened, and no daemon runs.
    (isolated_dirs / "data" / "deskbreak").write_text("not a folder\n", encoding="utf-8")
    monkeypatch.setenv("DESKBREAK_TIME_SCALE", "1000")
    _register_commands()
    result = CliRunner().invoke(app, ["routine", "desk", "--no-input", "--minutes", "1"])
    assert result.exit_code == 0, result.output
    lines = result.stderr.splitlines()
    assert "could not record the routine in the history" in lines[-2]
    assert "deskbreak is not running" in lines[-2]
    unsaved = lines[-1]
    assert unsaved.startswith("deskbreak: not saved: the desk routine started ")
    assert unsaved.endswith("steps all done")
    assert "Traceback" not in result.output
