from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from deskbreak.planner.runs import (
    CalendarWindow,
    RunPlan,
    RunsConfig,
    leans_toward_running,
    next_prompt,
    prompts_between,
    runs_between,
)

BERLIN = ZoneInfo("Europe/Berlin")
TUE_THU = RunPlan((1, 3), 18 * 60 + 15, timedelta(minutes=50), "easy")
SUNDAY_LONG = RunPlan((6,), 9 * 60, timedelta(hours=1, minutes=45), "long")
RUNS = RunsConfig((TUE_THU, SUNDAY_LONG))


def at(day: str, clock: str) -> datetime:
    return datetime.fromisoformat(f"{day}T{clock}").replace(tzinfo=BERLIN)


def test_a_week_of_configured_runs_in_order() -> None:
    # 2026-11-23 is a Monday.
    runs = runs_between(RUNS, [], BERLIN, at("2026-11-23", "00:00"), at("2026-11-30", "00:00"))
    assert [(r.start, r.end, r.kind) for r in runs] == [
        (at("2026-11-24", "18:15"), at("2026-11-24", "19:05"), "easy"),
        (at("2026-11-26", "18:15"), at("2026-11-26", "19:05"), "easy"),
        (at("2026-11-29", "09:00"), at("2026-11-29", "10:45"), "long"),
    ]


def test_warmup_comes_the_lead_before_and_cooldown_the_grace_after_the_run() -> None:
    prompts = prompts_between(
        RUNS, [], BERLIN, at("2026-11-24", "00:00"), at("2026-11-24", "23:59")
    )
    assert [(p.kind, p.at) for p in prompts] == [
        ("warmup", at("2026-11-24", "18:05")),
        ("cooldown", at("2026-11-24", "19:20")),
    ]


def test_a_custom_lead_and_grace_move_the_prompts() -> None:
    runs = RunsConfig((TUE_THU,), timedelta(minutes=30), timedelta(minutes=0))
    prompt = next_prompt(runs, [], BERLIN, at("2026-11-24", "12:00"))
    assert prompt is not None and prompt.at == at("2026-11-24", "17:45")
    after = next_prompt(runs, [], BERLIN, prompt.at)
    assert after is not None and (after.kind, after.at) == ("cooldown", at("2026-11-24", "19:05"))


def test_next_prompt_after_the_warmup_is_that_runs_cooldown() -> None:
    prompt = next_prompt(RUNS, [], BERLIN, at("2026-11-24", "18:05"))
    assert prompt is not None
    assert prompt.kind == "cooldown" and prompt.run.start == at("2026-11-24", "18:15")


def test_no_runs_configured_means_no_prompts() -> None:
    assert next_prompt(RunsConfig(), [], BERLIN, at("2026-11-24", "12:00")) is None


def test_a_run_keeps_its_local_time_across_the_dst_change() -> None:
    # Europe/Berlin leaves summer time on Sunday 2026-10-25.
    before = runs_between(RUNS, [], BERLIN, at("2026-10-18", "00:00"), at("2026-10-19", "00:00"))
    after = runs_between(RUNS, [], BERLIN, at("2026-10-25", "00:00"), at("2026-10-26", "00:00"))
    assert before[0].start.astimezone(UTC).hour == 7
    assert after[0].start.astimezone(UTC).hour == 8
    assert after[0].start == at("2026-10-25", "09:00")
    assert after[0].end - after[0].start == timedelta(hours=1, minutes=45)


def test_a_calendar_run_replaces_the_configured_run_it_overlaps() -> None:
    moved = CalendarWindow(at("2026-11-24", "18:30"), at("2026-11-24", "19:30"), True, True)
    runs = runs_between(RUNS, [moved], BERLIN, at("2026-11-24", "00:00"), at("2026-11-25", "00:00"))
    assert [(r.start, r.source) for r in runs] == [(at("2026-11-24", "18:30"), "calendar")]


def test_a_calendar_run_on_a_free_day_is_added() -> None:
    extra = CalendarWindow(at("2026-11-25", "07:00"), at("2026-11-25", "07:40"), True, True)
    runs = runs_between(RUNS, [extra], BERLIN, at("2026-11-23", "00:00"), at("2026-11-30", "00:00"))
    assert len(runs) == 4 and runs[1].start == at("2026-11-25", "07:00")


def test_an_all_day_run_uses_that_weekdays_configured_time() -> None:
    thursday = CalendarWindow(
        datetime(2026, 11, 26, tzinfo=UTC), datetime(2026, 11, 27, tzinfo=UTC), False, True, True
    )
    runs = runs_between(
        RUNS, [thursday], BERLIN, at("2026-11-26", "00:00"), at("2026-11-27", "00:00")
    )
    assert [(r.start, r.end, r.source) for r in runs] == [
        (at("2026-11-26", "18:15"), at("2026-11-26", "19:05"), "calendar")
    ]


def test_an_all_day_run_on_a_day_without_a_configured_run_starts_at_six_pm() -> None:
    saturday = CalendarWindow(
        datetime(2026, 11, 28, tzinfo=UTC), datetime(2026, 11, 29, tzinfo=UTC), False, True, True
    )
    prompts = prompts_between(
        RUNS, [saturday], BERLIN, at("2026-11-28", "00:00"), at("2026-11-28", "23:00")
    )
    assert [(p.kind, p.at) for p in prompts] == [
        ("warmup", at("2026-11-28", "17:50")),
        ("cooldown", at("2026-11-28", "19:15")),
    ]


def test_busy_meetings_are_not_runs() -> None:
    meeting = CalendarWindow(at("2026-11-25", "10:00"), at("2026-11-25", "11:00"), True, False)
    runs = runs_between(
        RUNS, [meeting], BERLIN, at("2026-11-25", "00:00"), at("2026-11-26", "00:00")
    )
    assert runs == []


def test_the_rotation_leans_on_run_days_and_the_day_after_a_long_run_only() -> None:
    lean = {
        day: leans_toward_running(RUNS, [], BERLIN, date(2026, 11, 23) + timedelta(days=day))
        for day in range(8)
    }
    # Mon (after Sunday's long run), Tue run, Wed no, Thu run, Fri no, Sat no, Sun long run,
    # Mon again.
    assert lean == {0: True, 1: True, 2: False, 3: True, 4: False, 5: False, 6: True, 7: True}


def test_a_long_calendar_run_leans_the_next_day_too() -> None:
    long_run = CalendarWindow(at("2026-11-25", "06:00"), at("2026-11-25", "08:00"), True, True)
    assert leans_toward_running(RunsConfig(), [long_run], BERLIN, date(2026, 11, 26))
    assert not leans_toward_running(RunsConfig(), [long_run], BERLIN, date(2026, 11, 27))
