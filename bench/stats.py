"""How fast is `deskbreak stats` over five years of history? Target: at most 100 ms.

Builds five years of synthetic history in a temporary file (16 reminders per workday, most
answered, a few routines a week, daemon starts and stops), then times `compute_stats` for
the last 7 days, this month and all five years, and prints the median of several runs. Then
it times the whole command as a user runs it (the installed `deskbreak stats`, start-up,
config, query and chart) and counts the lines it prints.

    python bench/stats.py [--runs 15] [--tz Europe/Berlin]
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date, datetime, timedelta
from functools import partial
from pathlib import Path
from zoneinfo import ZoneInfo

from deskbreak.store.history import Answer, History
from deskbreak.store.stats import compute_stats

AREAS = ("neck", "shoulders", "upper-back", "mid-back", "lower-back", "chest", "hips", "legs")
ANSWERS: tuple[Answer | None, ...] = ("done",) * 12 + (
    "snoozed",
    "snoozed",
    "skipped",
    "ignored",
    None,
)
TARGET_MS = 100.0


def build(history: History, tz: ZoneInfo, first: date, last: date, seed: int = 7) -> int:
    """Fill `history` with synthetic workdays first..last; returns the number of reminders."""
    rnd = random.Random(seed)
    sent = 0
    day = first
    with history.transaction():
        while day <= last:
            if day.weekday() < 5:
                history.record_event("start", datetime.combine(day, datetime.min.time(), tz))
                for slot in range(16):
                    at = datetime(day.year, day.month, day.day, 9, tzinfo=tz)
                    at += timedelta(minutes=30 * slot, seconds=rnd.randrange(60))
                    area = rnd.choice(AREAS)
                    rid = history.record_reminder(
                        at, f"{area}-move-{slot % 3}", area, "notify-send"
                    )
                    answer = rnd.choice(ANSWERS)
                    if answer is not None:
                        when = at + timedelta(seconds=rnd.randrange(20, 600))
                        history.record_answer(rid, answer, when)
                    sent += 1
                if rnd.random() < 0.4:
                    name = rnd.choice(("prerun", "postrun"))
                    start = datetime(day.year, day.month, day.day, 18, tzinfo=tz)
                    done = rnd.choice((6, 8, 8, 8))
                    history.record_routine(
                        name, start, start + timedelta(minutes=done), done == 8, done, 8
                    )
                stop = datetime(day.year, day.month, day.day, 17, 45, tzinfo=tz)
                history.record_event("stop", stop)
            day += timedelta(days=1)
    return sent


def timed_ms(run: Callable[[], object], runs: int) -> tuple[float, float]:
    """Median and fastest of `runs` calls, in milliseconds."""
    times = []
    for _ in range(runs):
        begin = time.perf_counter()
        run()
        times.append((time.perf_counter() - begin) * 1000)
    return statistics.median(times), min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--tz", default="Europe/Berlin")
    args = parser.parse_args()
    tz = ZoneInfo(args.tz)
    today = date(2026, 11, 27)  # a Friday; fixed so runs are comparable
    first = today.replace(year=today.year - 5) + timedelta(days=1)

    with tempfile.TemporaryDirectory(prefix="deskbreak-bench-") as folder:
        path = Path(folder) / "history.sqlite3"
        history = History(path)
        begin = time.perf_counter()
        sent = build(history, tz, first, today)
        build_s = time.perf_counter() - begin
        history.query("PRAGMA wal_checkpoint(TRUNCATE)")
        size_mib = path.stat().st_size / 2**20
        print(
            f"history: {sent} reminders, {first} to {today} ({args.tz}), built in {build_s:.1f} s"
        )
        print(f"database size: {size_mib:.1f} MiB")

        ranges = {
            "--days 7": today - timedelta(days=6),
            "--month": today.replace(day=1),
            "5 years": first,
        }
        worst = 0.0
        for label, start in ranges.items():
            stats = compute_stats(history, tz, start, today, today)  # warm the page cache
            ms, best = timed_ms(partial(compute_stats, history, tz, start, today, today), args.runs)
            worst = max(worst, ms)
            shape = f"{len(stats.days)} days, streak {stats.streak_days}"
            print(f"compute_stats {label:>8}: {ms:6.1f} ms median, {best:6.1f} ms best  ({shape})")
        history.close()

        def cold() -> object:
            with History(path) as fresh:
                return compute_stats(fresh, tz, first, today, today)

        ms, best = timed_ms(cold, args.runs)
        worst = max(worst, ms)
        print(f"open + compute 5 years: {ms:6.1f} ms median, {best:6.1f} ms best")
        time_the_command(path, args.tz, max(5, args.runs // 3))
    verdict = "OK" if worst <= TARGET_MS else "OVER TARGET"
    print(
        f"{args.runs} runs each; target {TARGET_MS:.0f} ms: {verdict}, worst median {worst:.1f} ms"
    )


def time_the_command(database: Path, zone: str, runs: int) -> None:
    """The installed `deskbreak stats` end to end against `database` (moved where it looks)."""
    exe = Path(sys.executable).with_name("deskbreak")
    if not exe.exists():
        print(f"the whole command: skipped ({exe} is not installed)")
        return
    root = database.parent
    data = root / "data" / "deskbreak"
    data.mkdir(parents=True)
    database.rename(data / "history.sqlite3")
    config = root / "config.toml"
    config.write_text(f'[schedule]\ntimezone = "{zone}"\n', encoding="utf-8")
    env = {**os.environ, "XDG_DATA_HOME": str(root / "data"), "COLUMNS": "100"}
    for args in (["--days", "7"], ["--month"], ["--days", "1825"]):
        command = [str(exe), "--config", str(config), "stats", *args]

        def once(command: list[str] = command) -> subprocess.CompletedProcess[str]:
            return subprocess.run(command, env=env, capture_output=True, text=True, check=True)

        lines = len(once().stdout.splitlines())
        ms, best = timed_ms(once, runs)
        label = f"deskbreak stats {' '.join(args)}"
        print(f"{label:<28}: {ms:4.0f} ms median, {best:4.0f} ms best, {lines} lines")


if __name__ == "__main__":
    main()
