"""`deskbreak service install --global`: the unit for every user, enabled with --global."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from fakes import RecordingRunner, which_systemctl

from deskbreak.errors import DeskbreakError
from deskbreak.proc import make_runner
from deskbreak.service import system_wide

WANTS = Path("etc/systemd/user/graphical-session.target.wants/deskbreak.service")


def test_install_global_writes_the_unit_for_all_users_and_enables_it_globally(
    tmp_path: Path,
) -> None:
    run = RecordingRunner()
    change = system_wide.install_global(
        run=run, command=["/usr/local/bin/deskbreak"], root=tmp_path, which=which_systemctl
    )
    unit = tmp_path / "usr/lib/systemd/user/deskbreak.service"
    assert change.path == unit
    assert "\nExecStart=/usr/local/bin/deskbreak start\n" in unit.read_text(encoding="utf-8")
    assert run.calls == [
        ("systemctl", "--global", f"--root={tmp_path}", "enable", "deskbreak.service")
    ]


def test_install_global_refuses_a_command_inside_a_home_directory(tmp_path: Path) -> None:
    with pytest.raises(DeskbreakError, match="inside a home directory, so other users cannot"):
        system_wide.install_global(
            run=RecordingRunner(),
            command=["/home/ann/.local/bin/deskbreak"],
            root=tmp_path,
            which=which_systemctl,
        )
    assert not (tmp_path / "usr").exists()


def test_a_dry_run_writes_and_runs_nothing(tmp_path: Path) -> None:
    run = RecordingRunner()
    change = system_wide.install_global(
        run=run, command=["/usr/bin/deskbreak"], root=tmp_path, dry_run=True
    )
    assert change.dry_run and change.content is not None
    assert run.calls == [] and not change.path.exists()


def test_uninstall_global_without_a_unit_says_it_is_not_installed(tmp_path: Path) -> None:
    change = system_wide.uninstall_global(run=RecordingRunner(), root=tmp_path)
    assert change.commands == () and "is not installed" in change.notes[0]


@pytest.fixture
def systemctl() -> str:
    found = shutil.which("systemctl")
    if found is None:
        if os.environ.get("DESKBREAK_E2E") == "1":
            pytest.fail("systemctl is required when DESKBREAK_E2E=1")
        pytest.skip("systemctl is not installed")
    return found


def test_real_systemctl_enables_the_unit_for_every_users_graphical_session(
    systemctl: str, tmp_path: Path
) -> None:
    run = make_runner(dict(os.environ))
    system_wide.install_global(run=run, command=["/usr/local/bin/deskbreak"], root=tmp_path)
    link = tmp_path / WANTS
    assert link.is_symlink()
    assert str(link.readlink()) == "/usr/lib/systemd/user/deskbreak.service"

    system_wide.uninstall_global(run=run, root=tmp_path)
    assert not link.exists() and not link.is_symlink()
    assert not (tmp_path / "usr/lib/systemd/user/deskbreak.service").exists()
