"""The command lines people type most, answered without building the Typer app.

Typer and click cost every call about 70 ms of imports, and the daemon would carry them (about
2 MB) all day. So `deskbreak [-c FILE] start [-v]`, `status [--json]` and `schedule [--date D]
[--days N] [--json]`, spelled plainly, are recognised here and run the same functions their
Typer commands call. Any other spelling (`--help`, `-cFILE`, `-n5`, a value click would have
to convert or refuse, an extra word) goes to the Typer app unchanged, so help texts and usage
errors stay click's.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from functools import partial

from deskbreak.errors import EXIT_OK

_CONFIG_OPTIONS = ("-c", "--config")

# Each command's options: flag names and value-option names, by the keyword they set.
_FLAGS = {
    "start": {"-v": "verbose", "--verbose": "verbose"},
    "status": {"--json": "as_json"},
    "schedule": {"--json": "as_json"},
}
_VALUES = {"schedule": {"--date": "on", "-d": "on", "--days": "days", "-n": "days"}}
_WHOLE_NUMBER = r"[0-9]{1,6}"  # anything else is click's to convert (or refuse)

Options = dict[str, str | bool]


def split_command_line(argv: Sequence[str]) -> tuple[str | None, str, list[str]] | None:
    """(config file, command, the command's words) when the only global option is the config
    file, given as `-c FILE`, `--config FILE` or `--config=FILE`; else None."""
    config = None
    words = list(argv)
    while words and words[0].startswith("-"):
        word = words.pop(0)
        if word in _CONFIG_OPTIONS and words:
            config = words.pop(0)
        elif word.startswith("--config=") and len(word) > len("--config="):
            config = word.removeprefix("--config=")
        else:
            return None  # --version, --help, -cFILE: the Typer app answers it
    if not words:
        return None
    return config, words[0], words[1:]


def read_options(command: str, words: Sequence[str]) -> Options | None:
    """The options of `command` in `words`, or None when they are not all plainly spelled ones
    (a later value wins, as in click)."""
    flags, values = _FLAGS.get(command), _VALUES.get(command, {})
    if flags is None:
        return None
    options: Options = {}
    rest = list(words)
    while rest:
        word = rest.pop(0)
        name, equals, value = word.partition("=") if word.startswith("--") else (word, "", "")
        if name in flags and not equals:
            options[flags[name]] = True
        elif name in values and not equals and rest and not rest[0].startswith("-"):
            options[values[name]] = rest.pop(0)
        elif name in values and equals and value and not value.startswith("-"):
            options[values[name]] = value
        else:
            return None
    days = options.get("days")
    if isinstance(days, str) and not re.fullmatch(_WHOLE_NUMBER, days):
        return None
    return options


def plain_command(argv: Sequence[str]) -> tuple[str | None, str, Options] | None:
    """(config file, command, options) when `argv` is a command line this module answers."""
    split = split_command_line(argv)
    if split is None:
        return None
    config, command, words = split
    options = read_options(command, words)
    return None if options is None else (config, command, options)


def quick_command(argv: Sequence[str]) -> Callable[[], int] | None:
    """The command `argv` runs, ready to call, when it is one this module answers; else None."""
    plain = plain_command(argv)
    return None if plain is None else partial(_run, *plain)


def _run(config: str | None, command: str, options: Options) -> int:
    as_json = bool(options.get("as_json"))
    if command == "start":
        from deskbreak.daemon.start import run_daemon

        run_daemon(config, bool(options.get("verbose")))
        return EXIT_OK
    from deskbreak.paths import default_paths

    paths = default_paths(config)
    if command == "status":
        from deskbreak.cli.control_view import show_status

        return show_status(paths, as_json)
    from deskbreak.cli.schedule_view import show_schedule

    on, days = options.get("on"), options.get("days", "1")
    return show_schedule(paths, on if isinstance(on, str) else None, int(days), as_json)
