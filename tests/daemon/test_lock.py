"""The single-instance lock: checked folders, no symlinks followed, one daemon per data dir."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from deskbreak.daemon.lock import DaemonLock, lock_holder
from deskbreak.errors import EXIT_STATE, AlreadyRunningError, UnsafePathError
from deskbreak.paths import Paths


def paths_in(root: Path, runtime: str = "run/deskbreak") -> Paths:
    return Paths(root / "c.toml", root / "data", root / "state", root / runtime)


def test_a_planted_lock_symlink_is_refused_and_its_target_is_left_untouched(
    tmp_path: Path,
) -> None:
    paths = paths_in(tmp_path)
    paths.runtime_dir.mkdir(parents=True, mode=0o700)
    victim = tmp_path / "victim.txt"
    victim.write_text("precious\n", encoding="utf-8")
    paths.lock_file.symlink_to(victim)
    with pytest.raises(UnsafePathError, match="symbolic link") as raised:
        DaemonLock(paths).acquire()
    assert raised.value.exit_code == EXIT_STATE
    assert victim.read_text(encoding="utf-8") == "precious\n"


def test_a_runtime_dir_that_is_a_symlink_is_refused_before_anything_is_opened_in_it(
    tmp_path: Path,
) -> None:
    paths = paths_in(tmp_path)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir(mode=0o700)
    paths.runtime_dir.parent.mkdir()
    paths.runtime_dir.symlink_to(elsewhere)
    with pytest.raises(UnsafePathError, match="symbolic link"):
        DaemonLock(paths).acquire()
    assert list(elsewhere.iterdir()) == []


def test_a_runtime_dir_of_another_user_is_refused_before_anything_is_opened_in_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    paths = paths_in(tmp_path)
    paths.runtime_dir.mkdir(parents=True, mode=0o700)
    real_uid = os.getuid()
    monkeypatch.setattr(os, "getuid", lambda: real_uid + 1)  # the folder is now someone else's
    with pytest.raises(UnsafePathError, match="another user"):
        DaemonLock(paths).acquire()
    assert list(paths.runtime_dir.iterdir()) == []


def test_a_loose_runtime_dir_of_ours_is_made_private(tmp_path: Path) -> None:
    paths = paths_in(tmp_path)
    paths.runtime_dir.mkdir(parents=True, mode=0o755)
    paths.runtime_dir.chmod(0o755)
    lock = DaemonLock(paths)
    lock.acquire()
    try:
        assert paths.runtime_dir.stat().st_mode & 0o777 == 0o700
        assert paths.lock_file.stat().st_mode & 0o777 == 0o600
    finally:
        lock.release()


def test_a_second_daemon_with_another_runtime_dir_is_refused_by_the_lock_beside_the_data(
    tmp_path: Path,
) -> None:
    first = DaemonLock(paths_in(tmp_path, "run-a/deskbreak"))
    first.acquire()
    try:
        with pytest.raises(AlreadyRunningError, match=f"pid {os.getpid()}"):
            DaemonLock(paths_in(tmp_path, "run-b/deskbreak")).acquire()
    finally:
        first.release()
    second = DaemonLock(paths_in(tmp_path, "run-b/deskbreak"))
    second.acquire()  # the first released both: the second may start now
    second.release()


def test_a_removed_runtime_dir_does_not_let_a_second_daemon_start(tmp_path: Path) -> None:
    paths = paths_in(tmp_path)
    first = DaemonLock(paths)
    first.acquire()
    try:
        paths.lock_file.unlink()
        paths.runtime_dir.rmdir()
        with pytest.raises(AlreadyRunningError):
            DaemonLock(paths).acquire()
    finally:
        first.release()


def test_a_lock_path_that_is_a_directory_is_a_sentence_and_exit_1(tmp_path: Path) -> None:
    paths = paths_in(tmp_path)
    paths.data_lock_file.mkdir(parents=True)
    with pytest.raises(UnsafePathError, match="is a directory") as raised:
        DaemonLock(paths).acquire()
    assert raised.value.exit_code == EXIT_STATE


def test_lock_holder_names_the_running_daemon_and_none_after_release(tmp_path: Path) -> None:
    paths = paths_in(tmp_path)
    lock = DaemonLock(paths)
    lock.acquire()
    assert lock_holder(paths.data_lock_file) == os.getpid()
    assert lock_holder(paths.lock_file) == os.getpid()
    lock.release()
    assert lock_holder(paths.data_lock_file) is None
