"""`deskbreak config init | path | show | check`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer

from deskbreak.cli import app
from deskbreak.cli.common import paths_from, print_json
from deskbreak.errors import UsageError

config_app = typer.Typer(
    help="Create, locate, show and check the config file.", no_args_is_help=True
)
app.add_typer(config_app, name="config")


def example_config_text() -> str:
    """The commented config that `config init` writes (also the repo's config.example.toml)."""
    from importlib import resources

    return (resources.files("deskbreak") / "data" / "config.toml").read_text(encoding="utf-8")


@config_app.command("init")
def config_init(
    ctx: typer.Context,
    force: bool = typer.Option(False, "--force", help="Overwrite an existing config file."),
) -> None:
    """Write a commented config with every default.  Example: deskbreak config init"""
    path = paths_from(ctx).config_file
    if path.exists() and not force:
        raise UsageError(f"{path} already exists; use --force to overwrite it")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(example_config_text(), encoding="utf-8")
    typer.echo(f"wrote {path}")
    typer.echo("edit it, check it with `deskbreak config check`, then `deskbreak reload`")


@config_app.command("path")
def config_path(ctx: typer.Context) -> None:
    """Print where the config file is (or would be).  Example: deskbreak config path"""
    typer.echo(str(paths_from(ctx).config_file))


def config_as_dict(ctx: typer.Context, file: Path | None = None) -> dict[str, Any]:
    from deskbreak.config import load_config
    from deskbreak.planner.model import DAY_NAMES

    path = file or paths_from(ctx).config_file
    cfg = load_config(path)
    sched = cfg.schedule
    all_hours = {
        DAY_NAMES[day]: [str(w) for w in windows] for day, windows in sched.windows.items()
    }
    return {
        "file": str(path),
        "file_exists": cfg.source is not None,
        "schedule": {
            "interval": int(sched.interval.total_seconds() // 60),
            "days": list(all_hours),
            "hours_by_day": all_hours,
            "timezone": str(sched.timezone),
            "align": sched.align,
            "snooze": int(sched.snooze.total_seconds() // 60),
        },
        "notifications": {
            "backend": cfg.notifications.backend,
            "timeout": cfg.notifications.timeout_seconds,
            "buttons": cfg.notifications.buttons,
        },
        "moves": {"areas": list(cfg.moves.areas), "exclude": list(cfg.moves.exclude)},
        "routines": sorted(cfg.library.routines),
    }


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    if isinstance(value, int):
        return str(value)
    return '"' + str(value).replace("\\", "\\\\").replace('"', '\\"') + '"'


@config_app.command("show")
def config_show(
    ctx: typer.Context,
    as_json: bool = typer.Option(False, "--json", help="Print JSON instead of TOML."),
) -> None:
    """Print the effective config, defaults included.  Example: deskbreak config show"""
    data = config_as_dict(ctx)
    if as_json:
        print_json(data)
        return
    where = data["file"] if data["file_exists"] else f"{data['file']} (not found: all defaults)"
    typer.echo(f"# effective config from {where}")
    for section in ("schedule", "notifications", "moves"):
        typer.echo(f"\n[{section}]")
        for key, value in data[section].items():
            if isinstance(value, dict):
                continue
            typer.echo(f"{key} = {_toml_value(value)}")
    typer.echo("\n[schedule.hours_by_day]")
    for day, hours in data["schedule"]["hours_by_day"].items():
        typer.echo(f"{day} = {_toml_value(hours)}")
    typer.echo(f"\n# routines: {', '.join(data['routines'])}")


@config_app.command("check")
def config_check(
    ctx: typer.Context,
    file: Path | None = typer.Argument(None, help="File to check (default: the config in use)."),
) -> None:
    """Validate a config file; exit 2 naming the problem if it is broken.

    Example: deskbreak config check ~/new-config.toml
    """
    from deskbreak.config import load_config

    path = file or paths_from(ctx).config_file
    if file is not None and not file.exists():
        raise UsageError(f"{file}: no such file")
    cfg = load_config(path)
    if cfg.source is None:
        typer.echo(
            f"{path} does not exist; the defaults are in use (create it: deskbreak config init)"
        )
    else:
        typer.echo(f"{path}: ok")
