from __future__ import annotations

import configparser
import json
import os
import plistlib
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from fakes import RecordingRunner, which_systemctl
from typer.testing import CliRunner

from deskbreak.errors import EXIT_STATE, DeskbreakError
from deskbreak.proc import RunResult
from deskbreak.service import systemd
from deskbreak.service.base import ServiceStatus

REPO_UNIT = Path(__file__).resolve().parents[2] / "systemd" / "deskbreak.service"


def which_all(name: str) -> str | None:
    return f"/usr/bin/{name}"


def parse_unit(text: str) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(interpolation=None, comment_prefixes=("#", ";"))
    parser.optionxform = str  # type: ignore[assignment,method-assign] # systemd keys are case-sensitive
    parser.read_string(text)
    return parser


def executable(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("#!/bin/sh\nexit 0\n")
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return path


SESSION = {"DISPLAY": ":0", "DBUS_SESSION_BUS_ADDRESS": "unix:path=/run/user/1000/bus"}


# --- the unit ---------------------------------------------------------------------------------


def test_rendered_unit_runs_the_given_executable_with_start() -> None:
    unit = parse_unit(systemd.render_unit("/opt/deskbreak/bin/deskbreak"))
    assert unit["Service"]["ExecStart"] == "/opt/deskbreak/bin/deskbreak start"


def test_unit_lives_and_dies_with_the_graphical_session() -> None:
    unit = parse_unit(systemd.render_unit("/usr/bin/deskbreak"))
    assert unit["Unit"]["PartOf"] == "graphical-session.target"
    assert unit["Unit"]["After"] == "graphical-session.target"
    assert unit["Install"]["WantedBy"] == "graphical-session.target"


def test_unit_restarts_on_failure_within_a_start_limit() -> None:
    unit = parse_unit(systemd.render_unit("/usr/bin/deskbreak"))
    assert unit["Service"]["Restart"] == "on-failure"
    assert int(unit["Unit"]["StartLimitBurst"]) >= 1
    assert int(unit["Unit"]["StartLimitIntervalSec"]) > int(unit["Service"]["RestartSec"]) * int(
        unit["Unit"]["StartLimitBurst"]
    )
    assert unit["Service"]["RestartPreventExitStatus"] == "2"


def test_unit_uses_notify_readiness_watchdog_and_reload_by_sighup() -> None:
    service = parse_unit(systemd.render_unit("/usr/bin/deskbreak"))["Service"]
    assert service["Type"] == "notify"
    assert service["NotifyAccess"] == "main"
    assert int(service["WatchdogSec"]) >= 120  # the daemon pings once a minute
    assert service["ExecReload"] == "/bin/kill -HUP $MAINPID"


def test_unit_sets_no_dbus_address_that_would_hide_the_sessions_own() -> None:
    service = parse_unit(systemd.render_unit("/usr/bin/deskbreak"))["Service"]
    assert "DBUS_SESSION_BUS_ADDRESS" not in service.get("Environment", "")


def test_template_is_packaged_with_one_placeholder() -> None:
    assert systemd.unit_template().count(systemd.EXEC_PLACEHOLDER) == 1


def test_repo_unit_is_the_template_rendered_for_a_system_wide_install() -> None:
    # A bare name: systemd finds it in /usr/local/bin (pipx for all users) or /usr/bin (a
    # distribution package).
    expected = systemd.render_unit("deskbreak")
    assert REPO_UNIT.read_text(encoding="utf-8") == expected, (
        "systemd/deskbreak.service is out of date; regenerate it with render_unit('deskbreak')"
    )


def test_command_line_quotes_spaces_and_keeps_percent_and_dollar_literal() -> None:
    line = systemd.systemd_command_line(["/home/a b/100%/$x/deskbreak"])
    assert line == '"/home/a b/100%%/$$x/deskbreak"'


def test_command_line_leaves_plain_arguments_bare() -> None:
    line = systemd.systemd_command_line(["/usr/bin/python3", "-m", "deskbreak"])
    assert line == "/usr/bin/python3 -m deskbreak"


# --- systemd-analyze verify ---------------------------------------------------------------------


@pytest.fixture
def systemd_analyze() -> str:
    found = shutil.which("systemd-analyze")
    if found is None:
        if os.environ.get("DESKBREAK_E2E") == "1":
            pytest.fail("systemd-analyze is required when DESKBREAK_E2E=1")
        pytest.skip("systemd-analyze is not installed")
    return found


# Lines about units other packages ship (pulled in through graphical-session.target) are not
# ours to fix; everything else systemd-analyze says about our unit counts as a failure.
HARMLESS_PREFIXES = ("/usr/lib/systemd/", "/lib/systemd/", "/etc/systemd/")


def verify(analyze: str, unit_file: Path) -> tuple[int, list[str]]:
    # --user: graphical-session.target exists only for user managers. The user manager
    # needs XDG_RUNTIME_DIR, which conftest points at a temp dir; %h is $HOME, also temp.
    done = subprocess.run(
        [analyze, "--user", "verify", str(unit_file)],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    lines = (done.stdout + done.stderr).splitlines()
    complaints = [ln for ln in lines if ln.strip() and not ln.startswith(HARMLESS_PREFIXES)]
    return done.returncode, complaints


def test_systemd_analyze_verify_accepts_the_repo_unit_once_deskbreak_is_in_usr_local_bin(
    systemd_analyze: str, tmp_path: Path
) -> None:
    # The unit runs /usr/local/bin/deskbreak; a private mount namespace puts one there for
    # systemd-analyze alone, without touching the machine's /usr/local/bin.
    bin_dir = executable(tmp_path / "bin" / "deskbreak").parent
    script = f'mount --bind "{bin_dir}" /usr/local/bin && exec "{systemd_analyze}" "$@"'
    wrapper = tmp_path / "analyze-in-namespace"
    wrapper.write_text(f"#!/bin/sh\nexec unshare --mount sh -c '{script}' sh \"$@\"\n")
    wrapper.chmod(0o755)
    probe = subprocess.run(
        ["unshare", "--mount", "true"], capture_output=True, text=True, check=False
    )
    if probe.returncode != 0:
        if os.environ.get("DESKBREAK_E2E") == "1":
            pytest.fail(f"unshare --mount is needed (as root): {probe.stderr.strip()}")
        pytest.skip("unshare --mount is not permitted here (needs root)")
    assert verify(str(wrapper), REPO_UNIT) == (0, [])
    if not Path("/usr/local/bin/deskbreak").exists():  # proves verify looks at ExecStart
        assert verify(systemd_analyze, REPO_UNIT)[0] != 0


def test_systemd_analyze_verify_accepts_a_rendered_unit_with_a_spaced_path(
    systemd_analyze: str, tmp_path: Path
) -> None:
    program = executable(tmp_path / "my tools" / "deskbreak")
    unit_file = tmp_path / "unit" / systemd.UNIT_NAME
    unit_file.parent.mkdir()
    unit_file.write_text(systemd.render_unit(systemd.systemd_command_line([str(program)])))
    assert verify(systemd_analyze, unit_file) == (0, [])


def test_systemd_analyze_verify_rejects_a_missing_executable(
    systemd_analyze: str, tmp_path: Path
) -> None:
    # Proves the checks above look at ExecStart at all.
    unit_file = tmp_path / systemd.UNIT_NAME
    unit_file.write_text(systemd.render_unit(str(tmp_path / "missing" / "deskbreak")))
    code, complaints = verify(systemd_analyze, unit_file)
    assert code != 0
    assert any("not executable" in line for line in complaints)


# --- where things go -----------------------------------------------------------------------------


def test_unit_path_honours_xdg_config_home() -> None:
    env = {"HOME": "/home/ann", "XDG_CONFIG_HOME": "/srv/ann-config"}
    assert systemd.unit_path(env) == Path("/srv/ann-config/systemd/user/deskbreak.service")


@pytest.mark.parametrize("config_home", ["", "relative/config"])
def test_unit_path_falls_back_to_dot_config_without_an_absolute_xdg_config_home(
    config_home: str,
) -> None:
    env = {"HOME": "/home/ann", "XDG_CONFIG_HOME": config_home}
    assert systemd.unit_path(env) == Path("/home/ann/.config/systemd/user/deskbreak.service")


def test_find_command_prefers_the_running_deskbreak_script(tmp_path: Path) -> None:
    script = executable(tmp_path / "venv" / "bin" / "deskbreak")
    assert systemd.find_command(str(script), which_all) == [str(script)]


def test_find_command_keeps_a_symlinked_shim_instead_of_its_target(tmp_path: Path) -> None:
    target = executable(tmp_path / "Cellar" / "0.1.0" / "bin" / "deskbreak")
    shim = tmp_path / "bin" / "deskbreak"
    shim.parent.mkdir()
    shim.symlink_to(target)
    assert systemd.find_command(str(shim), which_all) == [str(shim)]


def test_find_command_falls_back_to_deskbreak_on_path() -> None:
    command = systemd.find_command("/usr/bin/pytest", lambda name: f"/opt/bin/{name}")
    assert command == ["/opt/bin/deskbreak"]


def test_find_command_falls_back_to_python_dash_m() -> None:
    command = systemd.find_command("/x/__main__.py", lambda name: None, "/usr/bin/python3")
    assert command == ["/usr/bin/python3", "-m", "deskbreak"]


def test_logs_command_reads_the_units_journal() -> None:
    command = systemd.logs_command(follow=True, lines=20, env={}, platform="linux")
    assert command[:4] == ["journalctl", "--user", "-u", "deskbreak.service"]
    assert command[-3:] == ["-n", "20", "--follow"]


# --- install / uninstall / status with a recording runner -----------------------------------


def test_install_writes_the_unit_then_reloads_and_enables_it() -> None:
    run = RecordingRunner()
    env = {**os.environ, **SESSION}
    change = systemd.install(
        run=run, env=env, command=["/opt/bin/deskbreak"], which=which_systemctl, platform="linux"
    )
    path = systemd.unit_path(env)
    assert path == Path(os.environ["XDG_CONFIG_HOME"]) / "systemd" / "user" / "deskbreak.service"
    assert "ExecStart=/opt/bin/deskbreak start" in path.read_text()
    assert run.calls == [
        ("systemctl", "--user", "show-environment"),
        (
            "systemctl",
            "--user",
            "import-environment",
            "DISPLAY",
            "DBUS_SESSION_BUS_ADDRESS",
            "XDG_RUNTIME_DIR",
        ),
        ("systemctl", "--user", "daemon-reload"),
        ("systemctl", "--user", "enable", "--now", "deskbreak.service"),
    ]
    assert change.commands == tuple(run.calls[1:])
    assert not change.dry_run


def test_install_prefers_dbus_update_activation_environment_when_present() -> None:
    run = RecordingRunner()
    env = {**SESSION, "HOME": os.environ["HOME"]}
    systemd.install(run=run, env=env, command=["/b/deskbreak"], which=which_all, platform="linux")
    assert run.calls[1] == (
        "dbus-update-activation-environment",
        "--systemd",
        "DISPLAY",
        "DBUS_SESSION_BUS_ADDRESS",
    )


def test_install_falls_back_to_systemctl_import_environment_when_dbus_update_fails() -> None:
    failing = (
        "dbus-update-activation-environment",
        "--systemd",
        "DISPLAY",
        "DBUS_SESSION_BUS_ADDRESS",
    )
    run = RecordingRunner({failing: RunResult(1, "", "no bus")})
    env = {**SESSION, "HOME": os.environ["HOME"]}
    systemd.install(run=run, env=env, command=["/b/deskbreak"], which=which_all, platform="linux")
    assert run.calls[2] == (
        "systemctl",
        "--user",
        "import-environment",
        "DISPLAY",
        "DBUS_SESSION_BUS_ADDRESS",
    )


def test_install_imports_nothing_when_no_session_variable_is_set() -> None:
    run = RecordingRunner()
    env = {"HOME": os.environ["HOME"]}
    systemd.install(run=run, env=env, command=["/b/deskbreak"], which=which_all, platform="linux")
    assert not any("import-environment" in " ".join(call) for call in run.calls)


def test_reinstall_with_a_new_path_restarts_a_running_service() -> None:
    env = dict(os.environ)
    systemd.install(
        run=RecordingRunner(),
        env=env,
        command=["/old/deskbreak"],
        which=which_systemctl,
        platform="linux",
    )
    run = RecordingRunner()
    systemd.install(
        run=run, env=env, command=["/new/deskbreak"], which=which_systemctl, platform="linux"
    )
    assert run.calls[-1] == ("systemctl", "--user", "try-restart", "deskbreak.service")


def test_reinstall_of_the_same_unit_does_not_restart() -> None:
    env = dict(os.environ)
    for _ in range(2):
        run = RecordingRunner()
        systemd.install(
            run=run, env=env, command=["/b/deskbreak"], which=which_systemctl, platform="linux"
        )
    assert not any("try-restart" in call for call in run.calls)


def test_install_dry_run_writes_nothing_and_runs_nothing() -> None:
    run = RecordingRunner()
    env = {**os.environ, **SESSION}
    change = systemd.install(
        run=run,
        env=env,
        dry_run=True,
        command=["/b/deskbreak"],
        which=which_systemctl,
        platform="linux",
    )
    assert run.calls == []
    assert not systemd.unit_path(env).exists()
    assert change.dry_run
    assert change.content is not None
    assert "ExecStart=/b/deskbreak start" in change.content
    assert ("systemctl", "--user", "enable", "--now", "deskbreak.service") in change.commands


def test_install_without_systemctl_says_so_and_writes_nothing() -> None:
    env = dict(os.environ)
    with pytest.raises(DeskbreakError, match="systemctl") as caught:
        systemd.install(
            run=RecordingRunner(),
            env=env,
            command=["/b/deskbreak"],
            which=lambda n: None,
            platform="linux",
        )
    assert caught.value.exit_code == EXIT_STATE
    assert not systemd.unit_path(env).exists()


def test_install_without_a_reachable_user_manager_says_so_and_writes_nothing() -> None:
    probe = ("systemctl", "--user", "show-environment")
    run = RecordingRunner({probe: RunResult(1, "", "Failed to connect to bus: No medium found")})
    env = dict(os.environ)
    with pytest.raises(DeskbreakError, match="No medium found"):
        systemd.install(
            run=run, env=env, command=["/b/deskbreak"], which=which_systemctl, platform="linux"
        )
    assert run.calls == [probe]
    assert not systemd.unit_path(env).exists()


def test_install_reports_a_failed_enable_with_systemctls_words() -> None:
    enable = ("systemctl", "--user", "enable", "--now", "deskbreak.service")
    run = RecordingRunner({enable: RunResult(1, "", "Unit deskbreak.service has a bad setting.")})
    with pytest.raises(DeskbreakError, match="bad setting"):
        systemd.install(
            run=run,
            env=dict(os.environ),
            command=["/b/deskbreak"],
            which=which_systemctl,
            platform="linux",
        )


def test_install_on_windows_is_refused_with_a_plain_message() -> None:
    with pytest.raises(DeskbreakError, match="win32"):
        systemd.install(run=RecordingRunner(), env={}, command=["deskbreak"], platform="win32")


def test_uninstall_disables_removes_and_reloads() -> None:
    env = dict(os.environ)
    systemd.install(
        run=RecordingRunner(),
        env=env,
        command=["/b/deskbreak"],
        which=which_systemctl,
        platform="linux",
    )
    run = RecordingRunner()
    change = systemd.uninstall(run=run, env=env, which=which_systemctl, platform="linux")
    assert not systemd.unit_path(env).exists()
    assert run.calls[1:3] == [
        ("systemctl", "--user", "disable", "--now", "deskbreak.service"),
        ("systemctl", "--user", "daemon-reload"),
    ]
    assert change.content is None


def test_uninstall_dry_run_keeps_the_unit() -> None:
    env = dict(os.environ)
    systemd.install(
        run=RecordingRunner(),
        env=env,
        command=["/b/deskbreak"],
        which=which_systemctl,
        platform="linux",
    )
    run = RecordingRunner()
    systemd.uninstall(run=run, env=env, dry_run=True, which=which_systemctl, platform="linux")
    assert run.calls == []
    assert systemd.unit_path(env).exists()


def test_uninstall_when_not_installed_does_nothing_and_says_so() -> None:
    run = RecordingRunner()
    change = systemd.uninstall(
        run=run, env=dict(os.environ), which=which_systemctl, platform="linux"
    )
    assert run.calls == []
    assert "not installed" in change.notes[0]


SHOW_CALL = (
    "systemctl",
    "--user",
    "show",
    "deskbreak.service",
    "-p",
    "LoadState,ActiveState,SubState,UnitFileState,MainPID,ActiveEnterTimestamp,NRestarts",
)


def test_status_reads_systemctl_show() -> None:
    shown = (
        "LoadState=loaded\nActiveState=active\nSubState=running\nUnitFileState=enabled\n"
        "MainPID=4242\nActiveEnterTimestamp=Mon 2026-11-23 09:00:01 CET\nNRestarts=1\n"
    )
    run = RecordingRunner({SHOW_CALL: RunResult(0, shown)})
    st = systemd.status(run=run, env=dict(os.environ), which=which_systemctl, platform="linux")
    assert (st.installed, st.active, st.enabled, st.state) == (
        True,
        True,
        "enabled",
        "active (running)",
    )
    assert (st.main_pid, st.restarts) == (4242, 1)


def test_status_of_a_unit_that_is_not_installed() -> None:
    shown = "LoadState=not-found\nActiveState=inactive\nSubState=dead\nUnitFileState=\nMainPID=0\n"
    run = RecordingRunner({SHOW_CALL: RunResult(0, shown)})
    st = systemd.status(run=run, env=dict(os.environ), which=which_systemctl, platform="linux")
    assert (st.installed, st.active, st.enabled, st.main_pid) == (
        False,
        False,
        "not installed",
        None,
    )


# --- macOS --------------------------------------------------------------------------------------


def test_macos_dry_run_prints_a_launchd_agent() -> None:
    env = {"HOME": os.environ["HOME"]}
    change = systemd.install(
        run=RecordingRunner(),
        env=env,
        dry_run=True,
        command=["/opt/homebrew/bin/deskbreak"],
        platform="darwin",
    )
    assert change.path == Path(env["HOME"]) / "Library/LaunchAgents/dev.deskbreak.plist"
    assert change.content is not None
    agent = plistlib.loads(change.content.encode())
    assert agent["Label"] == "dev.deskbreak"
    assert agent["ProgramArguments"] == ["/opt/homebrew/bin/deskbreak", "start"]
    assert agent["RunAtLoad"] is True
    assert not change.path.exists()


def test_macos_install_writes_the_agent_and_bootstraps_it() -> None:
    run = RecordingRunner()
    env = {"HOME": os.environ["HOME"]}
    change = systemd.install(run=run, env=env, command=["/b/deskbreak"], platform="darwin")
    assert change.path.exists()
    assert run.calls[-1][:2] == ("launchctl", "bootstrap")


# --- the CLI ------------------------------------------------------------------------------------


@pytest.fixture
def cli() -> CliRunner:
    import deskbreak.cli.commands_service  # noqa: F401 - registers `service` on the app

    return CliRunner()


def test_cli_install_dry_run_prints_the_unit_and_commands_and_writes_nothing(
    cli: CliRunner, isolated_dirs: Path
) -> None:
    from deskbreak.cli.app import app

    if not sys.platform.startswith("linux"):
        pytest.skip("the systemd unit is rendered on Linux")
    result = cli.invoke(app, ["service", "install", "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "[Service]" in result.stdout
    assert "ExecStart=" in result.stdout
    assert "systemctl --user daemon-reload" in result.stderr
    assert "systemctl --user enable --now deskbreak.service" in result.stderr
    written = [p for p in isolated_dirs.rglob("*") if p.is_file()]
    assert written == []


def test_cli_status_json_prints_the_status_and_exits_1_when_not_running(
    cli: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    from deskbreak.cli.app import app

    stopped = ServiceStatus(
        manager="systemd",
        path="/x/deskbreak.service",
        installed=True,
        active=False,
        enabled="enabled",
        state="failed (exit-code)",
    )
    monkeypatch.setattr(systemd, "status", lambda **_: stopped)
    result = cli.invoke(app, ["service", "status", "--json"])
    assert result.exit_code == EXIT_STATE
    assert json.loads(result.stdout)["state"] == "failed (exit-code)"


def test_cli_install_dry_run_redirected_to_a_file_is_a_unit_systemd_accepts(
    cli: CliRunner, systemd_analyze: str, tmp_path: Path
) -> None:
    from deskbreak.cli.app import app

    executable(Path(os.environ["HOME"]) / ".local" / "bin" / "deskbreak")
    result = cli.invoke(app, ["service", "install", "--dry-run"])
    assert result.exit_code == 0, result.output
    unit_file = tmp_path / systemd.UNIT_NAME
    unit_file.write_text(result.stdout)
    assert "would run" not in result.stdout and "dry run" not in result.stdout
    assert verify(systemd_analyze, unit_file) == (0, [])


# The `service status --json` schema: the same keys whether or not the manager answers.
SERVICE_STATUS_KEYS = {
    "manager",
    "path",
    "installed",
    "active",
    "enabled",
    "state",
    "main_pid",
    "since",
    "restarts",
    "error",
}


def test_cli_status_json_has_the_pinned_keys(
    cli: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    from deskbreak.cli.app import app

    running = ServiceStatus("systemd", "/x", True, True, "enabled", "active (running)")
    monkeypatch.setattr(systemd, "status", lambda **_: running)
    result = cli.invoke(app, ["service", "status", "--json"])
    assert set(json.loads(result.stdout)) == SERVICE_STATUS_KEYS


def test_cli_status_json_is_json_even_when_the_user_manager_is_unreachable(
    cli: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    from deskbreak.cli.app import app

    def unreachable(**_: object) -> ServiceStatus:
        raise DeskbreakError("`systemctl --user` cannot reach your user service manager")

    monkeypatch.setattr(systemd, "status", unreachable)
    result = cli.invoke(app, ["service", "status", "--json"])
    assert result.exit_code == EXIT_STATE
    document = json.loads(result.stdout)
    assert set(document) == SERVICE_STATUS_KEYS
    assert document["active"] is False and "cannot reach" in document["error"]
