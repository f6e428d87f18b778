"""The run prompts in-process: the notification, its buttons, the terminal it opens."""

from __future__ import annotations

import asyncio
import stat
import time
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from fakes import RecordingNotifier, write_locked

from deskbreak.daemon.run_prompts import RunPrompter
from deskbreak.planner.runs import RunPlan, RunsConfig
from deskbreak.store.history import History
from deskbreak.store.queued import QueuedHistory

ZONE = ZoneInfo("Europe/Berlin")
RUNS = RunsConfig((RunPlan((0,), 18 * 60 + 15, timedelta(minutes=50)),))  # Mondays 18:15


def at(clock: str) -> datetime:
    return datetime.fromisoformat(f"2026-11-23T{clock}").replace(tzinfo=ZONE)


class Setup:
    def __init__(self, tmp_path: Path, terminal: str, answer: str | None = None) -> None:
        self.history = History(tmp_path / "history.sqlite3")
        self.history.set_busy_timeout(0)
        self.queued = QueuedHistory(self.history)
        self.notifier = RecordingNotifier(answer=answer)
        self.clock = at("18:05")
        self.prompter = RunPrompter(
            self.queued,
            runs=lambda: RUNS,
            terminal=lambda: terminal,
            notifiers=lambda: [self.notifier],
            windows=lambda: (),
            now=lambda: self.clock,
            zone=lambda: ZONE,
        )

    def answers(self) -> list[tuple[str, str | None]]:
        return [
            (kind, answer)
            for kind, answer in self.history.query(
                "SELECT kind, answer FROM run_prompts ORDER BY id"
            )
        ]


def recording_terminal(tmp_path: Path) -> tuple[str, Path]:
    record = tmp_path / "terminal.log"
    script = tmp_path / "term.sh"
    script.write_text(f'#!/bin/sh\necho "$@" >> {record}\n', encoding="utf-8")
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    return str(script), record


def test_the_warmup_prompt_names_the_run_and_has_both_buttons(tmp_path: Path) -> None:
    setup = Setup(tmp_path, "xterm -e")
    assert setup.prompter.next_after(at("12:00")) == at("18:05")
    asyncio.run(setup.prompter.fire())
    [shown] = setup.notifier.shown
    assert shown.title == "Run at 18:15 — warm up first"
    assert [label for _, label in shown.actions] == ["Start warm-up", "Not today"]
    assert setup.answers() == [("warmup", None)]


def test_start_warmup_opens_deskbreak_prerun_in_the_configured_terminal(tmp_path: Path) -> None:
    terminal, record = recording_terminal(tmp_path)
    setup = Setup(tmp_path, terminal, answer="start")

    async def scenario() -> None:
        await setup.prompter.fire()
        deadline = time.monotonic() + 10
        while not record.exists() and time.monotonic() < deadline:
            await asyncio.sleep(0.05)

    asyncio.run(scenario())
    assert record.read_text(encoding="utf-8").strip().endswith("deskbreak prerun")
    assert setup.answers() == [("warmup", "started")]


def test_not_today_is_recorded_and_drops_that_runs_cooldown(tmp_path: Path) -> None:
    setup = Setup(tmp_path, "xterm -e", answer="not-today")
    asyncio.run(setup.prompter.fire())
    assert setup.answers() == [("warmup", "not-today")]
    # The cool-down at 19:20 is skipped: the next prompt is next Monday's warm-up.
    assert setup.prompter.next_after(at("18:06")) == at("18:05") + timedelta(days=7)
    setup.clock = at("19:20")
    asyncio.run(setup.prompter.fire())
    assert len(setup.notifier.shown) == 1


def test_the_cooldown_prompt_comes_after_the_run_with_its_own_button(tmp_path: Path) -> None:
    setup = Setup(tmp_path, "xterm -e")
    assert setup.prompter.next_after(at("18:05")) == at("19:20")
    setup.clock = at("19:20")
    asyncio.run(setup.prompter.fire())
    [shown] = setup.notifier.shown
    assert [label for _, label in shown.actions] == ["Start cool-down", "Not today"]


def test_without_a_terminal_the_prompt_says_what_to_type(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("PATH", str(tmp_path))  # no terminal program anywhere
    monkeypatch.delenv("TERMINAL", raising=False)
    setup = Setup(tmp_path, "")
    asyncio.run(setup.prompter.fire())
    [shown] = setup.notifier.shown
    assert "type `deskbreak prerun`" in shown.body
    assert [label for _, label in shown.actions] == ["Not today"]


def test_a_prompt_found_long_after_its_time_is_not_shown(tmp_path: Path) -> None:
    setup = Setup(tmp_path, "xterm -e")
    setup.clock = at("18:15")  # ten minutes late (the machine slept)
    asyncio.run(setup.prompter.fire())
    assert setup.notifier.shown == []


def test_a_prompt_answered_while_the_history_is_locked_is_recorded_once_it_is_free(
    tmp_path: Path,
) -> None:
    setup = Setup(tmp_path, "xterm -e", answer="not-today")
    with write_locked(setup.history.path):
        asyncio.run(setup.prompter.fire())
        assert setup.notifier.shown and setup.answers() == []
    assert setup.queued.flush()
    assert setup.answers() == [("warmup", "not-today")]
