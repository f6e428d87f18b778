"""Idle cost of the daemon and start-up latency of the CLI; prints figures, asserts nothing.

    python bench/idle.py [--seconds 60] [--runs 15]
    python bench/idle.py --cli-only [--runs 15]   # just the CLI start-up figures, no idle wait

Targets (from the issues): idle RSS <= 25.5 MB without presence sources (30 MB at most);
idle CPU <= 0.05 s per minute; `deskbreak --help`,
`deskbreak schedule` and `deskbreak status` each <= 1.3x `python -c "import typer"`.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

CONFIG = """
[schedule]
interval = 30
hours = ["00:00-24:00"]
days = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
[notifications]
backend = "console"
"""
# The RSS target is for a daemon without presence sources; --presence keeps the defaults.
NO_PRESENCE = """
[presence]
natural_break = 0
respect_dnd = false
respect_fullscreen = false
respect_calls = false
"""


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    ticks = os.sysconf("SC_CLK_TCK")
    return (int(fields[11]) + int(fields[12])) / ticks  # utime + stime


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def context_switches(pid: int) -> int:
    """Voluntary context switches of all threads: each one is a wake-up from a wait."""
    total = 0
    for task in Path(f"/proc/{pid}/task").iterdir():
        for line in (task / "status").read_text().splitlines():
            if line.startswith("voluntary_ctxt_switches:"):
                total += int(line.split()[1])
    return total


def wall_times(command: list[str], runs: int, env: dict[str, str]) -> list[float]:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(
            command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False
        )
        times.append(time.perf_counter() - start)
    return times


def print_idle(pid: int, seconds: float, presence: bool) -> None:
    """Resident memory, CPU and wake-ups of the daemon over `seconds` of idling."""
    time.sleep(2)  # let start-up work settle before measuring idle
    cpu0, switches0 = cpu_seconds(pid), context_switches(pid)
    time.sleep(seconds)
    cpu1, switches1 = cpu_seconds(pid), context_switches(pid)
    rss = rss_mb(pid)
    per_minute = 60.0 / seconds
    sources = "with" if presence else "without"
    print(f"daemon idle over {seconds:.0f} s, {sources} presence sources")
    print(f"  resident memory      {rss:6.1f} MB   (target <= 25.5 MB)")
    cpu = (cpu1 - cpu0) * per_minute
    # /proc counts CPU in clock ticks (10 ms): zero ticks means less than one.
    shown = f"{cpu:.3f} s" if cpu else f"< {1 / os.sysconf('SC_CLK_TCK'):.2f} s"
    print(f"  CPU per minute       {shown:>8}   (target <= 0.05 s)")
    print(f"  wake-ups per minute  {(switches1 - switches0) * per_minute:6.1f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--presence", action="store_true", help="keep the presence sources on")
    parser.add_argument(
        "--cli-only", action="store_true", help="skip the idle measurement (quicker to iterate)"
    )
    args = parser.parse_args()
    # The script beside this interpreter, not a shim: pyenv's bash shims add ~0.1 s to every
    # call and would be measured instead of deskbreak.
    beside = Path(sys.executable).parent / "deskbreak"
    exe = str(beside) if beside.exists() else shutil.which("deskbreak")
    if exe is None:
        sys.exit("install deskbreak first: pip install .")

    with tempfile.TemporaryDirectory(prefix="db-bench-") as base:
        root = Path(base)
        env = dict(os.environ)
        for name in ("CONFIG", "DATA", "STATE", "RUNTIME"):
            (root / name.lower()).mkdir(mode=0o700)
            env[f"XDG_{name}_HOME" if name != "RUNTIME" else "XDG_RUNTIME_DIR"] = str(
                root / name.lower()
            )
        config = root / "config.toml"
        config.write_text(CONFIG + ("" if args.presence else NO_PRESENCE), encoding="utf-8")
        env["DESKBREAK_CONFIG"] = str(config)

        log = (root / "daemon.log").open("w")
        daemon = subprocess.Popen([exe, "start"], env=env, stdout=log, stderr=log)
        try:
            deadline = time.monotonic() + 20
            while "next reminder" not in (root / "daemon.log").read_text():
                if time.monotonic() > deadline:
                    sys.exit("daemon did not start")
                time.sleep(0.05)
            if not args.cli_only:
                print_idle(daemon.pid, args.seconds, args.presence)
            load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
            print(f"\nCLI wall time, median of {args.runs} interleaved rounds (load {load})")
            commands = {
                "python -c 'import typer'": [sys.executable, "-c", "import typer"],
                "deskbreak --help": [exe, "--help"],
                "deskbreak schedule": [exe, "schedule"],
                "deskbreak status": [exe, "status"],
            }
            times: dict[str, list[float]] = {label: [] for label in commands}
            # Round-robin, so a slow spell of the machine hits every command alike.
            for _ in range(args.runs):
                for label, command in commands.items():
                    times[label] += wall_times(command, 1, env)
            baseline = statistics.median(times["python -c 'import typer'"])
            for label, samples in times.items():
                median = statistics.median(samples)
                ratio = median / baseline
                target = "(baseline)" if ratio == 1 else f"{ratio:4.2f}x (target <= 1.3x)"
                print(f"  {label:<26} {median * 1000:6.0f} ms   {target}")
        finally:
            daemon.terminate()
            daemon.wait(timeout=15)
            log.close()


if __name__ == "__main__":
    main()
