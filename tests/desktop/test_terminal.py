from __future__ import annotations

from deskbreak.desktop.terminal import terminal_argv

COMMAND = ["deskbreak", "prerun"]


def which_of(*found: str):  # type: ignore[no-untyped-def]
    return lambda name: f"/usr/bin/{name}" if name in found else None


def test_a_configured_terminal_gets_the_command_at_its_placeholder() -> None:
    argv = terminal_argv("kitty --hold -e {} --extra", COMMAND, {}, which_of())
    assert argv == ["kitty", "--hold", "-e", "deskbreak", "prerun", "--extra"]


def test_a_configured_terminal_without_placeholder_gets_the_command_at_the_end() -> None:
    assert terminal_argv("foot", COMMAND, {}, which_of()) == ["foot", "deskbreak", "prerun"]


def test_terminal_from_the_environment_comes_before_the_system_default() -> None:
    argv = terminal_argv("", COMMAND, {"TERMINAL": "alacritty"}, which_of("alacritty", "xterm"))
    assert argv == ["alacritty", "-e", "deskbreak", "prerun"]


def test_a_terminal_variable_naming_a_missing_program_is_passed_over() -> None:
    argv = terminal_argv("", COMMAND, {"TERMINAL": "nope"}, which_of("x-terminal-emulator"))
    assert argv == ["x-terminal-emulator", "-e", "deskbreak", "prerun"]


def test_the_desktops_own_terminal_is_used_with_its_option() -> None:
    env = {"XDG_CURRENT_DESKTOP": "ubuntu:GNOME"}
    argv = terminal_argv("", COMMAND, env, which_of("gnome-terminal"))
    assert argv == ["gnome-terminal", "--", "deskbreak", "prerun"]


def test_no_terminal_anywhere_gives_none() -> None:
    assert terminal_argv("", COMMAND, {"XDG_CURRENT_DESKTOP": "KDE"}, which_of()) is None
