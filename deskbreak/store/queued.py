"""The daemon's writes to the history, in order, never lost and never stalling the loop.

Another process (a backup, `sqlite3` in a terminal, a second reader upgrading a lock) can hold
the database's write lock for seconds. The daemon's connection waits only briefly for it
(a short busy timeout); a write that still finds the database locked, or that fails for any
other SQLite reason (a disk full, a file made read-only while running), waits in an in-memory
queue, in order, and the daemon retries the queue until it is empty. Reminder ids are handed
out before their row is written, so an answer to a reminder still in the queue simply queues
behind it.
"""

from __future__ import annotations

import logging
import sqlite3
from collections import deque
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from deskbreak.store.history import (
    Answer,
    AnswerCounts,
    DaemonState,
    Event,
    EventKind,
    History,
    epoch,
)

log = logging.getLogger("deskbreak.store.queued")

# Far beyond a working week of reminders and answers while the database stays locked; past it
# the oldest plain events give way first so reminders and answers are kept longest.
MAX_PENDING = 10_000

Write = Callable[[History], object]


class QueuedHistory:
    """A `History` whose writes never raise for a locked or failing database: they queue."""

    def __init__(self, history: History, on_backlog: Callable[[], None] | None = None) -> None:
        self.history = history
        # Called when a write had to wait, so the owner can schedule a retry of `flush()`.
        self.on_backlog = on_backlog
        self._pending: deque[tuple[str, Write]] = deque()
        self._pending_moves: list[str] = []
        self._pending_ids: set[int] = set()
        self._pending_answers: dict[int, str] = {}
        self._next_id = history.next_reminder_id()
        self._failing_since: str | None = None

    # -- writes --------------------------------------------------------------------------

    def record_reminder(self, at: datetime, move_id: str, area: str, backend: str) -> int:
        reminder_id = self._next_id
        self._next_id += 1
        epoch(at)  # a naive time is a bug in the caller: raise now, not in the queue
        self._pending_moves.append(move_id)
        self._pending_ids.add(reminder_id)

        def write(h: History) -> None:
            h.record_reminder(at, move_id, area, backend, reminder_id)
            self._pending_moves.remove(move_id)
            self._pending_ids.discard(reminder_id)

        self._write("reminder", write)
        return reminder_id

    def record_answer(self, reminder_id: int, answer: Answer, at: datetime) -> bool:
        """Like History's (the first real answer wins; True if this one became the answer),
        decided from what is written plus what waits in the queue."""
        epoch(at)
        if not self._known_reminder(reminder_id):
            return False
        current = self.reminder_answer(reminder_id)
        if not (current is None or (current == "ignored" and answer != "ignored")):
            return False
        self._pending_answers[reminder_id] = answer

        def write(h: History) -> None:
            h.record_answer(reminder_id, answer, at)
            if self._pending_answers.get(reminder_id) == answer:
                del self._pending_answers[reminder_id]

        self._write("answer", write)
        return True

    def reminder_answer(self, reminder_id: int) -> str | None:
        """The answer of one reminder, counting answers still in the queue."""
        if reminder_id in self._pending_answers:
            return self._pending_answers[reminder_id]
        try:
            return self.history.reminder_answer(reminder_id)
        except sqlite3.Error:
            return None

    def _known_reminder(self, reminder_id: int) -> bool:
        if reminder_id in self._pending_ids:
            return True
        try:
            return bool(self.history.query("SELECT 1 FROM reminders WHERE id = ?", (reminder_id,)))
        except sqlite3.Error:
            return False

    def record_event(self, kind: EventKind, at: datetime, detail: str | None = None) -> None:
        epoch(at)
        self._write("event", lambda h: h.record_event(kind, at, detail))

    def save_state(self, state: DaemonState) -> None:
        if self._pending and self._pending[-1][0] == "state":
            self._pending.pop()  # a newer state replaces one not yet written
        self._write("state", lambda h: h.save_state(state))

    @property
    def pending(self) -> int:
        """Writes waiting for the database."""
        return len(self._pending)

    def flush(self) -> bool:
        """Write what is queued, in order, until the database refuses; True once all is in."""
        while self._pending:
            kind, write = self._pending[0]
            try:
                write(self.history)
            except sqlite3.Error as err:
                if self._failing_since is None:
                    self._failing_since = str(err)
                    log.warning(
                        "the history database is unavailable (%s); %d write(s) wait and are "
                        "retried",
                        err,
                        len(self._pending),
                    )
                if self.on_backlog is not None:
                    self.on_backlog()
                return False
            except Exception:  # one bad write must not block every later one
                log.exception("dropping a %s write the history cannot take", kind)
            self._pending.popleft()
        if self._failing_since is not None:
            log.info("the history database is available again; every queued write is in")
            self._failing_since = None
        return True

    def _write(self, kind: str, write: Write) -> None:
        if len(self._pending) >= MAX_PENDING:
            self._drop_oldest_event()
        self._pending.append((kind, write))
        if len(self._pending) == 1:
            self.flush()

    def _drop_oldest_event(self) -> None:
        for index, (kind, _) in enumerate(self._pending):
            if kind in ("event", "state") and index > 0:
                del self._pending[index]
                log.warning("the history stayed unavailable too long; an event was dropped")
                return
        self._pending.popleft()
        log.warning("the history stayed unavailable too long; the oldest write was dropped")

    # -- reads (WAL lets them through while another process writes) ---------------------

    def recent_desk_moves(self, limit: int = 20) -> list[str]:
        """Like History's, with the reminders still in the queue counted as the newest."""
        try:
            stored = self.history.recent_desk_moves(limit)
        except sqlite3.Error:
            stored = []
        return (stored + self._pending_moves)[-limit:]

    def day_counts(self, start: datetime, end: datetime) -> AnswerCounts:
        return self.history.day_counts(start, end)

    def load_state(self) -> DaemonState:
        return self.history.load_state()

    def recent_events(self, limit: int = 50) -> list[Event]:
        return self.history.recent_events(limit)

    def query(self, sql: str, params: Sequence[object] = ()) -> list[tuple[Any, ...]]:
        return self.history.query(sql, params)
