"""System-wide defaults under the user's file, key by key; locked keys; a broken system file."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest

from deskbreak.config import load_config
from deskbreak.errors import ConfigError
from deskbreak.paths import default_paths
from deskbreak.planner.model import Window


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def system(tmp_path: Path) -> Path:
    return tmp_path / "etc" / "deskbreak" / "config.toml"


@pytest.fixture
def user(tmp_path: Path) -> Path:
    return tmp_path / "home" / "config.toml"


def test_the_users_value_wins_for_a_key_in_both_files_and_the_rest_comes_from_the_system(
    system: Path, user: Path
) -> None:
    write(system, '[schedule]\ninterval = 20\nhours = ["08:00-12:00"]\n')
    write(user, "[schedule]\ninterval = 45\n")
    cfg = load_config(user, system_files=[system])
    assert cfg.schedule.interval == timedelta(minutes=45)
    assert cfg.schedule.windows[0] == (Window(8 * 60, 12 * 60),)
    interval, hours = cfg.origin(("schedule", "interval")), cfg.origin(("schedule", "hours"))
    assert interval is not None and interval.path == user
    assert hours is not None and hours.path == system
    assert cfg.origin(("schedule", "snooze")) is None  # the built-in default
    assert cfg.notes == ()


def test_tables_merge_key_by_key_at_every_depth(system: Path, user: Path) -> None:
    write(system, '[schedule.hours_by_day]\nfri = ["09:00-13:00"]\n')
    write(user, '[schedule.hours_by_day]\nmon = ["10:00-16:00"]\n')
    windows = load_config(user, system_files=[system]).schedule.windows
    assert windows[4] == (Window(9 * 60, 13 * 60),)
    assert windows[0] == (Window(10 * 60, 16 * 60),)


def test_a_locked_key_keeps_the_administrators_value_and_says_the_users_is_ignored(
    system: Path, user: Path
) -> None:
    write(system, '[schedule]\nhours = ["08:00-12:00"]\n[locked]\nkeys = ["schedule.hours"]\n')
    write(user, '[schedule]\ninterval = 45\nhours = ["10:00-11:00"]\n')
    cfg = load_config(user, system_files=[system])
    assert cfg.schedule.windows[0] == (Window(8 * 60, 12 * 60),)
    assert cfg.schedule.interval == timedelta(minutes=45)  # not locked: the user's
    assert cfg.notes == (
        f"{user}:3: schedule.hours is locked by your administrator ({system}); "
        "your value is ignored",
    )


def test_locking_a_section_locks_every_key_in_it(system: Path, user: Path) -> None:
    write(system, '[locked]\nkeys = ["notifications"]\n')
    write(user, '[notifications]\nbackend = "console"\ntimeout = 5\n')
    cfg = load_config(user, system_files=[system])
    assert cfg.notifications.backend == "auto" and cfg.notifications.timeout_seconds == 20
    assert len(cfg.notes) == 2


def test_a_broken_system_file_is_skipped_with_a_note_and_the_users_file_still_applies(
    system: Path, user: Path
) -> None:
    write(system, "[schedule]\ninterval = [\n")
    write(user, "[schedule]\ninterval = 45\n")
    cfg = load_config(user, system_files=[system])
    assert cfg.schedule.interval == timedelta(minutes=45)
    assert len(cfg.notes) == 1
    assert cfg.notes[0].startswith(f"{system}:2: invalid TOML")
    assert cfg.notes[0].endswith("(this system-wide file is ignored; tell your administrator)")


def test_a_system_file_with_a_bad_value_is_skipped_whole_locks_included(
    system: Path, user: Path
) -> None:
    write(system, '[schedule]\ninterval = "ten"\n[locked]\nkeys = ["schedule.interval"]\n')
    write(user, "[schedule]\ninterval = 45\n")
    cfg = load_config(user, system_files=[system])
    assert cfg.schedule.interval == timedelta(minutes=45)
    assert f"{system}:2: [schedule] interval must be a whole number" in cfg.notes[0]


def test_a_lock_on_a_key_that_does_not_exist_makes_the_system_file_broken(
    system: Path, user: Path
) -> None:
    write(system, '[locked]\nkeys = ["schedule.hour"]\n')
    cfg = load_config(user, system_files=[system])
    assert f'{system}:2: [locked] "schedule.hour" is not a config key' in cfg.notes[0]
    assert "schedule.hours" in cfg.notes[0]  # the did-you-mean hint


def test_a_locked_section_in_the_users_file_is_an_error(user: Path) -> None:
    write(user, '[locked]\nkeys = ["schedule.hours"]\n')
    with pytest.raises(ConfigError, match=r"\[locked\] is read only from the system-wide config"):
        load_config(user)


def test_an_error_in_the_users_file_names_the_users_file(system: Path, user: Path) -> None:
    write(system, '[schedule]\nhours = ["08:00-12:00"]\n')
    write(user, '[schedule]\n\nalign = "sideways"\n')
    with pytest.raises(ConfigError) as caught:
        load_config(user, system_files=[system])
    assert str(caught.value).startswith(f"{user}:3: [schedule] align must be")


def test_the_more_important_system_dir_wins(tmp_path: Path, user: Path) -> None:
    first = write(tmp_path / "a" / "deskbreak" / "config.toml", "[schedule]\ninterval = 15\n")
    second = write(tmp_path / "b" / "deskbreak" / "config.toml", "[schedule]\ninterval = 25\n")
    paths = replace(default_paths(), system_config_dirs=(first.parents[1], second.parents[1]))
    cfg = load_config(user, system_files=paths.system_config_files)
    assert cfg.schedule.interval == timedelta(minutes=15)


def test_system_dirs_come_from_xdg_config_dirs_and_default_to_etc_xdg(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("XDG_CONFIG_DIRS", "/opt/site:relative/ignored:/etc/xdg")
    assert default_paths().system_config_dirs == (Path("/opt/site"), Path("/etc/xdg"))
    monkeypatch.setenv("XDG_CONFIG_DIRS", "")
    assert default_paths().system_config_files == [Path("/etc/xdg/deskbreak/config.toml")]


def test_only_a_named_config_path_is_required_to_exist(monkeypatch: pytest.MonkeyPatch) -> None:
    assert default_paths().config_explicit is False
    assert default_paths("x.toml").config_explicit is True
    monkeypatch.setenv("DESKBREAK_CONFIG", "/somewhere/config.toml")
    assert default_paths().config_explicit is True


@pytest.mark.parametrize(
    ("locked", "expected"),
    [
        ('keys = "schedule.hours"', "[locked] keys must be a list of key names"),
        ('key = ["schedule.hours"]', '[locked] unknown key "key"'),
        ('keys = ["dance"]', '[locked] "dance" is not a config key'),
    ],
)
def test_a_malformed_locked_section_makes_the_system_file_broken(
    system: Path, user: Path, locked: str, expected: str
) -> None:
    write(system, f'[schedule]\nhours = ["08:00-12:00"]\n[locked]\n{locked}\n')
    cfg = load_config(user, system_files=[system])
    assert cfg.schedule.windows[0] == (Window(9 * 60, 17 * 60 + 30),)  # the file is skipped
    assert f"{system}:4: {expected}" in cfg.notes[0]
