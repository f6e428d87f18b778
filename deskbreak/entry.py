"""The `deskbreak` command's entry point: plain `start`, `status` and `schedule` command lines
run without Typer (see `cli.quick`), the rest goes to the Typer app.

The daemon idles all day, so it should not carry Typer, click and rich (about 2 MB of memory
and 50 ms of start-up) for a command line it reads once, and `status` and `schedule` answer in
about half the time without them. Every other command line, `deskbreak start --help`
included, goes to the app unchanged. Either way a failure reaches the user as one or two lines
and an exit code, never a traceback.
"""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING

from deskbreak.errors import EXIT_INTERNAL, DeskbreakError

if TYPE_CHECKING:
    from pathlib import Path


def _completing() -> bool:
    return any(key.endswith("_COMPLETE") for key in os.environ)


def _log_internal_error() -> Path | None:
    import traceback  # only a crash pays for it

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
    try:
        from deskbreak.cli.quick import quick_command

        quick = None if _completing() else quick_command(argv)
        if quick is not None:
            code = quick()
        else:
            from deskbreak.cli.app import run_app

            code = run_app(argv)
    except DeskbreakError as err:
        message = str(err)
        prefixed = message if message.startswith("deskbreak ") else f"deskbreak: {message}"
        print(prefixed, file=sys.stderr)
        sys.exit(err.exit_code)
    except KeyboardInterrupt:
        sys.exit(130)
    except BrokenPipeError:
        # The reader left (`deskbreak schedule | head -1`): end quietly with 1, as click does
        # for the commands it runs; stdout now goes nowhere, so the flush at exit cannot fail.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        sys.exit(1)
    except Exception as err:  # noqa: BLE001 - the last line of defence: never show a traceback
        log = _log_internal_error()
        where = f"; details in {log}" if log else ""
        print(f"deskbreak: internal error: {err}{where}", file=sys.stderr)
        sys.exit(EXIT_INTERNAL)
    sys.exit(code)
