"""`deskbreak schedule` tells the truth: what was sent, what is skipped, what comes next."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from deskbreak.cli.app import _register_commands, app
from deskbreak.config import load_config
from deskbreak.errors import DeskbreakError
from deskbreak.library.rotation import RECENT_MOVES
from deskbreak.paths import default_paths
from deskbreak.store.history import DaemonState, History

ALWAYS = """
[schedule]
timezone = "UTC"
hours = ["00:00-24:00"]
days = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
"""


def schedule(tmp_path: Path, *args: str) -> tuple[int, str]:
    config = tmp_path / "config.toml"
    config.write_text(ALWAYS, encoding="utf-8")
    _register_commands()
    result = CliRunner().invoke(app, ["--config", str(config), "schedule", *args])
    if isinstance(result.exception, DeskbreakError):
        return result.exception.exit_code, str(result.exception)
    return result.exit_code, result.output


def rows_by_time(tmp_path: Path, day: datetime) -> dict[str, dict[str, Any]]:
    code, out = schedule(tmp_path, "--date", f"{day:%Y-%m-%d}", "--json")
    assert code == 0, out
    return {row["at"][11:16]: row for row in json.loads(out)}


def desk_moves(tmp_path: Path) -> list[str]:
    config = tmp_path / "c.toml"
    config.write_text(ALWAYS, encoding="utf-8")
    return [m.id for m in load_config(config).library.desk_moves((), ())]


def history() -> History:
    return History(default_paths().database)


def test_past_slots_show_the_move_actually_sent_and_the_slots_that_sent_none(
    tmp_path: Path,
) -> None:
    yesterday = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0) - timedelta(
        days=1
    )
    unusual = desk_moves(tmp_path)[-1]
    with history() as h:
        h.record_reminder(yesterday.replace(hour=10), unusual, "neck", "console")
    rows = rows_by_time(tmp_path, yesterday)
    assert (rows["10:00"]["status"], rows["10:00"]["move"]) == ("sent", unusual)
    assert (rows["10:30"]["status"], rows["10:30"]["move"]) == ("not sent", None)


def test_a_skipped_slot_is_shown_and_uses_no_move(tmp_path: Path) -> None:
    tomorrow = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0) + timedelta(
        days=1
    )
    before = rows_by_time(tmp_path, tomorrow)
    with history() as h:
        h.save_state(DaemonState(skipped_slot=tomorrow.replace(hour=10)))
    after = rows_by_time(tmp_path, tomorrow)
    assert after["10:00"]["status"] == "skipped"
    assert after["10:30"]["move"] == before["10:00"]["move"]


def test_a_snoozed_reminder_brings_its_move_back_first(tmp_path: Path) -> None:
    tomorrow = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0) + timedelta(
        days=1
    )
    before = rows_by_time(tmp_path, tomorrow)
    moved = before["00:30"]["move"]
    snoozed = next(m for m in desk_moves(tmp_path) if m != moved)
    with history() as h:
        h.save_state(DaemonState(snoozed_move_id=snoozed))
    assert rows_by_time(tmp_path, tomorrow)["00:30"]["move"] == snoozed


def test_a_span_beyond_the_calendar_is_a_usage_error_naming_the_range(tmp_path: Path) -> None:
    code, out = schedule(tmp_path, "--date", "9999-12-31", "--days", "2")
    assert code == 2 and "1971-01-01 to 9998-12-31" in out
    code, out = schedule(tmp_path, "--days", "0")
    assert code == 2 and "--days must be from 1 to 366, got 0" in out


RUN_DAY = """
[schedule]
timezone = "UTC"
hours = ["09:00-12:00"]
days = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
[notifications]
backend = "console"
[[runs]]
days = ["tue"]
time = "18:15"
duration = "50m"
"""


def predicted_and_sent(config: Path, day: date) -> tuple[list[Any], list[Any]]:
    """(slot, move) of the reminders `schedule` shows for `day`, and of those a daemon sends
    when its clock stands at each of those slots in turn."""
    import asyncio

    from fakes import RecordingNotifier

    from deskbreak.daemon.core import Daemon

    _register_commands()
    result = CliRunner().invoke(
        app, ["--config", str(config), "schedule", "--date", str(day), "--json"]
    )
    rows = json.loads(result.output)
    predicted = [(row["at"], row["move"]) for row in rows if row["kind"] == "reminder"]
    notifier = RecordingNotifier()
    clock = {"now": datetime.now(UTC)}
    with History(default_paths().database) as h:
        daemon = Daemon(
            default_paths(), load_config(config), h, lambda _: [notifier], lambda: clock["now"]
        )
        for at, _ in predicted:
            clock["now"] = datetime.fromisoformat(at)
            asyncio.run(daemon._fire())
        daemon.history.flush()
        sent = [
            (at.isoformat(), move)
            for at, move in h.reminders_between(
                datetime.fromisoformat(predicted[0][0]),
                datetime.fromisoformat(predicted[-1][0]) + timedelta(1),
            )
        ]
    return predicted, sent


def test_the_daemon_sends_the_moves_schedule_predicted_on_a_run_day(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text(RUN_DAY, encoding="utf-8")
    today = datetime.now(UTC).date()
    tuesday = today + timedelta(days=(1 - today.weekday()) % 7 or 7)  # ahead, a run day
    predicted, sent = predicted_and_sent(config, tuesday)
    assert sent == predicted


def custom_desk_move(number: int) -> str:
    area = ("neck", "hips", "chest", "legs")[number % 4]
    return f"""
[moves.custom.extra-{number}]
name = "Extra move {number}"
area = "{area}"
setting = "desk"
kind = "mobility"
reps = 5
cues = ["Move slowly."]
desk = true
"""


def test_with_more_desk_moves_than_the_rotation_looks_back_on_schedule_still_predicts_the_daemon(
    tmp_path: Path,
) -> None:
    # 12 moves of one's own make 25 desk moves: more than the last 20 reminders the daemon's
    # rotation looks back on, so a schedule that remembered more would part from it.
    config = tmp_path / "config.toml"
    config.write_text(ALWAYS + "".join(custom_desk_move(n) for n in range(12)), encoding="utf-8")
    assert len(load_config(config).library.desk_moves((), ())) > RECENT_MOVES
    predicted, sent = predicted_and_sent(config, datetime.now(UTC).date() + timedelta(days=1))
    assert len(predicted) > 2 * RECENT_MOVES
    assert sent == predicted
