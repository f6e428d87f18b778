"""The history under damage: unreadable saved state, handed-out reminder ids, busy waits."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from pathlib import Path

import pytest
from fakes import write_locked

from deskbreak.store.history import DaemonState, History
from deskbreak.store.queued import QueuedHistory

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)


def test_a_state_row_that_is_not_json_is_reset_with_a_warning_and_the_rest_is_kept(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with History(tmp_path / "h.db") as history:
        history.save_state(DaemonState(paused_indefinitely=True, last_move_id="neck-roll"))
        history.query("SELECT 1")  # the same connection writes below, outside the API
        history._db.execute("UPDATE state SET value = '{not json' WHERE key = 'paused_until'")
        history._db.execute("UPDATE state SET value = '\"soon\"' WHERE key = 'skipped_slot'")
        with caplog.at_level(logging.WARNING):
            state = history.load_state()
    assert state == DaemonState(paused_indefinitely=True, last_move_id="neck-roll")
    assert "paused_until" in caplog.text and "skipped_slot" in caplog.text


def test_a_state_value_of_the_wrong_type_is_reset(tmp_path: Path) -> None:
    with History(tmp_path / "h.db") as history:
        history.save_state(DaemonState())
        history._db.execute("UPDATE state SET value = '\"yes\"' WHERE key = 'paused_indefinitely'")
        history._db.execute("UPDATE state SET value = 'true' WHERE key = 'last_reminder_id'")
        assert history.load_state() == DaemonState()


def test_reminder_ids_handed_out_ahead_are_the_ids_the_rows_get(tmp_path: Path) -> None:
    with History(tmp_path / "h.db") as history:
        history.record_reminder(NOW, "a", "neck", "console")
        queued = QueuedHistory(history)
        assert queued.record_reminder(NOW, "b", "neck", "console") == 2
        assert queued.record_reminder(NOW, "c", "neck", "console") == 3
        assert history.query("SELECT id, move_id FROM reminders ORDER BY id") == [
            (1, "a"),
            (2, "b"),
            (3, "c"),
        ]


def test_a_write_waiting_for_a_lock_keeps_its_place_in_line(tmp_path: Path) -> None:
    history = History(tmp_path / "h.db")
    history.set_busy_timeout(0.01)
    queued = QueuedHistory(history)
    with write_locked(history.path):
        rid = queued.record_reminder(NOW, "a", "neck", "console")
        queued.record_answer(rid, "done", NOW)
        queued.record_event("pause", NOW, "until resumed")
        assert queued.pending == 3
        assert not queued.flush()
    assert queued.flush()
    assert history.query("SELECT move_id, answer FROM reminders") == [("a", "done")]
    assert [e.kind for e in history.recent_events()] == ["reminder", "pause"]
    history.close()


def test_the_first_answer_wins_also_while_answers_wait_in_the_queue(tmp_path: Path) -> None:
    history = History(tmp_path / "h.db")
    history.set_busy_timeout(0.01)
    queued = QueuedHistory(history)
    with write_locked(history.path):
        rid = queued.record_reminder(NOW, "a", "neck", "console")
        assert queued.record_answer(rid, "ignored", NOW) is True
        assert queued.record_answer(rid, "done", NOW) is True  # a real answer replaces "ignored"
        assert queued.record_answer(rid, "skipped", NOW) is False
        assert queued.reminder_answer(rid) == "done"
    assert queued.flush()
    assert history.reminder_answer(rid) == "done"
    history.close()
