"""Opening `deskbreak prerun` / `postrun` in the user's terminal from a notification button.

The terminal is, in order: the configured `[run_prompts] terminal` command, $TERMINAL,
x-terminal-emulator (Debian's alternative), the desktop's own terminal, xterm. When none is
found the prompt says which command to type instead.
"""

from __future__ import annotations

import os
import shlex
import shutil
import sys
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

Which = Callable[[str], str | None]

# Each desktop's terminal and the option after which it takes a command to run.
DESKTOP_TERMINALS: tuple[tuple[str, str, str], ...] = (
    ("GNOME", "kgx", "--"),
    ("GNOME", "gnome-terminal", "--"),
    ("KDE", "konsole", "-e"),
    ("XFCE", "xfce4-terminal", "-x"),
    ("MATE", "mate-terminal", "-x"),
    ("X-Cinnamon", "gnome-terminal", "--"),
    ("LXQt", "qterminal", "-e"),
    ("LXDE", "lxterminal", "-e"),
)


def deskbreak_command(routine: str) -> list[str]:
    """The words that run `deskbreak ROUTINE` with this same installation."""
    beside = Path(sys.executable).parent / "deskbreak"
    if beside.exists():
        return [str(beside), routine]
    found = shutil.which("deskbreak")
    return [found, routine] if found else [sys.executable, "-m", "deskbreak", routine]


def terminal_argv(
    configured: str,
    command: Sequence[str],
    env: Mapping[str, str] | None = None,
    which: Which = shutil.which,
) -> list[str] | None:
    """The full command line that opens a terminal running `command`, or None if no terminal
    can be found. In a configured command `{}` marks where the command goes (else: at the end)."""
    env = os.environ if env is None else env
    if configured:
        words = shlex.split(configured)
        if "{}" in words:
            at = words.index("{}")
            return [*words[:at], *command, *words[at + 1 :]]
        return [*words, *command]
    chosen = env.get("TERMINAL", "").strip()
    if chosen and which(shlex.split(chosen)[0]):
        return [*shlex.split(chosen), "-e", *command]
    if which("x-terminal-emulator"):
        return ["x-terminal-emulator", "-e", *command]
    desktops = env.get("XDG_CURRENT_DESKTOP", "").split(":")
    for desktop, program, option in DESKTOP_TERMINALS:
        if desktop in desktops and which(program):
            return [program, option, *command]
    if which("xterm"):
        return ["xterm", "-e", *command]
    return None


def type_instead(routine: str) -> str:
    """The hint shown when no terminal can be opened."""
    return f"No terminal found to open it: type `deskbreak {routine}` in one."
