"""The control protocol: every request the CLI sends the daemon, and every reply, typed.

On the wire each message is one JSON object on one line: a request names its command in
`"cmd"` (`{"cmd": "pause", "minutes": 45}`), a reply is `{"ok": true, ...fields}` or
`{"ok": false, "error": "..."}`. Instants travel as ISO 8601 with their offset, to the second.

Why frozen dataclasses and not TypedDicts: a request is checked once, where it comes off the
wire, so a bad `minutes` becomes one error sentence instead of a KeyError inside a command;
instants are timezone-aware `datetime`s on both sides, so no renderer parses strings; and a
reply (or a test's fake reply) built without one of its fields fails at once, under mypy and at
run time. Adding a field is one line here: the codec below reads the field types.
Unknown keys are ignored, so a newer daemon may add fields an older client does not know.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import MISSING, dataclass, fields, is_dataclass
from datetime import datetime, time, timedelta
from types import UnionType
from typing import (
    Any,
    ClassVar,
    Generic,
    TypeVar,
    cast,
    dataclass_transform,
    get_args,
    get_origin,
    get_type_hints,
)

from deskbreak.limits import MAX_PAUSE, MAX_SNOOZE, check_length

R = TypeVar("R", bound="Reply")
M = TypeVar("M", bound="Message")


def iso(moment: datetime | None) -> str | None:
    """An instant as the protocol writes it: ISO 8601 with its offset, to the second."""
    return moment.isoformat(timespec="seconds") if moment is not None else None


# --- the codec: dataclass fields <-> JSON values ------------------------------------------------


class Message:
    """A value that crosses the control socket; subclasses are frozen dataclasses (`@message`).

    Equality, hash and repr are defined once here, over the fields, as a dataclass's own
    would be: on Python 3.11 dataclass compiles each method it writes from source, six for a
    frozen class (~1 ms), and every CLI command that talks to the daemon imports this module.
    """

    def _values(self) -> tuple[object, ...]:
        return tuple(getattr(self, f.name) for f in fields(cast(Any, self)))

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        return self._values() == other._values()

    def __hash__(self) -> int:
        return hash(self._values())

    def __repr__(self) -> str:
        shown = ", ".join(f"{f.name}={getattr(self, f.name)!r}" for f in fields(cast(Any, self)))
        return f"{self.__class__.__qualname__}({shown})"

    def to_json(self) -> dict[str, Any]:
        return {f.name: _encode(getattr(self, f.name)) for f in fields(cast(Any, self))}

    @classmethod
    def from_json(cls: type[M], data: Mapping[str, object]) -> M:
        """Build from decoded JSON; ValueError names the field that is missing or wrong."""
        hints = _field_types(cls)
        values: dict[str, object] = {}
        for f in fields(cast(Any, cls)):
            if f.name in data:
                values[f.name] = _decode(hints[f.name], data[f.name], f.name)
            elif f.default is MISSING and f.default_factory is MISSING:
                raise ValueError(f"{f.name} is missing")
        return cls(**values)


@dataclass_transform(frozen_default=True)
def message(cls: type[M]) -> type[M]:
    """A frozen dataclass of a Message: dataclass writes its __init__ and the frozen guards,
    Message gives it equality, hash and repr."""
    return dataclass(frozen=True, eq=False, repr=False)(cls)


_FIELD_TYPES: dict[type, dict[str, Any]] = {}


def _field_types(cls: type) -> dict[str, Any]:
    if cls not in _FIELD_TYPES:
        _FIELD_TYPES[cls] = get_type_hints(cls)
    return _FIELD_TYPES[cls]


def _encode(value: object) -> object:
    if isinstance(value, datetime):
        return iso(value)
    if isinstance(value, time):
        return f"{value:%H:%M}"
    if isinstance(value, Message):
        return value.to_json()
    if isinstance(value, tuple):
        return [_encode(item) for item in value]
    return value


def _decode(kind: Any, raw: object, name: str) -> object:
    if isinstance(kind, UnionType):  # `X | None`, the only union the protocol uses
        options = [option for option in get_args(kind) if option is not type(None)]
        if raw is None:
            return None
        (kind,) = options
    if isinstance(kind, type) and issubclass(kind, Message) and is_dataclass(kind):
        if not isinstance(raw, dict):
            raise ValueError(f"{name} must be an object, got {raw!r}")
        return kind.from_json(raw)
    if get_origin(kind) is tuple:  # `tuple[X, ...]`: a JSON list of X
        if not isinstance(raw, list):
            raise ValueError(f"{name} must be a list, got {raw!r}")
        (item, _) = get_args(kind)
        return tuple(_decode(item, value, name) for value in raw)
    if kind is datetime:
        try:
            moment = datetime.fromisoformat(raw) if isinstance(raw, str) else None
        except ValueError:
            moment = None
        if moment is None or moment.tzinfo is None:
            raise ValueError(f"{name} must be an ISO 8601 time with its offset, got {raw!r}")
        return moment
    if kind is time:
        if not isinstance(raw, str):
            raise ValueError(f'{name} must be "HH:MM", got {raw!r}')
        try:
            return time.fromisoformat(raw)
        except ValueError:
            raise ValueError(f'{name} must be "HH:MM" in 24-hour time, got {raw!r}') from None
    if kind is float and isinstance(raw, int | float) and not isinstance(raw, bool):
        return float(raw)
    if kind is int and isinstance(raw, int) and not isinstance(raw, bool):
        return raw
    if kind in (str, bool) and isinstance(raw, kind):
        return raw
    expected = {float: "a number", int: "a whole number", str: "text", bool: "true or false"}
    raise ValueError(f"{name} must be {expected.get(kind, kind)}, got {raw!r}")


# --- replies -----------------------------------------------------------------------------------


class Reply(Message):
    """What the daemon answers a request with (the wire adds `"ok": true`)."""


@message
class TodayCounts(Message):
    """Today's reminders, and how many got each answer."""

    sent: int
    done: int
    snoozed: int
    skipped: int
    ignored: int


@message
class LastReminder(Message):
    """The latest reminder sent, and the answer it has (None: none yet)."""

    id: int
    move: str
    name: str
    at: datetime | None
    answer: str | None


@message
class PresenceSource(Message):
    """One presence source: what it tells (idle, locked, dnd, fullscreen, sleep), whether it
    is used here, and how or why not."""

    kind: str
    name: str
    used: bool
    detail: str


@message
class Presence(Message):
    """What the desktop says about the person (None: no source can tell)."""

    idle_seconds: int | None
    locked: bool | None
    dnd: bool | None
    fullscreen: bool | None
    sources: tuple[PresenceSource, ...]


@message
class HeldReminder(Message):
    """A reminder waiting for do-not-disturb or a fullscreen window to end."""

    slot: datetime
    reason: str


@message
class StatusReply(Reply):
    """What `deskbreak status` shows: the plan ahead, pause and snooze, today's answers."""

    running: bool
    pid: int
    config_file: str
    config_found: bool
    backend: str | None
    timezone: str
    next_reminder: datetime | None
    paused: bool
    paused_until: datetime | None
    # only a snooze that will bring the next reminder (one that gave way is not shown)
    snoozed_until: datetime | None
    skipped_slot: datetime | None  # the slot `deskbreak skip` dropped, while ahead
    last_reminder: LastReminder | None  # its answer is the one the history counts
    today: TodayCounts
    presence: Presence | None = None
    held: HeldReminder | None = None


@message
class PauseReply(Reply):
    """Until when reminders are paused, and the first one after."""

    paused_until: datetime | None  # None: until `deskbreak resume`
    next_reminder: datetime | None
    timezone: str  # the configured zone, which the times are shown in


@message
class ResumeReply(Reply):
    """The next reminder now that the pause is over."""

    next_reminder: datetime | None
    timezone: str


@message
class SnoozeReply(Reply):
    """When the snoozed reminder comes back (or which slot comes first instead)."""

    snoozed_until: datetime
    # True: that moment is outside work hours (or paused), so the next slot comes instead
    gave_way: bool
    answered: datetime | None  # the reminder on screen that this snoozed, if one was
    next_reminder: datetime | None
    timezone: str


@message
class SkipReply(Reply):
    """`skipped` is the reminder on screen (`on_screen`) or else the next one; with `undo`,
    the skipped slot brought back. None: nothing to skip (or to undo)."""

    skipped: datetime | None
    on_screen: bool
    undone: bool
    next_reminder: datetime | None
    timezone: str


@message
class DoneReply(Reply):
    """The reminder marked done, and whether this answer is the one that counts."""

    move: str
    name: str
    at: datetime | None  # the reminder's slot
    counted: bool  # False: it already had an answer, which still counts (kept as an event)
    answer: str | None  # the answer that counts
    timezone: str


@message
class NowReply(Reply):
    """The move a reminder sent right now showed, and through which backend."""

    move: str
    name: str
    backend: str


@message
class ReloadReply(Reply):
    """The config now in use, and what the reload noticed."""

    config_file: str
    next_reminder: datetime | None
    file_exists: bool  # False: no user file, the defaults (and any system file) are in use
    notes: tuple[str, ...]  # e.g. a locked key the user's file tries to change
    forgot_skip: datetime | None  # a skipped slot the new work hours no longer have
    timezone: str


@message
class RecordRoutineReply(Reply):
    """The daemon has the routine run: in the history now, or (`waiting`) in its spill journal,
    written once the database takes writes again."""

    waiting: bool


@message
class StopReply(Reply):
    """The daemon is stopping (it answers before it goes)."""


def error_reply(message: str, exit_code: int | None = None) -> dict[str, Any]:
    """The wire form of a refusal; the client raises it as a DeskbreakError."""
    reply: dict[str, Any] = {"ok": False, "error": message}
    if exit_code is not None:
        reply["exit_code"] = exit_code
    return reply


# --- requests ----------------------------------------------------------------------------------


@message
class Request(Message, Generic[R]):
    """A command for the daemon; `R` is the reply it gets.

    A subclass names its command in `cmd`; its reply type is read from `Request[...]`. One
    without options needs no @dataclass of its own: it inherits this (empty, frozen) one.
    """

    cmd: ClassVar[str]
    reply_type: ClassVar[type[Reply]]

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        for base in getattr(cls, "__orig_bases__", ()):
            if get_origin(base) is Request:
                (cls.reply_type,) = get_args(base)

    def to_json(self) -> dict[str, Any]:
        # Options left at their defaults stay off the wire: `{"cmd": "pause"}` pauses until
        # resumed, `{"cmd": "skip"}` skips (and `"undo": false` is never sent).
        defaults = {f.name: f.default for f in fields(cast(Any, self))}
        given = {
            key: value
            for key, value in super().to_json().items()
            if value is not None and value != defaults.get(key)
        }
        return {"cmd": self.cmd, **given}

    def read_reply(self, data: Mapping[str, object]) -> R:
        """The typed reply; ValueError if `data` is not this request's reply."""
        return cast(R, self.reply_type.from_json(data))

    def check(self) -> None:
        """Raise ValueError for values no command accepts (the daemon calls this)."""


def _check_minutes(what: str, minutes: float | None, limit: timedelta) -> None:
    if minutes is not None:
        check_length(what, timedelta(minutes=minutes), limit, f"{minutes:g} minutes")


class StatusRequest(Request[StatusReply]):
    """What the daemon is doing: the next reminder, pause and snooze, today's answers."""

    cmd = "status"


@message
class PauseRequest(Request[PauseReply]):
    """Pause for `minutes`, until the next local `until`, or (neither) until resumed."""

    cmd = "pause"
    minutes: float | None = None
    until: time | None = None

    def check(self) -> None:
        _check_minutes("pause", self.minutes, MAX_PAUSE)
        if self.minutes is not None and self.until is not None:
            raise ValueError("give either minutes or until, not both")


@message
class SnoozeRequest(Request[SnoozeReply]):
    """Snooze for `minutes`, or (None) for the configured snooze."""

    cmd = "snooze"
    minutes: float | None = None

    def check(self) -> None:
        _check_minutes("snooze", self.minutes, MAX_SNOOZE)


class ResumeRequest(Request[ResumeReply]):
    cmd = "resume"


@message
class SkipRequest(Request[SkipReply]):
    """Skip the reminder on screen, or else the next one; `undo` brings a skipped slot back."""

    cmd = "skip"
    undo: bool = False


class DoneRequest(Request[DoneReply]):
    """Mark the reminder on screen, or else the last one, done."""

    cmd = "done"


class NowRequest(Request[NowReply]):
    cmd = "now"


class ReloadRequest(Request[ReloadReply]):
    """Read the config again; a broken file is refused and the running one kept."""

    cmd = "reload"


class StopRequest(Request[StopReply]):
    cmd = "stop"


MAX_ROUTINE_NAME = 200


@message
class RecordRoutineRequest(Request[RecordRoutineReply]):
    """Record a finished routine run the CLI could not write itself (the history was locked):
    the daemon never loses a write to a locked database (`store/queued.py`)."""

    cmd = "record_routine"
    name: str
    started: datetime
    ended: datetime
    completed: bool
    steps_done: int
    steps_total: int

    def check(self) -> None:
        if not self.name or len(self.name) > MAX_ROUTINE_NAME:
            raise ValueError(f"name must be 1 to {MAX_ROUTINE_NAME} characters")
        if not 0 <= self.steps_done <= self.steps_total:
            raise ValueError("steps_done must be between 0 and steps_total")


REQUESTS: dict[str, type[Request[Any]]] = {
    kind.cmd: kind
    for kind in (
        StatusRequest,
        PauseRequest,
        ResumeRequest,
        SnoozeRequest,
        SkipRequest,
        DoneRequest,
        NowRequest,
        ReloadRequest,
        StopRequest,
        RecordRoutineRequest,
    )
}


def decode_request(data: Mapping[str, object]) -> Request[Any]:
    """The typed request in a decoded JSON object; ValueError with a sentence if it is not one."""
    name = data.get("cmd")
    kind = REQUESTS.get(name) if isinstance(name, str) else None
    if kind is None:
        raise ValueError(f"unknown command {name!r}; known: {', '.join(REQUESTS)}")
    request = kind.from_json({key: value for key, value in data.items() if key != "cmd"})
    request.check()
    return request
