"""The installed `deskbreak doctor` against a real dunst, against no bus, and a broken config."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

from e2e_support import notify_calls, wait_for

from deskbreak.doctor.bus import BUS_FIX


def doctor(
    exe: str, env: dict[str, str], *options: str, config: Path | None = None
) -> tuple[int, dict[str, Any]]:
    """`deskbreak [--config FILE] doctor --json OPTIONS`: its exit code and its report."""
    chosen = ["--config", str(config)] if config else []
    done = subprocess.run(
        [exe, *chosen, "doctor", "--json", *options],
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert done.stdout.strip(), f"no output; stderr: {done.stderr}"
    return done.returncode, json.loads(done.stdout)


def by_name(report: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {check["name"]: check for check in report["checks"]}


def test_doctor_finds_dunst_and_its_actions_on_a_real_session_bus(
    deskbreak_exe: str, notify_server: dict[str, str]
) -> None:
    code, report = doctor(deskbreak_exe, {**os.environ, **notify_server})
    checks = by_name(report)
    assert checks["server"]["status"] == "ok", checks["server"]
    assert checks["server"]["detail"].startswith("dunst ")
    assert "supports actions" in checks["server"]["detail"]
    assert checks["backend"]["detail"].startswith("auto picks dbus")
    assert checks["config"]["status"] == "ok"
    # Daemon, service and history only warn here (nothing installed or started yet).
    assert [c for c in report["checks"] if c["status"] == "fail"] == []
    assert report["ok"] is True
    assert code == 0


def test_doctor_send_test_reaches_dunst(deskbreak_exe: str, notify_server: dict[str, str]) -> None:
    _, report = doctor(deskbreak_exe, {**os.environ, **notify_server}, "--send-test")
    assert by_name(report)["send-test"] == {
        "name": "send-test",
        "status": "ok",
        "detail": "delivered by dbus",
        "fix": None,
    }
    harness_dir = notify_server["NOTIFY_HARNESS_DIR"]
    shown = wait_for(
        lambda: [c for c in notify_calls(harness_dir) if c["summary"] == "deskbreak test"],
        what="the test notification in the harness's notify.log",
    )
    assert shown[0]["app"] == "deskbreak"


def test_doctor_without_a_session_bus_fails_with_the_fix(
    deskbreak_exe: str, tmp_path: Path
) -> None:
    runtime = tmp_path / "runtime"
    runtime.mkdir(mode=0o700)
    env = {k: v for k, v in os.environ.items() if k != "DBUS_SESSION_BUS_ADDRESS"}
    env["XDG_RUNTIME_DIR"] = str(runtime)
    code, report = doctor(deskbreak_exe, env)
    server = by_name(report)["server"]
    assert server["status"] == "fail"
    assert "DBUS_SESSION_BUS_ADDRESS is unset" in server["detail"]
    assert server["fix"] == BUS_FIX
    assert report["ok"] is False
    assert code == 1


def test_doctor_with_a_broken_config_fails_with_the_config_error(
    deskbreak_exe: str, tmp_path: Path
) -> None:
    config = tmp_path / "config.toml"
    config.write_text('[schedule]\nhours = ["9-5"]\n', encoding="utf-8")
    code, report = doctor(deskbreak_exe, dict(os.environ), config=config)
    check = by_name(report)["config"]
    assert check["status"] == "fail"
    assert check["detail"].startswith(f"{config}:2: [schedule] '9-5' is not a work window")
    assert check["fix"] == "edit the file, then `deskbreak config check`"
    assert by_name(report)["schedule"]["status"] == "warn"
    assert code == 2  # a broken config file, as every command says for one
