"""`deskbreak config init | path | show | check`."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from deskbreak.cli.app import app
from deskbreak.cli.common import paths_from, print_json, warn
from deskbreak.errors import EXIT_USAGE, DeskbreakError

if TYPE_CHECKING:
    from deskbreak.config import Config

config_app = typer.Typer(
    help="Create, locate, show and check the config file.", no_args_is_help=True
)
app.add_typer(config_app, name="config")

SHOWN_SECTIONS = ("schedule", "notifications", "moves")


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
        # a state problem, not a usage mistake: the same command works on another machine
        raise DeskbreakError(f"{path} already exists; use --force to overwrite it")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(example_config_text(), encoding="utf-8")
    typer.echo(f"wrote {path}")
    typer.echo("edit it, check it with `deskbreak config check`, then `deskbreak reload`")


@config_app.command("path")
def config_path(ctx: typer.Context) -> None:
    """Print where the config file is (or would be).  Example: deskbreak config path"""
    typer.echo(str(paths_from(ctx).config_file))


def config_as_dict(ctx: typer.Context, file: Path | None = None) -> dict[str, Any]:
    from deskbreak.config import load_config_for
    from deskbreak.planner.model import DAY_NAMES

    paths = paths_from(ctx)
    path = file or paths.config_file
    cfg = load_config_for(paths, file)
    sched = cfg.schedule
    all_hours = {
        DAY_NAMES[day]: [str(w) for w in windows] for day, windows in sched.windows.items()
    }
    data: dict[str, Any] = {
        "file": str(path),
        "file_exists": cfg.source is not None,
        "system_files": [str(f.path) for f in cfg.layered.files if f.layer == "system"],
        "locked": sorted(cfg.layered.locked),
        "notes": list(cfg.notes),
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
    data["origins"] = origins(cfg, data)
    return data


# Shown values computed from several keys: which keys decide them. Any other shown value
# comes from the key of the same name in its section.
_DERIVED: dict[str, tuple[tuple[str, ...], ...]] = {
    "schedule.days": (("schedule", "days"), ("schedule", "hours_by_day")),
}


def origins(cfg: Config, data: dict[str, Any]) -> dict[str, str]:
    """For each shown value: "default", "system" or "user" (plus ", locked" when it is)."""
    result: dict[str, str] = {}
    for section in SHOWN_SECTIONS:
        for key, value in data[section].items():
            if not isinstance(value, dict):
                dotted = f"{section}.{key}"
                result[dotted] = _label(cfg, _DERIVED.get(dotted, ((section, key),)))
                continue
            for sub in value:
                own = (section, key, sub)
                if key == "hours_by_day" and cfg.origin(own) is None:
                    # A day without its own entry gets `hours` on each of `days`.
                    result[f"{section}.{key}.{sub}"] = _label(
                        cfg, (("schedule", "hours"), ("schedule", "days"))
                    )
                else:
                    result[f"{section}.{key}.{sub}"] = _label(cfg, (own,))
    return result


def _label(cfg: Config, deciding: tuple[tuple[str, ...], ...]) -> str:
    from deskbreak.config_loader import is_locked

    source = cfg.origin(*deciding)
    label = source.layer if source else "default"
    locked = any(is_locked(path, cfg.layered.locked) for path in deciding)
    return f"{label}, locked" if locked else label


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
    for note in data["notes"]:
        warn(f"deskbreak: note: {note}")
    if as_json:
        print_json(data)
        return
    typer.echo("# effective config; after each value, where it came from:")
    typer.echo("#   default  built into deskbreak")
    for system_file in data["system_files"]:
        typer.echo(f"#   system   {system_file}")
    user = data["file"] if data["file_exists"] else f"{data['file']} (not found)"
    typer.echo(f"#   user     {user}")
    if data["locked"]:
        typer.echo(f"# locked by your administrator: {', '.join(data['locked'])}")
    shown = data["origins"]
    for section in SHOWN_SECTIONS:
        typer.echo(f"\n[{section}]")
        for key, value in data[section].items():
            if isinstance(value, dict):
                continue
            typer.echo(f"{key} = {_toml_value(value)}  # {shown[f'{section}.{key}']}")
    typer.echo("\n[schedule.hours_by_day]")
    for day, hours in data["schedule"]["hours_by_day"].items():
        typer.echo(f"{day} = {_toml_value(hours)}  # {shown[f'schedule.hours_by_day.{day}']}")
    typer.echo(f"\n# routines: {', '.join(data['routines'])}")


@config_app.command("check")
def config_check(
    ctx: typer.Context,
    file: Path | None = typer.Argument(None, help="File to check (default: the config in use)."),
) -> None:
    """Validate the system-wide config and yours; exit 2 naming the problem if one is broken,
    or if your file sets a key your administrator locked.

    Example: deskbreak config check ~/new-config.toml
    """
    from deskbreak.config import load_config_for

    paths = paths_from(ctx)
    path = file or paths.config_file
    cfg = load_config_for(paths, file)
    for source in cfg.layered.files:
        if source.layer == "system":
            typer.echo(f"{source.path}: ok (system-wide)")
    if cfg.source is None:
        typer.echo(
            f"{path} does not exist; the defaults are in use (create it: deskbreak config init)"
        )
    else:
        typer.echo(f"{path}: ok")
    for note in cfg.notes:
        warn(f"deskbreak: {note}")
    if cfg.notes:
        raise typer.Exit(EXIT_USAGE)
