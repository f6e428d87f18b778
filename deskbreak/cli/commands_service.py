"""`deskbreak service ...`: run the daemon at login as a systemd user service (launchd on macOS)."""

from __future__ import annotations

import dataclasses
import os
import shlex
import shutil
import sys
from typing import TYPE_CHECKING, Literal

import typer

from deskbreak.cli.app import command_group
from deskbreak.cli.common import print_json, warn
from deskbreak.errors import EXIT_OK, EXIT_STATE, DeskbreakError

if TYPE_CHECKING:
    from deskbreak.service.base import Change

# subprocess (and deskbreak.proc, its runner) is imported in the commands that run something:
# every `deskbreak --help` imports this module.

service_app = command_group(
    "service", "Run deskbreak at login as a systemd user service: install, uninstall, status, logs."
)


def _exit(code: int) -> None:
    # Return codes reach main() through typer.Exit in both standalone and embedded mode.
    if code != EXIT_OK:
        raise typer.Exit(code)


def _render_change(change: Change, action: str) -> None:
    for note in change.notes:
        warn(f"note: {note}")
    if change.dry_run:
        # The file alone on stdout (`service install --dry-run > deskbreak.service` is a valid
        # unit); what would be done on stderr.
        if change.content is not None:
            warn(f"# dry run: would write {change.path} (printed on stdout)")
            typer.echo(change.content.rstrip("\n"))
        elif change.commands:
            warn(f"# dry run: would remove {change.path}")
        for file in change.files:
            warn(f"# dry run: would {'write' if file.content else 'remove'} {file.path}")
        if change.commands:
            warn("# would run:")
        for command in change.commands:
            warn(shlex.join(command))
        return
    if change.content is not None:
        typer.echo(f"Wrote {change.path}")
    elif change.commands:
        typer.echo(f"Removed {change.path}")
    for file in change.files:
        typer.echo(f"{'Wrote' if file.content else 'Removed'} {file.path}")
    for command in change.commands:
        typer.echo(f"Ran: {shlex.join(command)}")
    if change.commands:
        typer.echo(action)


@service_app.command("install")
def install_command(
    dry_run: bool = typer.Option(
        False, "--dry-run", help="Print the unit and the commands; write and run nothing."
    ),
    for_all: bool = typer.Option(
        False,
        "--global",
        help="As root: install the unit for every user (/usr/lib/systemd/user/) and enable it "
        "with systemctl --global.",
    ),
) -> None:
    """Install, enable and start the user service. Example: deskbreak service install --dry-run"""
    _apply("install", for_all, dry_run)


@service_app.command("uninstall")
def uninstall_command(
    dry_run: bool = typer.Option(
        False, "--dry-run", help="Print what would be removed; change nothing."
    ),
    for_all: bool = typer.Option(
        False, "--global", help="As root: disable and remove the unit installed for every user."
    ),
) -> None:
    """Stop, disable and remove the user service. Example: deskbreak service uninstall"""
    _apply("uninstall", for_all, dry_run)


# What a finished install or uninstall says, for this user and (as root, --global) for all.
_DONE = {
    ("install", False): "deskbreak now starts with your desktop session; "
    "see `deskbreak service status`.",
    ("install", True): "deskbreak now starts with every user's desktop session.",
    ("uninstall", False): "deskbreak no longer starts at login.",
    ("uninstall", True): "deskbreak no longer starts for every user at login.",
}


def _apply(action: Literal["install", "uninstall"], for_all: bool, dry_run: bool) -> None:
    """Install or uninstall (or show what that would do): for this user, or as root for all."""
    from deskbreak.proc import run_command

    change: Change
    if for_all:
        from deskbreak.service import system_wide

        for_everyone = {
            "install": system_wide.install_global,
            "uninstall": system_wide.uninstall_global,
        }[action]
        change = for_everyone(run=run_command, dry_run=dry_run)
    else:
        from deskbreak.service import systemd

        for_me = {"install": systemd.install, "uninstall": systemd.uninstall}[action]
        change = for_me(run=run_command, env=os.environ, dry_run=dry_run)
    _render_change(change, _DONE[action, for_all])


@service_app.command("status")
def status_command(
    as_json: bool = typer.Option(False, "--json", help="Print the status as JSON."),
) -> None:
    """Show whether the service is installed and running. Example: deskbreak service status

    Exits with 1 when the service is not running.
    """
    from deskbreak.proc import run_command
    from deskbreak.service import systemd
    from deskbreak.service.base import ServiceStatus

    try:
        st = systemd.status(run=run_command, env=os.environ)
    except DeskbreakError as err:
        if not as_json:
            raise
        # Scripts get JSON with the same keys even when there is no manager to ask.
        unknown = {field.name: None for field in dataclasses.fields(ServiceStatus)}
        print_json({**unknown, "active": False, "error": str(err)})
        _exit(err.exit_code)
        return
    if as_json:
        print_json({**dataclasses.asdict(st), "error": None})
    else:
        typer.echo(f"{st.manager}: {st.path} ({'installed' if st.installed else 'not installed'})")
        typer.echo(f"enabled: {st.enabled}")
        line = f"state: {st.state}"
        if st.main_pid:
            line += f", pid {st.main_pid}"
        if st.since:
            line += f", since {st.since}"
        if st.restarts:
            line += f", restarted {st.restarts} times"
        typer.echo(line)
    _exit(EXIT_OK if st.active else EXIT_STATE)


@service_app.command("logs")
def logs_command(
    follow: bool = typer.Option(False, "--follow", "-f", help="Keep printing new lines."),
    lines: int | None = typer.Option(
        None, "--lines", "-n", min=0, help="Show only the last N lines.", show_default=False
    ),
) -> None:
    """Show the service's log from the journal. Example: deskbreak service logs -f -n 50"""
    import subprocess

    from deskbreak.service import systemd

    command = systemd.logs_command(follow, lines, os.environ)
    if shutil.which(command[0]) is None:
        raise DeskbreakError(f"`{command[0]}` is not installed, so the service log cannot be read.")
    try:
        code = subprocess.run(command, check=False).returncode
    except KeyboardInterrupt:  # Ctrl-C ends --follow; that is not an error
        code = EXIT_OK
    sys.stdout.flush()
    _exit(code)
