"""Run deskbreak at login: write, enable and remove its systemd user unit (on macOS, a launchd
agent, written by `launchd`).

Rendering is pure; the functions that act take the environment, a `which` and a `Runner` so
tests can record the systemctl calls instead of running systemd. A dry run plans the same
steps, runs nothing and writes nothing.
"""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Mapping, Sequence
from importlib import resources
from pathlib import Path

from deskbreak.errors import DeskbreakError
from deskbreak.proc import Runner
from deskbreak.service import desktop_entry
from deskbreak.service.base import Change, FileChange, ServiceStatus, Which, run_checked, xdg_dir

UNIT_NAME = "deskbreak.service"
EXEC_PLACEHOLDER = "@EXEC_PATH@"
# What a desktop session imports into the user manager so services can reach its display
# and its notification server.
SESSION_VARIABLES = ("DISPLAY", "WAYLAND_DISPLAY", "DBUS_SESSION_BUS_ADDRESS", "XDG_RUNTIME_DIR")

# --- rendering (pure) ---------------------------------------------------------------------


def unit_template() -> str:
    return resources.files("deskbreak").joinpath("data", UNIT_NAME).read_text(encoding="utf-8")


def render_unit(exec_path: str) -> str:
    """The unit with ExecStart running `<exec_path> start`; exec_path is in systemd syntax
    (specifiers such as %h allowed): build it with `systemd_command_line` from real paths."""
    return unit_template().replace(EXEC_PLACEHOLDER, exec_path)


def _systemd_word(arg: str) -> str:
    arg = arg.replace("%", "%%").replace("$", "$$")
    if arg and not any(c in arg for c in " \t\n\"'\\;"):
        return arg
    escaped = arg.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{escaped}"'


def systemd_command_line(args: Sequence[str]) -> str:
    """Quote real arguments for ExecStart=: spaces, quotes, '%' and '$' kept literal."""
    return " ".join(_systemd_word(a) for a in args)


def find_command(
    argv0: str | None = None, which: Which = shutil.which, executable: str | None = None
) -> list[str]:
    """The command that runs this deskbreak: the running script, else `deskbreak` on PATH,
    else `python -m deskbreak`.

    Paths are made absolute but symlinks are kept: a pipx or Homebrew shim stays valid across
    upgrades, while the file it points to may move (Homebrew's Cellar is versioned).
    """
    argv0 = sys.argv[0] if argv0 is None else argv0
    candidate = Path(argv0)
    if candidate.name == "deskbreak" and candidate.is_file() and os.access(candidate, os.X_OK):
        return [os.path.abspath(candidate)]  # noqa: PTH100 - normalises ".." too
    found = which("deskbreak")
    if found:
        return [os.path.abspath(found)]  # noqa: PTH100 - normalises ".." too
    return [executable or sys.executable, "-m", "deskbreak"]


def unit_path(env: Mapping[str, str]) -> Path:
    """~/.config/systemd/user/deskbreak.service, honouring an absolute XDG_CONFIG_HOME."""
    return xdg_dir(env, "XDG_CONFIG_HOME", ".config") / "systemd" / "user" / UNIT_NAME


def logs_command(
    follow: bool, lines: int | None, env: Mapping[str, str], platform: str | None = None
) -> list[str]:
    """journalctl for the unit (tail of the agent's log file on macOS)."""
    if (platform or sys.platform) == "darwin":
        from deskbreak.service import launchd  # macOS only

        return launchd.logs_command(follow, lines, env)
    command = ["journalctl", "--user", "-u", UNIT_NAME, "--no-pager"]
    if lines is not None:
        command += ["-n", str(lines)]
    if follow:
        command.append("--follow")
    return command


def _import_environment_command(env: Mapping[str, str], which: Which) -> list[str] | None:
    present = [name for name in SESSION_VARIABLES if env.get(name)]
    if not present:
        return None
    if env.get("DBUS_SESSION_BUS_ADDRESS") and which("dbus-update-activation-environment"):
        # Also updates the bus's own activation environment, which a D-Bus-activated
        # notification server (dunst, mako) starts with.
        return ["dbus-update-activation-environment", "--systemd", *present]
    return ["systemctl", "--user", "import-environment", *present]


# --- effects --------------------------------------------------------------------------------


def _unsupported(platform: str) -> DeskbreakError:
    return DeskbreakError(
        f"deskbreak cannot install itself as a service on {platform}; "
        "start it at login with your system's startup settings running `deskbreak start`."
    )


def _require_systemd(run: Runner, which: Which) -> None:
    hint = "add `deskbreak start` to your desktop's autostart settings instead"
    if which("systemctl") is None:
        raise DeskbreakError(f"systemd's `systemctl` is not installed here; {hint}.")
    probe = run(["systemctl", "--user", "show-environment"])
    if probe.returncode != 0:
        reason = (probe.stderr.strip().splitlines() or ["no user service manager"])[-1]
        raise DeskbreakError(
            f"`systemctl --user` cannot reach your user service manager ({reason}).\n"
            f"Retry from a desktop session (not su, sudo or a bare ssh login), or {hint}."
        )


def install(
    *,
    run: Runner,
    env: Mapping[str, str],
    dry_run: bool = False,
    command: Sequence[str] | None = None,
    which: Which = shutil.which,
    platform: str | None = None,
) -> Change:
    """Write the unit and the desktop entry with this deskbreak's path, import the session
    environment, enable and start it. A dry run returns the same plan without running or
    writing anything."""
    platform = platform or sys.platform
    command = list(command) if command is not None else find_command(which=which)
    if platform == "darwin":
        from deskbreak.service import launchd  # macOS only

        return launchd.install(run, env, dry_run, command)
    if not platform.startswith("linux"):
        raise _unsupported(platform)
    path = unit_path(env)
    content = render_unit(systemd_command_line(command))
    previous = path.read_text(encoding="utf-8") if path.is_file() else None
    entry = (FileChange(desktop_entry.user_entry_path(env), desktop_entry.render_entry(command)),)
    import_env = _import_environment_command(env, which)
    steps = [
        ["systemctl", "--user", "daemon-reload"],
        ["systemctl", "--user", "enable", "--now", UNIT_NAME],
    ]
    if previous is not None and previous != content:
        # enable --now leaves a running daemon alone; restart it on the new unit.
        steps.append(["systemctl", "--user", "try-restart", UNIT_NAME])
    if dry_run:
        planned = [import_env] if import_env else []
        notes = () if which("systemctl") else ("systemctl is not installed here",)
        commands = tuple(tuple(s) for s in planned + steps)
        return Change(path, content, commands, True, notes, entry)

    _require_systemd(run, which)
    done: list[tuple[str, ...]] = []
    notes_run: list[str] = []
    if import_env:
        result = run(import_env)
        if result.returncode != 0 and import_env[0] != "systemctl":
            import_env = ["systemctl", "--user", "import-environment", *import_env[2:]]
            result = run(import_env)
        done.append(tuple(import_env))
        if result.returncode != 0:
            notes_run.append(f"could not import the session environment: {result.stderr.strip()}")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(content, encoding="utf-8")
    desktop_entry.apply_files(entry)
    for step in steps:
        run_checked(run, step)
        done.append(tuple(step))
    return Change(path, content, tuple(done), False, tuple(notes_run), entry)


def uninstall(
    *,
    run: Runner,
    env: Mapping[str, str],
    dry_run: bool = False,
    which: Which = shutil.which,
    platform: str | None = None,
) -> Change:
    """Stop and disable the service, remove its unit and desktop entry; nothing to do if
    neither is installed."""
    platform = platform or sys.platform
    if platform == "darwin":
        from deskbreak.service import launchd  # macOS only

        return launchd.uninstall(run, env, dry_run)
    if not platform.startswith("linux"):
        raise _unsupported(platform)
    path = unit_path(env)
    entry = desktop_entry.removal(desktop_entry.user_entry_path(env))
    if not path.exists():
        if not dry_run:
            desktop_entry.apply_files(entry)
        note = f"{UNIT_NAME} is not installed ({path})"
        return Change(path, None, (), dry_run, (note,), entry)
    steps = [
        ["systemctl", "--user", "disable", "--now", UNIT_NAME],
        ["systemctl", "--user", "daemon-reload"],
    ]
    if dry_run:
        return Change(path, None, tuple(tuple(s) for s in steps), True, (), entry)
    _require_systemd(run, which)
    run_checked(run, steps[0])
    path.unlink()
    desktop_entry.apply_files(entry)
    run_checked(run, steps[1])
    # Forget an earlier failure so `systemctl --user --failed` stays clean; harmless if none.
    run(["systemctl", "--user", "reset-failed", UNIT_NAME])
    return Change(path, None, tuple(tuple(s) for s in steps), False, (), entry)


def status(
    *,
    run: Runner,
    env: Mapping[str, str],
    which: Which = shutil.which,
    platform: str | None = None,
) -> ServiceStatus:
    """Whether the unit is installed, enabled and running, from `systemctl --user show`."""
    platform = platform or sys.platform
    if platform == "darwin":
        from deskbreak.service import launchd  # macOS only

        return launchd.status(run, env)
    if not platform.startswith("linux"):
        raise _unsupported(platform)
    path = unit_path(env)
    _require_systemd(run, which)
    keys = "LoadState,ActiveState,SubState,UnitFileState,MainPID,ActiveEnterTimestamp,NRestarts"
    result = run(["systemctl", "--user", "show", UNIT_NAME, "-p", keys])
    if result.returncode != 0:
        raise DeskbreakError(f"`systemctl --user show {UNIT_NAME}` failed: {result.stderr.strip()}")
    props = dict(line.split("=", 1) for line in result.stdout.splitlines() if "=" in line)
    active_state = props.get("ActiveState", "unknown")
    pid = int(props.get("MainPID") or 0)
    restarts = props.get("NRestarts", "")
    return ServiceStatus(
        manager="systemd",
        path=str(path),
        installed=props.get("LoadState") not in (None, "not-found") or path.exists(),
        active=active_state in ("active", "reloading"),
        enabled=props.get("UnitFileState") or "not installed",
        state=f"{active_state} ({props.get('SubState', 'unknown')})",
        main_pid=pid or None,
        since=props.get("ActiveEnterTimestamp") or None,
        restarts=int(restarts) if restarts.isdigit() else None,
    )
