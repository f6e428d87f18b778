"""The durable history: one SQLite file with every reminder, answer, event and routine run.

The daemon's small persistent state (pause, snooze, last reminder) lives here too, so a
restart, a crash or a `kill -9` resumes where it was. Every write is its own committed
transaction (autocommit); WAL with `synchronous=FULL` makes a commit durable even across a
power cut, which costs nothing at one write per half hour.

Times are stored as integer UTC epoch seconds (fast range scans over years of data) and come
back as timezone-aware UTC datetimes; callers convert to local time. The schema version is
`PRAGMA user_version`; `MIGRATIONS[n]` takes a database from version n to n + 1.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import sqlite3
import stat
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, fields
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal, get_args

from deskbreak.errors import DeskbreakError

# dismissed: closed without a button; away: the person was not there (locked, idle, a natural
# break); missed: held (do-not-disturb, fullscreen, a call, a meeting) and never shown.
Answer = Literal["done", "snoozed", "skipped", "ignored", "dismissed", "away", "missed"]
# "answer": a later answer to a reminder that already had one (the first answer wins)
# "held": a reminder waited for do-not-disturb, a fullscreen window, a call or a meeting to end
# "deferred": written only by older versions for meeting holds; nothing counts it
EventKind = Literal[
    "start",
    "stop",
    "pause",
    "resume",
    "reload",
    "snooze",
    "skip",
    "unskip",
    "answer",
    "deferred",
    "held",
]
ANSWERS: tuple[Answer, ...] = get_args(Answer)
EVENT_KINDS: tuple[EventKind, ...] = get_args(EventKind)

# MIGRATIONS[n] takes a database from schema version n to n + 1; append, never edit.
MIGRATIONS: list[tuple[str, ...]] = [
    # 1: the first schema. An answer lives on its reminder row: one answer per reminder.
    (
        """CREATE TABLE reminders (
            id          INTEGER PRIMARY KEY,
            at          INTEGER NOT NULL,
            move_id     TEXT NOT NULL,
            area        TEXT NOT NULL,
            backend     TEXT NOT NULL,
            answer      TEXT,
            answered_at INTEGER
        )""",
        # Covers the stats queries (per day, by area) so they read the index alone.
        "CREATE INDEX reminders_at ON reminders (at, answer, area)",
        """CREATE TABLE events (
            id     INTEGER PRIMARY KEY,
            at     INTEGER NOT NULL,
            kind   TEXT NOT NULL,
            detail TEXT
        )""",
        "CREATE INDEX events_at ON events (at)",
        """CREATE TABLE routines (
            id          INTEGER PRIMARY KEY,
            name        TEXT NOT NULL,
            started     INTEGER NOT NULL,
            ended       INTEGER NOT NULL,
            completed   INTEGER NOT NULL,
            steps_done  INTEGER NOT NULL,
            steps_total INTEGER NOT NULL
        )""",
        "CREATE INDEX routines_started ON routines (started)",
        "CREATE TABLE state (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID",
    ),
    # 2: synced calendar windows (times and flags only, never titles) and the answers to the
    # warm-up and cool-down prompts of runs.
    (
        """CREATE TABLE calendar_windows (
            calendar TEXT NOT NULL,
            start    INTEGER NOT NULL,
            stop     INTEGER NOT NULL,
            busy     INTEGER NOT NULL,
            run      INTEGER NOT NULL,
            all_day  INTEGER NOT NULL
        )""",
        "CREATE INDEX calendar_windows_start ON calendar_windows (start, stop)",
        """CREATE TABLE run_prompts (
            id          INTEGER PRIMARY KEY,
            at          INTEGER NOT NULL,
            kind        TEXT NOT NULL,
            run_start   INTEGER NOT NULL,
            answer      TEXT,
            answered_at INTEGER
        )""",
        "CREATE INDEX run_prompts_at ON run_prompts (at)",
    ),
    # 3: how far the daemon's spill journal (store/journal.py) has been replayed: the
    # journal's generation and the last record written, updated in the same transaction as
    # that record, so a replay after a crash skips what is already in.
    (
        """CREATE TABLE journal_replayed (
            id         INTEGER PRIMARY KEY CHECK (id = 1),
            generation TEXT NOT NULL,
            seq        INTEGER NOT NULL
        )""",
        "INSERT INTO journal_replayed (id, generation, seq) VALUES (1, '', 0)",
    ),
]


RECENT_MOVES_SQL = "SELECT move_id FROM reminders ORDER BY at DESC, id DESC LIMIT ?"


def read_recent_desk_moves(path: Path, limit: int = 20) -> list[str]:
    """Like `History.recent_desk_moves`, for a reader that must not write: read-only, no
    migration, and an unreadable or too-new file gives no history rather than an error."""
    try:
        with contextlib.closing(sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)) as db:
            rows = db.execute(RECENT_MOVES_SQL, (limit,)).fetchall()
    except sqlite3.Error:
        return []
    return [row[0] for row in reversed(rows)]


class HistoryError(DeskbreakError):
    """The history database cannot be opened or understood."""


@dataclass(frozen=True)
class DaemonState:
    """What the daemon must remember across a restart. Defaults mean "nothing pending"."""

    paused_until: datetime | None = None
    paused_indefinitely: bool = False
    snoozed_until: datetime | None = None
    skipped_slot: datetime | None = None
    # the move a snoozed reminder brings back
    snoozed_move_id: str | None = None
    last_reminder_id: int | None = None
    last_reminder_at: datetime | None = None
    last_move_id: str | None = None
    # a reminder held (do-not-disturb, fullscreen, a call, a meeting), and why
    held_slot: datetime | None = None
    held_reason: str | None = None


@dataclass(frozen=True)
class AnswerCounts:
    """Reminders sent in a span and how they were answered; unanswered ones count in none."""

    sent: int = 0
    done: int = 0
    snoozed: int = 0
    skipped: int = 0
    ignored: int = 0
    dismissed: int = 0  # closed without a button
    away: int = 0  # not sent: the person was away (a natural break, a locked screen)
    missed: int = 0  # held (do-not-disturb, fullscreen, a call, a meeting) and never shown

    def __add__(self, other: AnswerCounts) -> AnswerCounts:
        return AnswerCounts(
            *(getattr(self, f.name) + getattr(other, f.name) for f in fields(AnswerCounts))
        )

    @property
    def seen(self) -> int:
        """Reminders a person could have seen: those shown, not those skipped for absence."""
        return self.sent - self.away - self.missed


@dataclass(frozen=True)
class Event:
    """One line of `deskbreak history`: a reminder (with its answer), a routine run, or a
    daemon event. `detail` is the move id, the routine name, or the event's own detail."""

    at: datetime
    kind: str  # "reminder", "routine", or one of EVENT_KINDS
    detail: str | None = None
    reminder_id: int | None = None
    area: str | None = None
    backend: str | None = None
    answer: str | None = None
    answered_at: datetime | None = None
    ended: datetime | None = None
    completed: bool | None = None
    steps_done: int | None = None
    steps_total: int | None = None


def epoch(moment: datetime) -> int:
    """Whole UTC epoch seconds of an aware datetime, as stored; naive ones are a ValueError."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"history needs timezone-aware datetimes, got naive {moment}")
    return math.floor(moment.timestamp())


def _moment(seconds: int | None) -> datetime | None:
    return None if seconds is None else _utc(seconds)


IN_MEMORY = Path(":memory:")  # SQLite's name for a database with no file


def make_private_folder(folder: Path) -> None:
    """Create `folder` (0700), or take group and other access away from it when it is ours:
    when and how a person moved is theirs alone."""
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    _keep_private(folder)


def _create_private_file(path: Path) -> None:
    """A new database file starts 0600 (SQLite would make it 0644, and its WAL files after it)."""
    with contextlib.suppress(FileExistsError):
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600))


def _keep_private(*paths: Path) -> None:
    """Take group and other access away from each of `paths` that exists and is ours (files
    an older deskbreak created 0644; another user's file is left as it is)."""
    for path in paths:
        try:
            st = path.lstat()
            if st.st_uid == os.getuid() and st.st_mode & 0o077 and not stat.S_ISLNK(st.st_mode):
                path.chmod(stat.S_IMODE(st.st_mode) & 0o700)
        except OSError:
            continue  # gone, or not ours to change: SQLite reports what matters


class History:
    """The history database at `path`: created, opened in WAL mode and migrated on construction.

    One connection, used from the thread that opened it (the daemon's event loop).
    """

    def __init__(self, path: Path, busy_timeout_seconds: float = 5.0) -> None:
        self.path = path
        try:
            if path != IN_MEMORY:
                make_private_folder(path.parent)
                _create_private_file(path)
            # isolation_level=None: autocommit, so each write is committed when it returns.
            self._db = sqlite3.connect(path, isolation_level=None, timeout=busy_timeout_seconds)
        except (OSError, sqlite3.Error) as err:
            raise HistoryError(f"cannot open the history database {path}: {err}") from err
        try:
            self._db.execute("PRAGMA journal_mode=WAL")
            if path != IN_MEMORY:
                wal, shm = (path.with_name(path.name + end) for end in ("-wal", "-shm"))
                _keep_private(path, wal, shm)
            self._db.execute("PRAGMA synchronous=FULL")
            self._migrate()
        except HistoryError:
            self._db.close()
            raise
        except sqlite3.DatabaseError as err:
            self._db.close()
            if getattr(err, "sqlite_errorname", "") in ("SQLITE_NOTADB", "SQLITE_CORRUPT"):
                raise HistoryError(
                    f"{path} is not a readable deskbreak history database ({err}); "
                    "move it aside and deskbreak starts a new one"
                ) from err
            raise HistoryError(f"cannot open the history database {path}: {err}") from err

    def _migrate(self) -> None:
        version = self.schema_version()
        if version > len(MIGRATIONS):
            raise HistoryError(
                f"{self.path} was written by a newer deskbreak (schema {version}, this one "
                f"knows up to {len(MIGRATIONS)}); upgrade deskbreak"
            )
        if version == len(MIGRATIONS):
            return
        with self.transaction():
            # Read again under the write lock: another process may have migrated meanwhile.
            for step in range(self.schema_version(), len(MIGRATIONS)):
                for statement in MIGRATIONS[step]:
                    self._db.execute(statement)
                self._db.execute(f"PRAGMA user_version = {step + 1}")

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """Make the writes inside one transaction: all committed at the end, or none.

        IMMEDIATE takes the write lock at once, so a concurrent writer waits rather than
        failing halfway. Used for the state and migrations, and for bulk loads. Inside an
        open transaction it joins that one (a replayed state save)."""
        if self._db.in_transaction:
            yield
            return
        self._db.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")

    def set_busy_timeout(self, seconds: float) -> None:
        """How long a statement waits for another process's lock before SQLITE_BUSY. The
        daemon keeps this short so a lock held elsewhere never freezes its event loop."""
        self._db.execute(f"PRAGMA busy_timeout = {max(0, round(seconds * 1000))}")

    def check_writable(self) -> None:
        """Raise HistoryError with a sentence when this database cannot be written (a
        read-only file or folder), so the daemon fails before it serves anything."""
        try:
            with self.transaction():
                self._db.execute("DELETE FROM state WHERE 0")  # a write that changes nothing
        except sqlite3.OperationalError as err:
            if getattr(err, "sqlite_errorname", "") in ("SQLITE_BUSY", "SQLITE_LOCKED"):
                return  # someone else is writing: the file is writable, the daemon retries
            raise HistoryError(
                f"cannot write the history database {self.path} ({err}); "
                "make it and its folder writable by this user"
            ) from err

    def next_reminder_id(self) -> int:
        """The id the next reminder gets. Only the daemon records reminders, and only one
        daemon runs, so it can hand out ids before a row is written."""
        row = self._db.execute("SELECT coalesce(max(id), 0) + 1 FROM reminders").fetchone()
        return int(row[0])

    def copy_in_memory(self) -> History:
        """A private in-memory copy of this database, for a reader that adds writes it must
        not make to the file (the spill journal's, see `journal.open_for_reading`)."""
        copy = History(IN_MEMORY)
        self._db.backup(copy._db)
        return copy

    def replayed_mark(self) -> tuple[str, int]:
        """(generation, seq) of the last spill-journal record written to this database."""
        row = self._db.execute("SELECT generation, seq FROM journal_replayed").fetchone()
        return ("", 0) if row is None else (str(row[0]), int(row[1]))

    def write_once(self, generation: str, seq: int, write: Callable[[], object]) -> bool:
        """Run `write` and mark journal record (generation, seq) as written, in one
        transaction; a record marked already is skipped (False). Records of one generation
        are replayed in seq order, so one mark per database is enough."""
        with self.transaction():
            done_generation, done_seq = self.replayed_mark()
            if done_generation == generation and seq <= done_seq:
                return False
            write()
            self._db.execute(
                "UPDATE journal_replayed SET generation = ?, seq = ?", (generation, seq)
            )
        return True

    def schema_version(self) -> int:
        row = self._db.execute("PRAGMA user_version").fetchone()
        return int(row[0])

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> History:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- writing ----------------------------------------------------------------------------

    def record_reminder(
        self, at: datetime, move_id: str, area: str, backend: str, reminder_id: int | None = None
    ) -> int:
        """Record a reminder sent (with the id handed out earlier, if any); returns its id for
        `record_answer`."""
        cur = self._db.execute(
            "INSERT INTO reminders (id, at, move_id, area, backend) VALUES (?, ?, ?, ?, ?)",
            (reminder_id, epoch(at), move_id, area, backend),
        )
        assert cur.lastrowid is not None
        return cur.lastrowid

    def record_answer(self, reminder_id: int, answer: Answer, at: datetime) -> bool:
        """Record how a reminder was answered; True if this became its answer.

        The first real answer (done, snoozed, skipped) wins. A notification that expired
        ("ignored") or was closed without a button ("dismissed") is no answer to the move, so a
        real answer given afterwards (`deskbreak done`) replaces it; anything else only fills in
        a reminder with no answer yet. Later answers change nothing here (the daemon records
        them as events). Unknown ids are a no-op."""
        if answer not in ANSWERS:
            raise ValueError(f"unknown answer {answer!r}; expected one of {ANSWERS}")
        cur = self._db.execute(
            "UPDATE reminders SET answer = ?, answered_at = ? WHERE id = ? AND (answer IS NULL"
            " OR (answer IN ('ignored', 'dismissed') AND ? IN ('done', 'snoozed', 'skipped')))",
            (answer, epoch(at), reminder_id, answer),
        )
        return cur.rowcount == 1

    def reminder_answer(self, reminder_id: int) -> str | None:
        """The answer recorded for one reminder (None: unanswered or unknown)."""
        row = self._db.execute(
            "SELECT answer FROM reminders WHERE id = ?", (reminder_id,)
        ).fetchone()
        return None if row is None else row[0]

    def snapshot(self, start: datetime, end: datetime) -> Snapshot:
        """What `read_snapshot` reads, from this connection."""
        return _snapshot(self._db, start, end)

    def reminders_between(self, start: datetime, end: datetime) -> list[tuple[datetime, str]]:
        """(slot, move id) of the reminders shown in [start, end), in order."""
        return _reminders_between(self._db, start, end)[0]

    def record_event(self, kind: EventKind, at: datetime, detail: str | None = None) -> None:
        """Record a daemon event (one of EVENT_KINDS)."""
        if kind not in EVENT_KINDS:
            raise ValueError(f"unknown event kind {kind!r}; expected one of {EVENT_KINDS}")
        self._db.execute(
            "INSERT INTO events (at, kind, detail) VALUES (?, ?, ?)", (epoch(at), kind, detail)
        )

    def record_routine(
        self,
        name: str,
        started: datetime,
        ended: datetime,
        completed: bool,
        steps_done: int,
        steps_total: int,
    ) -> None:
        """Record one routine run, finished (`completed`) or quit after `steps_done` steps."""
        self._db.execute(
            "INSERT INTO routines (name, started, ended, completed, steps_done, steps_total)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            (name, epoch(started), epoch(ended), int(completed), steps_done, steps_total),
        )

    # -- daemon state -----------------------------------------------------------------------

    def load_state(self) -> DaemonState:
        """The last saved DaemonState, or the defaults; unknown keys are ignored, and a value
        that cannot be read (not JSON, wrong type) is reset with a warning in the log."""
        return _load_state(self._db)

    def save_state(self, state: DaemonState) -> None:
        """Replace the saved state in one transaction."""
        rows = list(state_texts(state).items())
        with self.transaction():
            self._db.execute("DELETE FROM state")
            self._db.executemany("INSERT INTO state (key, value) VALUES (?, ?)", rows)

    # -- reading ----------------------------------------------------------------------------

    def recent_desk_moves(self, limit: int = 20) -> list[str]:
        """Move ids of the last `limit` reminders, most recent last."""
        rows = self._db.execute(RECENT_MOVES_SQL, (limit,)).fetchall()
        return [row[0] for row in reversed(rows)]

    def day_counts(self, start: datetime, end: datetime) -> AnswerCounts:
        """Reminders sent in [start, end) and their answers."""
        row = self._db.execute(
            f"SELECT {COUNTS_SQL} FROM reminders WHERE at >= ? AND at < ?",
            (epoch(start), epoch(end)),
        ).fetchone()
        return AnswerCounts(*(int(v or 0) for v in row))

    def write(self, statements: Sequence[tuple[str, Sequence[Sequence[object]]]]) -> None:
        """Run each statement once per parameter row, all in one transaction."""
        with self.transaction():
            for sql, rows in statements:
                self._db.executemany(sql, rows)

    def query(self, sql: str, params: Sequence[object] = ()) -> list[tuple[Any, ...]]:
        """Rows of one read-only statement; the aggregate queries of `deskbreak.stats` use it."""
        return self._db.execute(sql, params).fetchall()

    def recent_events(self, limit: int = 50) -> list[Event]:
        """The last `limit` reminders, routine runs and daemon events together, newest first."""
        events = [
            Event(
                _utc(at),
                "reminder",
                move,
                reminder_id=rid,
                area=area,
                backend=backend,
                answer=answer,
                answered_at=_moment(answered),
            )
            for rid, at, move, area, backend, answer, answered in self._db.execute(
                "SELECT id, at, move_id, area, backend, answer, answered_at FROM reminders"
                " ORDER BY at DESC, id DESC LIMIT ?",
                (limit,),
            )
        ]
        events += [
            Event(_utc(at), kind, detail)
            for at, kind, detail in self._db.execute(
                "SELECT at, kind, detail FROM events ORDER BY at DESC, id DESC LIMIT ?", (limit,)
            )
        ]
        events += [
            Event(
                _utc(started),
                "routine",
                name,
                ended=_moment(ended),
                completed=bool(completed),
                steps_done=done,
                steps_total=total,
            )
            for name, started, ended, completed, done, total in self._db.execute(
                "SELECT name, started, ended, completed, steps_done, steps_total FROM routines"
                " ORDER BY started DESC, id DESC LIMIT ?",
                (limit,),
            )
        ]
        events.sort(key=lambda e: e.at, reverse=True)  # stable: ties keep table order
        return events[:limit]


def state_texts(state: DaemonState) -> dict[str, str]:
    """Each field of `state` as the JSON text the state table keeps (times in UTC)."""
    texts = {}
    for f in fields(state):
        value = getattr(state, f.name)
        if isinstance(value, datetime):
            epoch(value)  # rejects naive datetimes
            value = value.astimezone(UTC).isoformat()
        texts[f.name] = json.dumps(value)
    return texts


def _load_state(db: sqlite3.Connection) -> DaemonState:
    return state_from_texts(dict(db.execute("SELECT key, value FROM state").fetchall()))


def state_from_texts(stored: dict[str, str]) -> DaemonState:
    """The DaemonState of `state_texts`; a value that cannot be read is reset with a warning."""
    stored = dict(stored)
    # Before one named slot, a skip was kept as a cut-off: the slot it dropped.
    if "skip_through" in stored and "skipped_slot" not in stored:
        stored["skipped_slot"] = stored["skip_through"]
    values: dict[str, object] = {}
    for f in fields(DaemonState):
        if f.name not in stored:
            continue
        try:
            values[f.name] = _state_value(str(f.type), stored[f.name])
        except (ValueError, TypeError) as err:
            # Imported here, where it is rare: `deskbreak schedule` reads the state and
            # should not pay ~5 ms for logging.
            import logging

            logging.getLogger("deskbreak.store.history").warning(
                "the saved %s cannot be read (%s); it is reset", f.name, err
            )
    return DaemonState(**values)  # type: ignore[arg-type]  # names and types checked above


# Slots with a reminder row that never reached the screen (presence): not "sent".
NOT_SHOWN = ("away", "missed")


def _reminders_between(
    db: sqlite3.Connection, start: datetime, end: datetime
) -> tuple[list[tuple[datetime, str]], list[tuple[datetime, str]]]:
    """(slot, move id) of the reminders shown, and (slot, answer) of those that were not."""
    rows = db.execute(
        "SELECT at, move_id, answer FROM reminders WHERE at >= ? AND at < ? ORDER BY at, id",
        (epoch(start), epoch(end)),
    ).fetchall()
    shown = [(_utc(at), move) for at, move, answer in rows if answer not in NOT_SHOWN]
    unseen = [(_utc(at), answer) for at, _, answer in rows if answer in NOT_SHOWN]
    return shown, unseen


@dataclass(frozen=True)
class Snapshot:
    """What `deskbreak schedule` reads of the daemon's history, without writing to it."""

    recent_moves: list[str]
    sent: list[tuple[datetime, str]]  # (slot, move id) in the span asked for
    state: DaemonState
    # (slot, "away" or "missed"): slots the daemon kept off the screen (presence)
    unseen: list[tuple[datetime, str]] = field(default_factory=list)


def read_snapshot(path: Path, start: datetime, end: datetime) -> Snapshot:
    """The rotation, the reminders sent in [start, end) and the daemon's saved plan, read-only;
    a missing, unreadable or too-new file reads as an empty history."""
    if not path.exists():
        return Snapshot([], [], DaemonState())
    try:
        with contextlib.closing(sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)) as db:
            return _snapshot(db, start, end)
    except (sqlite3.Error, ValueError, TypeError):
        return Snapshot([], [], DaemonState())


def _snapshot(db: sqlite3.Connection, start: datetime, end: datetime) -> Snapshot:
    rows = db.execute(RECENT_MOVES_SQL, (20,)).fetchall()
    shown, unseen = _reminders_between(db, start, end)
    return Snapshot([row[0] for row in reversed(rows)], shown, _load_state(db), unseen)


# The columns of an AnswerCounts. `IS` rather than `=`: an unanswered reminder gives 0, not NULL.
COUNTS_SQL = (
    "count(*), sum(answer IS 'done'), sum(answer IS 'snoozed'),"
    " sum(answer IS 'skipped'), sum(answer IS 'ignored'), sum(answer IS 'dismissed'),"
    " sum(answer IS 'away'), sum(answer IS 'missed')"
)


def _state_value(declared: str, text: str) -> object:
    """One saved state value, checked against its field's declared type."""
    value = json.loads(text)
    if value is None:
        if "None" not in declared:
            raise TypeError("null where a value is needed")
        return None
    if "datetime" in declared:
        if not isinstance(value, str):
            raise TypeError(f"expected a time, got {value!r}")
        moment = datetime.fromisoformat(value)
        epoch(moment)  # rejects naive times
        return moment
    expected = {"bool": bool, "int": int, "str": str}[declared.split(" ")[0]]
    if not isinstance(value, expected) or (expected is int and isinstance(value, bool)):
        raise TypeError(f"expected {expected.__name__}, got {value!r}")
    return value


def _utc(seconds: int) -> datetime:
    return datetime.fromtimestamp(seconds, UTC)
