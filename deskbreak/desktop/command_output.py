"""One short look at the desktop through a command, awaited on the daemon's event loop.

Presence sources and the call check ask small tools (pw-dump, gsettings, makoctl, ...) one
question just before a reminder; a tool that is missing, fails or hangs means "cannot tell".
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Sequence


async def command_output(args: Sequence[str], timeout_seconds: float) -> str | None:
    """What `args` printed, or None when it is missing, failed or took longer than allowed."""
    try:
        child = await asyncio.create_subprocess_exec(
            *args,
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.DEVNULL,
        )
    except OSError:
        return None
    try:
        out, _ = await asyncio.wait_for(child.communicate(), timeout_seconds)
    except TimeoutError:
        # The child may have ended between the deadline and here: then there is none to kill.
        with contextlib.suppress(ProcessLookupError):
            child.kill()
        await child.wait()
        return None
    return out.decode(errors="replace") if child.returncode == 0 else None
