"""The dbus notification backend against the harness's real dunst: buttons, dismissal, expiry,
replacement, a restarted server, and no process left behind by a killed daemon."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import time
from pathlib import Path

from e2e_support import MakeDaemon, harness, harness_config, notify_calls, wait_for


def answers_in(database: Path) -> list[str | None]:
    with sqlite3.connect(database) as db:
        rows = db.execute("SELECT answer FROM reminders ORDER BY id").fetchall()
    return [answer for (answer,) in rows]


def dunstctl(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(
        ["dunstctl", *args], env={**os.environ, **env}, capture_output=True, text=True, check=True
    )
    return done.stdout.strip()


def shown_count(env: dict[str, str]) -> int:
    return int(dunstctl(env, "count", "displayed"))


def test_each_button_a_dismissal_and_an_expiry_are_recorded_as_their_own_answers(
    make_daemon: MakeDaemon, notify_server: dict[str, str], isolated_dirs: Path
) -> None:
    daemon = make_daemon(harness_config(), **notify_server)
    daemon.start()
    database = isolated_dirs / "data" / "deskbreak" / "history.sqlite3"
    for number, label in enumerate(["Done", "Snooze", "Skip"], start=1):
        sent = daemon.cli("now")
        assert sent.returncode == 0, sent.stderr
        wait_for(lambda: shown_count(notify_server) == 1, what=f"notification {number}")
        assert harness(notify_server, "act", label).returncode == 0
        wait_for(lambda n=number: sum(1 for a in answers_in(database) if a) >= n, what=label)  # type: ignore[misc]
    assert daemon.cli("now").returncode == 0
    wait_for(lambda: shown_count(notify_server) == 1, what="notification 4")
    dunstctl(notify_server, "close")
    wait_for(lambda: answers_in(database)[-1] is not None, what="the dismissal to be recorded")
    assert answers_in(database) == ["done", "snoozed", "skipped", "dismissed"]
    assert "via dbus" in daemon.output()
    assert daemon.stop() == 0

    expiring = make_daemon(harness_config(timeout=1), **notify_server)
    expiring.start()
    assert expiring.cli("now").returncode == 0
    wait_for(lambda: len(answers_in(database)) == 5 and answers_in(database)[-1], what="expiry")
    assert answers_in(database)[-1] == "ignored"
    wait_for(lambda: shown_count(notify_server) == 0, what="the expired reminder to go away")
    assert expiring.stop() == 0


def test_a_new_reminder_replaces_the_unanswered_one_on_screen(
    make_daemon: MakeDaemon, notify_server: dict[str, str], isolated_dirs: Path
) -> None:
    daemon = make_daemon(harness_config(), **notify_server)
    daemon.start()
    database = isolated_dirs / "data" / "deskbreak" / "history.sqlite3"
    for number in (1, 2):
        assert daemon.cli("now").returncode == 0
        wait_for(
            lambda n=number: len(notify_calls(notify_server["NOTIFY_HARNESS_DIR"])) == n,  # type: ignore[misc]
            what=f"Notify call {number}",
        )
    wait_for(lambda: answers_in(database)[0] == "ignored", what="the replaced one answered")
    assert shown_count(notify_server) == 1
    assert answers_in(database) == ["ignored", None]
    assert daemon.stop() == 0


def test_old_configs_naming_notify_send_load_and_use_the_dbus_backend_without_children(
    make_daemon: MakeDaemon, notify_server: dict[str, str]
) -> None:
    daemon = make_daemon(harness_config("notify-send"), **notify_server)
    daemon.start()
    started = time.monotonic()
    sent = daemon.cli("now")
    took = time.monotonic() - started
    assert sent.returncode == 0, sent.stderr
    assert "via dbus" in wait_for(lambda: "via dbus" in daemon.output() and daemon.output())
    assert took < 1.5, f"`deskbreak now` took {took:.2f} s"  # the old notify-send grace
    children = Path(f"/proc/{daemon.proc.pid}/task/{daemon.proc.pid}/children").read_text()
    assert children.split() == []
    assert daemon.stop() == 0


def test_a_restarted_notification_server_gets_the_next_reminder(
    make_daemon: MakeDaemon, notify_server: dict[str, str], isolated_dirs: Path
) -> None:
    harness_dir = Path(notify_server["NOTIFY_HARNESS_DIR"])
    daemon = make_daemon(harness_config(), **notify_server)
    daemon.start()
    assert daemon.cli("now").returncode == 0
    wait_for(lambda: shown_count(notify_server) == 1, what="the first reminder")
    first_dunst = next(
        int(line.split()[0])
        for line in (harness_dir / "pids").read_text().splitlines()
        if line.endswith(" dunst")
    )
    os.kill(first_dunst, signal.SIGKILL)
    wait_for(lambda: "left the session bus" in daemon.output(), what="the daemon to notice")
    restarted = subprocess.Popen(
        ["dunst", "-conf", str(harness_dir / "dunstrc")],
        env={**os.environ, **notify_server},
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    with (harness_dir / "pids").open("a") as pids:  # the harness stops it with the rest
        pids.write(f"{restarted.pid} dunst\n")
    wait_for(lambda: "on the session bus again" in daemon.output(), what="the new server")
    assert daemon.cli("now").returncode == 0
    wait_for(lambda: shown_count(notify_server) == 1, what="the second reminder on the new dunst")
    database = isolated_dirs / "data" / "deskbreak" / "history.sqlite3"
    assert answers_in(database) == ["ignored", None]
    assert daemon.output().count("via dbus") == 2
    assert daemon.stop() == 0


def test_kill_9_of_the_daemon_leaves_no_process_behind(
    make_daemon: MakeDaemon, notify_server: dict[str, str]
) -> None:
    daemon = make_daemon(harness_config(), **notify_server)
    daemon.start()
    assert daemon.cli("now").returncode == 0
    wait_for(lambda: shown_count(notify_server) == 1, what="the reminder")
    descendants = descendants_of(daemon.proc.pid)
    daemon.proc.kill()
    daemon.proc.wait()
    assert descendants == set()  # a reminder on screen, and no process behind it
    assert shown_count(notify_server) == 1  # it stays with the server, which owns it


def descendants_of(pid: int) -> set[int]:
    parents: dict[int, int] = {}
    for proc in Path("/proc").iterdir():
        if proc.name.isdigit():
            try:
                stat = (proc / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            parents[int(proc.name)] = int(stat[1])
    found: set[int] = set()
    frontier = {pid}
    while frontier:
        frontier = {child for child, parent in parents.items() if parent in frontier} - found
        found |= frontier
    return found
