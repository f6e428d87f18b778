from __future__ import annotations

import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest

from deskbreak.config import Config, load_config, parse_config
from deskbreak.errors import ConfigError
from deskbreak.planner.model import Window

REPO = Path(__file__).resolve().parent.parent


def error_for(text: str, tmp_path: Path) -> str:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    return str(caught.value)


def test_missing_file_means_defaults(tmp_path: Path) -> None:
    cfg = load_config(tmp_path / "nope.toml")
    assert cfg.source is None
    assert cfg.schedule.interval == timedelta(minutes=30)
    assert cfg.schedule.windows[0] == (Window(9 * 60, 17 * 60 + 30),)
    assert 5 not in cfg.schedule.windows and 6 not in cfg.schedule.windows


def test_example_config_loads_and_equals_the_defaults() -> None:
    example = load_config(REPO / "config.example.toml")
    defaults = Config()
    assert example.schedule == defaults.schedule
    assert example.notifications == defaults.notifications
    assert example.moves == defaults.moves
    assert example.running == defaults.running
    assert set(example.library.moves) == set(defaults.library.moves)


def test_packaged_template_is_the_repo_example() -> None:
    packaged = (REPO / "deskbreak" / "data" / "config.toml").read_text(encoding="utf-8")
    assert packaged == (REPO / "config.example.toml").read_text(encoding="utf-8")


def test_full_config_is_read(tmp_path: Path) -> None:
    text = """
[schedule]
interval = 45
hours = ["09:00-12:30", "13:30-17:30"]
days = ["mon", "tue", "wed", "thu", "fri", "sat"]
timezone = "Europe/Berlin"
align = "start"
[schedule.hours_by_day]
fri = ["09:00-15:00"]
sat = []
[notifications]
backend = "console"
timeout = 0
[moves]
areas = ["shoulders", "upper-back"]
exclude = ["shoulder-circles"]
"""
    cfg = parse_config(text, tmp_path / "c.toml")
    assert cfg.schedule.interval == timedelta(minutes=45)
    assert cfg.schedule.windows[0] == (Window(540, 750), Window(810, 1050))
    assert cfg.schedule.windows[4] == (Window(540, 900),)
    assert 5 not in cfg.schedule.windows  # an empty list makes it a day off
    assert str(cfg.schedule.timezone) == "Europe/Berlin"
    assert cfg.schedule.align == "start"
    assert cfg.notifications.backend == "console"
    assert cfg.moves.exclude == ("shoulder-circles",)


def test_syntax_error_names_file_and_line(tmp_path: Path) -> None:
    message = error_for("[schedule]\ninterval = 30\nhours = [09:00]\n", tmp_path)
    assert "config.toml:3:" in message and "invalid TOML" in message


def test_unknown_key_suggests_the_near_one(tmp_path: Path) -> None:
    message = error_for("[schedule]\n\ninterval = 30\nintervall = 20\n", tmp_path)
    assert "config.toml:4:" in message
    assert 'unknown key "intervall"' in message and 'did you mean "interval"' in message


@pytest.mark.parametrize("value", ["0", "-5", '"ten"', "2.5", "1000", "true"])
def test_interval_must_be_whole_minutes_in_range(tmp_path: Path, value: str) -> None:
    message = error_for(f"[schedule]\ninterval = {value}\n", tmp_path)
    assert (
        "config.toml:2: [schedule] interval must be a whole number of minutes from 1 to 240"
        in message
    )


@pytest.mark.parametrize("window", ["9am-5pm", "25:00-26:00", "17:00-09:00", "09:00-09:00", "9-5"])
def test_bad_work_window_is_named_with_the_format(tmp_path: Path, window: str) -> None:
    message = error_for(f'[schedule]\nhours = ["{window}"]\n', tmp_path)
    assert f"'{window}' is not a work window" in message and "HH:MM-HH:MM" in message


def test_overlapping_windows_are_refused(tmp_path: Path) -> None:
    message = error_for('[schedule]\nhours = ["09:00-12:00", "11:00-13:00"]\n', tmp_path)
    assert "overlap" in message


def test_unknown_day_lists_the_allowed_days(tmp_path: Path) -> None:
    message = error_for('[schedule]\ndays = ["mon", "funday"]\n', tmp_path)
    assert 'unknown day "funday"' in message and "mon, tue, wed" in message


def test_unknown_timezone_names_the_value(tmp_path: Path) -> None:
    message = error_for('[schedule]\ntimezone = "Mars/Olympus"\n', tmp_path)
    assert "unknown timezone 'Mars/Olympus'" in message and "Europe/Berlin" in message


def test_unknown_backend_lists_the_backends(tmp_path: Path) -> None:
    message = error_for('[notifications]\nbackend = "pigeon"\n', tmp_path)
    assert "config.toml:2: [notifications] unknown backend 'pigeon'" in message
    assert "auto, dbus, notify-send, plyer, console" in message


def test_unknown_section_is_refused(tmp_path: Path) -> None:
    message = error_for("[schedul]\ninterval = 30\n", tmp_path)
    assert 'unknown section "[schedul]"' in message and "[schedule]" in message


def test_excluding_every_desk_move_is_refused(tmp_path: Path) -> None:
    message = error_for('[moves]\nareas = ["neck"]\nexclude = ["chin-tucks"]\n', tmp_path)
    assert "no desk moves are left" in message


def test_excluding_a_move_that_left_the_desk_rotation_is_still_accepted(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text('[moves]\nexclude = ["table-hip-stretch"]\n', encoding="utf-8")
    assert load_config(path).moves.exclude == ("table-hip-stretch",)


def test_unknown_area_suggests_the_near_one(tmp_path: Path) -> None:
    message = error_for('[moves]\nareas = ["sholders"]\n', tmp_path)
    assert 'unknown area "sholders"' in message and '"shoulders"' in message


BAD_CONFIGS = {
    "syntax": "[schedule\n",
    "unknown-key": "[schedule]\nintervall = 30\n",
    "zero": "[schedule]\ninterval = 0\n",
    "negative": "[schedule]\ninterval = -10\n",
    "text": '[schedule]\ninterval = "ten"\n',
    "am-pm": '[schedule]\nhours = ["9am-5pm"]\n',
    "hour-25": '[schedule]\nhours = ["25:00-26:00"]\n',
    "day": '[schedule]\ndays = ["someday"]\n',
    "zone": '[schedule]\ntimezone = "Nowhere/City"\n',
    "backend": '[notifications]\nbackend = "smoke-signals"\n',
}


@pytest.mark.parametrize("name", sorted(BAD_CONFIGS))
def test_cli_reports_bad_config_in_two_lines_with_exit_code_2(tmp_path: Path, name: str) -> None:
    path = tmp_path / "config.toml"
    path.write_text(BAD_CONFIGS[name], encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "deskbreak", "--config", str(path), "config", "check"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert 1 <= len(lines) <= 2, result.stderr
    assert "Traceback" not in result.stderr
    assert str(path) in lines[0]
