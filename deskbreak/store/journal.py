"""The spill journal: the history writes that could not reach the database yet, on disk.

Another process can hold the history database's write lock for a long time, and the daemon
must not wait for it. A write the database refuses goes to this journal instead: one JSON
record per line, appended and fsync'd before the write counts as accepted. So a `kill -9`, a
crash or a power cut while the database is locked loses nothing: the running daemon replays the
journal into the database once it takes writes again, and the next start replays it before
the daemon plans anything.

Replay is idempotent. Every record carries the journal's generation (a random name chosen when
an empty journal gets its first record) and a sequence number; the database keeps the last
(generation, seq) it took, in the same transaction as that record (`History.write_once`). A
crash after a record's commit and before the journal is emptied replays nothing twice.

A crash in the middle of an append leaves a last line without its newline. That record was
never accepted (its fsync had not returned), so it is dropped with a warning and cut off, and
the next append starts on a fresh line. A damaged line elsewhere is skipped with a warning.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, get_args

from deskbreak.errors import DeskbreakError, UnsafePathError
from deskbreak.private_file import open_private_file
from deskbreak.store.history import History, Snapshot, read_snapshot, state_from_texts

if TYPE_CHECKING:
    import logging

# json, logging and the run prompts load where they are used: `deskbreak schedule` imports this
# module to look for a journal, which is nearly always absent, and should not pay ~10 ms for it.


def _log() -> logging.Logger:
    import logging

    return logging.getLogger("deskbreak.store.journal")


Op = Literal["reminder", "answer", "event", "state", "prompt", "prompt_answer", "routine"]
OPS: tuple[Op, ...] = get_args(Op)


def journal_path(database: Path) -> Path:
    """The journal beside `database`: history.sqlite3 -> history-spill.jsonl."""
    return database.with_name(f"{database.stem}-spill.jsonl")


def new_generation() -> str:
    return os.urandom(8).hex()  # not `secrets`: hmac would load OpenSSL into the daemon


class JournalError(DeskbreakError):
    """The spill journal cannot be opened, or is a file deskbreak must not write through (a
    symlink, a file of another user)."""


@dataclass(frozen=True)
class Record:
    """One history write: `op` names the History method, `data` holds its arguments (times
    as ISO 8601 text with their offset)."""

    generation: str
    seq: int
    op: Op
    data: Mapping[str, Any]

    def line(self) -> bytes:
        import json

        fields = {"generation": self.generation, "seq": self.seq, "op": self.op, "data": self.data}
        return json.dumps(fields, separators=(",", ":")).encode("ascii") + b"\n"

    @classmethod
    def parse(cls, line: bytes) -> Record:
        """The record of one line; ValueError when it is not one."""
        import json

        value = json.loads(line)
        if not isinstance(value, dict):
            raise ValueError("not an object")
        generation, seq, op, data = (value.get(k) for k in ("generation", "seq", "op", "data"))
        if not isinstance(generation, str) or not isinstance(data, dict):
            raise ValueError("no generation or data")
        if not isinstance(seq, int) or isinstance(seq, bool) or op not in OPS:
            raise ValueError("no sequence number or an unknown op")
        return cls(generation, seq, op, data)


def write_record(history: History, record: Record) -> None:
    """Make the write `record` stands for (without marking it replayed)."""
    data = record.data
    if record.op == "reminder":
        history.record_reminder(
            _time(data["at"]), data["move_id"], data["area"], data["backend"], data["id"]
        )
    elif record.op == "answer":
        history.record_answer(data["reminder_id"], data["answer"], _time(data["at"]))
    elif record.op == "event":
        history.record_event(data["kind"], _time(data["at"]), data["detail"])
    elif record.op in ("prompt", "prompt_answer"):
        _write_prompt(history, record)
    elif record.op == "routine":  # a run the CLI could not write itself (see daemon/commands)
        history.record_routine(
            data["name"],
            _time(data["started"]),
            _time(data["ended"]),
            bool(data["completed"]),
            int(data["steps_done"]),
            int(data["steps_total"]),
        )
    else:
        history.save_state(state_from_texts(data["state"]))


def _write_prompt(history: History, record: Record) -> None:
    from deskbreak.store.run_prompts import record_prompt, record_prompt_answer

    data = record.data
    if record.op == "prompt":
        record_prompt(
            history, _time(data["at"]), data["kind"], _time(data["run_start"]), data["id"]
        )
    else:
        record_prompt_answer(history, data["prompt_id"], data["answer"], _time(data["at"]))


def _time(text: str) -> datetime:
    return datetime.fromisoformat(text)


def _records(data: bytes, path: Path, warn: bool = True) -> list[Record]:
    """The records of the complete lines in `data`; a damaged line is skipped."""
    records = []
    for number, line in enumerate(data.split(b"\n")[:-1], start=1):
        try:
            records.append(Record.parse(line))
        except ValueError as err:  # json's errors are ValueErrors too
            if warn:
                _log().warning("line %d of %s cannot be read (%s); skipped", number, path, err)
    return records


def waiting_records(database: Path) -> list[Record]:
    """The complete records in the spill journal of `database`, read without changing it."""
    try:
        fd = os.open(journal_path(database), os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC)
    except OSError:  # none (the usual case), or one the daemon refuses to use at its start
        return []
    try:
        data = os.pread(fd, os.fstat(fd).st_size, 0)
    finally:
        os.close(fd)
    return _records(data, database, warn=False)


def read_snapshot_counting_journal(database: Path, start: datetime, end: datetime) -> Snapshot:
    """`history.read_snapshot`, with the writes waiting in the spill journal counted."""
    if not waiting_records(database):
        return read_snapshot(database, start, end)  # the usual case: read-only, no copy
    try:
        with open_for_reading(database) as history:
            return history.snapshot(start, end)
    except (sqlite3.Error, ValueError, TypeError, DeskbreakError):
        return read_snapshot(database, start, end)


def open_for_reading(database: Path) -> History:
    """The history as a reader (stats, history) should see it: the database, plus the writes
    still waiting in its spill journal. Without a journal (the usual case) that is the
    database itself; with one, an in-memory copy with the journal written into it. Neither
    file is changed: the daemon may be appending to the journal right now, so a last line
    without its newline is left out, not cut off."""
    history = History(database)
    records = waiting_records(database)
    if not records:
        return history
    try:
        copy = history.copy_in_memory()
    finally:
        history.close()
    generation, seq = copy.replayed_mark()
    for record in records:
        if record.generation != generation or record.seq > seq:
            with contextlib.suppress(sqlite3.IntegrityError, KeyError, TypeError, ValueError):
                write_record(copy, record)  # as the daemon's replay drops it, so does this
    return copy


class SpillJournal:
    """The append-only journal file at `path`, created 0600 at its first record, never
    through a symlink."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._fd: int | None = None

    def load(self) -> list[Record]:
        """The records in the file, in order; a torn last line is cut off, damaged lines are
        skipped, each with a warning. No file: no records (and none is created)."""
        if not self.path.exists() and not self.path.is_symlink():
            return []
        fd = self._open()
        size = os.fstat(fd).st_size
        data = os.pread(fd, size, 0)
        keep = data.rfind(b"\n") + 1
        if keep < len(data):
            _log().warning(
                "%s ends in a line cut off by a crash (%d bytes); that write was never "
                "accepted and is dropped",
                self.path,
                len(data) - keep,
            )
            os.ftruncate(fd, keep)
            os.fsync(fd)
        return _records(data[:keep], self.path)

    def append(self, record: Record) -> None:
        """Add `record` and return once it is on disk. Raises OSError or JournalError."""
        fd = self._open()
        line = record.line()
        while line:
            written = os.write(fd, line)
            line = line[written:]
        os.fsync(fd)

    def clear(self) -> None:
        """Empty the journal: every record in it is in the database."""
        if self._fd is None:
            return
        os.ftruncate(self._fd, 0)
        os.fsync(self._fd)

    def close(self) -> None:
        if self._fd is not None:
            with contextlib.suppress(OSError):
                os.close(self._fd)
            self._fd = None

    def _open(self) -> int:
        if self._fd is not None:
            return self._fd
        created = not self.path.exists()
        try:
            fd = open_private_file(self.path, append=True)
        except UnsafePathError as err:
            raise JournalError(f"cannot use the spill journal: {err}") from None
        if created:
            _sync_directory(self.path.parent)  # the new name must survive a power cut too
        self._fd = fd
        return fd


def _sync_directory(directory: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(directory, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
