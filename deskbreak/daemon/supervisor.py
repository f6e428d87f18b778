"""The daemon's lifetime: the tasks it keeps alive, and the request that ends them.

What the loop relies on for as long as the daemon runs (the heartbeat, watchers) runs as a
supervised task: a failure costs a log line with its traceback and a short pause, then the
task starts again, so no feature dies quietly for the rest of the daemon's life. Once a stop
is requested nothing is started again.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine
from typing import Any

# The daemon's log lines keep the logger name they always had.
log = logging.getLogger("deskbreak.daemon.core")

# A supervised task that fails is restarted after this pause (so a persistent fault does not spin).
RESTART_SECONDS = 5.0


class Supervisor:
    def __init__(self) -> None:
        self._tasks: set[asyncio.Task[None]] = set()
        self._stopping: asyncio.Event | None = None

    @property
    def started(self) -> bool:
        """The daemon runs on its loop (and may be stopping)."""
        return self._stopping is not None

    @property
    def running(self) -> bool:
        """Started and no stop requested: supervised tasks are (re)started."""
        return self._stopping is not None and not self._stopping.is_set()

    def start(self) -> None:
        """Begin the daemon's lifetime; called on the running loop."""
        self._stopping = asyncio.Event()

    def request_stop(self) -> None:
        if self._stopping is not None:
            self._stopping.set()

    async def until_stop_requested(self) -> None:
        assert self._stopping is not None, "start() first"
        await self._stopping.wait()

    def supervise(self, name: str, make: Callable[[], Coroutine[Any, Any, None]]) -> None:
        """Run `make()` as a task for the daemon's lifetime: a failure is logged with its
        traceback and the task started again, so nothing the loop relies on dies quietly."""

        def ended(task: asyncio.Task[None]) -> None:
            self._tasks.discard(task)
            if task.cancelled() or not self.running:
                return
            err = task.exception()
            log.error(
                "the %s task ended (%s); restarting it in %g s",
                name,
                err or "returned",
                RESTART_SECONDS,
                exc_info=err,
            )
            asyncio.get_running_loop().call_later(
                RESTART_SECONDS, lambda: self.supervise(name, make)
            )

        if not self.running:
            return
        task = asyncio.get_running_loop().create_task(make(), name=f"deskbreak-{name}")
        self._tasks.add(task)
        task.add_done_callback(ended)

    def cancel_all(self) -> None:
        """At the end of the daemon's lifetime: cancel every supervised task."""
        for task in list(self._tasks):
            task.cancel()
