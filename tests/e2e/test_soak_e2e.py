"""The week soak (bench/soak.py) at CI size: the installed daemon under libfaketime at x250
through the night of the 2027 DST change and that Sunday until 15:40, with a suspend, a
backward clock step, three kill -9 restarts and a broken reload, against the harness's dunst."""

from __future__ import annotations

import json
import subprocess
import sys

from e2e_support import REPO, require


def test_a_faulty_day_at_high_speed_misses_nothing_sends_nothing_extra_and_loses_nothing() -> None:
    require("faketime", "Xvfb", "dbus-daemon", "dunst", "notify-send", "dbus-monitor")
    done = subprocess.run(
        [sys.executable, str(REPO / "bench" / "soak.py"), "--small", "--json"],
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )
    assert done.stdout.strip(), done.stderr
    figures = json.loads(done.stdout.strip().splitlines()[-1])
    # The run itself is sound: libfaketime's clock survives only a one-thread daemon.
    assert figures["threads_max"] == 1, figures
    assert figures["unscripted_back_steps"] == 0, figures
    assert figures["planned"] >= 8
    assert figures["suspended"] == 3  # 10:30, 11:00 and 11:30 fell inside the "suspend"
    assert figures["sent"] == figures["planned"], figures
    assert {k: figures[k] for k in ("missed", "extra", "stale", "lost", "tracebacks")} == {
        "missed": 0,
        "extra": 0,
        "stale": 0,
        "lost": 0,
        "tracebacks": 0,
    }
    assert figures["history_rows"] == figures["sent"]
    assert figures["kept_old_config"] == 1
