"""Errors written for a person: each carries the exit code the CLI should end with."""

from __future__ import annotations

EXIT_OK = 0
EXIT_STATE = 1
EXIT_USAGE = 2
EXIT_INTERNAL = 3


class DeskbreakError(Exception):
    """A failure the user can act on; `str(err)` is the one or two lines to show."""

    exit_code = EXIT_STATE


class ConfigError(DeskbreakError):
    """The config file (or a value given on the command line) is not valid."""

    exit_code = EXIT_USAGE


class UsageError(DeskbreakError):
    """A command was called with arguments that cannot work."""

    exit_code = EXIT_USAGE


class NotRunningError(DeskbreakError):
    """A command needs the daemon, and none is running."""

    exit_code = EXIT_STATE


class AlreadyRunningError(DeskbreakError):
    """`deskbreak start` found another daemon holding the lock."""

    exit_code = EXIT_STATE


class UnsafePathError(DeskbreakError):
    """A folder or file deskbreak relies on could be controlled by someone else."""
