"""`deskbreak start`: run the daemon in this process until it is stopped.

The command line reaches this without building the Typer app (see `deskbreak.entry`), so the
process that idles all day carries no Typer, click or rich.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path


def run_daemon(config_override: str | Path | None = None, verbose: bool = False) -> None:
    """Load the config, take the lock and serve until SIGTERM, SIGINT or `deskbreak stop`.

    Raises ConfigError for a bad config file and AlreadyRunningError if a daemon holds the lock.
    """
    # asyncio imports ssl only to offer TLS, which the daemon never uses; OpenSSL would add
    # ~4 MB to a process that idles all day.
    if "ssl" not in sys.modules:
        sys.modules["ssl"] = None  # type: ignore[assignment]  # the documented way to block an import
    import asyncio
    import logging

    from deskbreak.config import load_config_for
    from deskbreak.daemon.core import Daemon
    from deskbreak.daemon.lock import DaemonLock
    from deskbreak.daemon.logs import setup_logging
    from deskbreak.desktop.notify import session_bus_address
    from deskbreak.paths import default_paths
    from deskbreak.store.history import History

    setup_logging(verbose)
    paths = default_paths(config_override)
    config = load_config_for(paths)
    for note in config.notes:  # a broken system-wide file skipped, a locked key ignored
        logging.getLogger("deskbreak").warning("%s", note)
    # Under systemd the session bus may not be in our environment; it lives at a fixed place.
    bus = session_bus_address()
    if bus and not os.environ.get("DBUS_SESSION_BUS_ADDRESS"):
        os.environ["DBUS_SESSION_BUS_ADDRESS"] = bus
    lock = DaemonLock(paths)
    lock.acquire()
    try:
        history = History(paths.database)
        # Fail here, before the socket is bound, rather than on the first write.
        history.check_writable()
    except BaseException:
        lock.release()
        raise
    try:
        wait_for_children_on_the_loop()
        asyncio.run(Daemon(paths, config, history).run())
    finally:
        history.close()
        lock.release()


def wait_for_children_on_the_loop() -> None:
    """Let the event loop wait for child processes through a pidfd, not a thread per child.

    Python 3.11's asyncio starts a thread for every child it waits for (the call look, a
    calendar fetch, swayidle); 3.12 already uses a pidfd where the kernel has one (Linux 5.3+).
    One thread keeps the idle daemon small, and libfaketime's clock, which the tests run the
    daemon under, is not safe to read from two threads at once.
    """
    import asyncio

    if sys.version_info >= (3, 12) or not hasattr(os, "pidfd_open"):
        return
    try:
        os.close(os.pidfd_open(os.getpid()))
    except OSError:
        return  # an older kernel: keep asyncio's threads
    asyncio.set_child_watcher(asyncio.PidfdChildWatcher())
