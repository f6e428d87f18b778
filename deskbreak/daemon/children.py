"""Starting the programs the daemon runs beside itself: a calendar sync, a terminal.

Each child reads nothing and prints nowhere (its errors may come back through a pipe), gets
the daemon's environment, and is awaited on the event loop. One that cannot start is a warning
in the caller's log, never an error of the daemon.
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import Sequence


async def start_child(
    argv: Sequence[str],
    what: str,
    log: logging.Logger,
    *,
    pipe_errors: bool = False,
    own_session: bool = False,
) -> asyncio.subprocess.Process | None:
    """The started child, or None (with a warning naming `what`) when it cannot start.

    `pipe_errors` keeps its stderr for the caller to read; `own_session` starts it in a session
    of its own, so a Ctrl-C or hang-up meant for the daemon does not reach it (a terminal the
    person works in).
    """
    try:
        return await asyncio.create_subprocess_exec(
            *argv,
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.PIPE if pipe_errors else asyncio.subprocess.DEVNULL,
            env=dict(os.environ),
            start_new_session=own_session,
        )
    except OSError as err:
        log.warning("could not start %s: %s", what, err)
        return None
