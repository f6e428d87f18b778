"""The desktop entry that names and groups deskbreak's notifications, installed beside the unit."""

from __future__ import annotations

import configparser
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from fakes import RecordingRunner, which_systemctl
from typer.testing import CliRunner

from deskbreak.service import desktop_entry, system_wide, systemd
from deskbreak.service.base import Change


def parse_entry(text: str) -> configparser.SectionProxy:
    parser = configparser.ConfigParser(interpolation=None)
    parser.optionxform = str  # type: ignore[assignment,method-assign] # keys are case-sensitive
    parser.read_string(text)
    return parser["Desktop Entry"]


def user_entry() -> Path:
    return Path(os.environ["XDG_DATA_HOME"]) / "applications" / "deskbreak.desktop"


@pytest.fixture
def validate() -> str:
    found = shutil.which("desktop-file-validate")
    if found is None:
        if os.environ.get("DESKBREAK_E2E") == "1":
            pytest.fail(
                "desktop-file-validate (desktop-file-utils) is required when DESKBREAK_E2E=1"
            )
        pytest.skip("desktop-file-validate (desktop-file-utils) is not installed")
    return found


# --- the entry --------------------------------------------------------------------------------


def test_entry_names_deskbreak_for_notifications_but_stays_out_of_menus() -> None:
    entry = parse_entry(desktop_entry.render_entry(["/usr/bin/deskbreak"]))
    assert entry["Name"] == "deskbreak"
    assert entry["Comment"] and entry["Icon"]
    assert entry["NoDisplay"] == "true"
    assert entry["X-GNOME-UsesNotifications"] == "true"
    assert entry["Exec"] == "/usr/bin/deskbreak start"


def test_exec_line_quotes_a_path_with_spaces_and_percent_signs() -> None:
    line = desktop_entry.exec_line(["/opt/My Tools/deskbreak", "-m", "100%"])
    # Quoted for the Exec grammar, then '\' and '%' escaped for the file's string syntax.
    assert line == '"/opt/My Tools/deskbreak" -m 100%%'
    assert desktop_entry.exec_line(['/a"b$c']) == '"/a\\\\"b\\\\$c"'


def test_user_entry_path_honours_only_an_absolute_xdg_data_home() -> None:
    absolute = {"HOME": "/home/ann", "XDG_DATA_HOME": "/srv/ann-data"}
    relative = {"HOME": "/home/ann", "XDG_DATA_HOME": "data"}
    assert desktop_entry.user_entry_path(absolute) == Path(
        "/srv/ann-data/applications/deskbreak.desktop"
    )
    assert desktop_entry.user_entry_path(relative) == Path(
        "/home/ann/.local/share/applications/deskbreak.desktop"
    )


def test_shipped_and_rendered_entries_pass_desktop_file_validate(
    validate: str, tmp_path: Path
) -> None:
    shipped = Path(desktop_entry.__file__).parents[1] / "data" / "deskbreak.desktop"
    rendered = tmp_path / "deskbreak.desktop"
    rendered.write_text(desktop_entry.render_entry(["/opt/My Tools/deskbreak"]), encoding="utf-8")
    for path in (shipped, rendered):
        result = subprocess.run([validate, str(path)], capture_output=True, text=True, check=False)
        assert result.returncode == 0 and result.stdout == "", result.stdout


# --- per user ---------------------------------------------------------------------------------


def install_for_me(command: str, run: RecordingRunner, dry_run: bool = False) -> Change:
    env = dict(os.environ)
    return systemd.install(
        run=run,
        env=env,
        dry_run=dry_run,
        command=[command],
        which=which_systemctl,
        platform="linux",
    )


def test_install_writes_the_entry_under_xdg_data_home_running_the_same_deskbreak() -> None:
    change = install_for_me("/opt/bin/deskbreak", RecordingRunner())
    assert parse_entry(user_entry().read_text(encoding="utf-8"))["Exec"] == (
        "/opt/bin/deskbreak start"
    )
    assert [file.path for file in change.files] == [user_entry()]


def test_install_dry_run_plans_the_entry_and_writes_nothing() -> None:
    run = RecordingRunner()
    change = install_for_me("/b/deskbreak", run, dry_run=True)
    assert [file.path for file in change.files] == [user_entry()]
    assert run.calls == [] and not user_entry().exists()


def test_uninstall_removes_the_entry_with_the_unit() -> None:
    env = dict(os.environ)

    def uninstall(dry_run: bool) -> Change:
        run = RecordingRunner()
        return systemd.uninstall(
            run=run, env=env, dry_run=dry_run, which=which_systemctl, platform="linux"
        )

    install_for_me("/b/deskbreak", RecordingRunner())
    assert user_entry().exists() and [f.content for f in uninstall(True).files] == [None]
    uninstall(False)
    assert not user_entry().exists() and not systemd.unit_path(env).exists()


def test_uninstall_removes_a_left_over_entry_even_without_the_unit() -> None:
    user_entry().parent.mkdir(parents=True)
    user_entry().write_text("[Desktop Entry]\n", encoding="utf-8")
    run = RecordingRunner()
    change = systemd.uninstall(run=run, env=dict(os.environ), platform="linux")
    assert not user_entry().exists() and run.calls == []
    assert "is not installed" in change.notes[0]


# --- for every user ---------------------------------------------------------------------------


def test_install_global_writes_the_entry_to_usr_share_applications(tmp_path: Path) -> None:
    system_wide.install_global(
        run=RecordingRunner(),
        command=["/usr/local/bin/deskbreak"],
        root=tmp_path,
        which=which_systemctl,
    )
    entry = tmp_path / "usr/share/applications/deskbreak.desktop"
    assert (
        parse_entry(entry.read_text(encoding="utf-8"))["Exec"] == "/usr/local/bin/deskbreak start"
    )


def test_uninstall_global_removes_the_entry_and_its_dry_run_keeps_it(tmp_path: Path) -> None:
    run = RecordingRunner()
    system_wide.install_global(
        run=run, command=["/usr/bin/deskbreak"], root=tmp_path, which=which_systemctl
    )
    entry = tmp_path / "usr/share/applications/deskbreak.desktop"
    dry = system_wide.uninstall_global(run=run, root=tmp_path, dry_run=True)
    assert entry.exists() and [f.path for f in dry.files] == [entry]
    system_wide.uninstall_global(run=run, root=tmp_path, which=which_systemctl)
    assert not entry.exists() and not system_wide.global_unit_path(tmp_path).exists()
    assert run.calls[-1][-2:] == ("disable", "deskbreak.service")


# --- the CLI ----------------------------------------------------------------------------------


def test_cli_dry_run_names_the_entry_on_stderr_and_keeps_stdout_a_unit() -> None:
    import deskbreak.cli.commands_service  # noqa: F401 - registers `service` on the app
    from deskbreak.cli.app import app

    if not sys.platform.startswith("linux"):
        pytest.skip("the desktop entry is installed on Linux")
    result = CliRunner().invoke(app, ["service", "install", "--dry-run"])
    assert result.exit_code == 0, result.output
    assert f"would write {user_entry()}" in result.stderr
    assert "[Desktop Entry]" not in result.stdout and "[Service]" in result.stdout
