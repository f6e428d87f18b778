"""The entry point: plain `start`, `status` and `schedule` run without Typer; all else is
unchanged."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from fakes import ALWAYS

from deskbreak.cli.quick import plain_command
from deskbreak.paths import default_paths

REPO = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize(
    ("argv", "plain"),
    [
        (["start"], (None, "start", {})),
        (["start", "-v"], (None, "start", {"verbose": True})),
        (["start", "--verbose"], (None, "start", {"verbose": True})),
        (["-c", "my.toml", "start"], ("my.toml", "start", {})),
        (["--config", "start", "start", "-v"], ("start", "start", {"verbose": True})),
        (["--config=my.toml", "start"], ("my.toml", "start", {})),
        (["status"], (None, "status", {})),
        (["-c", "my.toml", "status", "--json"], ("my.toml", "status", {"as_json": True})),
        (["schedule"], (None, "schedule", {})),
        (
            ["schedule", "--date", "2026-11-23", "-n", "5", "--json"],
            (None, "schedule", {"on": "2026-11-23", "days": "5", "as_json": True}),
        ),
        (["schedule", "--days=3", "--days", "4"], (None, "schedule", {"days": "4"})),
        (["schedule", "-d", "tomorrow"], (None, "schedule", {"on": "tomorrow"})),
    ],
)
def test_plain_command_lines_are_answered_without_the_typer_app(
    argv: list[str], plain: tuple[str | None, str, dict[str, object]]
) -> None:
    assert plain_command(argv) == plain


@pytest.mark.parametrize(
    "argv",
    [
        [],
        ["start", "--help"],
        ["start", "-h"],
        ["start", "extra"],
        ["--version", "start"],
        ["-c"],
        ["-c", "start"],
        ["--config=", "start"],
        ["-cmy.toml", "status"],
        ["schedule", "start"],
        ["status", "--json=yes"],
        ["status", "--help"],
        ["pause", "1h"],
        ["schedule", "--days", "x"],
        ["schedule", "--days", "-1"],
        ["schedule", "-n5"],
        ["schedule", "--days"],
        ["schedule", "--date", "--json"],
        ["schedule", "--", "--json"],
    ],
)
def test_every_other_command_line_goes_to_the_typer_app(argv: list[str]) -> None:
    assert plain_command(argv) is None


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


def imported_by(log: str) -> set[str]:
    return {
        line.split("|")[-1].strip() for line in log.splitlines() if line.startswith("import time:")
    }


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
    imported = imported_by(log)
    assert "deskbreak.daemon.core" in imported and "apscheduler" in imported
    assert not imported & {"typer", "click", "rich"}
    assert "deskbreak started" in log and "DEBUG" in log  # -v reached the daemon's logging


def test_start_help_is_still_the_typer_help() -> None:
    helper = deskbreak("-m", "deskbreak", "start", "--help")
    out, err = helper.communicate(timeout=60)
    assert helper.returncode == 0, err
    assert "Usage:" in out and "--verbose" in out and "Run the reminder daemon" in out


def test_plain_status_and_schedule_run_without_importing_typer_click_or_rich(
    tmp_path: Path,
) -> None:
    config = tmp_path / "always.toml"
    config.write_text(ALWAYS, encoding="utf-8")
    for command, module, code in [("schedule", "schedule_view", 0), ("status", "control_view", 1)]:
        run = deskbreak("-X", "importtime", "-m", "deskbreak", "-c", str(config), command)
        _, log = run.communicate(timeout=60)
        assert run.returncode == code, log
        assert f"deskbreak.cli.{module}" in imported_by(log)
        assert not imported_by(log) & {"typer", "click", "rich"}, command


@pytest.mark.parametrize(
    "words",
    [
        ["schedule", "--date", "2026-11-23", "--days", "3"],
        ["schedule", "--json", "-n", "2"],
        ["schedule", "--days", "0"],
        ["schedule", "--date", "23.11.2026"],
        ["status"],
        ["status", "--json"],
    ],
)
def test_a_plain_command_line_prints_what_the_typer_command_prints(
    tmp_path: Path, words: list[str]
) -> None:
    config = tmp_path / "always.toml"
    config.write_text(ALWAYS, encoding="utf-8")
    # `-cFILE` is a spelling cli.quick leaves to the Typer app.
    quick, through_typer = ["-c", str(config), *words], [f"-c{config}", *words]
    assert plain_command(quick) is not None and plain_command(through_typer) is None
    answers = []
    for argv in (quick, through_typer):
        run = deskbreak("-m", "deskbreak", *argv)
        answers.append((run.returncode, *run.communicate(timeout=60)))
    assert answers[0] == answers[1]


def test_a_reader_that_leaves_early_ends_the_command_quietly_as_click_does(tmp_path: Path) -> None:
    config = tmp_path / "always.toml"
    config.write_text(ALWAYS, encoding="utf-8")
    answers = []
    # A year of half-hour slots is far more than a pipe holds, so the writer meets the close.
    for spelling in (["-c", str(config)], [f"-c{config}"]):
        run = deskbreak("-m", "deskbreak", *spelling, "schedule", "--days", "366")
        assert run.stdout is not None and run.stderr is not None
        assert run.stdout.readline().startswith("time zone:")
        run.stdout.close()
        answers.append((run.wait(timeout=60), run.stderr.read()))
        run.stderr.close()
    assert answers == [(1, ""), (1, "")]
