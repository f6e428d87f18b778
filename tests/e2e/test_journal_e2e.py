"""A reminder and its answer made while another process holds the history locked survive a
`kill -9` of the installed daemon: the spill journal replays them at the next start, once."""

from __future__ import annotations

import os
import sqlite3
import subprocess
from contextlib import closing
from pathlib import Path

from e2e_support import (
    MakeDaemon,
    harness,
    harness_config,
    locked_by_another_process,
    notify_calls,
    release,
    wait_for,
)


def reminder_rows(database: Path) -> list[tuple[int, str, str | None]]:
    with closing(sqlite3.connect(f"{database.as_uri()}?mode=ro", uri=True)) as db:
        return db.execute("SELECT id, move_id, answer FROM reminders ORDER BY id").fetchall()


def test_a_reminder_answered_while_the_history_is_locked_survives_kill_9_exactly_once(
    make_daemon: MakeDaemon, notify_server: dict[str, str], isolated_dirs: Path
) -> None:
    database = isolated_dirs / "data" / "deskbreak" / "history.sqlite3"
    journal = database.with_name("history-spill.jsonl")
    daemon = make_daemon(harness_config(), **notify_server)
    daemon.start()
    with locked_by_another_process(database) as holder:
        assert daemon.cli("now").returncode == 0
        calls = wait_for(
            lambda: notify_calls(notify_server["NOTIFY_HARNESS_DIR"]), what="the reminder"
        )
        pressed = harness(notify_server, "act", "Done")
        assert pressed.returncode == 0, pressed.stderr
        shown = wait_for(
            lambda: (
                (daemon.status()["last_reminder"] or {}).get("answer") == "done"
                and daemon.status()["last_reminder"]
            ),
            what="the Done answer",
        )
        assert shown["name"] == calls[-1]["summary"]
        assert reminder_rows(database) == []  # the lock kept both out of the database
        assert len(journal.read_text(encoding="utf-8").splitlines()) >= 2
        # Readers count what waits in the journal as if it were written.
        totals = daemon.json("stats")["totals"]
        assert (totals["sent"], totals["done"]) == (1, 1)
        assert shown["name"] in daemon.cli("history").stdout
        daemon.proc.kill()  # SIGKILL: no chance to flush anything
        daemon.proc.wait(timeout=10)
        release(holder)

    daemon.start()
    status = daemon.status()
    assert status["today"]["sent"] == 1 and status["today"]["done"] == 1
    assert reminder_rows(database) == [(shown["id"], shown["move"], "done")]
    assert journal.stat().st_size == 0
    assert "now in the history" in daemon.output()

    # A second restart replays nothing again.
    assert daemon.stop() == 0
    daemon.start()
    assert reminder_rows(database) == [(shown["id"], shown["move"], "done")]
    assert daemon.stop() == 0


def test_a_daemon_restarted_while_the_lock_is_still_held_writes_the_journal_when_it_ends(
    make_daemon: MakeDaemon, notify_server: dict[str, str], isolated_dirs: Path
) -> None:
    database = isolated_dirs / "data" / "deskbreak" / "history.sqlite3"
    daemon = make_daemon(harness_config(), **notify_server)
    daemon.start()
    with locked_by_another_process(database) as holder:
        assert daemon.cli("now").returncode == 0
        wait_for(lambda: notify_calls(notify_server["NOTIFY_HARNESS_DIR"]), what="the reminder")
        done = daemon.cli("done")
        assert done.returncode == 0, done.stderr
        shown = daemon.status()["last_reminder"]
        daemon.proc.kill()
        daemon.proc.wait(timeout=10)

        daemon.start()  # the lock is still held: the journal waits, the daemon runs
        status = daemon.status()
        assert (status["today"]["sent"], status["today"]["done"]) == (1, 1)
        assert status["last_reminder"]["answer"] == "done"
        assert reminder_rows(database) == []
        release(holder)

    wait_for(
        lambda: reminder_rows(database) == [(shown["id"], shown["move"], "done")],
        what="the running daemon to write the journal into the history",
    )
    daemon.proc.kill()
    daemon.proc.wait(timeout=10)
    daemon.start()
    assert reminder_rows(database) == [(shown["id"], shown["move"], "done")]
    assert daemon.stop() == 0


def test_a_spill_journal_planted_as_a_symlink_stops_start_with_a_sentence_and_exit_1(
    deskbreak_exe: str, isolated_dirs: Path
) -> None:
    data = isolated_dirs / "data" / "deskbreak"
    data.mkdir(parents=True)
    target = isolated_dirs / "someone-elses-file"
    target.write_text("keep me\n", encoding="utf-8")
    (data / "history-spill.jsonl").symlink_to(target)
    started = subprocess.run(
        [deskbreak_exe, "start"],
        env={**os.environ, "TZ": "UTC"},
        capture_output=True,
        text=True,
        check=False,
        timeout=30,
    )
    assert started.returncode == 1, started.stderr
    assert "is a symbolic link" in started.stderr and "Traceback" not in started.stderr
    assert target.read_text(encoding="utf-8") == "keep me\n"
