"""The entry point: `deskbreak start` runs the daemon without Typer; all else is unchanged."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from fakes import ALWAYS

from deskbreak.entry import start_options
from deskbreak.paths import default_paths

REPO = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize(
    ("argv", "options"),
    [
        (["start"], (None, False)),
        (["start", "-v"], (None, True)),
        (["start", "--verbose"], (None, True)),
        (["-c", "my.toml", "start"], ("my.toml", False)),
        (["--config", "start", "start", "-v"], ("start", True)),
        (["--config=my.toml", "start"], ("my.toml", False)),
    ],
)
def test_plain_start_command_lines_go_straight_to_the_daemon(
    argv: list[str], options: tuple[str | None, bool]
) -> None:
    assert start_options(argv) == options


@pytest.mark.parametrize(
    "argv",
    [
        [],
        ["status"],
        ["start", "--help"],
        ["start", "-h"],
        ["start", "extra"],
        ["--version", "start"],
        ["-c"],
        ["-c", "start"],
        ["--config=", "start"],
        ["schedule", "start"],
    ],
)
def test_every_other_command_line_goes_to_the_typer_app(argv: list[str]) -> None:
    assert start_options(argv) is None


def deskbreak(*args: str, **popen: object) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.Popen(
        [sys.executable, *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        cwd=REPO,
    )


def test_start_runs_the_daemon_without_importing_typer_click_or_rich(tmp_path: Path) -> None:
    config = tmp_path / "always.toml"
    config.write_text(ALWAYS, encoding="utf-8")
    socket = default_paths().socket
    daemon = deskbreak("-X", "importtime", "-m", "deskbreak", "-c", str(config), "start", "-v")
    try:
        deadline = time.monotonic() + 30
        while not socket.exists():
            assert daemon.poll() is None, daemon.communicate()[1]
            assert time.monotonic() < deadline, "the daemon did not open its control socket"
            time.sleep(0.05)
        stopper = deskbreak("-m", "deskbreak", "stop")
        assert stopper.wait(timeout=30) == 0
        _, log = daemon.communicate(timeout=30)
    finally:
        if daemon.poll() is None:
            daemon.kill()
            daemon.communicate()
    assert daemon.returncode == 0, log
    imported = {
        line.split("|")[-1].strip() for line in log.splitlines() if line.startswith("import time:")
    }
    assert "deskbreak.daemon.core" in imported and "apscheduler" in imported
    assert not imported & {"typer", "click", "rich"}
    assert "deskbreak started" in log and "DEBUG" in log  # -v reached the daemon's logging


def test_start_help_is_still_the_typer_help() -> None:
    helper = deskbreak("-m", "deskbreak", "start", "--help")
    out, err = helper.communicate(timeout=60)
    assert helper.returncode == 0, err
    assert "Usage:" in out and "--verbose" in out and "Run the reminder daemon" in out
