"""Import time and resident memory of the D-Bus clients we considered, each in a fresh
interpreter: `python bench/dbus_clients.py` (a client that is not installed is reported so)."""

from __future__ import annotations

import subprocess
import sys

PROBE = """
import importlib, sys, time
def rss_mb():
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS"):
                return int(line.split()[1]) / 1024
    return 0.0
import asyncio
before, started = rss_mb(), time.perf_counter()
for name in sys.argv[1:]:
    importlib.import_module(name)
print(f"{(time.perf_counter() - started) * 1000:.1f} {rss_mb() - before:.2f}")
"""

CLIENTS = {
    "jeepney": ["jeepney", "jeepney.io.asyncio"],
    "dbus-fast": ["dbus_fast", "dbus_fast.aio"],
}


def main(rounds: int = 5) -> None:
    for client, modules in CLIENTS.items():
        times, sizes = [], []
        for _ in range(rounds):
            done = subprocess.run(
                [sys.executable, "-c", PROBE, *modules], capture_output=True, text=True, check=False
            )
            if done.returncode != 0:
                print(f"{client}: not installed")
                break
            took, grew = done.stdout.split()
            times.append(float(took))
            sizes.append(float(grew))
        else:
            times.sort()
            print(
                f"{client}: import {times[len(times) // 2]:.1f} ms median "
                f"({min(times):.1f}-{max(times):.1f}), +{max(sizes):.2f} MB RSS"
            )


if __name__ == "__main__":
    main()
