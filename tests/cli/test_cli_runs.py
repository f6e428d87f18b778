"""`deskbreak runs`, `calendar`, and the run lines of `schedule` and `stats`, in-process."""

from __future__ import annotations

import json
import os
import stat
from datetime import datetime, time, timedelta
from pathlib import Path

from typer.testing import CliRunner

from deskbreak.cli.app import _register_commands, app
from deskbreak.errors import DeskbreakError
from deskbreak.store.history import History

FIXTURE = Path(__file__).parent.parent / "calendar" / "fixtures" / "dst-week.ics"
RUNS = """
[schedule]
timezone = "Europe/Berlin"

[[runs]]
days = ["tue", "thu"]
time = "18:15"
duration = "50m"

[[runs]]
days = ["sun"]
time = "09:00"
duration = "1h45m"
kind = "long"
"""


def invoke(config: Path, *args: str) -> tuple[int, str]:
    _register_commands()
    result = CliRunner().invoke(app, ["--config", str(config), *args])
    if isinstance(result.exception, DeskbreakError):  # as main() reports it
        return result.exception.exit_code, result.output + str(result.exception)
    return result.exit_code, result.output


def write_config(tmp_path: Path, text: str = RUNS) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_runs_lists_the_weeks_runs_with_their_prompts(tmp_path: Path) -> None:
    code, out = invoke(write_config(tmp_path), "runs", "--date", "2026-11-23", "--json")
    assert code == 0
    document = json.loads(out)
    assert [(r["start"], r["warmup_prompt"], r["cooldown_prompt"]) for r in document["runs"]] == [
        ("2026-11-24T18:15+01:00", "2026-11-24T18:05+01:00", "2026-11-24T19:20+01:00"),
        ("2026-11-26T18:15+01:00", "2026-11-26T18:05+01:00", "2026-11-26T19:20+01:00"),
        ("2026-11-29T09:00+01:00", "2026-11-29T08:50+01:00", "2026-11-29T11:00+01:00"),
    ]
    assert document["lean_days"] == ["2026-11-23", "2026-11-24", "2026-11-26", "2026-11-29"]


def test_runs_without_any_planned_says_how_to_plan_one(tmp_path: Path) -> None:
    code, out = invoke(write_config(tmp_path, ""), "runs")
    assert code == 0 and "add [[runs]]" in out


def test_schedule_shows_the_run_prompts_between_the_reminders(tmp_path: Path) -> None:
    config = write_config(tmp_path, RUNS.replace('"18:15"', '"12:15"'))
    code, out = invoke(config, "schedule", "--date", "2026-11-24")
    assert code == 0
    lines = [line.strip() for line in out.splitlines()]
    warmup = lines.index("12:05  warm-up prompt for the 12:15 run")
    assert lines[warmup - 1].startswith("12:00") and lines[warmup + 1].startswith("12:30")
    assert "13:20  cool-down prompt for the 12:15 run" in lines


def test_a_calendar_is_added_listed_and_removed(tmp_path: Path) -> None:
    config = write_config(tmp_path)
    code, out = invoke(config, "calendar", "add", str(FIXTURE), "--name", "work")
    assert code == 0 and 'added calendar "work"' in out
    listing = Path(os.environ["XDG_DATA_HOME"]) / "deskbreak" / "calendars.json"
    assert stat.S_IMODE(listing.stat().st_mode) == 0o600
    code, out = invoke(config, "calendar", "list", "--json")
    assert [c["name"] for c in json.loads(out)["calendars"]] == ["work"]
    code, out = invoke(config, "calendar", "remove", "work")
    assert code == 0 and 'removed calendar "work"' in out
    code, out = invoke(config, "calendar", "list")
    assert "no calendars" in out


def test_a_feed_address_is_redacted_in_the_list(tmp_path: Path) -> None:
    from deskbreak.calendar.sources import CalendarSource, SourceList

    listing = Path(os.environ["XDG_DATA_HOME"]) / "deskbreak" / "calendars.json"
    SourceList(listing).add(
        CalendarSource("work", "https://cal.example.org/private/abc123/basic.ics?key=zzz")
    )
    code, out = invoke(write_config(tmp_path), "calendar", "list")
    assert code == 0
    assert "https://cal.example.org/…" in out
    assert "abc123" not in out and "zzz" not in out


def test_calendar_runs_only_and_busy_only_together_are_refused(tmp_path: Path) -> None:
    code, out = invoke(
        write_config(tmp_path), "calendar", "add", str(FIXTURE), "--runs-only", "--busy-only"
    )
    assert code == 2 and "choose one of --runs-only and --busy-only" in out


def test_stats_counts_runs_with_a_warmup_and_a_cooldown(tmp_path: Path) -> None:
    from zoneinfo import ZoneInfo

    zone = ZoneInfo("Europe/Berlin")
    everyday = '[schedule]\ntimezone = "Europe/Berlin"\n[[runs]]\ndays = ["mon", "tue", "wed", '
    everyday += '"thu", "fri", "sat", "sun"]\ntime = "06:00"\nduration = "30m"\n'
    yesterday = datetime.now(zone).date() - timedelta(days=1)
    run_start = datetime.combine(yesterday, time(6, 0), zone)
    database = Path(os.environ["XDG_DATA_HOME"]) / "deskbreak" / "history.sqlite3"
    with History(database) as history:
        history.record_routine(
            "prerun", run_start - timedelta(minutes=8), run_start - timedelta(minutes=2), True, 6, 6
        )
        history.record_routine(
            "postrun",
            run_start + timedelta(minutes=45),
            run_start + timedelta(minutes=55),
            True,
            6,
            6,
        )
    code, out = invoke(write_config(tmp_path, everyday), "stats", "--days", "3", "--json")
    assert code == 0
    runs = json.loads(out)["runs"]
    assert runs["runs"] >= 2
    assert (runs["warmed_up"], runs["cooled_down"], runs["both"]) == (1, 1, 1)
