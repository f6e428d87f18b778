"""TOML config → validated, frozen `Config`, or a `ConfigError` a person can act on.

Loading never writes anything and never falls back silently: a missing file means defaults,
a broken file is an error naming the file, the line (where we can find it), the key, the bad
value and what is allowed. Reading the files and layering them (system-wide defaults, the
user's file on top, locked keys) is `config_loader`'s job; this module says what keys mean.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from deskbreak.config_loader import (
    ConfigFile,
    KeyPath,
    Layered,
    layer,
    parse_toml,
    read_config_file,
)
from deskbreak.config_runs import RunningConfig, RunningValidator
from deskbreak.errors import ConfigError
from deskbreak.library.loader import load_library
from deskbreak.library.moves import Library, did_you_mean
from deskbreak.library.parser import extend_library
from deskbreak.paths import Paths
from deskbreak.planner.model import DAY_NAMES, ScheduleConfig, Window, system_timezone
from deskbreak.planner.presence import PresencePolicy

# "notify-send" is the name older configs use for the dbus backend.
BACKENDS = ("auto", "dbus", "notify-send", "plyer", "console")
ALIGNS = ("clock", "start")
MAX_INTERVAL_MINUTES = 240


@dataclass(frozen=True)
class NotificationConfig:
    backend: str = "auto"
    timeout_seconds: int = 20
    buttons: bool = True


@dataclass(frozen=True)
class MovesConfig:
    areas: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()


@dataclass(frozen=True)
class Config:
    schedule: ScheduleConfig = field(default_factory=ScheduleConfig)
    notifications: NotificationConfig = field(default_factory=NotificationConfig)
    moves: MovesConfig = field(default_factory=MovesConfig)
    library: Library = field(default_factory=load_library)
    running: RunningConfig = field(default_factory=RunningConfig)
    presence: PresencePolicy = field(default_factory=PresencePolicy)
    source: Path | None = None  # the user's file, when there is one
    # Which file set each value, the admin's locks, and the files read (system ones first).
    layered: Layered = field(default_factory=lambda: Layered({}, {}), compare=False)
    # What a person should hear about: a broken system file skipped, a locked value ignored.
    notes: tuple[str, ...] = ()

    def origin(self, *paths: KeyPath) -> ConfigFile | None:
        """The file that decided a value computed from `paths` (the topmost one that set any
        of them); None means the built-in default."""
        found = [s for s in (self.layered.origin(p) for p in paths) if s is not None]
        if not found:
            return None
        order = {id(s): i for i, s in enumerate(self.layered.files)}
        return max(found, key=lambda s: order.get(id(s), -1))


def load_config(path: Path, *, system_files: Sequence[Path] = (), required: bool = False) -> Config:
    """The system-wide files (least important first), then the user's `path` on top.

    A missing user file gives the defaults, unless `required` (the path was named on purpose).
    A broken system file is skipped with a note, so one typo in /etc does not stop every
    desk; a broken user file is an error.
    """
    accepted, notes = read_system_files(system_files)
    user = read_config_file(path, "user", required=required)
    cfg = _validate(layer([*accepted, *([user] if user else [])]), path)
    return replace(cfg, notes=(*notes, *cfg.notes))


def load_config_for(paths: Paths, file: Path | None = None) -> Config:
    """The config this user runs with: the system layer, then `file` or the user's file (which
    must exist when --config or DESKBREAK_CONFIG named it, or when `file` is given)."""
    return load_config(
        file or paths.config_file,
        system_files=paths.system_config_files,
        required=file is not None or paths.config_explicit,
    )


def read_system_files(system_files: Sequence[Path]) -> tuple[list[ConfigFile], list[str]]:
    """The system-wide files that read and validate (each on top of the ones before it), and a
    note for each that does not: that file is skipped, not fatal."""
    notes: list[str] = []
    accepted: list[ConfigFile] = []
    for system_path in system_files:
        try:
            source = read_config_file(system_path, "system", required=False)
            if source is None:
                continue
            _validate(layer([*accepted, source]), system_path)
        except ConfigError as err:
            notes.append(f"{err} (this system-wide file is ignored; tell your administrator)")
            continue
        accepted.append(source)
    return accepted, notes


def parse_config(text: str, path: Path) -> Config:
    """Validate one user config given as text (no system layer)."""
    return _validate(layer([ConfigFile(path, "user", text, parse_toml(text, path))]), path)


def _validate(layered: Layered, path: Path) -> Config:
    validator = _Validator(layered, path)
    validator.check_locks()
    cfg = validator.config(layered.table)
    user = [f.path for f in layered.files if f.layer == "user"]
    return replace(cfg, source=user[0] if user else None, layered=layered, notes=layered.notes)


_WINDOW = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*$")


class _Validator:
    """Turns the parsed TOML into a Config; each error names where it was found."""

    SECTIONS: Mapping[str, tuple[str, ...]] = {
        "schedule": ("interval", "hours", "days", "timezone", "align", "snooze", "hours_by_day"),
        "notifications": ("backend", "timeout", "buttons"),
        "presence": ("natural_break", "respect_dnd", "respect_fullscreen", "respect_calls"),
        "moves": ("areas", "exclude", "custom"),
        "routines": (),
        # validated by config_runs
        "runs": (),
        "run_prompts": (),
        "calendar": (),
    }

    def __init__(self, layered: Layered, path: Path) -> None:
        self.layered = layered
        self.path = path  # the user's file: named when no file set the key at fault

    # -- error helpers -------------------------------------------------------------------

    def where(self, section: str, key: str | None = None) -> str:
        """`file:line` of a key (or of a table) in whichever layer set it."""
        dotted = tuple(section.split(".")) + ((key,) if key else ())
        source = self.layered.origin(dotted)
        return source.where(section, key) if source else str(self.path)

    def fail(self, section: str, key: str | None, message: str) -> ConfigError:
        return ConfigError(f"{self.where(section, key)}: [{section}] {message}")

    def check_locks(self) -> None:
        """Every locked name must be a section or a key of one (a typo would lock nothing)."""
        for name in sorted(self.layered.locked):
            section, _, key = name.partition(".")
            key = key.split(".")[0]
            if section in self.SECTIONS and (
                not key or not self.SECTIONS[section] or key in self.SECTIONS[section]
            ):
                continue
            allowed = [*self.SECTIONS, *(f"{s}.{k}" for s, ks in self.SECTIONS.items() for k in ks)]
            source = next(f for f in self.layered.files if f.layer == "system")
            raise ConfigError(
                f'{source.where("locked", "keys")}: [locked] "{name}" is not a config key'
                f"{did_you_mean(name, allowed)}; lock a section or a key such as schedule.hours"
            )

    def _check_keys(self, section: str, table: Mapping[str, Any], allowed: Sequence[str]) -> None:
        for key in table:
            if key not in allowed:
                hint = did_you_mean(key, allowed)
                allowed_text = ", ".join(allowed)
                raise self.fail(
                    section, key, f'unknown key "{key}"{hint}; allowed keys: {allowed_text}'
                )

    # -- sections ------------------------------------------------------------------------

    def config(self, raw: Mapping[str, Any]) -> Config:
        for name, value in raw.items():
            if name not in self.SECTIONS:
                hint = did_you_mean(f"[{name}]", [f"[{s}]" for s in self.SECTIONS])
                sections = ", ".join(f"[{s}]" for s in self.SECTIONS)
                raise ConfigError(
                    f'{self.where(name)}: unknown section "[{name}]"{hint}; allowed: {sections}'
                )
            if not isinstance(value, dict) and name != "runs":
                raise ConfigError(f"{self.where(name)}: {name} must be a [{name}] table")
        moves_table = raw.get("moves", {})
        library = extend_library(
            load_library(),
            moves_table.get("custom", {}),
            raw.get("routines", {}),
            where=self.where("moves.custom") if "custom" in moves_table else self.where("routines"),
        )
        return Config(
            schedule=self.schedule(raw.get("schedule", {})),
            notifications=self.notifications(raw.get("notifications", {})),
            presence=self.presence(raw.get("presence", {})),
            moves=self.moves(moves_table, library),
            library=library,
            running=self._running(raw),
        )

    def _running(self, raw: Mapping[str, Any]) -> RunningConfig:
        # Its errors name one file: the topmost that set any of [[runs]], [run_prompts] and
        # [calendar] (they are nearly always in the same one).
        source = next(
            (
                found
                for section in ("runs", "run_prompts", "calendar")
                if (found := self.layered.origin((section,))) is not None
            ),
            None,
        )
        if source is None:
            return RunningValidator("", self.path).running(raw)
        return RunningValidator(source.text, source.path).running(raw)

    def _minutes(self, key: str, value: Any, low: int, high: int) -> timedelta:
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise self.fail(
                "schedule",
                key,
                f"{key} must be a whole number of minutes from {low} to {high}, got {value!r}",
            )
        return timedelta(minutes=value)

    def schedule(self, table: Mapping[str, Any]) -> ScheduleConfig:
        self._check_keys("schedule", table, self.SECTIONS["schedule"])
        interval = self._minutes("interval", table.get("interval", 30), 1, MAX_INTERVAL_MINUTES)
        snooze = self._minutes("snooze", table.get("snooze", 10), 1, MAX_INTERVAL_MINUTES)
        hours = self._windows("hours", table.get("hours", ["09:00-17:30"]))
        days = self._days(table.get("days", list(DAY_NAMES[:5])))
        windows = {day: hours for day in days}
        by_day = table.get("hours_by_day", {})
        if not isinstance(by_day, dict):
            raise self.fail("schedule", "hours_by_day", "hours_by_day must be a table of days")
        for day_name, day_hours in by_day.items():
            if day_name not in DAY_NAMES:
                raise self.fail(
                    "schedule.hours_by_day",
                    day_name,
                    f'unknown day "{day_name}"; use one of {", ".join(DAY_NAMES)}',
                )
            day = DAY_NAMES.index(day_name)
            day_windows = self._windows(day_name, day_hours, section="schedule.hours_by_day")
            if day_windows:
                windows[day] = day_windows
            else:
                windows.pop(day, None)
        align = table.get("align", "clock")
        if align not in ALIGNS:
            raise self.fail("schedule", "align", f'align must be "clock" or "start", got {align!r}')
        tz_name = table.get("timezone", "")
        timezone = self._zone(tz_name) if tz_name else system_timezone()
        return ScheduleConfig(
            interval=interval,
            windows=dict(sorted(windows.items())),
            timezone=timezone,
            align=align,
            snooze=snooze,
        )

    def _zone(self, name: Any) -> ZoneInfo:
        try:
            if not isinstance(name, str):
                raise ValueError
            return ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            raise self.fail(
                "schedule",
                "timezone",
                f"unknown timezone {name!r}; use an IANA name such as "
                '"Europe/Berlin" or "America/New_York", or "" for the system zone',
            ) from None

    def _days(self, value: Any) -> list[int]:
        if not isinstance(value, list) or not all(isinstance(d, str) for d in value):
            raise self.fail(
                "schedule", "days", f'days must be a list like ["mon", "tue"], got {value!r}'
            )
        days: list[int] = []
        for name in value:
            key = name.strip().lower()[:3]
            if name.strip().lower() not in (key, _FULL_DAY_NAMES.get(key)) or key not in DAY_NAMES:
                raise self.fail(
                    "schedule", "days", f'unknown day "{name}"; use {", ".join(DAY_NAMES)}'
                )
            days.append(DAY_NAMES.index(key))
        return sorted(set(days))

    def _windows(self, key: str, value: Any, section: str = "schedule") -> tuple[Window, ...]:
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list):
            raise self.fail(
                section, key, f'{key} must be a list like ["09:00-12:30"], got {value!r}'
            )
        windows: list[Window] = []
        for item in value:
            window = self._window(key, item, section)
            windows.append(window)
        windows.sort(key=lambda w: w.start_minute)
        for before, after in itertools.pairwise(windows):
            if after.start_minute < before.end_minute:
                raise self.fail(section, key, f"work windows {before} and {after} overlap")
        return tuple(windows)

    def _window(self, key: str, item: Any, section: str) -> Window:
        match = _WINDOW.match(item) if isinstance(item, str) else None
        if match:
            h1, m1, h2, m2 = (int(g) for g in match.groups())
            start, end = h1 * 60 + m1, h2 * 60 + m2
            end_ok = h2 < 24 or (h2, m2) == (24, 0)
            if h1 <= 23 and m1 <= 59 and m2 <= 59 and end_ok and start < end:
                return Window(start, end)
        # Built only here: finding the key's line in the file costs a scan of its text.
        raise self.fail(
            section,
            key,
            f'{item!r} is not a work window; write "HH:MM-HH:MM" in 24-hour time, '
            'start before end, e.g. "09:00-12:30"',
        )

    def notifications(self, table: Mapping[str, Any]) -> NotificationConfig:
        self._check_keys("notifications", table, self.SECTIONS["notifications"])
        backend = table.get("backend", "auto")
        if backend not in BACKENDS:
            raise self.fail(
                "notifications",
                "backend",
                f"unknown backend {backend!r}; use one of {', '.join(BACKENDS)}",
            )
        timeout = table.get("timeout", 20)
        if isinstance(timeout, bool) or not isinstance(timeout, int) or not 0 <= timeout <= 3600:
            raise self.fail(
                "notifications",
                "timeout",
                f"timeout must be whole seconds from 0 (until dismissed) to 3600, got {timeout!r}",
            )
        buttons = table.get("buttons", True)
        if not isinstance(buttons, bool):
            raise self.fail(
                "notifications", "buttons", f"buttons must be true or false, got {buttons!r}"
            )
        return NotificationConfig(backend=backend, timeout_seconds=timeout, buttons=buttons)

    def presence(self, table: Mapping[str, Any]) -> PresencePolicy:
        self._check_keys("presence", table, self.SECTIONS["presence"])
        natural_break = table.get("natural_break", 5)
        if (
            isinstance(natural_break, bool)
            or not isinstance(natural_break, int)
            or not 0 <= natural_break <= MAX_INTERVAL_MINUTES
        ):
            raise self.fail(
                "presence",
                "natural_break",
                f"natural_break must be a whole number of minutes from 0 (off) to "
                f"{MAX_INTERVAL_MINUTES}, got {natural_break!r}",
            )
        flags = {}
        for key in ("respect_dnd", "respect_fullscreen", "respect_calls"):
            value = table.get(key, True)
            if not isinstance(value, bool):
                raise self.fail("presence", key, f"{key} must be true or false, got {value!r}")
            flags[key] = value
        return PresencePolicy(
            natural_break=timedelta(minutes=natural_break),
            respect_dnd=flags["respect_dnd"],
            respect_fullscreen=flags["respect_fullscreen"],
            respect_calls=flags["respect_calls"],
        )

    def moves(self, table: Mapping[str, Any], library: Library) -> MovesConfig:
        self._check_keys("moves", table, self.SECTIONS["moves"])
        areas = self._names(
            "areas", table.get("areas", []), sorted({m.area for m in library.desk_moves()})
        )
        exclude = self._names(
            # Any move id: one that has left the desk rotation is simply not sent already.
            "exclude",
            table.get("exclude", []),
            list(library.moves),
        )
        if not library.desk_moves(areas, exclude):
            raise self.fail("moves", "exclude", "no desk moves are left after areas and exclude")
        return MovesConfig(areas=tuple(areas), exclude=tuple(exclude))

    def _names(self, key: str, value: Any, allowed: Sequence[str]) -> list[str]:
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise self.fail("moves", key, f"{key} must be a list of strings, got {value!r}")
        for name in value:
            if name not in allowed:
                hint = did_you_mean(name, allowed)
                raise self.fail(
                    "moves",
                    key,
                    f'unknown {"area" if key == "areas" else "move"} "{name}"{hint}; '
                    "see `deskbreak moves` for the list",
                )
        return list(value)


_FULL_DAY_NAMES = {
    "mon": "monday",
    "tue": "tuesday",
    "wed": "wednesday",
    "thu": "thursday",
    "fri": "friday",
    "sat": "saturday",
    "sun": "sunday",
}
