"""The history database on disk: recording, reading, state, migrations, durability."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from deskbreak.store import history as history_module
from deskbreak.store.history import (
    IN_MEMORY,
    MIGRATIONS,
    AnswerCounts,
    DaemonState,
    History,
    HistoryError,
    read_snapshot,
)

T0 = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


def at(minutes: int) -> datetime:
    return T0 + timedelta(minutes=minutes)


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "data" / "history.sqlite3"


@pytest.fixture
def history(db_path: Path) -> Iterator[History]:
    with History(db_path) as h:
        yield h


def test_opening_creates_the_folder_and_a_wal_database_at_the_latest_schema(db_path: Path) -> None:
    with History(db_path) as h:
        assert h.schema_version() == len(MIGRATIONS)
        assert h.query("PRAGMA journal_mode") == [("wal",)]
    assert db_path.is_file()


def test_a_new_history_is_readable_by_its_owner_only(db_path: Path) -> None:
    with History(db_path) as h:
        h.record_event("pause", at(0), None)  # the WAL files exist now
        modes = {
            path.name: path.stat().st_mode & 0o777
            for path in (db_path.parent, *db_path.parent.iterdir())
        }
    assert modes == {
        "data": 0o700,
        "history.sqlite3": 0o600,
        "history.sqlite3-wal": 0o600,
        "history.sqlite3-shm": 0o600,
    }


def test_a_history_an_older_version_left_open_to_others_is_made_private(db_path: Path) -> None:
    db_path.parent.mkdir(mode=0o755)
    db_path.touch(mode=0o644)
    db_path.parent.chmod(0o755)
    db_path.chmod(0o644)
    History(db_path).close()
    assert db_path.parent.stat().st_mode & 0o777 == 0o700
    assert db_path.stat().st_mode & 0o777 == 0o600


def test_an_in_memory_history_leaves_the_working_folder_alone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    tmp_path.chmod(0o755)
    monkeypatch.chdir(tmp_path)
    History(IN_MEMORY).close()
    assert list(tmp_path.iterdir()) == []
    assert tmp_path.stat().st_mode & 0o777 == 0o755


def test_an_empty_file_is_migrated_like_a_new_database(db_path: Path) -> None:
    db_path.parent.mkdir(parents=True)
    db_path.touch()
    with History(db_path) as h:
        assert h.schema_version() == len(MIGRATIONS)
        assert h.recent_events() == []


def test_reopening_a_current_database_keeps_its_data(db_path: Path) -> None:
    with History(db_path) as h:
        h.record_reminder(at(0), "chin-tucks", "neck", "console")
    with History(db_path) as h:
        assert h.recent_desk_moves() == ["chin-tucks"]


def test_pending_migrations_run_in_order_and_keep_the_data(
    db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with History(db_path) as h:
        h.record_reminder(at(0), "chin-tucks", "neck", "console")
    step = ("ALTER TABLE reminders ADD COLUMN note TEXT", "UPDATE reminders SET note = 'v2'")
    monkeypatch.setattr(history_module, "MIGRATIONS", [*MIGRATIONS, step])
    with History(db_path) as h:
        assert h.schema_version() == len(MIGRATIONS) + 1
        assert h.query("SELECT move_id, note FROM reminders") == [("chin-tucks", "v2")]


def test_a_failing_migration_leaves_the_database_at_its_old_version(
    db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    History(db_path).close()
    broken = ("ALTER TABLE reminders ADD COLUMN note TEXT", "THIS IS NOT SQL")
    monkeypatch.setattr(history_module, "MIGRATIONS", [*MIGRATIONS, broken])
    with pytest.raises(HistoryError):
        History(db_path)
    monkeypatch.setattr(history_module, "MIGRATIONS", MIGRATIONS)
    with History(db_path) as h:
        assert h.schema_version() == len(MIGRATIONS)
        assert "note" not in {row[1] for row in h.query("PRAGMA table_info(reminders)")}


def test_a_database_from_a_newer_deskbreak_is_refused_with_a_hint(db_path: Path) -> None:
    History(db_path).close()
    with sqlite3.connect(db_path) as raw:
        raw.execute(f"PRAGMA user_version = {len(MIGRATIONS) + 1}")
    raw.close()
    with pytest.raises(HistoryError, match="newer deskbreak"):
        History(db_path)


def test_a_file_that_is_not_a_database_is_refused_with_a_hint(db_path: Path) -> None:
    db_path.parent.mkdir(parents=True)
    db_path.write_bytes(b"this is not sqlite, just text that is long enough " * 40)
    with pytest.raises(HistoryError, match="move it aside"):
        History(db_path)


def test_a_reminder_and_its_answer_read_back_as_an_event(history: History) -> None:
    rid = history.record_reminder(at(0), "chin-tucks", "neck", "notify-send")
    history.record_answer(rid, "done", at(2))
    [event] = history.recent_events()
    assert event.kind == "reminder"
    assert event.at == at(0)
    assert event.at.tzinfo is not None
    assert (event.detail, event.area, event.backend) == ("chin-tucks", "neck", "notify-send")
    assert (event.reminder_id, event.answer, event.answered_at) == (rid, "done", at(2))


def test_a_real_answer_replaces_ignored_but_ignored_never_replaces_a_real_one(
    history: History,
) -> None:
    first = history.record_reminder(at(0), "a", "neck", "console")
    second = history.record_reminder(at(30), "b", "hips", "console")
    history.record_answer(first, "ignored", at(1))
    history.record_answer(first, "done", at(5))
    history.record_answer(second, "skipped", at(31))
    history.record_answer(second, "ignored", at(40))
    answers = {e.reminder_id: e.answer for e in history.recent_events()}
    assert answers == {first: "done", second: "skipped"}


def test_the_first_real_answer_wins_and_a_later_one_is_refused(history: History) -> None:
    rid = history.record_reminder(at(0), "a", "neck", "console")
    assert history.record_answer(rid, "done", at(1))
    assert not history.record_answer(rid, "skipped", at(12))
    [event] = history.recent_events()
    assert (event.answer, event.answered_at) == ("done", at(1))
    assert history.reminder_answer(rid) == "done"


def test_a_skip_cut_off_saved_by_an_older_version_reads_as_the_skipped_slot(
    history: History,
) -> None:
    history.query(
        "INSERT INTO state (key, value) VALUES ('skip_through', ?)",
        (json.dumps(at(90).isoformat()),),
    )
    assert history.load_state().skipped_slot == at(90)


def test_a_snapshot_reads_sent_reminders_and_the_plan_without_writing(db_path: Path) -> None:
    with History(db_path) as h:
        h.record_reminder(at(0), "a", "neck", "console")
        h.record_reminder(at(30), "b", "hips", "console")
        h.save_state(DaemonState(skipped_slot=at(60), snoozed_move_id="b"))
    before = db_path.stat().st_mtime_ns
    snap = read_snapshot(db_path, at(15), at(45))
    assert snap.sent == [(at(30), "b")]
    assert snap.recent_moves == ["a", "b"]
    assert snap.state.skipped_slot == at(60)
    assert db_path.stat().st_mtime_ns == before


def test_a_missing_history_reads_as_an_empty_snapshot(tmp_path: Path) -> None:
    snap = read_snapshot(tmp_path / "none.sqlite3", at(0), at(30))
    assert (snap.recent_moves, snap.sent, snap.state) == ([], [], DaemonState())


def test_an_answer_for_an_unknown_reminder_changes_nothing(history: History) -> None:
    history.record_answer(999, "done", at(0))
    assert history.recent_events() == []


def test_unknown_answers_event_kinds_and_naive_times_are_rejected(history: History) -> None:
    rid = history.record_reminder(at(0), "a", "neck", "console")
    with pytest.raises(ValueError, match="answer"):
        history.record_answer(rid, "maybe", at(1))  # type: ignore[arg-type]  # the point
    with pytest.raises(ValueError, match="kind"):
        history.record_event("explode", at(1))  # type: ignore[arg-type]  # the point
    with pytest.raises(ValueError, match="naive"):
        history.record_reminder(datetime(2026, 11, 23, 9), "a", "neck", "console")


def test_recent_events_mix_all_kinds_newest_first_and_honour_the_limit(history: History) -> None:
    history.record_event("start", at(0))
    history.record_reminder(at(30), "a", "neck", "console")
    history.record_event("pause", at(40), "1h")
    history.record_routine("prerun", at(60), at(70), True, 8, 8)
    history.record_event("stop", at(90))
    kinds = [e.kind for e in history.recent_events()]
    assert kinds == ["stop", "routine", "pause", "reminder", "start"]
    assert [e.kind for e in history.recent_events(limit=2)] == ["stop", "routine"]
    routine = history.recent_events()[1]
    assert (routine.detail, routine.ended, routine.completed) == ("prerun", at(70), True)
    assert (routine.steps_done, routine.steps_total) == (8, 8)
    assert history.recent_events()[2].detail == "1h"


def test_times_in_other_zones_come_back_as_the_same_instant_in_utc(history: History) -> None:
    local = datetime(2026, 11, 23, 10, 0, tzinfo=timezone(timedelta(hours=1)))
    history.record_event("start", local)
    [event] = history.recent_events()
    assert event.at == local
    assert event.at.utcoffset() == timedelta(0)


def test_recent_desk_moves_are_the_latest_reminders_most_recent_last(history: History) -> None:
    for i, move in enumerate(["a", "b", "c", "d"]):
        history.record_reminder(at(30 * i), move, "neck", "console")
    assert history.recent_desk_moves() == ["a", "b", "c", "d"]
    assert history.recent_desk_moves(limit=2) == ["c", "d"]


def test_day_counts_count_answers_in_the_half_open_span(history: History) -> None:
    answers = ["done", "done", "snoozed", "skipped", "ignored", None]
    for i, answer in enumerate(answers):
        rid = history.record_reminder(at(30 * i), "a", "neck", "console")
        if answer is not None:
            history.record_answer(rid, answer, at(30 * i + 1))  # type: ignore[arg-type]
    history.record_reminder(at(30 * len(answers)), "a", "neck", "console")
    counts = history.day_counts(at(0), at(30 * len(answers)))
    assert counts == AnswerCounts(sent=6, done=2, snoozed=1, skipped=1, ignored=1)
    assert history.day_counts(at(-60), at(0)) == AnswerCounts()


def test_state_defaults_when_nothing_was_saved(history: History) -> None:
    assert history.load_state() == DaemonState()


def test_state_survives_reopening(db_path: Path) -> None:
    state = DaemonState(
        paused_until=at(60),
        paused_indefinitely=False,
        snoozed_until=at(10).astimezone(timezone(timedelta(hours=-5))),
        skipped_slot=at(90),
        snoozed_move_id="neck-rolls",
        last_reminder_id=7,
        last_reminder_at=T0.replace(microsecond=123456),
        last_move_id="chin-tucks",
    )
    with History(db_path) as h:
        h.save_state(state)
    with History(db_path) as h:
        loaded = h.load_state()
    assert loaded == state
    assert loaded.snoozed_until is not None
    assert loaded.snoozed_until.tzinfo is not None


def test_saving_state_replaces_the_previous_state(history: History) -> None:
    history.save_state(DaemonState(paused_indefinitely=True, last_move_id="a"))
    history.save_state(DaemonState(last_move_id="b"))
    assert history.load_state() == DaemonState(last_move_id="b")


def test_state_keys_this_version_does_not_know_are_ignored(history: History) -> None:
    history.save_state(DaemonState(last_move_id="a"))
    history.query("INSERT INTO state (key, value) VALUES ('from_the_future', '1')")
    assert history.load_state() == DaemonState(last_move_id="a")


def test_writes_survive_a_kill_9_of_the_writing_process(db_path: Path) -> None:
    script = textwrap.dedent(
        f"""
        import sys
        from datetime import datetime, UTC
        from pathlib import Path
        from deskbreak.store.history import DaemonState, History
        h = History(Path({str(db_path)!r}))
        when = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
        rid = h.record_reminder(when, "chin-tucks", "neck", "console")
        h.record_answer(rid, "done", when)
        h.save_state(DaemonState(last_reminder_id=rid, last_move_id="chin-tucks"))
        print("written", flush=True)
        sys.stdin.read()  # wait, connection open, until killed
        """
    )
    child = subprocess.Popen(
        [sys.executable, "-c", script],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        cwd=Path(__file__).resolve().parents[2],
    )
    try:
        assert child.stdout is not None
        assert child.stdout.readline().strip() == "written"
        os.kill(child.pid, signal.SIGKILL)
        assert child.wait(timeout=30) == -signal.SIGKILL
    finally:
        if child.poll() is None:
            child.kill()
        child.wait(timeout=30)
    with History(db_path) as h:
        [event] = h.recent_events()
        assert (event.detail, event.answer) == ("chin-tucks", "done")
        assert h.load_state() == DaemonState(
            last_reminder_id=event.reminder_id, last_move_id="chin-tucks"
        )


def test_read_only_recent_moves_match_the_history_and_never_write(tmp_path: Path) -> None:
    from deskbreak.store.history import read_recent_desk_moves

    path = tmp_path / "h.sqlite3"
    with History(path) as history:
        for n, move in enumerate(["a", "b", "c"]):
            history.record_reminder(datetime(2026, 11, 23, 9, n, tzinfo=UTC), move, "neck", "x")
        expected = history.recent_desk_moves()
    before = path.stat().st_mtime_ns
    assert read_recent_desk_moves(path) == expected == ["a", "b", "c"]
    assert path.stat().st_mtime_ns == before
    assert read_recent_desk_moves(tmp_path / "missing.sqlite3") == []


def test_a_real_answer_replaces_a_dismissal_but_not_the_other_way_round(history: History) -> None:
    closed = history.record_reminder(at(0), "a", "neck", "console")
    assert history.record_answer(closed, "dismissed", at(1))
    assert history.record_answer(closed, "done", at(3))
    assert not history.record_answer(closed, "dismissed", at(4))
    assert history.reminder_answer(closed) == "done"
