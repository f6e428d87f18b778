"""The spill journal: history writes a locked database refused survive a kill, once each."""

from __future__ import annotations

import logging
import stat
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fakes import write_locked

from deskbreak.store.history import DaemonState, History, read_snapshot
from deskbreak.store.journal import (
    JournalError,
    SpillJournal,
    journal_path,
    open_for_reading,
    read_snapshot_counting_journal,
)
from deskbreak.store.queued import QueuedHistory

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)


def open_history(database: Path) -> History:
    history = History(database)
    history.set_busy_timeout(0)  # a locked database refuses at once: no waiting in tests
    return history


def restarted(database: Path) -> QueuedHistory:
    """What a daemon started after a `kill -9` makes: a new connection, the journal replayed."""
    return QueuedHistory(open_history(database))


def reminders(history: History) -> list[tuple[int, str, str | None]]:
    return [tuple(r) for r in history.query("SELECT id, move_id, answer FROM reminders")]


def events(history: History) -> list[tuple[str, str | None]]:
    return [tuple(r) for r in history.query("SELECT kind, detail FROM events ORDER BY id")]


def spill_while_locked(database: Path) -> int:
    """A reminder, its answer and an event written while locked; the process then 'dies'."""
    queued = QueuedHistory(open_history(database))
    with write_locked(database):
        rid = queued.record_reminder(NOW, "neck-roll", "neck", "dbus")
        queued.record_answer(rid, "done", NOW + timedelta(seconds=20))
        queued.record_event("pause", NOW + timedelta(seconds=30), "until resumed")
        assert queued.pending == 3
    return rid


def test_writes_refused_by_a_locked_database_are_in_it_after_a_restart(tmp_path: Path) -> None:
    database = tmp_path / "history.sqlite3"
    History(database).close()
    rid = spill_while_locked(database)
    queued = restarted(database)
    assert queued.pending == 0
    assert reminders(queued.history) == [(rid, "neck-roll", "done")]
    assert events(queued.history) == [("pause", "until resumed")]
    assert journal_path(database).stat().st_size == 0  # emptied once all is in


def test_a_journal_replayed_twice_gives_each_row_once(tmp_path: Path) -> None:
    database = tmp_path / "history.sqlite3"
    History(database).close()
    spill_while_locked(database)
    kept = journal_path(database).read_bytes()
    restarted(database)
    # A crash after the replay's commits but before the journal was emptied:
    journal_path(database).write_bytes(kept)
    queued = restarted(database)
    assert len(reminders(queued.history)) == 1
    assert events(queued.history) == [("pause", "until resumed")]
    # emptied, so the records that come next never share the file with the old ones
    assert journal_path(database).stat().st_size == 0
    # and what is written to the journal after that is replayed alone, at the next restart
    with write_locked(database):
        queued.record_event("resume", NOW + timedelta(minutes=5), None)
    queued = restarted(database)
    assert len(reminders(queued.history)) == 1
    assert events(queued.history) == [("pause", "until resumed"), ("resume", None)]


def test_a_torn_last_line_is_dropped_with_a_warning_and_the_rest_replayed(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    database = tmp_path / "history.sqlite3"
    History(database).close()
    rid = spill_while_locked(database)
    journal = journal_path(database)
    journal.write_bytes(journal.read_bytes() + b'{"generation":"ab","seq":9,"op":"ev')
    with caplog.at_level(logging.WARNING):
        queued = restarted(database)
    assert "cut off by a crash" in caplog.text
    assert reminders(queued.history) == [(rid, "neck-roll", "done")]


def test_after_a_torn_line_the_next_record_starts_on_a_fresh_line(tmp_path: Path) -> None:
    database = tmp_path / "history.sqlite3"
    History(database).close()
    journal = journal_path(database)
    journal.write_bytes(b'{"generation":"ab","seq":1,"op":"event","da')
    history = open_history(database)
    with write_locked(database):
        queued = QueuedHistory(history)
        queued.record_event("skip", NOW, "10:30")
    assert [r.data["kind"] for r in SpillJournal(journal).load()] == ["skip"]


def test_a_damaged_line_inside_the_journal_is_skipped_and_the_others_kept(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    database = tmp_path / "history.sqlite3"
    History(database).close()
    spill_while_locked(database)
    journal = journal_path(database)
    first, second, third = journal.read_bytes().splitlines(keepends=True)
    journal.write_bytes(first + b"\x00\x00\x00 not json\n" + second + third)
    with caplog.at_level(logging.WARNING):
        queued = restarted(database)
    assert "line 2" in caplog.text and "skipped" in caplog.text
    assert [answer for _, _, answer in reminders(queued.history)] == ["done"]


def test_waiting_writes_reach_the_database_in_the_order_they_were_made(tmp_path: Path) -> None:
    database = tmp_path / "history.sqlite3"
    queued = QueuedHistory(open_history(database))
    with write_locked(database):
        rid = queued.record_reminder(NOW, "a", "neck", "dbus")
        assert queued.record_answer(rid, "ignored", NOW + timedelta(minutes=1))
        assert queued.record_answer(rid, "done", NOW + timedelta(minutes=2))
        for detail in ("first", "second", "third"):
            queued.record_event("snooze", NOW, detail)
    queued = restarted(database)
    assert reminders(queued.history) == [(rid, "a", "done")]
    assert [detail for _, detail in events(queued.history)] == ["first", "second", "third"]


def test_reminder_ids_stay_the_same_across_a_restart_while_still_locked(tmp_path: Path) -> None:
    database = tmp_path / "history.sqlite3"
    queued = QueuedHistory(open_history(database))
    queued.record_reminder(NOW, "written", "neck", "dbus")  # id 1, in the database
    with write_locked(database):
        waiting = queued.record_reminder(NOW, "waiting", "neck", "dbus")
        # killed; the new daemon starts while the lock is still held
        after = restarted(database)
        assert after.pending == 1
        later = after.record_reminder(NOW + timedelta(minutes=30), "later", "hips", "dbus")
        assert after.record_answer(waiting, "skipped", NOW + timedelta(minutes=31))
        assert after.reminder_answer(waiting) == "skipped"
    assert (waiting, later) == (2, 3)
    assert after.flush()
    assert reminders(after.history) == [
        (1, "written", None),
        (2, "waiting", "skipped"),
        (3, "later", None),
    ]


def test_a_state_waiting_in_the_journal_is_the_one_a_restart_reads(tmp_path: Path) -> None:
    database = tmp_path / "history.sqlite3"
    queued = QueuedHistory(open_history(database))
    queued.save_state(DaemonState(last_move_id="old"))
    with write_locked(database):
        queued.save_state(DaemonState(paused_indefinitely=True, last_move_id="new"))
        assert restarted(database).load_state() == DaemonState(
            paused_indefinitely=True, last_move_id="new"
        )
    assert restarted(database).history.load_state().last_move_id == "new"


def test_today_counts_include_the_reminders_and_answers_still_waiting(tmp_path: Path) -> None:
    database = tmp_path / "history.sqlite3"
    queued = QueuedHistory(open_history(database))
    written = queued.record_reminder(NOW, "a", "neck", "dbus")
    with write_locked(database):
        queued.record_answer(written, "done", NOW)
        waiting = queued.record_reminder(NOW + timedelta(minutes=30), "b", "neck", "dbus")
        queued.record_answer(waiting, "skipped", NOW + timedelta(minutes=31))
        counts = queued.day_counts(NOW - timedelta(hours=1), NOW + timedelta(hours=1))
    assert (counts.sent, counts.done, counts.skipped) == (2, 1, 1)


def test_the_journal_is_made_only_when_needed_and_only_this_user_can_read_it(
    tmp_path: Path,
) -> None:
    database = tmp_path / "history.sqlite3"
    queued = QueuedHistory(open_history(database))
    queued.record_event("pause", NOW, None)
    assert not journal_path(database).exists()  # the usual case costs no journal write
    with write_locked(database):
        queued.record_event("resume", NOW, None)
    assert stat.S_IMODE(journal_path(database).stat().st_mode) == 0o600


def test_a_journal_that_is_a_symlink_is_refused_with_a_sentence(tmp_path: Path) -> None:
    database = tmp_path / "history.sqlite3"
    target = tmp_path / "elsewhere"
    target.write_text("keep me\n", encoding="utf-8")
    journal_path(database).symlink_to(target)
    with pytest.raises(JournalError, match="symbolic link"):
        QueuedHistory(open_history(database))
    assert target.read_text(encoding="utf-8") == "keep me\n"


def test_a_journal_that_cannot_be_written_keeps_writes_in_memory_with_an_error(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    database = tmp_path / "history.sqlite3"
    gone = SpillJournal(tmp_path / "removed folder" / "history-spill.jsonl")
    queued = QueuedHistory(open_history(database), journal=gone)
    with write_locked(database), caplog.at_level(logging.ERROR):
        queued.record_event("pause", NOW, None)
    assert "cannot write the spill journal" in caplog.text
    assert queued.flush()
    assert events(queued.history) == [("pause", None)]


def test_a_journal_path_that_is_a_folder_ends_start_with_a_sentence(tmp_path: Path) -> None:
    database = tmp_path / "history.sqlite3"
    journal_path(database).mkdir(parents=True)
    with pytest.raises(JournalError, match=r"cannot use the spill journal: .* is a directory"):
        QueuedHistory(open_history(database))


def test_a_reader_sees_the_writes_waiting_in_the_journal_and_changes_neither_file(
    tmp_path: Path,
) -> None:
    database = tmp_path / "history.sqlite3"
    queued = QueuedHistory(open_history(database))
    with write_locked(database):
        rid = queued.record_reminder(NOW, "neck-roll", "neck", "dbus")
        queued.record_answer(rid, "done", NOW + timedelta(seconds=20))
        queued.record_event("pause", NOW + timedelta(seconds=30), "until resumed")
        journal = journal_path(database)
        journal.write_bytes(journal.read_bytes() + b'{"generation":"ab","seq":9,"op":"ev')
        before = journal.read_bytes()
        with open_for_reading(database) as seen:
            assert reminders(seen) == [(rid, "neck-roll", "done")]
            assert events(seen) == [("pause", "until resumed")]
        assert journal.read_bytes() == before  # a line the daemon may be writing stays
    with History(database) as stored:
        assert reminders(stored) == []


def test_a_reader_without_a_journal_reads_the_database_itself(tmp_path: Path) -> None:
    database = tmp_path / "history.sqlite3"
    QueuedHistory(open_history(database)).record_reminder(NOW, "a", "neck", "dbus")
    with open_for_reading(database) as seen:
        assert seen.path == database
        assert reminders(seen) == [(1, "a", None)]


def test_a_run_prompt_and_its_answer_made_while_locked_survive_a_restart(tmp_path: Path) -> None:
    database = tmp_path / "history.sqlite3"
    queued = QueuedHistory(open_history(database))
    with write_locked(database):
        prompt_id = queued.record_prompt(NOW, "warmup", NOW + timedelta(minutes=10))
        queued.record_prompt_answer(prompt_id, "not-today", NOW + timedelta(minutes=1))
        assert restarted(database).pending == 2
    history = restarted(database).history
    assert history.query("SELECT id, kind, answer FROM run_prompts") == [
        (prompt_id, "warmup", "not-today")
    ]


def test_schedule_s_look_at_the_past_counts_a_reminder_waiting_in_the_journal(
    tmp_path: Path,
) -> None:
    database = tmp_path / "history.sqlite3"
    queued = QueuedHistory(open_history(database))
    with write_locked(database):
        queued.record_reminder(NOW, "neck-roll", "neck", "dbus")
        queued.save_state(DaemonState(paused_indefinitely=True))
        facts = read_snapshot_counting_journal(database, NOW, NOW + timedelta(hours=1))
    assert facts.sent == [(NOW, "neck-roll")]
    assert facts.recent_moves == ["neck-roll"]
    assert facts.state.paused_indefinitely
    assert read_snapshot(database, NOW, NOW + timedelta(hours=1)).sent == []  # file unchanged


def test_a_routine_handed_over_while_locked_is_counted_by_readers_and_written_once(
    tmp_path: Path,
) -> None:
    database = tmp_path / "history.sqlite3"
    queued = QueuedHistory(open_history(database))
    started, ended = NOW, NOW + timedelta(minutes=6)
    with write_locked(database):
        queued.record_routine("prerun", started, ended, False, 4, 7)
        assert queued.pending == 1
        with open_for_reading(database) as seen:
            (event,) = seen.recent_events()
            assert (event.kind, event.detail, event.at) == ("routine", "prerun", started)
            assert (event.steps_done, event.steps_total, event.completed) == (4, 7, False)
        kept = journal_path(database).read_bytes()
    history = restarted(database).history
    journal_path(database).write_bytes(kept)  # as if a crash came before it was emptied
    history = restarted(database).history
    rows = history.query("SELECT name, started, ended, completed, steps_done FROM routines")
    assert rows == [("prerun", int(started.timestamp()), int(ended.timestamp()), 0, 4)]
