"""`deskbreak doctor`: small checks of everything a reminder needs, each an ok/warn/fail value.

Each check takes only what it needs (paths, the environment, a `Runner` for subprocesses, a
`which`), so tests hand it fakes. Nothing here writes a file; the bus checks never D-Bus-activate
a notification server (they ask NameHasOwner first), and only `send_test` shows anything.
"""

from __future__ import annotations

import asyncio
import contextlib
import shutil
import sqlite3
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from deskbreak.config import Config, load_config, read_system_files
from deskbreak.config_loader import layer
from deskbreak.daemon import control
from deskbreak.daemon.lock import lock_holder
from deskbreak.daemon.protocol import StatusReply, StatusRequest
from deskbreak.desktop import notify
from deskbreak.doctor.bus import BUS_FIX, check_server
from deskbreak.doctor.check import Check, Status
from deskbreak.doctor.presence import Detect, check_presence
from deskbreak.doctor.presence import detect as detect_presence
from deskbreak.errors import (
    EXIT_OK,
    EXIT_STATE,
    EXIT_USAGE,
    ConfigError,
    DeskbreakError,
    NotRunningError,
)
from deskbreak.paths import Paths
from deskbreak.planner.schedule import PlanState, next_reminder
from deskbreak.proc import Runner, make_runner
from deskbreak.service import systemd
from deskbreak.service.base import Which

if TYPE_CHECKING:
    from deskbreak.desktop.calls import CallCheck

    LookCalls = Callable[[], CallCheck]

Ask = Callable[[Path, StatusRequest], StatusReply]

TEST_TITLE = "deskbreak test"


def report(checks: Sequence[Check]) -> dict[str, Any]:
    """The `--json` shape: {"ok": no check failed, "checks": [...]}."""
    return {"ok": all(c.status != "fail" for c in checks), "checks": [asdict(c) for c in checks]}


# --- config -----------------------------------------------------------------------------------


CONFIG_CHECKS = ("sysconfig", "config")


def check_config(
    path: Path, system_files: Sequence[Path] = (), *, required: bool = False
) -> tuple[list[Check], Config | None]:
    """The system-wide files and the user's file, each judged on its own: a broken system file
    fails its check but the user's config is still loaded (it is what the daemon runs)."""
    checks = [check_system_config(system_files)]
    try:
        cfg = load_config(path, system_files=system_files, required=required)
    except ConfigError as err:
        checks.append(
            Check("config", "fail", str(err), "edit the file, then `deskbreak config check`")
        )
        return checks, None
    if cfg.layered.notes:
        checks.append(
            Check(
                "config",
                "warn",
                "; ".join(cfg.layered.notes),
                "remove those keys from your file; your administrator's values are in use",
            )
        )
    elif cfg.source is None:
        checks.append(Check("config", "ok", f"defaults (no file at {path})"))
    else:
        checks.append(Check("config", "ok", f"{path} (defaults for missing keys)"))
    return checks, cfg


def check_system_config(system_files: Sequence[Path]) -> Check:
    accepted, notes = read_system_files(system_files)
    if notes:
        return Check(
            "sysconfig",
            "fail",
            "; ".join(notes),
            "ask your administrator to fix it (`deskbreak config check` names the line); "
            "until then your own config is used without it",
        )
    if not accepted:
        looked = ", ".join(str(p) for p in reversed(system_files)) or "nowhere"
        return Check("sysconfig", "ok", f"none (looked for {looked})")
    locks = sorted(layer(accepted).locked)
    locked = f"; locked: {', '.join(locks)}" if locks else ""
    return Check("sysconfig", "ok", ", ".join(str(f.path) for f in accepted) + locked)


def exit_code(checks: Sequence[Check]) -> int:
    """2 when a config file is broken (as every command says for a bad config), 1 when
    another check fails, else 0."""
    failed = {c.name for c in checks if c.status == "fail"}
    if failed & set(CONFIG_CHECKS):
        return EXIT_USAGE
    return EXIT_STATE if failed else EXIT_OK


# --- notification backend ---------------------------------------------------------------------

# Backends that show reminders through the notification server on the session bus.
BUS_BACKENDS = frozenset({"notify-send", "dbus", "plyer"})


def check_backend(
    choice: str, backends: dict[str, notify.Notifier], server: Check | None = None
) -> Check:
    """Which backend reminders go through. `server` is the server check's finding: a backend
    that needs the notification server is not "ok" when the server check failed."""
    chain = notify.backend_chain(choice, backends)
    reasons = dict(notify.explain_auto(backends))
    first = chain[0].name
    fallbacks = ", ".join(n.name for n in chain[1:]) or "none"
    unusable = "; ".join(f"{name}: {why}" for name, why in reasons.items() if why)
    if server is not None and server.status == "fail" and first in BUS_BACKENDS:
        # The backend looked usable (a bus address is set), but nothing answers on it.
        return Check(
            "backend",
            "fail",
            f"{choice} picks {first}, but it cannot show a reminder: {server.detail}; "
            "each reminder falls back to the console (the daemon's log)",
            server.fix,
        )
    if choice == "auto":
        detail = f"auto picks {first} (fallbacks: {fallbacks})"
        if unusable:
            detail += f"; unusable here: {unusable}"
    else:
        detail = f"{choice} (set in the config; fallbacks: {fallbacks})"
        if reasons.get(choice):
            return Check(
                "backend",
                "warn",
                f"{choice} is set in the config but unusable here: {reasons[choice]}; "
                f"reminders fall back to {chain[1].name if len(chain) > 1 else 'nothing'}",
                'fix what is named, or set [notifications] backend = "auto"',
            )
    if first == "console":
        no_bus = any("bus" in why for why in reasons.values() if why)
        return Check(
            "backend",
            "warn",
            f"{choice} picks console: reminders only print to the daemon's terminal or log "
            f"({unusable})",
            BUS_FIX if no_bus else "start a notification server (dunst, mako, your desktop's own)",
        )
    return Check("backend", "ok", detail)


# --- notification server on the session bus ---------------------------------------------------


# --- daemon and service -----------------------------------------------------------------------


def _when(moment: datetime | None) -> str:
    return f"{moment:%a %Y-%m-%d %H:%M %Z}".strip() if moment else "none ahead"


def check_daemon(paths: Paths, ask: Ask, holder: Callable[[Path], int | None]) -> Check:
    try:
        reply = ask(paths.socket, StatusRequest())
    except NotRunningError:
        pid = holder(paths.data_lock_file)
        if pid is not None:
            return Check(
                "daemon",
                "fail",
                f"pid {pid} holds the daemon lock but nothing answers on {paths.socket}",
                "restart it: `deskbreak stop` (or kill that pid), then `deskbreak start`",
            )
        return Check(
            "daemon",
            "warn",
            f"not running (nothing answers on {paths.socket})",
            "`deskbreak start`, or `deskbreak service install`",
        )
    except DeskbreakError as err:
        return Check(
            "daemon",
            "fail",
            f"its socket {paths.socket} is there but the daemon does not answer: {err}",
            "restart it: `deskbreak stop`, then `deskbreak start` (or "
            "`systemctl --user restart deskbreak.service`)",
        )
    state = "paused" if reply.paused else f"next reminder {_when(reply.next_reminder)}"
    return Check("daemon", "ok", f"running, pid {reply.pid}, {paths.socket}; {state}")


def check_service(run: Runner, env: Mapping[str, str], which: Which, platform: str) -> Check:
    try:
        st = systemd.status(run=run, env=env, which=which, platform=platform)
    except DeskbreakError as err:
        detail = " ".join(str(err).split())
        return Check("service", "warn", f"cannot check the service: {detail}", None)
    if not st.installed:
        return Check(
            "service",
            "warn",
            f"not installed ({st.path})",
            "`deskbreak service install` to start deskbreak at login",
        )
    detail = f"{st.path}: {st.enabled}, {st.state}"
    if st.state.startswith("failed"):
        return Check(
            "service",
            "fail",
            detail,
            "see `deskbreak service logs`, then `systemctl --user restart deskbreak.service`",
        )
    if st.manager == "systemd" and st.enabled != "enabled":
        return Check("service", "warn", detail, "`deskbreak service install` enables it again")
    if not st.active:
        return Check("service", "warn", detail, "`deskbreak service install` starts it again")
    return Check("service", "ok", detail)


# --- history and schedule ---------------------------------------------------------------------


def _size(n_bytes: int) -> str:
    if n_bytes < 1024 * 1024:
        return f"{n_bytes / 1024:.0f} KB"
    return f"{n_bytes / (1024 * 1024):.1f} MB"


def check_history(database: Path) -> Check:
    if not database.exists():
        return Check(
            "history",
            "warn",
            f"no history yet ({database})",
            "it is created when the daemon first starts: `deskbreak start`",
        )
    try:
        # Read-only: doctor never creates, migrates or locks the daemon's database.
        with contextlib.closing(
            sqlite3.connect(f"{database.as_uri()}?mode=ro", uri=True, timeout=2.0)
        ) as db:
            (count,) = db.execute("SELECT count(*) FROM reminders").fetchone()
        # Recent writes may still sit in the write-ahead log beside it.
        wal = database.with_name(database.name + "-wal")
        size = database.stat().st_size + (wal.stat().st_size if wal.exists() else 0)
    except (sqlite3.Error, OSError) as err:
        return Check(
            "history",
            "fail",
            f"cannot read {database}: {err}",
            "check the file's permissions; if it is damaged, move it aside to start afresh",
        )
    return Check("history", "ok", f"{database} ({_size(size)}, {count} reminders)")


def check_schedule(cfg: Config | None, now: datetime) -> Check:
    if cfg is None:
        return Check("schedule", "warn", "cannot tell: the config did not load", None)
    sched = cfg.schedule
    due = next_reminder(sched, PlanState(), now)
    if due is None:
        return Check(
            "schedule",
            "warn",
            f"time zone {sched.timezone}; no work window in the next two weeks",
            "check `days` and `hours` under [schedule] in the config",
        )
    local = due.astimezone(sched.timezone)
    return Check(
        "schedule", "ok", f"time zone {sched.timezone}; next reminder {local:%a %Y-%m-%d %H:%M}"
    )


# --- a real test notification -----------------------------------------------------------------


async def _ignore(outcome: str) -> None:
    return None


async def _send(
    chain: Sequence[notify.Notifier], note: notify.Notification
) -> tuple[str | None, list[str]]:
    failures: list[str] = []
    try:
        for notifier in chain:
            try:
                await notifier.send(note, _ignore)
            except notify.NotifyError as err:
                failures.append(f"{notifier.name}: {err}")
                continue
            return notifier.name, failures
        return None, failures
    finally:
        for notifier in chain:  # the dbus backend's connection lives only as long as this run
            buses = getattr(notifier, "buses", None)
            if buses is not None:
                await buses.close()


def send_test(choice: str, backends: dict[str, notify.Notifier]) -> Check:
    """Send one notification through the configured chain; report who delivered it."""
    reminder = notify.Notification(
        TEST_TITLE, "If you can read this, deskbreak's reminders reach you.", 10, tag="test"
    )
    chain = notify.backend_chain(choice, backends)
    delivered, failures = asyncio.run(_send(chain, reminder))
    failed = f" after {'; '.join(failures)}" if failures else ""
    if delivered is None:
        return Check(
            "send-test", "fail", f"no backend could show it: {'; '.join(failures)}", BUS_FIX
        )
    if delivered == "console":
        return Check(
            "send-test",
            "warn",
            f"only the console backend showed it{failed}",
            "see the server and backend checks above",
        )
    status: Status = "warn" if failures else "ok"
    return Check("send-test", status, f"delivered by {delivered}{failed}")


def default_backends() -> dict[str, notify.Notifier]:
    from deskbreak.desktop.notify_dbus import DbusNotifier

    # The console backend writes to stderr so `--json` output on stdout stays clean.
    def to_stderr(line: str) -> None:
        print(line, file=sys.stderr, flush=True)

    return {
        "dbus": DbusNotifier(),
        "plyer": notify.PlyerNotifier(),
        "console": notify.ConsoleNotifier(write=to_stderr),
    }


def _running_checks(
    paths: Paths, env: Mapping[str, str], look_calls: LookCalls | None
) -> list[Check]:
    from importlib.util import find_spec

    from deskbreak.desktop.calls import look_for_call
    from deskbreak.doctor.runs_checks import check_calendars, check_calls

    libraries = all(find_spec(n) is not None for n in ("icalendar", "recurring_ical_events"))
    return [
        check_calendars(paths.calendars_file, libraries),
        check_calls(look_calls or (lambda: look_for_call(make_runner(env, 3.0)))),
    ]


def run_checks(
    paths: Paths,
    env: Mapping[str, str],
    *,
    run: Runner | None = None,
    which: Which = shutil.which,
    ask: Ask = control.ask,
    holder: Callable[[Path], int | None] = lock_holder,
    backends: dict[str, notify.Notifier] | None = None,
    platform: str = sys.platform,
    now: datetime | None = None,
    send: bool = False,
    look_calls: LookCalls | None = None,
    presence: Detect | None = None,
) -> list[Check]:
    """Every check, in the order a person would fix them."""
    run = run or make_runner(env)
    backends = backends if backends is not None else default_backends()
    config_checks, cfg = check_config(
        paths.config_file, paths.system_config_files, required=paths.config_explicit
    )
    choice = cfg.notifications.backend if cfg else "auto"
    server = check_server(env, run, which)
    checks = [
        *config_checks,
        check_backend(choice, backends, server),
        server,
        check_daemon(paths, ask, holder),
        check_service(run, env, which, platform),
        check_history(paths.database),
        check_schedule(cfg, now or datetime.now(UTC)),
        check_presence(env, presence or detect_presence),
        *_running_checks(paths, env, look_calls),
    ]
    if send:
        checks.append(send_test(choice, backends))
    return checks
