"""What the spill journal costs the daemon's loop: `python bench/journal.py [DIR]`.

With the history database write-locked by another connection, times each history write the
daemon makes (the first one also waits out the short busy timeout, then every one is a journal
append and an fsync), then the replay of all of them once the lock is gone. DIR (default: a
temporary folder under the current directory) should be on the disk the user data dir is on,
since fsync is what costs.
"""

from __future__ import annotations

import logging
import sqlite3
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from deskbreak.store.history import History
from deskbreak.store.queued import QueuedHistory

BUSY_TIMEOUT_SECONDS = 0.05  # as the daemon sets it (deskbreak/daemon/core.py)
NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)


def main(folder: Path, writes: int = 200) -> None:
    logging.disable(logging.WARNING)  # the "database is unavailable" warning is expected
    history = History(folder / "history.sqlite3")
    history.set_busy_timeout(BUSY_TIMEOUT_SECONDS)
    queued = QueuedHistory(history)
    other = sqlite3.connect(history.path, isolation_level=None)
    other.execute("BEGIN EXCLUSIVE")
    took_ms = []
    for n in range(writes):
        started = time.perf_counter()
        rid = queued.record_reminder(NOW, f"move-{n}", "neck", "dbus")
        answered = time.perf_counter()
        queued.record_answer(rid, "done", NOW)
        took_ms += [(answered - started) * 1000, (time.perf_counter() - answered) * 1000]
    other.execute("ROLLBACK")
    other.close()
    started = time.perf_counter()
    assert queued.flush()
    replay_ms = (time.perf_counter() - started) * 1000
    first, rest = took_ms[0], sorted(took_ms[1:])
    print(f"first write while locked (busy timeout + journal): {first:.1f} ms")
    print(
        f"later writes (journal append + fsync), {len(rest)}: median "
        f"{statistics.median(rest):.2f} ms, p95 {rest[int(len(rest) * 0.95)]:.2f} ms, "
        f"max {rest[-1]:.2f} ms"
    )
    print(
        f"replay of {2 * writes} records into the database: {replay_ms:.0f} ms "
        f"({replay_ms / (2 * writes):.2f} ms each)"
    )
    history.close()


if __name__ == "__main__":
    base = Path(sys.argv[1]) if len(sys.argv) > 1 else Path.cwd()
    with tempfile.TemporaryDirectory(prefix="journal-bench-", dir=base) as where:
        main(Path(where))
