"""How `config`, `doctor`, `start` and `schedule` treat config files, as a user runs them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
NOT_UTF8 = "[schedule]\n# pause caf\xe9\ninterval = 30\n".encode("latin-1")


def deskbreak(*args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    # os.environ carries conftest's private XDG dirs; XDG_CONFIG_DIRS is its empty "xdg" dir.
    env = {**os.environ, "PYTHONPATH": str(REPO), "TZ": "UTC"}
    return subprocess.run(
        [sys.executable, "-m", "deskbreak", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=REPO,
        timeout=timeout,
        check=False,
    )


def system_file(isolated_dirs: Path, text: str) -> Path:
    path = isolated_dirs / "xdg" / "deskbreak" / "config.toml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def user_file(isolated_dirs: Path, text: str | bytes) -> Path:
    path = isolated_dirs / "config" / "deskbreak" / "config.toml"
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize("command", [["config", "check"], ["doctor"], ["start"]])
def test_a_config_that_is_not_utf8_exits_2_naming_the_file(
    isolated_dirs: Path, command: list[str]
) -> None:
    path = user_file(isolated_dirs, NOT_UTF8)
    result = deskbreak(*command)
    assert result.returncode == 2, result.stdout + result.stderr
    assert f"{path}:2: not UTF-8 text" in result.stdout + result.stderr
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr


def test_start_with_a_fifo_as_config_exits_2_at_once(tmp_path: Path) -> None:
    fifo = tmp_path / "config.toml"
    os.mkfifo(fifo)
    result = deskbreak("--config", str(fifo), "start", timeout=30)
    assert result.returncode == 2
    assert "not a regular file" in result.stderr


def test_a_named_config_that_does_not_exist_exits_2(tmp_path: Path) -> None:
    result = deskbreak("-c", str(tmp_path / "typo.toml"), "config", "check")
    assert result.returncode == 2
    assert f"{tmp_path / 'typo.toml'}: no such config file" in result.stderr


def test_a_config_named_by_the_environment_must_exist_too(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DESKBREAK_CONFIG", str(tmp_path / "typo.toml"))
    assert deskbreak("schedule").returncode == 2


def test_the_default_config_may_be_absent(isolated_dirs: Path) -> None:
    result = deskbreak("config", "check")
    assert result.returncode == 0
    assert "does not exist; the defaults are in use" in result.stdout


def test_config_show_says_where_each_value_came_from(isolated_dirs: Path) -> None:
    system = system_file(isolated_dirs, '[schedule]\nhours = ["08:00-12:00"]\ninterval = 20\n')
    user_file(isolated_dirs, "[schedule]\ninterval = 45\n")
    result = deskbreak("config", "show")
    assert result.returncode == 0, result.stderr
    assert f"#   system   {system}" in result.stdout
    assert "interval = 45  # user" in result.stdout
    assert 'mon = ["08:00-12:00"]  # system' in result.stdout
    assert "snooze = 10  # default" in result.stdout
    data = json.loads(deskbreak("config", "show", "--json").stdout)
    assert data["origins"]["schedule.interval"] == "user"
    assert data["origins"]["schedule.hours_by_day.mon"] == "system"
    assert data["origins"]["notifications.backend"] == "default"
    assert data["system_files"] == [str(system)]


def test_config_check_says_a_locked_key_in_the_users_file_is_ignored(isolated_dirs: Path) -> None:
    system_file(
        isolated_dirs, '[schedule]\nhours = ["08:00-12:00"]\n[locked]\nkeys = ["schedule"]\n'
    )
    user = user_file(isolated_dirs, "[schedule]\ninterval = 45\n")
    result = deskbreak("config", "check")
    assert result.returncode == 2
    assert f"{user}:2: schedule.interval is locked by your administrator" in result.stderr
    shown = json.loads(deskbreak("config", "show", "--json").stdout)
    assert shown["schedule"]["interval"] == 30
    assert shown["origins"]["schedule.interval"] == "default, locked"


def test_schedule_warns_about_a_locked_key_and_plans_with_the_administrators_value(
    isolated_dirs: Path,
) -> None:
    system_file(isolated_dirs, '[locked]\nkeys = ["schedule.interval"]\n')
    user_file(isolated_dirs, "[schedule]\ninterval = 45\n")
    result = deskbreak("schedule", "--date", "2026-11-23", "--json")
    assert result.returncode == 0
    assert "schedule.interval is locked by your administrator" in result.stderr
    times = [slot["at"][11:16] for slot in json.loads(result.stdout)]
    assert times[:2] == ["09:30", "10:00"]


def test_config_check_validates_the_system_file_too(isolated_dirs: Path) -> None:
    system = system_file(isolated_dirs, "[schedule]\ninterval = 0\n")
    user = user_file(isolated_dirs, "[schedule]\ninterval = 45\n")
    result = deskbreak("config", "check")
    assert result.returncode == 2
    assert f"{user}: ok" in result.stdout
    assert f"{system}:2: [schedule] interval must be" in result.stderr


def test_doctor_reports_a_broken_system_file_and_still_loads_the_users(
    isolated_dirs: Path,
) -> None:
    system_file(isolated_dirs, "[schedule\n")
    user_file(isolated_dirs, "[schedule]\ninterval = 45\n")
    result = deskbreak("doctor", "--json")
    checks = {c["name"]: c for c in json.loads(result.stdout)["checks"]}
    assert checks["sysconfig"]["status"] == "fail"
    assert "invalid TOML" in checks["sysconfig"]["detail"]
    assert checks["config"]["status"] == "ok"
    assert (
        checks["schedule"]["status"] != "warn" or "did not load" not in checks["schedule"]["detail"]
    )
    assert result.returncode == 2


def test_config_init_over_an_existing_file_is_a_state_problem_exit_1(isolated_dirs: Path) -> None:
    user_file(isolated_dirs, "# mine\n")
    result = deskbreak("config", "init")
    assert result.returncode == 1
    assert "already exists; use --force" in result.stderr
