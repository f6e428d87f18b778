"""A team rollout: the installed daemon reads the system-wide file under the user's own."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from e2e_support import MakeDaemon, wait_for

SYSTEM = """
[schedule]
timezone = "UTC"
hours = ["08:00-10:00"]
days = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
interval = 60
[notifications]
backend = "console"
[locked]
keys = ["schedule.hours"]
"""

USER = """
[schedule]
interval = 20
hours = ["12:00-13:00"]   # locked by the administrator: ignored
"""


def test_the_daemon_plans_with_the_systems_hours_and_the_users_interval(
    make_daemon: MakeDaemon, tmp_path: Path
) -> None:
    site = tmp_path / "site"
    (site / "deskbreak").mkdir(parents=True)
    (site / "deskbreak" / "config.toml").write_text(SYSTEM, encoding="utf-8")
    daemon = make_daemon(USER, XDG_CONFIG_DIRS=f"{tmp_path / 'unused'}:{site}")
    daemon.start()
    wait_for(lambda: "schedule.hours is locked" in daemon.output(), what="the lock note")

    slots = [s["at"][11:16] for s in daemon.json("schedule", "--date", "2026-11-23")]
    assert slots == ["08:20", "08:40", "09:00", "09:20", "09:40"]

    following = daemon.json("status")["next_reminder"]
    assert following is not None
    when = datetime.fromisoformat(following)
    assert when.hour in (8, 9) and when.minute % 20 == 0  # the running daemon agrees

    shown = daemon.json("config", "show")
    assert shown["origins"]["schedule.interval"] == "user"
    assert shown["origins"]["schedule.hours_by_day.mon"] == "system, locked"
    assert shown["origins"]["notifications.backend"] == "system"

    reload = daemon.cli("reload")
    assert reload.returncode == 0
    assert "schedule.hours is locked by your administrator" in reload.stderr
    assert daemon.cli("stop").returncode == 0
