from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest

from deskbreak.config import load_config
from deskbreak.errors import ConfigError
from deskbreak.planner.runs import RunPlan

REPO = Path(__file__).resolve().parent.parent


def load(text: str, tmp_path: Path):  # type: ignore[no-untyped-def]
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return load_config(path)


def error_for(text: str, tmp_path: Path) -> str:
    with pytest.raises(ConfigError) as caught:
        load(text, tmp_path)
    message = str(caught.value)
    assert "\n" not in message
    return message


def test_weekly_runs_are_read_with_their_days_time_duration_and_kind(tmp_path: Path) -> None:
    cfg = load(
        """
[[runs]]
days = ["tue", "thu"]
time = "18:15"
duration = "50m"

[[runs]]
days = ["sun"]
time = "09:00"
duration = "1h45m"
kind = "long"

[run_prompts]
warmup_lead = 5
cooldown_grace = 20
terminal = "kitty -e {}"
""",
        tmp_path,
    )
    runs = cfg.running.runs
    assert runs.plans == (
        RunPlan((1, 3), 18 * 60 + 15, timedelta(minutes=50), "easy"),
        RunPlan((6,), 9 * 60, timedelta(hours=1, minutes=45), "long"),
    )
    assert runs.warmup_lead == timedelta(minutes=5)
    assert runs.cooldown_grace == timedelta(minutes=20)
    assert cfg.running.terminal == "kitty -e {}"


def test_defaults_have_no_runs_a_ten_minute_lead_and_a_fifteen_minute_grace(
    tmp_path: Path,
) -> None:
    cfg = load("", tmp_path)
    assert cfg.running.runs.plans == ()
    assert cfg.running.runs.warmup_lead == timedelta(minutes=10)
    assert cfg.running.runs.cooldown_grace == timedelta(minutes=15)
    assert "parkrun" in cfg.running.calendar.run_keywords
    assert cfg.running.calendar.sync_every == timedelta(hours=1)


def test_the_commented_run_examples_in_the_example_config_are_valid(tmp_path: Path) -> None:
    example = (REPO / "config.example.toml").read_text(encoding="utf-8")
    start = example.index("# [[runs]]")
    block, rest = example[start:].split("\n\n[run_prompts]", 1)
    uncommented = re.sub(r"^# ?", "", block, flags=re.MULTILINE)
    cfg = load(example[:start] + uncommented + "\n\n[run_prompts]" + rest, tmp_path)
    assert [p.kind for p in cfg.running.runs.plans] == ["easy", "long"]


def test_a_misspelt_day_names_the_line_and_suggests_the_day(tmp_path: Path) -> None:
    message = error_for(
        '[[runs]]\ndays = ["tue"]\ntime = "18:15"\nduration = "50m"\n\n'
        '[[runs]]\ndays = ["thurs", "sun"]\ntime = "09:00"\nduration = "1h"\n',
        tmp_path,
    )
    assert re.search(r"config\.toml:7: \[\[runs\]\] unknown day \"thurs\"", message)


def test_an_unknown_run_key_suggests_the_right_one(tmp_path: Path) -> None:
    message = error_for('[[runs]]\ndays = ["tue"]\ntime = "18:15"\nduraton = "50m"\n', tmp_path)
    assert ':4: [[runs]] unknown key "duraton"' in message
    assert 'did you mean "duration"' in message


def test_a_run_kind_typo_suggests_the_kind(tmp_path: Path) -> None:
    message = error_for(
        '[[runs]]\ndays = ["sun"]\ntime = "09:00"\nduration = "2h"\nkind = "lnog"\n', tmp_path
    )
    assert "unknown kind 'lnog'" in message and 'did you mean "long"' in message


@pytest.mark.parametrize("duration", ['"fifty"', '"0m"', '"13h"', "true"])
def test_a_bad_duration_says_how_to_write_one(tmp_path: Path, duration: str) -> None:
    message = error_for(
        f'[[runs]]\ndays = ["sun"]\ntime = "09:00"\nduration = {duration}\n', tmp_path
    )
    assert ':4: [[runs]] duration must be like "50m" or "1h45m"' in message


def test_a_run_without_a_time_says_what_is_missing(tmp_path: Path) -> None:
    message = error_for('[[runs]]\ndays = ["sun"]\nduration = "1h"\n', tmp_path)
    assert ':1: [[runs]] needs time = "18:15"' in message


def test_a_bad_time_of_day_is_refused(tmp_path: Path) -> None:
    message = error_for('[[runs]]\ndays = ["sun"]\ntime = "25:00"\nduration = "1h"\n', tmp_path)
    assert ':3: [[runs]] time must be "HH:MM"' in message


def test_runs_written_as_a_single_table_explain_the_double_brackets(tmp_path: Path) -> None:
    message = error_for('[runs]\ndays = ["sun"]\n', tmp_path)
    assert "write [[runs]], not [runs]" in message


def test_a_negative_warmup_lead_is_refused(tmp_path: Path) -> None:
    message = error_for("[run_prompts]\nwarmup_lead = -5\n", tmp_path)
    assert ":2: [run_prompts] warmup_lead must be a whole number of minutes" in message


def test_sync_every_below_an_hour_is_refused(tmp_path: Path) -> None:
    message = error_for("[calendar]\nsync_every = 5\n", tmp_path)
    assert ":2: [calendar] sync_every must be 0" in message


def test_run_keywords_must_be_words(tmp_path: Path) -> None:
    message = error_for('[calendar]\nrun_keywords = "run"\n', tmp_path)
    assert "run_keywords must be a list of words" in message
