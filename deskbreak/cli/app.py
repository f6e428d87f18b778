"""The Typer app of the `deskbreak` command line and its global options.

`deskbreak.entry` is the entry point: it answers the plain command lines `cli.quick` knows
(`start`, `status`, `schedule`) without Typer, and hands every other command line to `run_app`.

Each command group lives in its own module and registers itself on `app`. Heavy imports
(APScheduler, plyer, sqlite, rich) happen inside commands so `deskbreak status` starts fast.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path

import click
import typer

from deskbreak import __version__
from deskbreak.errors import EXIT_USAGE

app = typer.Typer(
    name="deskbreak",
    help="Half-hourly desk mobility reminders and guided pre-/post-run routines.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    # Plain click help: typer's rich help costs ~0.2 s of imports on every `--help`.
    rich_markup_mode=None,
    add_completion=True,
    context_settings={"help_option_names": ["-h", "--help"]},
    # Click already says "Did you mean ...?" for a mistyped command; typer would say it again.
    suggest_commands=False,
)


def _show_version(value: bool) -> None:
    if value:
        typer.echo(f"deskbreak {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    config: Path | None = typer.Option(
        None,
        "--config",
        "-c",
        help="Config file to use (default: $DESKBREAK_CONFIG, then the user config dir).",
        show_default=False,
    ),
    version: bool = typer.Option(
        False,
        "--version",
        callback=_show_version,
        is_eager=True,
        help="Print the version and exit.",
    ),
) -> None:
    """deskbreak: move a little every half hour, warm up before a run, cool down after it."""


def command_group(name: str, help_text: str) -> typer.Typer:
    """A `deskbreak NAME SUBCOMMAND` group, registered on the app (NAME alone shows its help)."""
    group = typer.Typer(
        no_args_is_help=True,
        pretty_exceptions_enable=False,
        context_settings={"help_option_names": ["-h", "--help"]},
    )
    app.add_typer(group, name=name, help=help_text)
    return group


# Which module registers each command. A call loads only the module of the command it names
# (plus typer's work for that module alone), which keeps `deskbreak status` quick; `--help`,
# completion and unknown names load them all. tests/test_cli.py keeps this table honest.
COMMAND_MODULES = {
    "start": "core",
    "schedule": "core",
    "status": "control",
    "pause": "control",
    "resume": "control",
    "snooze": "control",
    "skip": "control",
    "done": "control",
    "now": "control",
    "reload": "control",
    "stop": "control",
    "moves": "moves",
    "prerun": "routine",
    "postrun": "routine",
    "routine": "routine",
    "stats": "stats",
    "history": "stats",
    "config": "config",
    "service": "service",
    "doctor": "doctor",
    "runs": "runs",
    "calendar": "calendar",
}
_OPTIONS_WITH_VALUES = ("--config", "-c")


def _command_name(argv: list[str]) -> str | None:
    """The command a command line names (the first word that is not a global option)."""
    words = iter(argv)
    for word in words:
        if word in _OPTIONS_WITH_VALUES:
            next(words, None)
        elif not word.startswith("-"):
            return word
    return None


def _register_commands(argv: list[str] | None = None) -> None:
    """Import the command modules (they add their commands to `app`): all, or just one."""
    import importlib

    name = _command_name(argv) if argv is not None else None
    if name in COMMAND_MODULES and not _completing():
        modules = [COMMAND_MODULES[name]]
    else:
        modules = sorted(set(COMMAND_MODULES.values()))
    for module in modules:
        importlib.import_module(f"deskbreak.cli.commands_{module}")
    if len(modules) == 1:
        # Typer builds a click command for every registered one on each call: keep just the
        # one asked for (its module may register several), which saves ~5 ms a command.
        app.registered_commands = [
            info
            for info in app.registered_commands
            if (info.name or (info.callback and info.callback.__name__.replace("_", "-"))) == name
        ]


def _completing() -> bool:
    import os

    return any(key.endswith("_COMPLETE") for key in os.environ)


def listing_only(typer_app: typer.Typer) -> typer.Typer:
    """A copy of `typer_app` for a list of its commands: their names and help texts only.

    Typer builds every command's click parameters from its signature (half a millisecond
    each, 20 ms in all); a command line that names no command (`deskbreak --help`, plain
    `deskbreak`, `--version`) runs none, so the copy's commands take no parameters and its
    groups hold no commands (the list shows a group by its own help).
    """
    listing = copy.copy(typer_app)
    listing.registered_commands = []
    for info in typer_app.registered_commands:
        if info.callback is None:
            continue
        listed = copy.copy(info)
        listed.callback = _never_run(info.callback.__name__, info.callback.__doc__)
        listing.registered_commands.append(listed)
    listing.registered_groups = []
    for group in typer_app.registered_groups:
        listed_group = copy.copy(group)
        if group.typer_instance is not None:
            listed_group.typer_instance = copy.copy(group.typer_instance)
            listed_group.typer_instance.registered_commands = []
            listed_group.typer_instance.registered_groups = []
        listing.registered_groups.append(listed_group)
    return listing


def _never_run(name: str, doc: str | None) -> Callable[[], None]:
    def command() -> None:
        raise AssertionError(f"{name} was listed, not registered, so it cannot run")

    command.__name__, command.__doc__ = name, doc
    return command


def run_app(argv: list[str]) -> int:
    """Run the Typer app on `argv` (sys.argv[1:]); click's usage errors print here.

    `deskbreak.entry.main` calls this and turns a DeskbreakError or a crash into its message.
    """
    _register_commands(argv)
    names_none = _command_name(argv) is None and not _completing()
    try:
        code = (listing_only(app) if names_none else app)(standalone_mode=False)
    except click.exceptions.Abort:
        typer.echo("", err=True)
        return 130
    except click.ClickException as err:
        err.show()
        return EXIT_USAGE if err.exit_code == 2 else err.exit_code
    return code if isinstance(code, int) else 0
