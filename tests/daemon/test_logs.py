from __future__ import annotations

import logging

import pytest

from deskbreak.daemon.logs import setup_logging


def test_under_journald_lines_carry_syslog_priorities_and_no_timestamps(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("JOURNAL_STREAM", "8:12345")
    setup_logging()
    log = logging.getLogger("deskbreak.daemon.core")
    log.info("reminder 09:30: Shoulder circles (via notify-send)")
    log.warning("notify-send could not show the reminder")
    log.error("config not reloaded")
    assert capsys.readouterr().err.splitlines() == [
        "<6>reminder 09:30: Shoulder circles (via notify-send)",
        "<4>notify-send could not show the reminder",
        "<3>config not reloaded",
    ]


def test_in_a_terminal_lines_start_with_a_timestamp_and_level(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("JOURNAL_STREAM", raising=False)
    setup_logging()
    logging.getLogger("deskbreak.daemon.core").info("deskbreak started")
    line = capsys.readouterr().err.strip()
    assert line.endswith(" INFO deskbreak started")
    assert line[:4].isdigit() and "\x1b" not in line
