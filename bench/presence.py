"""The idle daemon with the dbus backend and presence on, against the harness's real dunst
under Xvfb (a real session bus and X display), and how long `deskbreak now` takes.

    python bench/presence.py [--seconds 60] [--runs 10]

Targets (issue 11): idle RSS with presence on <= 27 MB; at most one wake-up a minute on an
idle desktop; `deskbreak now` <= 0.3 s. Prints figures, asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from idle import context_switches, cpu_seconds, rss_mb

HARNESS = Path(__file__).resolve().parents[2] / "shared" / "tools" / "notify-harness.sh"
CONFIG = """
[schedule]
interval = 30
hours = ["00:00-24:00"]
days = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
[notifications]
backend = "dbus"
timeout = 0
"""


def harness_env() -> dict[str, str]:
    started = subprocess.run(["bash", str(HARNESS), "start"], capture_output=True, text=True)
    if started.returncode != 0:
        sys.exit(f"notify-harness start failed: {started.stderr.strip()}")
    env = {}
    for line in started.stdout.splitlines():
        name, _, value = line.removeprefix("export ").partition("=")
        env[name] = shlex.split(value)[0]
    return env


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args()
    exe = str(Path(sys.executable).parent / "deskbreak")
    desktop = harness_env()
    try:
        with tempfile.TemporaryDirectory(prefix="db-bench-") as base:
            root = Path(base)
            env = {**os.environ, **desktop}
            for name in ("config", "data", "state", "runtime"):
                (root / name).mkdir(mode=0o700)
            env.update(
                XDG_CONFIG_HOME=str(root / "config"),
                XDG_DATA_HOME=str(root / "data"),
                XDG_STATE_HOME=str(root / "state"),
                XDG_RUNTIME_DIR=str(root / "runtime"),
            )
            config = root / "config.toml"
            config.write_text(CONFIG, encoding="utf-8")
            command = [exe, "--config", str(config)]
            log_path = root / "daemon.log"
            with log_path.open("w") as log:
                daemon = subprocess.Popen([*command, "start"], env=env, stdout=log, stderr=log)
            try:
                deadline = time.monotonic() + 20
                while "next reminder" not in log_path.read_text():
                    if time.monotonic() > deadline:
                        sys.exit("daemon did not start")
                    time.sleep(0.05)
                status = subprocess.run(
                    [*command, "status", "--json"], env=env, capture_output=True, text=True
                )
                sources = json.loads(status.stdout)["presence"]["sources"]
                used = sorted(f"{s['kind']}:{s['name']}" for s in sources if s["used"])
                time.sleep(2)
                cpu0, switches0 = cpu_seconds(daemon.pid), context_switches(daemon.pid)
                time.sleep(args.seconds)
                cpu1, switches1 = cpu_seconds(daemon.pid), context_switches(daemon.pid)
                per_minute = 60.0 / args.seconds
                print(f"daemon idle over {args.seconds:.0f} s, presence on ({', '.join(used)})")
                print(f"  resident memory      {rss_mb(daemon.pid):6.1f} MB   (target <= 27 MB)")
                cpu = (cpu1 - cpu0) * per_minute
                shown = f"{cpu:.3f} s" if cpu else f"< {1 / os.sysconf('SC_CLK_TCK'):.2f} s"
                print(f"  CPU per minute       {shown:>8}")
                wakeups = (switches1 - switches0) * per_minute
                print(f"  wake-ups per minute  {wakeups:6.1f}   (target <= 1)")
                times = []
                for _ in range(args.runs):
                    started = time.perf_counter()
                    subprocess.run([*command, "now"], env=env, capture_output=True, check=True)
                    times.append(time.perf_counter() - started)
                print(
                    f"\n`deskbreak now`, median of {args.runs}: "
                    f"{statistics.median(times) * 1000:.0f} ms (target <= 300 ms; "
                    f"min {min(times) * 1000:.0f}, max {max(times) * 1000:.0f})"
                )
                print(f"  resident memory after {args.runs} reminders: {rss_mb(daemon.pid):.1f} MB")
            finally:
                daemon.terminate()
                daemon.wait(timeout=15)
    finally:
        subprocess.run(["bash", str(HARNESS), "stop", desktop["NOTIFY_HARNESS_DIR"]], check=False)


if __name__ == "__main__":
    main()
