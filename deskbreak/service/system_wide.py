"""The unit for every user of a machine: `/usr/lib/systemd/user/deskbreak.service`, enabled
with `systemctl --global enable`, which links it into `/etc/systemd/user/` so each user's
service manager starts it with their graphical session. An administrator runs this as root,
once, after installing deskbreak where every user can run it (e.g. /usr/local/bin).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Sequence
from pathlib import Path

from deskbreak.errors import DeskbreakError
from deskbreak.proc import Runner
from deskbreak.service import desktop_entry
from deskbreak.service.base import Change, FileChange, Which, run_checked
from deskbreak.service.systemd import UNIT_NAME, find_command, render_unit, systemd_command_line

GLOBAL_UNIT_DIR = Path("usr/lib/systemd/user")
# Home directories are private to their users: a unit running a command from one fails for
# everyone else.
PRIVATE_DIRS = (Path("/home"), Path("/root"))
SYSTEM_WIDE_HINT = (
    "install deskbreak system-wide first, e.g. "
    "`sudo PIPX_HOME=/opt/pipx PIPX_BIN_DIR=/usr/local/bin pipx install .`, "
    "then run `sudo /usr/local/bin/deskbreak service install --global`"
)


def global_unit_path(root: Path = Path("/")) -> Path:
    return root / GLOBAL_UNIT_DIR / UNIT_NAME


def _systemctl_global(verb: str, root: Path) -> list[str]:
    at_root = [f"--root={root}"] if root != Path("/") else []
    return ["systemctl", "--global", *at_root, verb, UNIT_NAME]


def check_shared(command: Sequence[str], home: Path | None = None) -> None:
    """Refuse a command inside a home directory: other users could not run it."""
    exe = Path(os.path.abspath(command[0]))  # noqa: PTH100 - keeps symlinks such as pipx's
    private = (*PRIVATE_DIRS, home or Path.home())
    if any(exe.is_relative_to(directory) for directory in private):
        raise DeskbreakError(
            f"{exe} is inside a home directory, so other users cannot run it; {SYSTEM_WIDE_HINT}"
        )


def install_global(
    *,
    run: Runner,
    command: Sequence[str] | None = None,
    root: Path = Path("/"),
    dry_run: bool = False,
    which: Which = shutil.which,
    home: Path | None = None,
) -> Change:
    """Write the unit and desktop entry for all users (ExecStart: this deskbreak) and enable
    the unit globally."""
    command = list(command) if command is not None else find_command(which=which)
    check_shared(command, home)
    path = global_unit_path(root)
    content = render_unit(systemd_command_line(command))
    entry_content = desktop_entry.render_entry(command)
    entry = (FileChange(desktop_entry.global_entry_path(root), entry_content),)
    enable = _systemctl_global("enable", root)
    later = (
        "each user's session starts it at their next login "
        "(or at once: systemctl --user start deskbreak.service)",
    )
    if dry_run:
        return Change(path, content, (tuple(enable),), True, later, entry)
    if which("systemctl") is None:
        raise DeskbreakError("systemd's `systemctl` is not installed here")
    try:
        desktop_entry.apply_files((FileChange(path, content), *entry))
    except PermissionError as err:
        raise DeskbreakError(
            f"cannot write {err.filename}: run it as root (sudo deskbreak service install --global)"
        ) from None
    run_checked(run, enable)
    return Change(path, content, (tuple(enable),), False, later, entry)


def uninstall_global(
    *, run: Runner, root: Path = Path("/"), dry_run: bool = False, which: Which = shutil.which
) -> Change:
    """Disable the unit for all users and remove it and the desktop entry; nothing to do if
    neither is there."""
    path = global_unit_path(root)
    entry = desktop_entry.removal(desktop_entry.global_entry_path(root))
    unit_there = path.exists()
    disable = _systemctl_global("disable", root)
    commands = (tuple(disable),) if unit_there else ()
    notes = () if unit_there else (f"{UNIT_NAME} is not installed ({path})",)
    if dry_run:
        return Change(path, None, commands, True, notes, entry)
    if unit_there:
        if which("systemctl") is None:
            raise DeskbreakError("systemd's `systemctl` is not installed here")
        run_checked(run, disable)
    try:
        desktop_entry.apply_files(((FileChange(path, None),) if unit_there else ()) + entry)
    except PermissionError as err:
        raise DeskbreakError(
            f"cannot remove {err.filename}: "
            "run it as root (sudo deskbreak service uninstall --global)"
        ) from None
    return Change(path, None, commands, False, notes, entry)
