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
from deskbreak.service.base import Change, Which, run_checked
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
    """Write the unit for all users (ExecStart: this deskbreak) and enable it globally."""
    command = list(command) if command is not None else find_command(which=which)
    check_shared(command, home)
    path = global_unit_path(root)
    content = render_unit(systemd_command_line(command))
    enable = _systemctl_global("enable", root)
    later = (
        "each user's session starts it at their next login "
        "(or at once: systemctl --user start deskbreak.service)",
    )
    if dry_run:
        return Change(path, content, (tuple(enable),), True, later)
    if which("systemctl") is None:
        raise DeskbreakError("systemd's `systemctl` is not installed here")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content, encoding="utf-8")
    except PermissionError:
        raise DeskbreakError(
            f"cannot write {path}: run it as root (sudo deskbreak service install --global)"
        ) from None
    run_checked(run, enable)
    return Change(path, content, (tuple(enable),), False, later)


def uninstall_global(
    *, run: Runner, root: Path = Path("/"), dry_run: bool = False, which: Which = shutil.which
) -> Change:
    """Disable the unit for all users and remove it; nothing to do if it is not there."""
    path = global_unit_path(root)
    if not path.exists():
        return Change(path, None, (), dry_run, (f"{UNIT_NAME} is not installed ({path})",))
    disable = _systemctl_global("disable", root)
    if dry_run:
        return Change(path, None, (tuple(disable),), True)
    if which("systemctl") is None:
        raise DeskbreakError("systemd's `systemctl` is not installed here")
    run_checked(run, disable)
    try:
        path.unlink()
    except PermissionError:
        raise DeskbreakError(
            f"cannot remove {path}: run it as root (sudo deskbreak service uninstall --global)"
        ) from None
    return Change(path, None, (tuple(disable),), False)
