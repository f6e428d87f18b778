"""The daemon's writes to the history, in order, never lost and never stalling the loop.

Another process (a backup, `sqlite3` in a terminal, a second reader upgrading a lock) can hold
the database's write lock for seconds or hours. The daemon's connection waits only briefly for
it (a short busy timeout); a write that still finds the database locked, or that fails for any
other SQLite reason (a disk full, a file made read-only while running), goes to the spill
journal beside the database (`store/journal.py`, fsync'd before the write counts) and waits
there, in order; the daemon retries until the database has taken all of it. Every later write
queues behind it, so the order never changes. The journal is replayed when this object is made,
that is at every start, before the daemon reads its state.

Reminder ids are handed out before their row is written (also from the journal after a
restart), so an answer to a reminder still waiting simply waits behind it and lands on its row.
Reads count what waits as if it were written.
"""

from __future__ import annotations

import logging
import sqlite3
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import fields
from datetime import datetime
from functools import partial
from typing import Any

from deskbreak.store.history import (
    ANSWERS,
    Answer,
    AnswerCounts,
    DaemonState,
    Event,
    EventKind,
    History,
    epoch,
    state_from_texts,
    state_texts,
)
from deskbreak.store.journal import (
    JournalError,
    Op,
    Record,
    SpillJournal,
    journal_path,
    new_generation,
    write_record,
)
from deskbreak.store.run_prompts import PROMPT_ANSWERS, PromptAnswer, next_prompt_id

log = logging.getLogger("deskbreak.store.queued")

# Far beyond a working week of reminders and answers while the database stays locked; past it
# the oldest plain events give way first (in memory) so reminders and answers are kept longest.
MAX_PENDING = 10_000
# A write that fails like this will fail again: it is logged and dropped, not retried.
UNWRITABLE = (sqlite3.IntegrityError, KeyError, TypeError, ValueError)


class QueuedHistory:
    """A `History` whose writes never raise for a locked or failing database: they spill to
    the journal (default: beside the database) and are replayed in order."""

    def __init__(
        self,
        history: History,
        on_backlog: Callable[[], None] | None = None,
        journal: SpillJournal | None = None,
    ) -> None:
        self.history = history
        # Called when a write had to wait, so the owner can schedule a retry of `flush()`; not
        # during the replay below (the owner is still being built: it looks at `pending`).
        self.on_backlog: Callable[[], None] | None = None
        self.journal = SpillJournal(journal_path(history.path)) if journal is None else journal
        self._failing_since: str | None = None
        self._journal_trouble: str | None = None
        records = self.journal.load()
        self._pending: deque[Record] = deque(self._not_yet_written(records))
        if records:
            # One generation per journal file: carry on after its last record (see journal.py).
            self._generation = records[-1].generation
            self._seq = max(r.seq for r in records if r.generation == self._generation)
        else:
            self._generation, self._seq = new_generation(), 0
        self._next_id: int = max(
            [history.next_reminder_id()]
            + [int(r.data["id"]) + 1 for r in self._pending if r.op == "reminder"]
        )
        self._next_prompt_id: int = max(
            [next_prompt_id(history)]
            + [int(r.data["id"]) + 1 for r in self._pending if r.op == "prompt"]
        )
        if self._pending:
            count = len(self._pending)
            if self.flush():
                log.info("%d write(s) left in %s are now in the history", count, self.journal.path)
        elif records:
            self._clear_journal()  # all in already: a crash came after the replay's commits
        self.on_backlog = on_backlog

    def _not_yet_written(self, records: list[Record]) -> list[Record]:
        """The journal's records the database has not taken yet."""
        try:
            generation, seq = self.history.replayed_mark()
        except sqlite3.Error:
            return records  # write_once still skips what is in, record by record
        return [r for r in records if r.generation != generation or r.seq > seq]

    # -- writes --------------------------------------------------------------------------

    def record_reminder(self, at: datetime, move_id: str, area: str, backend: str) -> int:
        reminder_id = self._next_id
        self._next_id += 1
        data = {"id": reminder_id, "at": _text(at), "move_id": move_id, "area": area}
        self._write("reminder", {**data, "backend": backend})
        return reminder_id

    def record_answer(self, reminder_id: int, answer: Answer, at: datetime) -> bool:
        """Like History's (the first real answer wins; True if this one became the answer),
        decided from what is written plus what waits."""
        if answer not in ANSWERS:
            raise ValueError(f"unknown answer {answer!r}; expected one of {ANSWERS}")
        if not self._known_reminder(reminder_id):
            return False
        current = self.reminder_answer(reminder_id)
        if not _replaces(answer, current):
            return False
        self._write("answer", {"reminder_id": reminder_id, "answer": answer, "at": _text(at)})
        return True

    def record_event(self, kind: EventKind, at: datetime, detail: str | None = None) -> None:
        self._write("event", {"kind": kind, "at": _text(at), "detail": detail})

    def record_prompt(self, at: datetime, kind: str, run_start: datetime) -> int:
        """A run's warm-up or cool-down prompt shown; its id is handed out at once."""
        prompt_id = self._next_prompt_id
        self._next_prompt_id += 1
        data = {"id": prompt_id, "at": _text(at), "kind": kind, "run_start": _text(run_start)}
        self._write("prompt", data)
        return prompt_id

    def record_prompt_answer(self, prompt_id: int, answer: PromptAnswer, at: datetime) -> None:
        if answer not in PROMPT_ANSWERS:
            raise ValueError(f"unknown prompt answer {answer!r}; expected one of {PROMPT_ANSWERS}")
        self._write("prompt_answer", {"prompt_id": prompt_id, "answer": answer, "at": _text(at)})

    def record_routine(
        self,
        name: str,
        started: datetime,
        ended: datetime,
        completed: bool,
        steps_done: int,
        steps_total: int,
    ) -> None:
        """A routine run the CLI handed over because the database refused it the write."""
        data = {"name": name, "started": _text(started), "ended": _text(ended)}
        self._write(
            "routine",
            {**data, "completed": completed, "steps_done": steps_done, "steps_total": steps_total},
        )

    def save_state(self, state: DaemonState) -> None:
        if self._pending and self._pending[-1].op == "state":
            # A newer state replaces one not yet written (the journal keeps both, in order).
            self._pending.pop()
        self._write("state", {"state": state_texts(state)})

    @property
    def pending(self) -> int:
        """Writes waiting for the database."""
        return len(self._pending)

    def flush(self) -> bool:
        """Write what waits, in order, until the database refuses; True once all is in (and
        the journal is emptied)."""
        had_backlog = bool(self._pending)
        while self._pending:
            record = self._pending[0]
            try:
                self.history.write_once(
                    record.generation, record.seq, partial(write_record, self.history, record)
                )
            except UNWRITABLE:
                # One write the history cannot take must not block every later one.
                log.exception("dropping a %s write the history cannot take", record.op)
            except sqlite3.Error as err:
                self._failed(err)
                return False
            self._pending.popleft()
        if had_backlog:
            self._clear_journal()
        if self._failing_since is not None:
            log.info("the history database is available again; every waiting write is in")
            self._failing_since = None
        return True

    def flush_at_stop(self) -> None:
        """A last try before the daemon exits; says where what still waits is kept."""
        if self.flush():
            return
        if self._journal_trouble is None:
            log.warning(
                "the history database is still unavailable: %d write(s) wait in %s and are "
                "written at the next start",
                self.pending,
                self.journal.path,
            )
        else:
            log.error(
                "the history database and the spill journal are unavailable: %d write(s) are lost",
                self.pending,
            )

    def _write(self, op: Op, data: dict[str, Any]) -> None:
        self._seq += 1
        record = Record(self._generation, self._seq, op, data)
        if not self._pending:
            try:
                write_record(self.history, record)  # the usual case: straight in, no journal
                return
            except UNWRITABLE:
                log.exception("dropping a %s write the history cannot take", op)
                return
            except sqlite3.Error as err:
                self._failed(err)
        self._spill(record)
        if len(self._pending) >= MAX_PENDING:
            self._drop_oldest_event()
        self._pending.append(record)

    def _spill(self, record: Record) -> None:
        """Put `record` on disk; if even that fails, it waits in memory only (logged once)."""
        try:
            self.journal.append(record)
        except (OSError, JournalError) as err:
            if self._journal_trouble != str(err):
                log.error(
                    "cannot write the spill journal %s (%s); waiting history writes are kept "
                    "in memory only and are lost if deskbreak is killed",
                    self.journal.path,
                    err,
                )
            self._journal_trouble = str(err)
        else:
            if self._journal_trouble is not None:
                log.info("the spill journal %s takes writes again", self.journal.path)
                self._journal_trouble = None

    def _clear_journal(self) -> None:
        try:
            self.journal.clear()
        except OSError as err:  # harmless: the database marks what it has, replay skips it
            log.warning("cannot empty the spill journal %s: %s", self.journal.path, err)

    def _failed(self, err: sqlite3.Error) -> None:
        if self._failing_since is None:
            self._failing_since = str(err)
            log.warning(
                "the history database is unavailable (%s); writes wait in %s and are retried",
                err,
                self.journal.path,
            )
        if self.on_backlog is not None:
            self.on_backlog()

    def _drop_oldest_event(self) -> None:
        for index, record in enumerate(self._pending):
            if record.op in ("event", "state") and index > 0:
                del self._pending[index]
                log.warning("the history stayed unavailable too long; an event was dropped")
                return
        self._pending.popleft()
        log.warning("the history stayed unavailable too long; the oldest write was dropped")

    # -- what waits, as the readers below count it -----------------------------------------

    def _waiting(self, op: Op) -> list[Record]:
        return [r for r in self._pending if r.op == op]

    def _waiting_answers(self) -> dict[int, str]:
        """The answer waiting for each reminder (a later one in line replaced an earlier)."""
        return {r.data["reminder_id"]: r.data["answer"] for r in self._waiting("answer")}

    def _known_reminder(self, reminder_id: int) -> bool:
        if any(r.data["id"] == reminder_id for r in self._waiting("reminder")):
            return True
        try:
            return bool(self.history.query("SELECT 1 FROM reminders WHERE id = ?", (reminder_id,)))
        except sqlite3.Error:
            return False

    # -- reads (WAL lets them through while another process writes) ---------------------

    def reminder_answer(self, reminder_id: int) -> str | None:
        """The answer of one reminder, counting answers still waiting."""
        waiting = self._waiting_answers()
        if reminder_id in waiting:
            return waiting[reminder_id]
        try:
            return self.history.reminder_answer(reminder_id)
        except sqlite3.Error:
            return None

    def recent_desk_moves(self, limit: int = 20) -> list[str]:
        """Like History's, with the reminders still waiting counted as the newest."""
        try:
            stored = self.history.recent_desk_moves(limit)
        except sqlite3.Error:
            stored = []
        return (stored + [r.data["move_id"] for r in self._waiting("reminder")])[-limit:]

    def day_counts(self, start: datetime, end: datetime) -> AnswerCounts:
        """Like History's, counting the reminders and answers still waiting."""
        counts = _as_dict(self.history.day_counts(start, end))
        waiting = self._waiting_answers()
        for record in self._waiting("reminder"):
            if epoch(start) <= epoch(_time(record.data["at"])) < epoch(end):
                counts["sent"] += 1
                _count(counts, waiting.pop(record.data["id"], None), +1)
        for reminder_id, answer in waiting.items():  # answers to reminders already written
            rows = self.history.query(
                "SELECT answer FROM reminders WHERE id = ? AND at >= ? AND at < ?",
                (reminder_id, epoch(start), epoch(end)),
            )
            if rows:
                _count(counts, rows[0][0], -1)
                _count(counts, answer, +1)
        return AnswerCounts(**counts)

    def load_state(self) -> DaemonState:
        """The newest state: one waiting to be written, else the saved one."""
        waiting = self._waiting("state")
        if waiting:
            return state_from_texts(waiting[-1].data["state"])
        return self.history.load_state()

    def recent_events(self, limit: int = 50) -> list[Event]:
        return self.history.recent_events(limit)

    def query(self, sql: str, params: Sequence[object] = ()) -> list[tuple[Any, ...]]:
        return self.history.query(sql, params)


def _replaces(answer: str, current: str | None) -> bool:
    """History.record_answer's rule: the first real answer wins over none, an expiry or a close."""
    return current is None or (
        current in ("ignored", "dismissed") and answer in ("done", "snoozed", "skipped")
    )


def _text(at: datetime) -> str:
    epoch(at)  # a naive time is a bug in the caller: raise now, not at replay
    return at.isoformat()


def _time(text: str) -> datetime:
    return datetime.fromisoformat(text)


def _as_dict(counts: AnswerCounts) -> dict[str, int]:
    return {f.name: getattr(counts, f.name) for f in fields(counts)}


def _count(counts: dict[str, int], answer: str | None, step: int) -> None:
    if answer is not None and answer in counts:
        counts[answer] += step
