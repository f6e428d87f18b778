"""What the systemd and launchd integrations share: the result records and small helpers."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from deskbreak.errors import DeskbreakError
from deskbreak.proc import Runner

Which = Callable[[str], str | None]


@dataclass(frozen=True)
class FileChange:
    """A file written (content) or removed (content None) beside the unit."""

    path: Path
    content: str | None


@dataclass(frozen=True)
class Change:
    """What install/uninstall did (or, for a dry run, would do)."""

    path: Path
    content: str | None  # the unit or plist written; None when removing
    commands: tuple[tuple[str, ...], ...]
    dry_run: bool
    notes: tuple[str, ...] = ()
    files: tuple[FileChange, ...] = ()  # e.g. the desktop entry, written before the commands


@dataclass(frozen=True)
class ServiceStatus:
    manager: str  # "systemd" or "launchd"
    path: str
    installed: bool
    active: bool
    enabled: str  # systemd's UnitFileState ("enabled", "disabled", ...) or "loaded"/"not loaded"
    state: str  # e.g. "active (running)", "failed (exit-code)", "inactive (dead)"
    main_pid: int | None = None
    since: str | None = None
    restarts: int | None = None


def home(env: Mapping[str, str]) -> Path:
    return Path(env["HOME"]) if env.get("HOME") else Path.home()


def xdg_dir(env: Mapping[str, str], variable: str, default_in_home: str) -> Path:
    """An XDG base directory: the variable when it is absolute (the spec says to ignore a
    relative one), else its default under HOME."""
    value = env.get(variable, "")
    return Path(value) if value and Path(value).is_absolute() else home(env) / default_in_home


def run_checked(run: Runner, args: Sequence[str]) -> None:
    result = run(args)
    if result.returncode != 0:
        detail = result.stderr.strip() or f"exit status {result.returncode}"
        raise DeskbreakError(f"`{' '.join(args)}` failed: {detail}")
