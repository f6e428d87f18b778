"""Idle on wlroots and KDE Wayland compositors: the ext-idle-notify-v1 protocol through a
`swayidle` child, when swayidle is installed and a Wayland display is there.

swayidle prints "idle" once the person has been idle `natural_break` and "active" at the next
input. It is one long-lived child for the daemon's life (not one per reminder), and it dies
with the daemon even on `kill -9`: the kernel sends it SIGTERM when its parent goes
(PR_SET_PDEATHSIG).
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import logging
import shutil
import signal
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta

from deskbreak.desktop.presence.state import PresenceState, SourceStatus

log = logging.getLogger("deskbreak.desktop.presence")

PR_SET_PDEATHSIG = 1


def _die_with_parent() -> None:
    ctypes.CDLL("libc.so.6", use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


class SwayIdle:
    name = "swayidle"

    def __init__(
        self,
        state: PresenceState,
        clock: Callable[[], datetime],
        threshold: timedelta,
        env: Mapping[str, str],
    ) -> None:
        self.state, self.clock, self.threshold, self.env = state, clock, threshold, env
        self.used = False
        self._proc: asyncio.subprocess.Process | None = None
        self._reader: asyncio.Task[None] | None = None

    def command(self, executable: str) -> list[str]:
        seconds = max(1, int(self.threshold.total_seconds()))
        return [executable, "-w", "timeout", str(seconds), "echo idle", "resume", "echo active"]

    async def start(self) -> None:
        executable = shutil.which("swayidle")
        if not self.env.get("WAYLAND_DISPLAY"):
            why = "not a Wayland session"
        elif executable is None:
            why = "swayidle is not installed (it speaks ext-idle-notify-v1 for us)"
        else:
            try:
                self._proc = await asyncio.create_subprocess_exec(
                    *self.command(executable),
                    stdin=asyncio.subprocess.DEVNULL,
                    stdout=asyncio.subprocess.PIPE,
                    stderr=asyncio.subprocess.DEVNULL,
                    preexec_fn=_die_with_parent,
                )
            except OSError as err:
                why = f"cannot start swayidle: {err}"
            else:
                self.used = True
                self._reader = asyncio.ensure_future(self._read())
                self.state.set_source(SourceStatus("idle", self.name, True, "ext-idle-notify-v1"))
                return
        self.state.set_source(SourceStatus("idle", self.name, False, why))

    async def _read(self) -> None:
        assert self._proc is not None and self._proc.stdout is not None
        async for line in self._proc.stdout:
            word = line.decode(errors="replace").strip()
            now = self.clock()
            if word == "idle":
                self.state.went_away(now - self.threshold)
            elif word == "active":
                self.state.came_back(now)
        self.used = False
        log.info("swayidle ended; idle is unknown from now on")

    async def close(self) -> None:
        if self._reader is not None:
            self._reader.cancel()
        if self._proc is not None and self._proc.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                self._proc.terminate()
            await self._proc.wait()
