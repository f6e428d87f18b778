"""Stats per local day (DST included), the streak, and the `stats` / `history` commands."""

from __future__ import annotations

import csv
import io
import json
import random
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from typer.testing import CliRunner

import deskbreak.cli.commands_stats as commands_stats
from deskbreak.cli.app import app
from deskbreak.errors import UsageError
from deskbreak.store.history import Answer, AnswerCounts, History
from deskbreak.store.stats import (
    DayStats,
    compute_stats,
    current_streak,
    day_spans,
    local_midnight,
    midnights,
    roll_up,
)

BERLIN = ZoneInfo("Europe/Berlin")


@pytest.fixture
def history(tmp_path: Path) -> Iterator[History]:
    with History(tmp_path / "history.sqlite3") as h:
        yield h


def local(day: date, hour: int, minute: int = 0, tz: ZoneInfo = BERLIN) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=tz)


def remind(h: History, when: datetime, answer: Answer | None = "done", area: str = "neck") -> int:
    rid = h.record_reminder(when, f"{area}-move", area, "console")
    if answer is not None:
        h.record_answer(rid, answer, when + timedelta(minutes=1))
    return rid


def day_row(stats_days: tuple[DayStats, ...], day: date) -> DayStats:
    [row] = [d for d in stats_days if d.day == day]
    return row


# --- local days -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "zone", ["Europe/Berlin", "America/Santiago", "Australia/Lord_Howe", "Asia/Kolkata", "UTC"]
)
def test_midnights_agree_with_local_midnight_through_a_year_of_dst_changes(zone: str) -> None:
    tz = ZoneInfo(zone)
    first = date(2025, 1, 1)
    expected = [int(local_midnight(first + timedelta(days=i), tz).timestamp()) for i in range(366)]
    assert midnights(tz, first, 365) == expected


def test_a_dst_change_day_is_a_span_of_its_own() -> None:
    spans = day_spans(BERLIN, date(2025, 3, 29), date(2025, 3, 31))
    assert [(s.first, s.seconds) for s in spans] == [(0, 86400), (1, 23 * 3600), (2, 86400)]


def test_reminders_near_midnight_land_on_their_local_day_across_both_dst_changes(
    history: History,
) -> None:
    spring, autumn = date(2025, 3, 30), date(2025, 10, 26)
    for day in (spring, autumn):
        remind(history, local(day, 0, 30))
        remind(history, local(day, 23, 30))
        remind(history, local(day - timedelta(days=1), 23, 30))
        remind(history, local(day + timedelta(days=1), 0, 30))
    for day in (spring, autumn):
        stats = compute_stats(
            history, BERLIN, day - timedelta(days=1), day + timedelta(days=1), day
        )
        assert [d.sent for d in stats.days] == [1, 2, 1]


@pytest.mark.parametrize("zone", ["Europe/Berlin", "America/Santiago", "Australia/Lord_Howe"])
def test_per_day_counts_match_converting_each_reminder_to_local_time(
    history: History, zone: str
) -> None:
    tz = ZoneInfo(zone)
    rnd = random.Random(zone)
    start = datetime(2024, 12, 1, tzinfo=UTC)
    moments = [start + timedelta(seconds=rnd.randrange(400 * 86400)) for _ in range(1500)]
    with history.transaction():
        for moment in moments:
            remind(history, moment, answer=rnd.choice(["done", "skipped", None]))
    first, last = date(2024, 12, 2), date(2025, 12, 31)
    stats = compute_stats(history, tz, first, last, last)
    expected = Counter(m.astimezone(tz).date() for m in moments)
    assert {d.day: d.sent for d in stats.days if d.sent} == {
        day: n for day, n in expected.items() if first <= day <= last
    }


# --- what compute_stats reports ---------------------------------------------------------------


def test_every_day_of_the_range_has_a_row_and_the_totals_add_up(history: History) -> None:
    monday = date(2026, 11, 23)
    remind(history, local(monday, 9), "done")
    remind(history, local(monday, 10), "snoozed")
    remind(history, local(monday, 11), None)
    remind(history, local(monday + timedelta(days=2), 9), "skipped")
    remind(history, local(monday + timedelta(days=2), 10), "ignored")
    stats = compute_stats(history, BERLIN, monday, monday + timedelta(days=6), monday)
    assert [d.day for d in stats.days] == [monday + timedelta(days=i) for i in range(7)]
    assert day_row(stats.days, monday) == DayStats(monday, sent=3, done=1, snoozed=1)
    assert day_row(stats.days, monday + timedelta(days=1)) == DayStats(monday + timedelta(days=1))
    assert stats.totals == AnswerCounts(sent=5, done=1, snoozed=1, skipped=1, ignored=1)


def test_moves_done_are_counted_by_area_most_first_and_only_inside_the_range(
    history: History,
) -> None:
    day = date(2026, 11, 23)
    remind(history, local(day, 9), "done", area="hips")
    remind(history, local(day, 10), "done", area="neck")
    remind(history, local(day, 11), "done", area="hips")
    remind(history, local(day, 12), "skipped", area="legs")
    remind(history, local(day - timedelta(days=1), 12), "done", area="legs")
    stats = compute_stats(history, BERLIN, day, day, day)
    assert stats.done_by_area == (("hips", 2), ("neck", 1))


def test_routines_are_counted_per_day_and_by_name(history: History) -> None:
    day = date(2026, 11, 23)
    history.record_routine("prerun", local(day, 7), local(day, 7, 10), True, 8, 8)
    history.record_routine("postrun", local(day, 8), local(day, 8, 3), False, 2, 6)
    history.record_routine("prerun", local(day, 23, 50), local(day, 23, 59), True, 8, 8)
    stats = compute_stats(history, BERLIN, day, day + timedelta(days=1), day)
    assert (stats.days[0].routines, stats.days[0].routines_completed) == (3, 2)
    assert stats.days[1].routines == 0
    assert stats.routines_by_name == (("prerun", 2), ("postrun", 1))


def test_a_range_ending_before_it_starts_is_an_error(history: History) -> None:
    with pytest.raises(ValueError, match="before"):
        compute_stats(history, BERLIN, date(2026, 1, 2), date(2026, 1, 1), date(2026, 1, 2))


# --- the streak -------------------------------------------------------------------------------

FRIDAY = date(2026, 11, 27)


def test_an_empty_history_has_no_streak(history: History) -> None:
    assert current_streak(history, BERLIN, FRIDAY) == 0


def test_a_weekend_without_reminders_does_not_break_the_streak(history: History) -> None:
    for back in range(8):  # Fri..Mon of this week and Fri of the last; Sat and Sun empty
        day = FRIDAY - timedelta(days=back)
        if day.weekday() < 5:
            remind(history, local(day, 10), "done")
    remind(history, local(FRIDAY - timedelta(days=8), 10), "done")  # last Thursday
    assert current_streak(history, BERLIN, FRIDAY) == 7


def test_a_day_with_reminders_but_none_done_breaks_the_streak(history: History) -> None:
    remind(history, local(FRIDAY, 10), "done")
    remind(history, local(FRIDAY - timedelta(days=1), 10), "done")
    remind(history, local(FRIDAY - timedelta(days=2), 10), "skipped")
    remind(history, local(FRIDAY - timedelta(days=2), 11), None)
    remind(history, local(FRIDAY - timedelta(days=3), 10), "done")
    assert current_streak(history, BERLIN, FRIDAY) == 2


def test_today_without_a_move_done_yet_neither_counts_nor_breaks(history: History) -> None:
    remind(history, local(FRIDAY, 9), "snoozed")
    remind(history, local(FRIDAY - timedelta(days=1), 10), "done")
    remind(history, local(FRIDAY - timedelta(days=2), 10), "done")
    assert current_streak(history, BERLIN, FRIDAY) == 2
    remind(history, local(FRIDAY, 10), "done")
    assert current_streak(history, BERLIN, FRIDAY) == 3


def test_a_streak_longer_than_the_first_look_back_is_counted_whole(history: History) -> None:
    with history.transaction():
        for back in range(300):
            remind(history, local(FRIDAY - timedelta(days=back), 10), "done")
    remind(history, local(FRIDAY - timedelta(days=300), 10), "ignored")
    assert current_streak(history, BERLIN, FRIDAY) == 300
    week = compute_stats(history, BERLIN, FRIDAY - timedelta(days=6), FRIDAY, FRIDAY)
    past = compute_stats(history, BERLIN, date(2026, 1, 1), date(2026, 1, 31), FRIDAY)
    assert week.streak_days == past.streak_days == 300


# --- the commands -----------------------------------------------------------------------------


@pytest.fixture
def configured(isolated_dirs: Path) -> Path:
    """A config that fixes the stats zone; returns the database path the CLI will use."""
    config = isolated_dirs / "config" / "deskbreak" / "config.toml"
    config.parent.mkdir(parents=True)
    config.write_text('[schedule]\ntimezone = "Europe/Berlin"\n', encoding="utf-8")
    return isolated_dirs / "data" / "deskbreak" / "history.sqlite3"


def run(*args: str) -> str:
    result = CliRunner().invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return result.output


def fill(database: Path) -> date:
    """Two reminders, a routine and a pause so far today, two reminders yesterday and a start
    the day before (all in the past whatever the hour); returns today."""
    now = datetime.now(BERLIN)
    today = now.date()

    def so_far(fraction: float) -> datetime:
        return local(today, 0) + (now - local(today, 0)) * fraction

    with History(database) as h:
        h.record_event("start", local(today - timedelta(days=2), 8))
        yesterday = local(today - timedelta(days=1), 12)
        for when in (yesterday, so_far(0.5)):
            remind(h, when, "done", area="hips")
            remind(h, when + (now - when) / 10, "skipped", area="neck")
        h.record_routine("prerun", so_far(0.1), so_far(0.2), True, 8, 8)
        h.record_event("pause", now, "1h")
    return today


def test_stats_without_a_database_says_how_to_start(configured: Path) -> None:
    assert "no history yet" in run("stats")
    assert "no history yet" in run("history")
    assert not configured.exists()


def test_stats_json_without_a_database_is_empty_structures(configured: Path) -> None:
    doc = json.loads(run("stats", "--json"))
    assert doc["days"] == [] and doc["done_by_area"] == {} and doc["routines"] == {}
    assert doc["streak_days"] == 0
    assert doc["totals"] == {
        **{key: 0 for key in ("sent", "done", "snoozed", "skipped", "ignored")},
        **{key: 0 for key in ("dismissed", "away", "missed", "deferred", "seen")},
        "done_rate": None,
    }
    assert json.loads(run("history", "--json")) == {"events": []}
    assert run("stats", "--csv").splitlines() == [",".join(commands_stats.CSV_COLUMNS)]


def test_stats_json_reports_the_last_seven_local_days_by_default(configured: Path) -> None:
    today = fill(configured)
    doc = json.loads(run("stats", "--json"))
    assert doc["timezone"] == "Europe/Berlin"
    assert doc["start"] == (today - timedelta(days=6)).isoformat()
    assert doc["end"] == doc["today"] == today.isoformat()
    assert len(doc["days"]) == 7
    assert doc["days"][-1] == {
        "date": today.isoformat(),
        "sent": 2,
        "done": 1,
        "snoozed": 0,
        "skipped": 1,
        "ignored": 0,
        "routines": 1,
        "routines_completed": 1,
    }
    assert doc["done_by_area"] == {"hips": 2}
    assert doc["routines"] == {"prerun": 1}
    assert doc["streak_days"] == 2


def test_stats_csv_has_a_header_and_a_row_per_day(configured: Path) -> None:
    today = fill(configured)
    rows = list(csv.DictReader(io.StringIO(run("stats", "--csv", "--days", "2"))))
    assert [row["date"] for row in rows] == [
        (today - timedelta(days=1)).isoformat(),
        today.isoformat(),
    ]
    assert rows[1]["sent"] == "2" and rows[1]["routines"] == "1"


def test_week_and_month_start_on_monday_and_the_first(configured: Path) -> None:
    today = fill(configured)
    week = json.loads(run("stats", "--json", "--week"))
    month = json.loads(run("stats", "--json", "--month"))
    assert date.fromisoformat(week["start"]) == today - timedelta(days=today.weekday())
    assert date.fromisoformat(month["start"]) == today.replace(day=1)
    assert week["end"] == month["end"] == today.isoformat()


def test_stats_text_shows_the_chart_the_areas_and_the_streak(configured: Path) -> None:
    fill(configured)
    out = run("stats")
    assert "█" in out and "Streak: 2 days" in out and "hips" in out and "prerun 1" in out


@pytest.mark.parametrize(
    "args", [["--json", "--csv"], ["--week", "--month"], ["--days", "3", "--week"], ["-d", "0"]]
)
def test_conflicting_or_empty_ranges_are_usage_errors(configured: Path, args: list[str]) -> None:
    result = CliRunner().invoke(app, ["stats", *args])
    assert isinstance(result.exception, UsageError)


def test_history_lists_events_newest_first(configured: Path) -> None:
    fill(configured)
    lines = run("history").splitlines()
    assert "pause" in lines[0] and "1h" in lines[0]
    assert any("routine" in line and "finished, 8/8 steps" in line for line in lines)
    assert "start" in lines[-1]


def test_history_json_gives_local_iso_times_and_honours_the_limit(configured: Path) -> None:
    fill(configured)
    events = json.loads(run("history", "--json", "--limit", "3"))["events"]
    assert len(events) == 3
    assert events[0]["kind"] == "pause"
    assert [e["at"] for e in events] == sorted((e["at"] for e in events), reverse=True)
    reminder = next(e for e in events if e["kind"] == "reminder")
    assert set(reminder) >= {"at", "kind", "detail", "area", "backend", "answer", "answered_at"}
    assert datetime.fromisoformat(reminder["at"]).utcoffset() == BERLIN.utcoffset(
        datetime.fromisoformat(reminder["at"]).replace(tzinfo=None)
    )


def test_bars_scale_to_the_widest_day_and_stay_exact_below_it() -> None:
    counts = {"done": 30, "snoozed": 10, "skipped": 5, "ignored": 3}
    assert len(commands_stats.bar(counts, scale=48, width=24)) == 24
    small = {"done": 3, "snoozed": 1, "skipped": 0, "ignored": 1}
    assert commands_stats.bar(small, scale=16, width=24).plain == "███▒·"


def test_two_of_three_done_reads_67_percent_not_66() -> None:
    assert commands_stats.percent(2, 3) == "67%"
    assert commands_stats.percent(1, 3) == "33%"


def test_a_range_longer_than_the_limit_is_a_usage_error_naming_it(configured: Path) -> None:
    result = CliRunner().invoke(app, ["stats", "--days", "800000"])
    assert isinstance(result.exception, UsageError)
    assert "from 1 to 3660, got 800000" in str(result.exception)


def test_days_roll_up_into_weeks_with_the_counts_kept() -> None:
    first = date(2026, 11, 18)  # a Wednesday: its week is cut by the range
    days = [DayStats(first + timedelta(days=n), sent=2, done=1) for n in range(12)]
    weeks = roll_up(days, "week")
    assert [(w.first, w.last) for w in weeks] == [
        (date(2026, 11, 18), date(2026, 11, 22)),
        (date(2026, 11, 23), date(2026, 11, 29)),
    ]
    assert [w.counts.sent for w in weeks] == [10, 14]
    assert sum(w.counts.done for w in weeks) == 12


def test_five_years_of_stats_chart_fits_one_screen(configured: Path) -> None:
    fill(configured)
    out = run("stats", "--days", "1825")
    assert len(out.splitlines()) < 45
    assert " Q" in out and "quarter" in out


def test_history_shows_move_names_and_local_times_not_ids_and_iso(configured: Path) -> None:
    now = datetime.now(BERLIN).replace(second=0, microsecond=0)
    with History(configured) as h:
        h.record_reminder(now - timedelta(minutes=5), "chin-tucks", "neck", "console")
        h.record_event("pause", now, (now + timedelta(minutes=45)).astimezone(UTC).isoformat())
    lines = run("history").splitlines()
    until = now + timedelta(minutes=45)
    expected = f"{until:%H:%M}" if until.date() == now.date() else f"{until:%Y-%m-%d %H:%M}"
    assert lines[0].endswith(f"pause     {expected}")
    assert "Chin tucks" in lines[1] and "chin-tucks" not in lines[1]


def test_away_missed_dismissed_and_deferred_are_counted_apart_from_ignored(
    history: History,
) -> None:
    monday = date(2026, 11, 23)
    for hour, answer in enumerate(["done", "away", "missed", "dismissed", "ignored"], start=9):
        remind(history, local(monday, hour), answer)  # type: ignore[arg-type]
    history.record_event("held", local(monday, 11), "do not disturb is on")
    stats = compute_stats(history, BERLIN, monday, monday, monday)
    assert stats.totals == AnswerCounts(sent=5, done=1, ignored=1, dismissed=1, away=1, missed=1)
    assert stats.deferred == 1
    assert stats.totals.seen == 3  # the done rate is 1 of 3: away and missed were never seen
