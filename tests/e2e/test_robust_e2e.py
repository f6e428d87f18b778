"""The installed daemon against what other processes and other users can do to it."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from e2e_support import DaemonProcess, MakeDaemon, require, wait_for

from deskbreak.store.history import History

CONSOLE = """
[schedule]
timezone = "UTC"
hours = ["00:00-24:00"]
days = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
[notifications]
backend = "console"
"""
OTHER_UID = 2002
SETPRIV = ["setpriv", f"--reuid={OTHER_UID}", f"--regid={OTHER_UID}", "--clear-groups"]


def require_root() -> None:
    """A second user needs root (setpriv); like a missing tool, a skip unless DESKBREAK_E2E=1."""
    require("setpriv")
    if os.getuid() != 0:
        reason = "a second user (setpriv --reuid) needs root"
        if os.environ.get("DESKBREAK_E2E") == "1":
            pytest.fail(reason)
        pytest.skip(reason)


def as_other_user(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*SETPRIV, *args],
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=30,
    )


def user_home(root: Path) -> dict[str, str]:
    """XDG folders for the second user under `root`, owned by it."""
    env = {
        "HOME": str(root / "home"),
        "XDG_CONFIG_HOME": str(root / "config"),
        "XDG_DATA_HOME": str(root / "data"),
        "XDG_STATE_HOME": str(root / "state"),
        "XDG_RUNTIME_DIR": str(root / "runtime"),
        "TMPDIR": str(root / "tmp"),
    }
    root.mkdir(mode=0o755)
    for folder in env.values():
        Path(folder).mkdir(mode=0o700)
    for path in [root, *root.iterdir()]:
        os.chown(path, OTHER_UID, OTHER_UID)
    return env


@pytest.fixture
def other_root() -> Iterator[Path]:
    """A folder the second user can reach (the test's own temp dir is root's, 0700)."""
    require_root()
    base = Path(tempfile.mkdtemp(prefix="dbo-"))
    base.chmod(0o755)
    try:
        yield base / "u"
    finally:
        shutil.rmtree(base, ignore_errors=True)


def test_a_read_only_history_ends_start_with_a_sentence_before_the_socket_is_bound(
    deskbreak_exe: str, other_root: Path
) -> None:
    root = other_root
    env = {**os.environ, **user_home(root), "TZ": "UTC"}
    database = root / "data" / "deskbreak" / "history.sqlite3"
    History(database).close()
    for path in (database.parent, *database.parent.iterdir()):
        os.chown(path, OTHER_UID, OTHER_UID)
    database.chmod(0o444)
    started = as_other_user([deskbreak_exe, "start"], env)
    assert started.returncode == 1, started.stderr
    assert "cannot write the history database" in started.stderr
    assert "Traceback" not in started.stderr
    assert not (root / "runtime" / "deskbreak" / "control.sock").exists()


def test_removing_the_runtime_dir_does_not_let_a_second_daemon_start(
    make_daemon: MakeDaemon, isolated_dirs: Path
) -> None:
    daemon = make_daemon(CONSOLE)
    first = daemon.start()
    shutil.rmtree(isolated_dirs / "runtime" / "deskbreak")
    second = daemon.cli("start")
    assert second.returncode == 1
    assert "already running" in second.stderr
    assert f"pid {first.pid}" in second.stderr
    assert first.poll() is None


def test_a_start_without_xdg_runtime_dir_is_refused_while_one_with_it_runs(
    make_daemon: MakeDaemon, isolated_dirs: Path
) -> None:
    (isolated_dirs / "tmp").mkdir()
    daemon = make_daemon(CONSOLE, TMPDIR=str(isolated_dirs / "tmp"))
    first = daemon.start()
    env = {k: v for k, v in daemon.env.items() if k != "XDG_RUNTIME_DIR"}  # as from su or cron
    second = subprocess.run(
        [daemon.exe, "--config", str(daemon.config), "start"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=30,
    )
    assert second.returncode == 1, second.stderr
    assert "already running" in second.stderr
    assert first.poll() is None
    assert daemon.cli("stop").returncode == 0


def test_a_lock_that_is_a_directory_ends_start_with_a_sentence_and_exit_1(
    runner_with_lock_dir: DaemonProcess,
) -> None:
    started = runner_with_lock_dir.cli("start")
    assert started.returncode == 1
    assert "is a directory" in started.stderr
    assert "Traceback" not in started.stderr


@pytest.fixture
def runner_with_lock_dir(make_daemon: MakeDaemon, isolated_dirs: Path) -> DaemonProcess:
    (isolated_dirs / "data" / "deskbreak" / "daemon.lock").mkdir(parents=True)
    return make_daemon(CONSOLE)


def test_a_lock_symlink_planted_in_the_runtime_dir_is_not_followed(
    make_daemon: MakeDaemon, isolated_dirs: Path
) -> None:
    runtime = isolated_dirs / "runtime" / "deskbreak"
    runtime.mkdir(mode=0o700)
    victim = isolated_dirs / "home" / "notes.txt"
    victim.write_text("my notes\n", encoding="utf-8")
    (runtime / "daemon.lock").symlink_to(victim)
    started = make_daemon(CONSOLE).cli("start")
    assert started.returncode == 1
    assert "symbolic link" in started.stderr
    assert victim.read_text(encoding="utf-8") == "my notes\n"


FAKE_DAEMON = r"""
import json, os, socket, sys
folder = sys.argv[1]
os.makedirs(folder, mode=0o777, exist_ok=True)
os.chmod(folder, 0o777)
path = os.path.join(folder, "control.sock")
server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
server.bind(path)
os.chmod(path, 0o777)
server.listen(8)
reply = {"ok": True, "running": True, "pid": 4242, "today": {"sent": 99, "done": 99}}
while True:
    conn, _ = server.accept()
    conn.makefile("rb").readline()
    conn.sendall((json.dumps(reply) + "\n").encode())
    conn.close()
"""


def test_the_cli_does_not_trust_a_daemon_another_user_planted_in_the_temp_dir_fallback(
    deskbreak_exe: str, other_root: Path, isolated_dirs: Path
) -> None:
    shared_tmp = other_root.parent / "tmp"  # stands for /tmp: world-writable, sticky
    shared_tmp.mkdir(mode=0o777)
    shared_tmp.chmod(0o1777)
    folder = shared_tmp / f"deskbreak-{os.getuid()}"  # where our CLI looks without XDG_RUNTIME_DIR
    script = other_root.parent / "fake_daemon.py"
    script.write_text(FAKE_DAEMON, encoding="utf-8")
    script.chmod(0o644)
    fake = subprocess.Popen(
        [*SETPRIV, sys.executable, str(script), str(folder)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_for(lambda: (folder / "control.sock").exists(), what="the planted socket")
        env = {k: v for k, v in os.environ.items() if k != "XDG_RUNTIME_DIR"}
        env["TMPDIR"] = str(shared_tmp)
        for command, fake_word in (("status", "4242"), ("stop", "stopped")):
            done = subprocess.run(
                [deskbreak_exe, command], env=env, capture_output=True, text=True, timeout=30
            )
            assert done.returncode == 1, (command, done.stdout, done.stderr)
            assert "another user" in done.stderr
            assert fake_word not in done.stdout
    finally:
        fake.kill()
        fake.wait()


def test_a_lock_folder_the_user_cannot_write_ends_start_with_a_sentence_and_exit_1(
    deskbreak_exe: str, other_root: Path
) -> None:
    env = {**os.environ, **user_home(other_root), "TZ": "UTC"}
    data = other_root / "data" / "deskbreak"
    data.mkdir(mode=0o755)  # root's: the second user may read it but not create the lock
    started = as_other_user([deskbreak_exe, "start"], env)
    assert started.returncode == 1, started.stderr
    assert "daemon.lock" in started.stderr and "Permission denied" in started.stderr
    assert "Traceback" not in started.stderr
