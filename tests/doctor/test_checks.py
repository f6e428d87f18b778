"""`deskbreak doctor`'s checks with fake runners, fake notifiers and plain values."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from fakes import RecordingNotifier, paths_in, status_reply
from typer.testing import CliRunner

from deskbreak.config import Config
from deskbreak.daemon.protocol import StatusReply, StatusRequest
from deskbreak.desktop.calls import CallCheck
from deskbreak.desktop.notify import Notifier
from deskbreak.doctor import checks as doctor
from deskbreak.doctor.bus import BUS_FIX, check_server
from deskbreak.doctor.check import Check, Status
from deskbreak.errors import DeskbreakError, NotRunningError
from deskbreak.planner.model import ScheduleConfig
from deskbreak.proc import RunResult
from deskbreak.store.history import History

GDBUS = "/usr/bin/gdbus"
DBUS_SEND = "/usr/bin/dbus-send"
BUS_ENV = {"DBUS_SESSION_BUS_ADDRESS": "unix:path=/tmp/bus,guid=abc"}


class FakeRunner:
    """Answers each command with `answer(args)` and records what it was asked to run."""

    def __init__(self, answer: Callable[[Sequence[str]], RunResult]) -> None:
        self.answer = answer
        self.calls: list[list[str]] = []

    def __call__(self, args: Sequence[str]) -> RunResult:
        self.calls.append(list(args))
        return self.answer(args)

    def methods(self) -> list[str]:
        return [a[a.index("--method") + 1] for a in self.calls if "--method" in a]


def which_only(*present: str) -> Callable[[str], str | None]:
    return lambda name: f"/usr/bin/{name}" if name in present else None


def gdbus_bus(owned: bool = True, caps: str = "(['actions', 'body'],)") -> FakeRunner:
    def answer(args: Sequence[str]) -> RunResult:
        method = args[args.index("--method") + 1]
        replies = {
            "org.freedesktop.DBus.NameHasOwner": f"({str(owned).lower()},)\n",
            "org.freedesktop.DBus.ListActivatableNames": "(['org.freedesktop.DBus'],)\n",
            "org.freedesktop.Notifications.GetServerInformation": (
                "('dunst', 'knopwob', '1.9.0 (2022-06-27)', '1.2')\n"
            ),
            "org.freedesktop.Notifications.GetCapabilities": caps + "\n",
        }
        return RunResult(0, replies[method])

    return FakeRunner(answer)


# --- config -------------------------------------------------------------------------------------


def test_config_check_is_ok_with_defaults_when_there_is_no_file(tmp_path: Path) -> None:
    (system, check), cfg = doctor.check_config(tmp_path / "none.toml")
    assert system == Check("sysconfig", "ok", "none (looked for nowhere)")
    assert check.status == "ok"
    assert check.detail == f"defaults (no file at {tmp_path / 'none.toml'})"
    assert cfg is not None


def test_config_check_is_ok_for_a_valid_file(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text("[schedule]\ninterval = 45\n", encoding="utf-8")
    (_, check), cfg = doctor.check_config(path)
    assert check == Check("config", "ok", f"{path} (defaults for missing keys)")
    assert cfg is not None and cfg.schedule.interval.total_seconds() == 45 * 60


def test_config_check_fails_with_the_config_error_and_how_to_fix_it(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text('[schedule]\ninterval = "ten"\n', encoding="utf-8")
    (_, check), cfg = doctor.check_config(path)
    assert check.status == "fail"
    assert f"{path}:2: [schedule] interval must be a whole number" in check.detail
    assert check.fix == "edit the file, then `deskbreak config check`"
    assert cfg is None


def test_a_broken_system_file_fails_its_own_check_and_the_users_config_still_loads(
    tmp_path: Path,
) -> None:
    system = tmp_path / "etc" / "config.toml"
    system.parent.mkdir()
    system.write_text("[schedule]\ninterval = 0\n", encoding="utf-8")
    user = tmp_path / "config.toml"
    user.write_text("[schedule]\ninterval = 45\n", encoding="utf-8")
    (sys_check, check), cfg = doctor.check_config(user, [system])
    assert sys_check.status == "fail"
    assert sys_check.detail.startswith(f"{system}:2: [schedule] interval must be")
    assert check.status == "ok"
    assert cfg is not None and cfg.schedule.interval.total_seconds() == 45 * 60
    assert doctor.exit_code([sys_check, check]) == 2


def test_a_locked_key_in_the_users_file_is_a_warning_with_the_fix(tmp_path: Path) -> None:
    system = tmp_path / "etc" / "config.toml"
    system.parent.mkdir()
    system.write_text('[locked]\nkeys = ["schedule.interval"]\n', encoding="utf-8")
    user = tmp_path / "config.toml"
    user.write_text("[schedule]\ninterval = 45\n", encoding="utf-8")
    (sys_check, check), _ = doctor.check_config(user, [system])
    assert sys_check == Check("sysconfig", "ok", f"{system}; locked: schedule.interval")
    assert check.status == "warn" and "locked by your administrator" in check.detail
    assert doctor.exit_code([sys_check, check]) == 0


# --- backend ------------------------------------------------------------------------------------


def backends(**reasons: str | None) -> dict[str, Notifier]:
    found = {
        n: RecordingNotifier(n, reason=reasons.get(n.replace("-", "_"))) for n in ("dbus", "plyer")
    }
    return {**found, "console": RecordingNotifier("console")}


def test_backend_check_reports_the_first_usable_backend_auto_picks() -> None:
    check = doctor.check_backend("auto", backends())
    assert check == Check("backend", "ok", "auto picks dbus (fallbacks: plyer, console)")


def test_backend_check_says_why_auto_skipped_a_backend() -> None:
    check = doctor.check_backend("auto", backends(dbus="no notification server"))
    assert check.status == "ok"
    assert check.detail.startswith("auto picks plyer")
    assert "dbus: no notification server" in check.detail


def test_backend_check_warns_with_the_bus_fix_when_only_the_console_is_left() -> None:
    no_bus = "no D-Bus session bus"
    check = doctor.check_backend("auto", backends(dbus=no_bus, plyer=no_bus))
    assert check.status == "warn"
    assert "picks console" in check.detail
    assert check.fix == BUS_FIX


def test_backend_check_warns_when_the_configured_backend_is_unusable() -> None:
    check = doctor.check_backend("plyer", backends(plyer="plyer is not installed"))
    assert check.status == "warn"
    assert "plyer is set in the config but unusable here: plyer is not installed" in check.detail
    assert "fall back to dbus" in check.detail


# --- notification server ------------------------------------------------------------------------


def test_server_check_fails_with_the_fix_when_there_is_no_session_bus(tmp_path: Path) -> None:
    runner = gdbus_bus()
    check = check_server({"XDG_RUNTIME_DIR": str(tmp_path)}, runner, which_only("gdbus"))
    assert check.status == "fail"
    assert "DBUS_SESSION_BUS_ADDRESS is unset" in check.detail
    assert check.fix == BUS_FIX
    assert runner.calls == []


def test_server_check_finds_the_bus_in_the_runtime_dir(tmp_path: Path) -> None:
    (tmp_path / "bus").touch()
    env = {"XDG_RUNTIME_DIR": str(tmp_path)}
    check = check_server(env, gdbus_bus(), which_only("gdbus"))
    assert check.status == "ok"
    assert f"unix:path={tmp_path}/bus" in check.detail


def test_server_check_is_ok_for_a_server_with_actions() -> None:
    runner = gdbus_bus()
    check = check_server(BUS_ENV, runner, which_only("gdbus", "dbus-send"))
    assert check == Check(
        "server", "ok", "dunst 1.9.0 (2022-06-27) on unix:path=/tmp/bus; supports actions (buttons)"
    )
    assert runner.calls[0][:3] == [GDBUS, "call", "--session"]


def test_server_check_warns_when_the_server_has_no_actions() -> None:
    check = check_server(BUS_ENV, gdbus_bus(caps="(['body'],)"), which_only("gdbus"))
    assert check.status == "warn"
    assert "does not support actions" in check.detail
    assert check.fix is not None and "deskbreak done" in check.fix


def test_server_check_never_calls_the_notification_server_when_none_owns_the_name() -> None:
    runner = gdbus_bus(owned=False)
    check = check_server(BUS_ENV, runner, which_only("gdbus"))
    assert check.status == "fail"
    assert check.detail == "no notification server on the session bus (unix:path=/tmp/bus)"
    assert not [m for m in runner.methods() if m.startswith("org.freedesktop.Notifications")]


def test_server_check_warns_when_no_server_runs_but_dbus_can_start_one() -> None:
    def answer(args: Sequence[str]) -> RunResult:
        if "org.freedesktop.DBus.NameHasOwner" in args:
            return RunResult(0, "(false,)\n")
        return RunResult(0, "(['org.freedesktop.DBus', 'org.freedesktop.Notifications'],)\n")

    check = check_server(BUS_ENV, FakeRunner(answer), which_only("gdbus"))
    assert check.status == "warn"
    assert "D-Bus will start one" in check.detail


def test_server_check_fails_with_the_fix_when_the_bus_does_not_answer() -> None:
    runner = FakeRunner(lambda args: RunResult(1, "", "Error connecting: Could not connect\n"))
    check = check_server(BUS_ENV, runner, which_only("gdbus"))
    assert check.status == "fail"
    assert check.detail.endswith("Error connecting: Could not connect")
    assert check.fix == BUS_FIX


def test_server_check_uses_dbus_send_when_gdbus_is_missing() -> None:
    replies = {
        "org.freedesktop.DBus.NameHasOwner": "method return time=1.0\n   boolean true\n",
        "org.freedesktop.Notifications.GetServerInformation": (
            'method return time=1.0\n   string "dunst"\n   string "knopwob"\n'
            '   string "1.9.0"\n   string "1.2"\n'
        ),
        "org.freedesktop.Notifications.GetCapabilities": (
            'method return time=1.0\n   array [\n      string "actions"\n   ]\n'
        ),
    }

    def answer(args: Sequence[str]) -> RunResult:
        method = next(a for a in args if a.startswith("org.freedesktop.") and "." in a[17:])
        return RunResult(0, replies[method])

    runner = FakeRunner(answer)
    check = check_server(BUS_ENV, runner, which_only("dbus-send"))
    assert check.status == "ok"
    assert check.detail.startswith("dunst 1.9.0 on")
    assert runner.calls[0][:3] == [DBUS_SEND, "--session", "--print-reply"]
    assert "string:org.freedesktop.Notifications" in runner.calls[0]


def test_server_check_warns_when_no_bus_tool_is_installed() -> None:
    check = check_server(BUS_ENV, gdbus_bus(), which_only())
    assert check.status == "warn"
    assert check.fix == "install libglib2.0-bin (gdbus) or dbus (dbus-send)"


# --- daemon -------------------------------------------------------------------------------------


def test_daemon_check_is_ok_with_the_pid_and_next_reminder(tmp_path: Path) -> None:
    def ask(path: Path, request: StatusRequest) -> StatusReply:
        next_reminder = datetime.fromisoformat("2026-11-30T09:30:00+01:00")
        return status_reply(next_reminder, pid=4242, next_reminder=next_reminder)

    check = doctor.check_daemon(paths_in(tmp_path), ask, lambda _: None)
    assert check.status == "ok"
    assert "pid 4242" in check.detail
    assert "next reminder Mon 2026-11-30 09:30 UTC+01:00" in check.detail


def not_running(path: Path, request: StatusRequest) -> StatusReply:
    raise NotRunningError("deskbreak is not running")


def test_daemon_check_warns_with_how_to_start_it_when_not_running(tmp_path: Path) -> None:
    check = doctor.check_daemon(paths_in(tmp_path), not_running, lambda _: None)
    assert check.status == "warn"
    assert check.fix == "`deskbreak start`, or `deskbreak service install`"


def test_daemon_check_fails_when_a_daemon_holds_the_lock_but_its_socket_is_gone(
    tmp_path: Path,
) -> None:
    check = doctor.check_daemon(paths_in(tmp_path), not_running, lambda _: 77)
    assert check.status == "fail"
    assert "pid 77 holds the daemon lock" in check.detail


def test_daemon_check_fails_when_the_socket_does_not_answer(tmp_path: Path) -> None:
    def slow(path: Path, request: StatusRequest) -> StatusReply:
        raise DeskbreakError("deskbreak did not answer within 5 s")

    check = doctor.check_daemon(paths_in(tmp_path), slow, lambda _: None)
    assert check.status == "fail"
    assert "did not answer" in check.detail


# --- service ------------------------------------------------------------------------------------


def systemctl(show: str, reachable: bool = True) -> FakeRunner:
    def answer(args: Sequence[str]) -> RunResult:
        if "show-environment" in args:
            return RunResult(0 if reachable else 1, "", "Failed to connect to bus")
        return RunResult(0, show)

    return FakeRunner(answer)


def service_check(show: str, tmp_path: Path, reachable: bool = True) -> Check:
    env = {"HOME": str(tmp_path), "XDG_CONFIG_HOME": str(tmp_path / "config")}
    return doctor.check_service(systemctl(show, reachable), env, which_only("systemctl"), "linux")


def test_service_check_is_ok_when_enabled_and_running(tmp_path: Path) -> None:
    show = "LoadState=loaded\nActiveState=active\nSubState=running\nUnitFileState=enabled\n"
    check = service_check(show, tmp_path)
    assert check.status == "ok"
    assert check.detail.endswith("enabled, active (running)")


def test_service_check_warns_when_not_installed(tmp_path: Path) -> None:
    check = service_check("LoadState=not-found\nActiveState=inactive\n", tmp_path)
    assert check.status == "warn"
    assert check.detail.startswith("not installed")
    assert check.fix is not None and "deskbreak service install" in check.fix


def test_service_check_fails_when_the_unit_failed(tmp_path: Path) -> None:
    show = "LoadState=loaded\nActiveState=failed\nSubState=failed\nUnitFileState=enabled\n"
    check = service_check(show, tmp_path)
    assert check.status == "fail"
    assert check.fix is not None and "deskbreak service logs" in check.fix


def test_service_check_warns_when_systemd_cannot_be_reached(tmp_path: Path) -> None:
    check = service_check("", tmp_path, reachable=False)
    assert check.status == "warn"
    assert "cannot check the service" in check.detail
    assert "\n" not in check.detail


# --- history ------------------------------------------------------------------------------------


def test_history_check_warns_and_creates_nothing_when_there_is_no_database(
    tmp_path: Path,
) -> None:
    database = tmp_path / "data" / "history.sqlite3"
    check = doctor.check_history(database)
    assert check.status == "warn"
    assert check.detail == f"no history yet ({database})"
    assert not database.parent.exists()


def test_history_check_reports_the_size_and_the_number_of_reminders(tmp_path: Path) -> None:
    database = tmp_path / "history.sqlite3"
    with History(database) as history:
        for minute in (0, 30):
            at = datetime(2026, 11, 23, 9, minute, tzinfo=UTC)
            history.record_reminder(at, "neck-rolls", "neck", "console")
    check = doctor.check_history(database)
    assert check.status == "ok"
    assert check.detail.startswith(f"{database} (")
    assert check.detail.endswith(" KB, 2 reminders)")


def test_history_check_fails_on_a_file_that_is_not_a_database(tmp_path: Path) -> None:
    database = tmp_path / "history.sqlite3"
    database.write_bytes(b"not a database at all, just some text" * 200)
    check = doctor.check_history(database)
    assert check.status == "fail"
    assert "cannot read" in check.detail
    assert database.read_bytes().startswith(b"not a database")


# --- schedule -----------------------------------------------------------------------------------


def test_schedule_check_names_the_zone_and_the_next_reminder() -> None:
    cfg = Config(schedule=ScheduleConfig(timezone=ZoneInfo("Europe/Berlin")))
    now = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)  # a Monday, 09:00 in Berlin
    check = doctor.check_schedule(cfg, now)
    assert check == Check(
        "schedule", "ok", "time zone Europe/Berlin; next reminder Mon 2026-11-23 09:30"
    )


def test_schedule_check_warns_when_no_work_window_is_ahead() -> None:
    cfg = Config(schedule=ScheduleConfig(windows={}))
    check = doctor.check_schedule(cfg, datetime(2026, 11, 23, 8, 0, tzinfo=UTC))
    assert check.status == "warn"
    assert "no work window" in check.detail


def test_schedule_check_warns_without_a_fix_when_the_config_did_not_load() -> None:
    check = doctor.check_schedule(None, datetime(2026, 11, 23, 8, 0, tzinfo=UTC))
    assert check == Check("schedule", "warn", "cannot tell: the config did not load", None)


# --- send test ----------------------------------------------------------------------------------


def test_send_test_reports_the_backend_that_delivered_it() -> None:
    chain = backends()
    check = doctor.send_test("auto", chain)
    assert check == Check("send-test", "ok", "delivered by dbus")
    sent = chain["dbus"]
    assert isinstance(sent, RecordingNotifier)
    assert sent.titles == ["deskbreak test"]


def test_send_test_warns_when_it_had_to_fall_back() -> None:
    chain: dict[str, Notifier] = {
        "dbus": RecordingNotifier("dbus", error="no notification server on the session bus"),
        "plyer": RecordingNotifier("plyer"),
        "console": RecordingNotifier("console"),
    }
    check = doctor.send_test("auto", chain)
    assert check.status == "warn"
    assert check.detail == (
        "delivered by plyer after dbus: no notification server on the session bus"
    )


def test_send_test_warns_when_only_the_console_showed_it() -> None:
    chain: dict[str, Notifier] = {
        "dbus": RecordingNotifier("dbus", reason="no bus"),
        "plyer": RecordingNotifier("plyer", reason="no bus"),
        "console": RecordingNotifier("console"),
    }
    assert doctor.send_test("auto", chain).status == "warn"


# --- the whole run, the report and the CLI ------------------------------------------------------


def test_run_checks_runs_every_check_in_order_and_the_send_test_only_when_asked(
    tmp_path: Path,
) -> None:
    kwargs: dict[str, Any] = {
        "run": gdbus_bus(),
        "which": which_only("gdbus"),
        "ask": not_running,
        "holder": lambda _: None,
        "backends": backends(),
        "platform": "linux",
        "now": datetime(2026, 11, 23, 8, 0, tzinfo=UTC),
        "look_calls": lambda: CallCheck(False, None, ("pipewire",)),
        "presence": lambda env: [],
    }
    checks = doctor.run_checks(paths_in(tmp_path), BUS_ENV, **kwargs)
    names = [
        "sysconfig",
        "config",
        "backend",
        "server",
        "daemon",
        "service",
        "history",
    ]
    assert [c.name for c in checks] == [*names, "schedule", "presence", "calendars", "calls"]
    with_test = doctor.run_checks(paths_in(tmp_path), BUS_ENV, send=True, **kwargs)
    assert with_test[-1].name == "send-test"


def test_report_is_ok_with_warnings_and_not_ok_with_a_failure() -> None:
    warned = [Check("a", "ok", "fine"), Check("b", "warn", "hm", "do x")]
    assert doctor.report(warned)["ok"] is True
    assert doctor.report([*warned, Check("c", "fail", "bad", "do y")])["ok"] is False
    assert doctor.report(warned)["checks"][1] == {
        "name": "b",
        "status": "warn",
        "detail": "hm",
        "fix": "do x",
    }


def test_text_output_puts_a_fix_line_under_warnings_and_failures() -> None:
    from deskbreak.cli.commands_doctor import render_text

    checks = [
        Check("config", "ok", "/p/config.toml (defaults for missing keys)"),
        Check("daemon", "warn", "not running", "`deskbreak start`"),
    ]
    assert render_text(checks, colour=False).splitlines() == [
        "ok    config      /p/config.toml (defaults for missing keys)",
        "warn  daemon      not running",
        "      fix: `deskbreak start`",
    ]


def test_colour_only_on_a_terminal_without_no_color() -> None:
    from deskbreak.cli.commands_doctor import use_colour

    assert use_colour(True, {}) is True
    assert use_colour(True, {"NO_COLOR": "1"}) is False
    assert use_colour(False, {}) is False


@pytest.mark.parametrize(("status", "code"), [("warn", 0), ("fail", 1)])
def test_cli_exits_1_only_when_a_check_fails(
    monkeypatch: pytest.MonkeyPatch, status: Status, code: int
) -> None:
    import deskbreak.cli.commands_doctor  # noqa: F401 - registers `doctor` on the app
    from deskbreak.cli.app import app

    def fake_checks(*args: object, **kwargs: object) -> list[Check]:
        return [Check("config", "ok", "defaults"), Check("daemon", status, "x", "y")]

    monkeypatch.setattr(doctor, "run_checks", fake_checks)
    result = CliRunner().invoke(app, ["doctor", "--json"])
    assert result.exit_code == code, result.output
    assert json.loads(result.stdout)["ok"] is (code == 0)


def test_the_backend_line_agrees_with_a_server_check_that_found_no_bus(tmp_path: Path) -> None:
    unreachable = FakeRunner(lambda args: RunResult(1, "", "Could not connect: Connection refused"))
    checks = doctor.run_checks(
        paths_in(tmp_path),
        BUS_ENV,
        run=unreachable,
        which=which_only("gdbus"),
        ask=not_running,
        holder=lambda _: None,
        backends=backends(),
        platform="linux",
        now=datetime(2026, 11, 23, 8, 0, tzinfo=UTC),
        look_calls=lambda: CallCheck(False, None, ("pipewire",)),
        presence=lambda env: [],
    )
    found = {c.name: c for c in checks}
    assert found["server"].status == "fail"
    assert found["backend"].status == "fail"
    assert "cannot show a reminder" in found["backend"].detail
    assert "cannot reach the session bus" in found["backend"].detail


# --- presence -------------------------------------------------------------------------------------


def test_presence_check_names_the_source_of_each_fact_and_why_others_are_unknown() -> None:
    from deskbreak.desktop.presence.state import SourceStatus
    from deskbreak.doctor.presence import check_presence

    sources = [
        SourceStatus("idle", "mutter", False, "no GNOME Mutter IdleMonitor on the session bus"),
        SourceStatus("idle", "x11", True, "MIT-SCREEN-SAVER"),
        SourceStatus("locked", "logind", True, "LockedHint of session 2"),
        SourceStatus("dnd", "dnd", True, "dunst 1.9 (dunst)"),
    ]
    check = check_presence({}, lambda env: sources)
    assert check.status == "ok"
    assert "idle: x11" in check.detail and "locked: logind" in check.detail
    assert "fullscreen unknown (no source)" in check.detail


def test_presence_check_warns_when_no_source_works() -> None:
    from deskbreak.desktop.presence.state import SourceStatus
    from deskbreak.doctor.presence import check_presence

    check = check_presence({}, lambda env: [SourceStatus("idle", "x11", False, "no DISPLAY")])
    assert check.status == "warn"
    assert "reminders come on the clock" in check.detail
    assert "idle unknown (x11: no DISPLAY)" in check.detail
