"""The `deskbreak` command's entry point: `start` runs the daemon, the rest goes to Typer.

The daemon idles all day, so it should not carry Typer, click and rich (about 2 MB of memory
and 50 ms of start-up) for a command line it reads once. `deskbreak [-c FILE] start [-v]` is
recognised here, before the Typer app is built; every other command line, `deskbreak start
--help` included, goes to the app unchanged. Either way a failure reaches the user as one or
two lines and an exit code, never a traceback.
"""

from __future__ import annotations

import os
import sys
import traceback
from collections.abc import Sequence
from pathlib import Path

from deskbreak.errors import EXIT_INTERNAL, EXIT_OK, DeskbreakError

_CONFIG_OPTIONS = ("-c", "--config")
_VERBOSE_OPTIONS = ("-v", "--verbose")


def start_options(argv: Sequence[str]) -> tuple[str | None, bool] | None:
    """(config file, verbose) when `argv` plainly asks to start the daemon, else None."""
    config = None
    words = list(argv)
    while words and words[0] != "start":
        word = words.pop(0)
        if word in _CONFIG_OPTIONS and words:
            config = words.pop(0)
        elif word.startswith("--config=") and len(word) > len("--config="):
            config = word.removeprefix("--config=")
        else:
            return None  # --version, --help, another command: the Typer app answers it
    if not words or not set(words[1:]) <= set(_VERBOSE_OPTIONS):
        return None
    return config, len(words) > 1


def _completing() -> bool:
    return any(key.endswith("_COMPLETE") for key in os.environ)


def _log_internal_error() -> Path | None:
    from deskbreak.paths import default_paths

    try:
        log = default_paths().log_file
        log.parent.mkdir(parents=True, exist_ok=True)
        with log.open("a", encoding="utf-8") as f:
            f.write(traceback.format_exc())
        return log
    except OSError:
        return None


def main() -> None:
    """Run the command line; turn every failure into a short message and an exit code."""
    argv = sys.argv[1:]
    start = None if _completing() else start_options(argv)
    try:
        if start is not None:
            from deskbreak.daemon.start import run_daemon

            run_daemon(*start)
            code = EXIT_OK
        else:
            from deskbreak.cli import run_app

            code = run_app(argv)
    except DeskbreakError as err:
        message = str(err)
        prefixed = message if message.startswith("deskbreak ") else f"deskbreak: {message}"
        print(prefixed, file=sys.stderr)
        sys.exit(err.exit_code)
    except KeyboardInterrupt:
        sys.exit(130)
    except Exception as err:  # noqa: BLE001 - the last line of defence: never show a traceback
        log = _log_internal_error()
        where = f"; details in {log}" if log else ""
        print(f"deskbreak: internal error: {err}{where}", file=sys.stderr)
        sys.exit(EXIT_INTERNAL)
    sys.exit(code)
