"""`deskbreak calendar sync` on a large calendar, and the daemon's memory with calendars.

    python bench/calendar_sync.py [--events 2000] [--years 5] [--runs 5]

Targets (issue 13): a sync of a 5-year calendar with 2,000 events <= 1 s; the daemon's RSS
unchanged by calendars (it never imports icalendar). Prints figures, asserts nothing.
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
from datetime import date, datetime, timedelta
from pathlib import Path

DESKBREAK = str(Path(sys.executable).parent / "deskbreak")
CONFIG = """
[schedule]
timezone = "Europe/Berlin"
hours = ["00:00-24:00"]
days = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
[notifications]
backend = "console"
[[runs]]
days = ["tue", "thu"]
time = "18:15"
duration = "50m"
"""
TIMEZONE = """BEGIN:VTIMEZONE
TZID:Europe/Berlin
BEGIN:DAYLIGHT
TZOFFSETFROM:+0100
TZOFFSETTO:+0200
TZNAME:CEST
DTSTART:19700329T020000
RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU
END:DAYLIGHT
BEGIN:STANDARD
TZOFFSETFROM:+0200
TZOFFSETTO:+0100
TZNAME:CET
DTSTART:19701025T030000
RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU
END:STANDARD
END:VTIMEZONE
"""
TITLES = ("Design review", "1:1", "Easy run", "Planning", "Tempo run", "Lunch", "Interview")


def big_calendar(events: int, years: int, today: date) -> str:
    """`events` VEVENTs over `years` years centred on today: 5% weekly series, the rest single."""
    rng = random.Random(13)
    first = today - timedelta(days=365 * years // 2)
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//deskbreak bench//EN", TIMEZONE.strip()]
    for n in range(events):
        day = first + timedelta(days=rng.randrange(365 * years))
        start = datetime.combine(day, datetime.min.time()) + timedelta(
            minutes=30 * rng.randrange(16, 38)
        )
        end = start + timedelta(minutes=rng.choice((30, 45, 60, 90)))
        lines += [
            "BEGIN:VEVENT",
            f"UID:bench-{n}@example.org",
            f"SUMMARY:{rng.choice(TITLES)} {n}",
            f"DTSTART;TZID=Europe/Berlin:{start:%Y%m%dT%H%M%S}",
            f"DTEND;TZID=Europe/Berlin:{end:%Y%m%dT%H%M%S}",
            "ATTENDEE;PARTSTAT=ACCEPTED:mailto:someone@example.org",
        ]
        if n % 20 == 0:
            until = start + timedelta(days=rng.randrange(60, 365 * 2))
            lines.append(f"RRULE:FREQ=WEEKLY;UNTIL={until:%Y%m%dT%H%M%S}Z")
            skipped = start + timedelta(weeks=rng.randrange(1, 8))
            lines.append(f"EXDATE;TZID=Europe/Berlin:{skipped:%Y%m%dT%H%M%S}")
        if n % 7 == 0:
            lines.append("TRANSP:TRANSPARENT")
        lines.append("END:VEVENT")
    lines.append("END:VCALENDAR")
    return "\r\n".join(lines) + "\r\n"


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def daemon_rss(env: dict[str, str], config: Path, settle: float) -> float:
    daemon = subprocess.Popen(
        [DESKBREAK, "--config", str(config), "start"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        time.sleep(settle)
        return rss_mb(daemon.pid)
    finally:
        daemon.terminate()
        daemon.wait(timeout=10)


def in_process(root: Path, ics: Path, runs: int) -> list[float]:
    """The sync's own work, without the command's start-up: icalendar already imported."""
    from zoneinfo import ZoneInfo

    from deskbreak.calendar.sources import SourceList
    from deskbreak.calendar.sync import sync_all
    from deskbreak.store.history import History

    sources = SourceList(root / "data" / "deskbreak" / "calendars.json")
    times = []
    with History(root / "bench.sqlite3") as history:
        for n in range(runs):
            os.utime(ics, (time.time(), time.time() + 100 + n))
            zone = ZoneInfo("Europe/Berlin")
            started = time.perf_counter()
            sync_all(sources, history, ("run",), zone, datetime.now(zone))
            times.append(time.perf_counter() - started)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=2000)
    parser.add_argument("--years", type=int, default=5)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--settle", type=float, default=4.0, help="seconds before reading RSS")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="db-bench-") as base:
        root = Path(base)
        env = {**os.environ}
        for name in ("config", "data", "state", "runtime"):
            (root / name).mkdir()
            env[f"XDG_{name.upper()}_HOME" if name != "runtime" else "XDG_RUNTIME_DIR"] = str(
                root / name
            )
        (root / "runtime").chmod(0o700)
        config = root / "config" / "config.toml"
        config.write_text(CONFIG, encoding="utf-8")
        ics = root / "big.ics"
        today = datetime.now().astimezone().date()
        ics.write_text(big_calendar(args.events, args.years, today), encoding="utf-8")
        size_kb = ics.stat().st_size / 1024
        print(f"calendar: {args.events} events over {args.years} years, {size_kb:.0f} KB")

        rss_without = daemon_rss(env, config, args.settle)
        add = [DESKBREAK, "--config", str(config), "calendar", "add", str(ics), "--name", "big"]
        subprocess.run(add, env=env, check=True, capture_output=True)
        sync = [DESKBREAK, "--config", str(config), "calendar", "sync"]
        changed, unchanged = [], []
        for n in range(args.runs):
            os.utime(ics, (time.time(), time.time() + n + 1))  # a new mtime: parse it again
            started = time.perf_counter()
            out = subprocess.run(sync, env=env, check=True, capture_output=True, text=True)
            changed.append(time.perf_counter() - started)
            started = time.perf_counter()
            subprocess.run(sync, env=env, check=True, capture_output=True)
            unchanged.append(time.perf_counter() - started)
        print(f"sync result: {out.stdout.strip()}")
        print(
            f"`deskbreak calendar sync`, changed file (whole command, median of {args.runs}): "
            f"{statistics.median(changed):.3f} s (max {max(changed):.3f} s)"
        )
        print(f"`deskbreak calendar sync`, unchanged file: {statistics.median(unchanged):.3f} s")
        print(
            f"in-process sync (fetch, parse, expand, store; median of {args.runs}): "
            f"{statistics.median(in_process(root, ics, args.runs)):.3f} s"
        )
        started = time.perf_counter()
        subprocess.run([DESKBREAK, "--version"], env=env, check=True, capture_output=True)
        print(f"for scale, `deskbreak --version`: {time.perf_counter() - started:.3f} s")
        print(f"load average: {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")
        rss_with = daemon_rss(env, config, args.settle)
        print(
            f"daemon RSS after {args.settle:g} s: without calendars {rss_without:.1f} MB, "
            f"with the synced calendar {rss_with:.1f} MB"
        )


if __name__ == "__main__":
    main()
