"""The desktop entry `deskbreak.desktop`: notification servers (GNOME Shell, KDE Plasma) match
the notifications' `desktop-entry` hint to it to name, icon and group them. Installed beside the
unit: per user in $XDG_DATA_HOME/applications, for every user in /usr/share/applications.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from importlib import resources
from pathlib import Path

from deskbreak.service.base import FileChange, xdg_dir

ENTRY_NAME = "deskbreak.desktop"
EXEC_PLACEHOLDER = "@EXEC_PATH@"
GLOBAL_ENTRY_DIR = Path("usr/share/applications")
# Characters the Desktop Entry spec reserves in Exec arguments: such an argument is quoted.
_RESERVED = set(" \t\n\"'\\><~|&;$*?#()`")


def _exec_word(arg: str) -> str:
    if arg and not any(c in _RESERVED for c in arg):
        word = arg
    else:
        inner = "".join(f"\\{c}" if c in '"`$\\' else c for c in arg)
        word = f'"{inner}"'
    # '%' starts a field code; the value is also a string, where '\' is itself escaped.
    return word.replace("%", "%%").replace("\\", "\\\\")


def exec_line(args: Sequence[str]) -> str:
    """Quote real arguments for Exec=, so a path with spaces or '%' runs as it is."""
    return " ".join(_exec_word(a) for a in args)


def render_entry(command: Sequence[str]) -> str:
    """The entry whose Exec runs `<command> start` (the same deskbreak as the unit)."""
    template = resources.files("deskbreak").joinpath("data", ENTRY_NAME)
    return template.read_text(encoding="utf-8").replace(EXEC_PLACEHOLDER, exec_line(command))


def user_entry_path(env: Mapping[str, str]) -> Path:
    """~/.local/share/applications/deskbreak.desktop, honouring an absolute XDG_DATA_HOME."""
    return xdg_dir(env, "XDG_DATA_HOME", ".local/share") / "applications" / ENTRY_NAME


def global_entry_path(root: Path = Path("/")) -> Path:
    return root / GLOBAL_ENTRY_DIR / ENTRY_NAME


def removal(path: Path) -> tuple[FileChange, ...]:
    """Removing the entry at path, or nothing when it is not there."""
    return (FileChange(path, None),) if path.exists() else ()


def apply_files(files: Sequence[FileChange]) -> None:
    """Write or remove each file (PermissionError is left to the caller to explain)."""
    for file in files:
        if file.content is None:
            file.path.unlink(missing_ok=True)
        else:
            file.path.parent.mkdir(parents=True, exist_ok=True)
            file.path.write_text(file.content, encoding="utf-8")
