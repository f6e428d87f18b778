"""A week of the installed daemon at high speed, with faults; prints what reached the desktop.

    python bench/soak.py                      # the full week, Mon 2027-03-22 .. Mon 03-29
    python bench/soak.py --small              # CI size: the DST night and Sunday 2027-03-28

The daemon (`deskbreak start`, as installed beside this interpreter) runs under libfaketime,
its wall clock `--speed` times faster than real, and sends over D-Bus to the harness's dunst
(notify-harness.sh). The week (Europe/Berlin; work 08:00-12:30 and 13:30-17:00
every day, so the lunch gap and the night are outside) crosses the spring DST change of
2027-03-28 and brings:

- a "suspend": SIGSTOP, the wall clock jumps 1.5 h, SIGCONT (the slots in between are dropped
  by design and counted apart, as `suspended`);
- a backward step of the wall clock by an hour (the repeated hour's slots are due again);
- `kill -9` and a restart at three random moments (seeded; never within five minutes
  before a slot, which a restart at this speed could not meet);
- a reload (SIGHUP) of a broken config, which must keep the old one running, and later a
  reload of the fixed one;
- the nights, skipped with a forward jump of the clock.

Every notification that reached dunst is matched with the planner's slots for the stretches of
(fake) time the daemon lived through, and the history database with both. It prints:
planned, sent, missed (a planned slot with no notification), suspended (dropped by design),
extra (a notification for no slot, or a second one for a slot), stale (sent more than a
minute after its slot), lost (a notification with no history row). Target: 0 missed, 0 extra,
0 stale, 0 lost.

Clocks: libfaketime moves the monotonic clock along with the wall clock, also backwards,
which a real kernel never does. After the backward step the daemon's timers (the heartbeat
too) would wait out the hour; the driver therefore asks `status` once right after each clock
change, as a status-bar applet would, and the daemon re-plans on that request. Without
libfaketime the heartbeat notices the step within a minute (tests/daemon/test_faults.py).
The driver also pokes the daemon over its socket after each change of the spec file, because
libfaketime only re-reads it when the process next asks the time.

libfaketime with FAKETIME_NO_CACHE is not thread-safe: it re-reads the spec file into static
buffers on every clock read, and two threads reading the clock at once can see a torn spec,
fall back to the real time for a moment and then restart the fake clock from the spec's start
(hours back). The daemon is one thread when it sends over D-Bus and runs no children, so the
soak turns off what would start children (the call look); it samples the daemon's threads all
along and counts every backward step of the daemon's own log clock, so a run spoiled by the
tool shows as `threads_max` > 1 or `unscripted_back_steps` > 0 rather than as a daemon bug.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from bisect import bisect_right
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from itertools import pairwise
from pathlib import Path
from zoneinfo import ZoneInfo

REPO = Path(__file__).resolve().parents[1]
HARNESS = REPO.parent / "shared" / "tools" / "notify-harness.sh"
ZONE = ZoneInfo("Europe/Berlin")
FAKETIME_LIBS = (
    "/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1",
    "/usr/lib/aarch64-linux-gnu/faketime/libfaketime.so.1",
    "/usr/lib/faketime/libfaketime.so.1",
)
CONFIG = """
[schedule]
timezone = "Europe/Berlin"
interval = 30
hours = ["08:00-12:30", "13:30-17:00"]
days = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
[notifications]
backend = "dbus"
timeout = 5
buttons = false
[presence]
natural_break = 0  # Xvfb's idle time is real time: at soak speed the "user" would look away
respect_calls = false  # the call look is a real-time child (pw-dump): its limit, in sped-up
                       # seconds, runs out before it can answer; and a child means a second
                       # thread in the daemon (asyncio's child watcher), which libfaketime's
                       # clock cannot survive
"""
BROKEN = CONFIG.replace("interval = 30", 'interval = "ten"')
DAY_START, DAY_END = (7, 50), (16, 40)
STALE = timedelta(minutes=1)
# A restart takes about half a real second; at soak speed that is minutes of fake time.
RESTART_MARGIN = timedelta(minutes=5)


def local(day: date, hour: int, minute: int) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=ZONE)


# --- the shared fake clock ---------------------------------------------------------------------


@dataclass
class FakeClock:
    """The fake wall clock of every faked process, set through one libfaketime spec file.

    Each `set` writes "@<UTC time> x<speed>"; libfaketime (FAKETIME_NO_CACHE) starts the clock
    there when a process next reads the file. `anchors` maps real to fake time afterwards."""

    spec: Path
    speed: float
    # (real time, fake time, fake seconds per real second) from each change on
    anchors: list[tuple[float, float, float]] = field(default_factory=list)

    def set(self, moment: datetime) -> None:
        """Run the clock from `moment` at the soak's speed."""
        whole = moment.astimezone(UTC).replace(microsecond=0)
        self.spec.write_text(f"@{whole:%Y-%m-%d %H:%M:%S} x{self.speed:g}\n", encoding="utf-8")
        self.anchors.append((time.time(), whole.timestamp(), self.speed))

    def freeze(self, moment: datetime | None = None) -> datetime:
        """Stop the clock (now, or at `moment`): a process started meanwhile starts there and
        waits, so a restart takes no fake time; `set` with the returned moment runs it on."""
        whole = (moment or self.now()).astimezone(UTC).replace(microsecond=0)
        self.spec.write_text(f"{whole:%Y-%m-%d %H:%M:%S}\n", encoding="utf-8")
        self.anchors.append((time.time(), whole.timestamp(), 0.0))
        return whole

    def fake_at(self, real: float) -> datetime:
        index = max(0, bisect_right([r for r, _, _ in self.anchors], real) - 1)
        real0, fake0, rate = self.anchors[index]
        return datetime.fromtimestamp(fake0 + (real - real0) * rate, UTC).astimezone(ZONE)

    def now(self) -> datetime:
        return self.fake_at(time.time())

    def wait_until(self, moment: datetime) -> None:
        while (ahead := (moment - self.now()).total_seconds()) > 0:
            time.sleep(min(ahead / self.speed, 0.5))


# --- the daemon under test ---------------------------------------------------------------------


class Daemon:
    def __init__(self, root: Path, env: dict[str, str]) -> None:
        self.root, self.env = root, env
        self.config = root / "config.toml"
        self.config.write_text(CONFIG, encoding="utf-8")
        self.exe = str(Path(sys.executable).parent / "deskbreak")
        self.log = root / "daemon.log"
        self.proc: subprocess.Popen[bytes] | None = None
        self.socket = Path(env["XDG_RUNTIME_DIR"]) / "deskbreak" / "control.sock"
        self.threads_max = 0  # the most threads the daemon had at one sample
        self._watching = threading.Event()
        self._watcher = threading.Thread(target=self._watch_threads, daemon=True)

    def _watch_threads(self) -> None:
        """Sample the daemon's thread count every 20 ms (real) while the soak runs."""
        while not self._watching.wait(0.02):
            proc = self.proc
            if proc is None:
                continue
            try:
                count = sum(1 for _ in Path(f"/proc/{proc.pid}/task").iterdir())
            except OSError:
                continue  # between a kill and the restart
            self.threads_max = max(self.threads_max, count)

    def start(self) -> None:
        with self.log.open("ab") as out:
            self.proc = subprocess.Popen(
                [self.exe, "--config", str(self.config), "start"],
                env=self.env,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        if not self._watcher.is_alive():
            self._watcher.start()
        deadline = time.monotonic() + 30
        while self.ask("status") is None:
            if self.proc.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"the daemon did not start; see {self.log}")
            time.sleep(0.02)

    def ask(self, cmd: str) -> dict[str, object] | None:
        """One request straight over the socket (fast: it also makes the daemon read the
        time again, and so the spec file); None when nothing answers."""
        try:
            with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
                sock.settimeout(5)
                sock.connect(str(self.socket))
                sock.sendall(json.dumps({"cmd": cmd}).encode() + b"\n")
                reply = sock.makefile("rb").readline()
        except OSError:
            return None
        return json.loads(reply) if reply else None

    def signal(self, sig: signal.Signals) -> None:
        assert self.proc is not None
        self.proc.send_signal(sig)

    def kill9(self) -> None:
        assert self.proc is not None
        self.proc.kill()
        self.proc.wait()

    def stop(self) -> None:
        self._watching.set()
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


# --- the week ----------------------------------------------------------------------------------


@dataclass
class Outcome:
    segments: list[tuple[datetime, datetime]] = field(default_factory=list)
    suspended: list[tuple[datetime, datetime]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    stepped_back: int = 0  # backward clock steps the driver made


def run_week(
    days: list[date],
    events_day: date,
    first_start: datetime,
    day_start: tuple[int, int],
    day_end: tuple[int, int],
    clock: FakeClock,
    daemon: Daemon,
    rng: random.Random,
) -> Outcome:
    """Drive the daemon through `days` (the first from `first_start`); faults on `events_day`
    (the kills on random days among `days`)."""
    from deskbreak.config import load_config

    cfg = load_config(daemon.config).schedule
    out = Outcome()
    kills = _kill_moments(days, cfg, rng, (day_start, day_end), events_day)
    start = first_start
    stopped = clock.freeze(start)
    daemon.start()
    clock.set(stopped)
    daemon.ask("status")
    if first_start < local(days[0], *day_start) - timedelta(hours=2):
        # A night start: live through it for a while (the DST change at 02:00), then dawn.
        clock.wait_until(first_start + timedelta(minutes=80))
        out.segments.append((start, clock.now()))
        start = local(days[0], *day_start)
        clock.set(start)
        daemon.ask("status")
        out.notes.append(
            f"lived through {first_start:%a %H:%M %Z} to {out.segments[-1][1]:%H:%M %Z}"
        )
    for day in days:
        if day != days[0]:  # the night: one jump forward, as a sleeping laptop sees it
            out.segments.append((start, clock.now()))
            start = local(day, *day_start)
            clock.set(start)
            daemon.ask("status")
        plan: list[tuple[datetime, str]] = [(k, "kill") for k in kills if k.date() == day]
        if day == events_day:
            plan += [
                (local(day, 10, 10), "suspend"),
                (local(day, 14, 40), "back"),
                (local(day, 15, 10), "broken-reload"),
                (local(day, 15, 20), "fixed-reload"),
            ]
        for moment, action in sorted(plan):
            clock.wait_until(moment)
            if action == "kill":
                daemon.kill9()
                # A new process starts its clock from the spec whenever it gets there; a
                # stopped clock makes that moment exact (and the restart instant).
                stopped = clock.freeze()
                daemon.start()
                clock.set(stopped)
                daemon.ask("status")
                out.notes.append(f"kill -9 and restart at {moment:%a %H:%M}")
            elif action == "suspend":
                daemon.signal(signal.SIGSTOP)
                asleep = clock.now()
                out.segments.append((start, asleep))
                start = asleep + timedelta(minutes=90)
                out.suspended.append((asleep, start))
                clock.set(start)
                daemon.signal(signal.SIGCONT)
                daemon.ask("status")
                out.notes.append(f"suspend {asleep:%a %H:%M} -> {start:%H:%M}")
            elif action == "back":
                now = clock.now()
                out.segments.append((start, now))
                start = now - timedelta(hours=1)
                clock.set(start)
                daemon.ask("status")
                out.stepped_back += 1
                out.notes.append(f"clock stepped back {now:%a %H:%M} -> {start:%H:%M}")
            elif action == "broken-reload":
                daemon.config.write_text(BROKEN, encoding="utf-8")
                daemon.signal(signal.SIGHUP)
                out.notes.append(f"reload of a broken config at {moment:%a %H:%M}")
            elif action == "fixed-reload":
                daemon.config.write_text(CONFIG, encoding="utf-8")
                daemon.signal(signal.SIGHUP)
        clock.wait_until(local(day, *day_end))
    out.segments.append((start, clock.now()))
    daemon.stop()
    return out


def _kill_moments(
    days: list[date],
    cfg: object,
    rng: random.Random,
    hours: tuple[tuple[int, int], tuple[int, int]],
    events_day: date,
) -> list[datetime]:
    """Three moments inside work hours, each at least RESTART_MARGIN before the next slot
    and a few minutes after the previous one."""
    from deskbreak.planner.schedule import day_slots

    moments: list[datetime] = []
    while len(moments) < 3:
        day = rng.choice(days)
        slots = day_slots(cfg, day)  # type: ignore[arg-type]  # a ScheduleConfig
        if len(slots) < 2:
            continue
        index = rng.randrange(1, len(slots))
        gap = slots[index] - slots[index - 1]
        room = gap - RESTART_MARGIN - timedelta(minutes=3)
        if room <= timedelta(0):
            continue
        moment = slots[index - 1] + timedelta(minutes=3) + room * rng.random()
        day_start, day_end = (local(day, *h) for h in hours)
        if not day_start + timedelta(minutes=5) < moment < day_end - timedelta(minutes=5):
            continue
        if any(abs(moment - other) < timedelta(minutes=20) for other in moments):
            continue
        if moment.date() == events_day and moment.hour in (10, 11, 13, 14, 15):
            continue  # keep clear of the scripted faults of that day
        moments.append(moment)
    return sorted(moments)


# --- comparing ---------------------------------------------------------------------------------


def notifications(harness_dir: Path, clock: FakeClock) -> list[datetime]:
    """When each deskbreak notification reached dunst, in fake time."""
    text = (harness_dir / "notify.log").read_text(encoding="utf-8", errors="replace")
    found = re.findall(
        r"^method call time=(\d+\.\d+) [^\n]*member=Notify\n   string \"deskbreak\"", text, re.M
    )
    return [clock.fake_at(float(real)) for real in found]


def compare(out: Outcome, sent: list[datetime], database: Path) -> dict[str, int]:
    from deskbreak.config import load_config
    from deskbreak.planner.schedule import slots_between
    from deskbreak.store.history import History

    cfg = load_config_text(load_config)
    planned = [s for a, b in out.segments for s in slots_between(cfg, a, b)]
    dropped = [s for a, b in out.suspended for s in slots_between(cfg, a, b)]
    # Match in order: each notification to the earliest unmatched planned slot at or before it
    # (a second lap of the repeated hour has its own copies of those slots).
    open_slots = sorted(planned)
    matched: list[tuple[datetime, datetime]] = []
    extra = 0
    for when in sorted(sent):
        candidates = [s for s in open_slots if s <= when + timedelta(seconds=5)]
        if not candidates:
            extra += 1
            continue
        slot = max(candidates)
        if when - slot > STALE + timedelta(minutes=2):
            extra += 1  # no slot close enough: sent for no reason
            continue
        open_slots.remove(slot)
        matched.append((slot, when))
    stale = sum(1 for slot, when in matched if when - slot > STALE)
    latest = max((when - slot for slot, when in matched), default=timedelta(0))
    with History(database) as history:
        rows = {
            at
            for at, _ in history.reminders_between(
                planned[0] - timedelta(days=1), planned[-1] + timedelta(days=1)
            )
        }
        recorded = history.query("SELECT count(*) FROM reminders")[0][0]
    lost = sum(1 for slot, _ in matched if slot.astimezone(UTC) not in rows)
    lost += max(0, len(sent) - recorded)
    return {
        "planned": len(planned),
        "sent": len(sent),
        "missed": len(open_slots),
        "suspended": len(dropped),
        "extra": extra,
        "stale": stale,
        "lost": lost,
        "history_rows": recorded,
        "max_late_s": round(latest.total_seconds()),
        "missed_at": [f"{slot:%a %H:%M}" for slot in open_slots],  # type: ignore[dict-item]
    }


LOG_TIME = re.compile(r"^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d) ", re.M)


def back_steps(log_text: str) -> int:
    """How often the daemon's own log clock went back by more than five seconds."""
    stamps = [datetime.fromisoformat(found) for found in LOG_TIME.findall(log_text)]
    return sum(1 for a, b in pairwise(stamps) if b < a - timedelta(seconds=5))


def load_config_text(load: object) -> object:
    """The soak's schedule config, parsed by deskbreak itself."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder, "config.toml")
        path.write_text(CONFIG, encoding="utf-8")
        return load(path).schedule  # type: ignore[operator]  # deskbreak.config.load_config


# --- main --------------------------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--small", action="store_true", help="CI size: the DST night and Sunday")
    parser.add_argument("--speed", type=float, default=None, help="fake seconds per real second")
    parser.add_argument("--seed", type=int, default=10)
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument(
        "--keep", type=Path, help="copy the daemon log, dunst's bus log and the history here"
    )
    args = parser.parse_args()
    lib = next((p for p in FAKETIME_LIBS if Path(p).exists()), None)
    if lib is None:
        print("libfaketime is not installed (apt install faketime)", file=sys.stderr)
        return 2
    if args.small:
        days = [date(2027, 3, 28)]
        first_start = local(days[0], 1, 50)  # Sunday 02:00 CET is 03:00 CEST
        day_start, day_end = (8, 50), (15, 40)
        speed = args.speed or 250
    else:
        days = [date(2027, 3, 22) + timedelta(days=n) for n in range(8)]
        first_start = local(days[0], *DAY_START)
        day_start, day_end = DAY_START, DAY_END
        speed = args.speed or 300
    events_day = date(2027, 3, 28) if args.small else date(2027, 3, 24)
    started = subprocess.run(
        ["bash", str(HARNESS), "start"], capture_output=True, text=True, check=False
    )
    if started.returncode != 0:
        print(f"notify-harness failed: {started.stderr.strip()}", file=sys.stderr)
        return 1
    harness_env = {}
    for line in started.stdout.splitlines():
        name, _, value = line.removeprefix("export ").partition("=")
        harness_env[name] = shlex.split(value)[0]
    harness_dir = Path(harness_env["NOTIFY_HARNESS_DIR"])
    wall_started = time.monotonic()
    try:
        with tempfile.TemporaryDirectory(prefix="soak-") as base:
            root = Path(base)
            env = _daemon_env(root, harness_env, lib)
            clock = FakeClock(Path(env["FAKETIME_TIMESTAMP_FILE"]), speed)
            daemon = Daemon(root, env)
            try:
                out = run_week(
                    days,
                    events_day,
                    first_start,
                    day_start,
                    day_end,
                    clock,
                    daemon,
                    random.Random(args.seed),
                )
            finally:
                daemon.stop()
            time.sleep(0.5)  # dbus-monitor writes its last lines
            sent = notifications(harness_dir, clock)
            figures = compare(out, sent, root / "data" / "deskbreak" / "history.sqlite3")
            log_text = daemon.log.read_text(encoding="utf-8", errors="replace")
            if args.keep:
                args.keep.mkdir(parents=True, exist_ok=True)
                for kept in (daemon.log, harness_dir / "notify.log", *root.glob("data/*/*")):
                    shutil.copy2(kept, args.keep / kept.name)
    finally:
        subprocess.run(["bash", str(HARNESS), "stop", str(harness_dir)], capture_output=True)
    figures["real_seconds"] = round(time.monotonic() - wall_started)
    figures["kept_old_config"] = int("keeping the running one" in log_text)
    figures["tracebacks"] = log_text.count("Traceback")
    # Reminders the daemon itself dropped as too late: its loop was held up (a busy machine).
    figures["dropped_late"] = len(re.findall(r"reminder was dropped: \d+ s late", log_text))
    figures["dropped_missed"] = log_text.count("the computer was asleep or busy")
    # The tool's own faults (see the docstring): only the scripted step may go back.
    figures["threads_max"] = daemon.threads_max
    figures["unscripted_back_steps"] = max(0, back_steps(log_text) - out.stepped_back)
    if args.json:
        print(json.dumps(figures))
    else:
        print(f"soak: {days[0]} .. {days[-1]} (Europe/Berlin, DST on 2027-03-28) at x{speed:g}")
        for note in out.notes:
            print(f"  {note}")
        print("  " + "  ".join(f"{k}={v}" for k, v in figures.items()))
    ok = all(figures[k] == 0 for k in ("missed", "extra", "stale", "lost", "tracebacks"))
    return 0 if ok and figures["kept_old_config"] else 1


def _daemon_env(root: Path, harness_env: dict[str, str], lib: str) -> dict[str, str]:
    env = {
        k: v for k, v in os.environ.items() if not k.startswith(("XDG_", "DESKBREAK", "FAKETIME"))
    }
    for name in ("config", "data", "state", "runtime", "home"):
        (root / name).mkdir(mode=0o700)
    spec = root / "faketime.rc"
    env.update(harness_env)
    env.update(
        {
            "HOME": str(root / "home"),
            "XDG_CONFIG_HOME": str(root / "config"),
            "XDG_DATA_HOME": str(root / "data"),
            "XDG_STATE_HOME": str(root / "state"),
            "XDG_RUNTIME_DIR": str(root / "runtime"),
            "TZ": "UTC",  # the spec file is written in UTC; the config names Berlin
            "LD_PRELOAD": lib,
            "FAKETIME_TIMESTAMP_FILE": str(spec),
            "FAKETIME_NO_CACHE": "1",
        }
    )
    return env


if __name__ == "__main__":
    raise SystemExit(main())
