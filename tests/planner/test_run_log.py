from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from deskbreak.planner.run_log import run_records, totals
from deskbreak.planner.runs import Run

ZONE = ZoneInfo("Europe/Berlin")


def at(day: int, clock: str) -> datetime:
    return datetime.fromisoformat(f"2026-11-{day:02d}T{clock}").replace(tzinfo=ZONE)


def run(day: int, clock: str, minutes: int = 50) -> Run:
    start = at(day, clock)
    return Run(start, start + timedelta(minutes=minutes), "easy", "config")


def test_a_warmup_before_and_a_cooldown_after_count_for_the_run() -> None:
    records = run_records([run(24, "18:15")], [at(24, "18:02")], [at(24, "19:25")])
    assert [(r.warmed_up, r.cooled_down) for r in records] == [(True, True)]


def test_a_routine_hours_away_from_any_run_counts_for_none() -> None:
    records = run_records([run(24, "18:15")], [at(24, "12:00")], [at(24, "23:30")])
    assert [(r.warmed_up, r.cooled_down) for r in records] == [(False, False)]


def test_one_warmup_serves_only_the_nearest_of_two_close_runs() -> None:
    runs = [run(24, "07:00", 30), run(24, "08:30", 30)]
    records = run_records(runs, [at(24, "08:20")], [])
    assert [r.warmed_up for r in records] == [False, True]


def test_totals_count_runs_with_each_and_with_both() -> None:
    runs = [run(24, "18:15"), run(26, "18:15"), run(29, "09:00", 105)]
    records = run_records(runs, [at(24, "18:05"), at(29, "08:50")], [at(24, "19:20")])
    result = totals(records)
    assert (result.runs, result.warmed_up, result.cooled_down, result.both) == (3, 2, 1, 1)
