"""The running part of the config: `[[runs]]`, `[run_prompts]` and `[calendar]`.

Kept apart from config.py so the run and calendar keys change in one place. Errors read like
the rest of the config's: file, line, section, key, the bad value and what is allowed.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

from deskbreak.errors import ConfigError, UsageError
from deskbreak.library.moves import did_you_mean
from deskbreak.planner.durations import parse_clock, parse_duration
from deskbreak.planner.model import DAY_NAMES
from deskbreak.planner.runs import RunPlan, RunsConfig

RUN_KINDS = ("easy", "long", "tempo", "intervals", "race", "trail")
RUN_KEYS = ("days", "time", "duration", "kind")
PROMPT_KEYS = ("warmup_lead", "cooldown_grace", "terminal")
CALENDAR_KEYS = ("run_keywords", "sync_every")
DEFAULT_RUN_KEYWORDS = ("run", "jog", "tempo", "intervals", "long run", "parkrun")
MAX_RUN = timedelta(hours=12)
FULL_DAY_NAMES = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


@dataclass(frozen=True)
class CalendarConfig:
    # An event whose title holds one of these words is a run (whole words, any case).
    run_keywords: tuple[str, ...] = DEFAULT_RUN_KEYWORDS
    # The daemon syncs the calendars this often; 0 leaves it to `calendar sync` or a timer.
    sync_every: timedelta = timedelta(minutes=60)


@dataclass(frozen=True)
class RunningConfig:
    runs: RunsConfig = field(default_factory=RunsConfig)
    # A command that opens a terminal; "" finds one ($TERMINAL, x-terminal-emulator, ...).
    terminal: str = ""
    calendar: CalendarConfig = field(default_factory=CalendarConfig)


class RunningValidator:
    def __init__(self, text: str, path: Path) -> None:
        self.lines = text.splitlines()
        self.path = path

    def _line_of(self, header: str, index: int, key: str | None) -> int | None:
        """Line of `key` in the `index`-th table called `header` (e.g. "[[runs]]")."""
        seen = -1
        inside = False
        for number, line in enumerate(self.lines, start=1):
            stripped = line.strip().replace(" ", "")
            if stripped.startswith("["):
                inside = stripped.startswith(header)
                if inside:
                    seen += 1
                    if seen == index and key is None:
                        return number
                continue
            if inside and seen == index and key and re.match(rf"^\s*{re.escape(key)}\s*=", line):
                return number
        return None

    def fail(self, header: str, key: str | None, message: str, index: int = 0) -> ConfigError:
        line = self._line_of(header, index, key)
        where = f"{self.path}:{line}" if line else str(self.path)
        return ConfigError(f"{where}: {header} {message}")

    def _check_keys(
        self, header: str, table: Mapping[str, Any], allowed: Sequence[str], index: int = 0
    ) -> None:
        for key in table:
            if key not in allowed:
                hint = did_you_mean(key, allowed)
                raise self.fail(
                    header,
                    key,
                    f'unknown key "{key}"{hint}; allowed keys: {", ".join(allowed)}',
                    index,
                )

    def running(self, raw: Mapping[str, Any]) -> RunningConfig:
        runs = raw.get("runs", [])
        if not isinstance(runs, list):
            raise ConfigError(
                f"{self.path}: runs must be a list of [[runs]] tables "
                '(write [[runs]], not [runs]), e.g. [[runs]] days = ["tue"] time = "18:15"'
            )
        plans = tuple(self._run(index, entry) for index, entry in enumerate(runs))
        prompts = raw.get("run_prompts", {})
        self._check_keys("[run_prompts]", prompts, PROMPT_KEYS)
        lead = self._minutes("warmup_lead", prompts.get("warmup_lead", 10), 120)
        grace = self._minutes("cooldown_grace", prompts.get("cooldown_grace", 15), 240)
        terminal = prompts.get("terminal", "")
        if not isinstance(terminal, str):
            raise self.fail(
                "[run_prompts]",
                "terminal",
                f'terminal must be a command line such as "foot -e", got {terminal!r}',
            )
        return RunningConfig(
            runs=RunsConfig(plans, lead, grace),
            terminal=terminal.strip(),
            calendar=self._calendar(raw.get("calendar", {})),
        )

    def _minutes(self, key: str, value: Any, high: int) -> timedelta:
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= high:
            raise self.fail(
                "[run_prompts]",
                key,
                f"{key} must be a whole number of minutes from 0 to {high}, got {value!r}",
            )
        return timedelta(minutes=value)

    def _run(self, index: int, entry: Any) -> RunPlan:
        header = "[[runs]]"
        if not isinstance(entry, dict):
            raise ConfigError(f"{self.path}: each run must be a [[runs]] table")
        self._check_keys(header, entry, RUN_KEYS, index)
        for key in ("days", "time", "duration"):
            if key not in entry:
                example = {"days": '["tue", "thu"]', "time": '"18:15"', "duration": '"50m"'}
                raise self.fail(header, None, f"needs {key} = {example[key]}", index)
        days = entry["days"]
        if isinstance(days, str):
            days = [days]
        if not isinstance(days, list) or not days or not all(isinstance(d, str) for d in days):
            raise self.fail(
                header, "days", f'days must be a list like ["tue", "thu"], got {days!r}', index
            )
        numbers: list[int] = []
        for name in days:
            word = name.strip().lower()
            key = word[:3]
            if key not in DAY_NAMES or word not in (key, FULL_DAY_NAMES[DAY_NAMES.index(key)]):
                hint = did_you_mean(name.strip().lower(), DAY_NAMES)
                raise self.fail(
                    header,
                    "days",
                    f'unknown day "{name}"{hint}; use {", ".join(DAY_NAMES)}',
                    index,
                )
            numbers.append(DAY_NAMES.index(key))
        clock = entry["time"]
        try:
            if not isinstance(clock, str):
                raise UsageError("")
            start = parse_clock(clock)
        except UsageError:
            raise self.fail(
                header, "time", f'time must be "HH:MM" in 24-hour time, got {clock!r}', index
            ) from None
        duration = self._duration(index, entry["duration"])
        kind = entry.get("kind", "easy")
        if kind not in RUN_KINDS:
            hint = did_you_mean(str(kind), RUN_KINDS)
            raise self.fail(
                header,
                "kind",
                f"unknown kind {kind!r}{hint}; use one of {', '.join(RUN_KINDS)}",
                index,
            )
        return RunPlan(tuple(sorted(set(numbers))), start.hour * 60 + start.minute, duration, kind)

    def _duration(self, index: int, value: Any) -> timedelta:
        bad = self.fail(
            "[[runs]]",
            "duration",
            f'duration must be like "50m" or "1h45m" (at most 12h), got {value!r}',
            index,
        )
        if isinstance(value, bool):
            raise bad
        if isinstance(value, int):
            value = str(value)
        if not isinstance(value, str):
            raise bad
        try:
            duration = parse_duration(value)
        except UsageError:
            raise bad from None
        if duration < timedelta(minutes=1) or duration > MAX_RUN:
            raise bad
        return duration

    def _calendar(self, table: Any) -> CalendarConfig:
        if not isinstance(table, dict):
            raise ConfigError(f"{self.path}: calendar must be a [calendar] table")
        self._check_keys("[calendar]", table, CALENDAR_KEYS)
        words = table.get("run_keywords", list(DEFAULT_RUN_KEYWORDS))
        if not isinstance(words, list) or not all(isinstance(w, str) and w.strip() for w in words):
            raise self.fail(
                "[calendar]",
                "run_keywords",
                f'run_keywords must be a list of words like ["run", "parkrun"], got {words!r}',
            )
        every = table.get("sync_every", 60)
        if (
            isinstance(every, bool)
            or not isinstance(every, int)
            or not (every == 0 or 60 <= every <= 1440)
        ):
            raise self.fail(
                "[calendar]",
                "sync_every",
                "sync_every must be 0 (never from the daemon) or 60 to 1440 minutes, "
                f"got {every!r}",
            )
        return CalendarConfig(tuple(w.strip().lower() for w in words), timedelta(minutes=every))
