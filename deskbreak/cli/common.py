"""What every command shares: the paths and config chosen by the global options, and output.

No Typer here (a context is only read): `cli.quick` runs commands without building the app.
Every command module imports this one, `deskbreak --help` too, so it imports little itself.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import typer

    from deskbreak.config import Config
    from deskbreak.paths import Paths


def paths_from(ctx: typer.Context) -> Paths:
    """The Paths for this invocation (honours `--config` and `DESKBREAK_CONFIG`)."""
    from deskbreak.paths import default_paths

    root = ctx.find_root()
    override = root.params.get("config") if root.params else None
    return default_paths(override)


def config_from(ctx: typer.Context) -> Config:
    """Load and validate the config for this invocation; raises ConfigError on a bad file."""
    return load_config_noting(paths_from(ctx))


def load_config_noting(paths: Paths) -> Config:
    """Load and validate the config of `paths`; raises ConfigError on a bad file.

    Notes (a broken system-wide file skipped, a locked key the user's file tries to change)
    go to stderr, so a person sees them whatever the command.
    """
    from deskbreak.config import load_config_for

    config = load_config_for(paths)
    for note in config.notes:
        warn(f"deskbreak: note: {note}")
    return config


def print_json(value: Any) -> None:
    import json  # only commands asked for --json pay for it

    json.dump(value, sys.stdout, indent=2, ensure_ascii=False, default=str)
    sys.stdout.write("\n")


def warn(message: str) -> None:
    print(message, file=sys.stderr)
