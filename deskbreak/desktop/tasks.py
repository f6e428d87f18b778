"""Work started on the event loop that nobody awaits (answers to handle, servers to tell).

asyncio keeps only a weak reference to a task, so one left alone may be collected mid-way; and
a failure in it would surface only as "exception never retrieved" at exit. A `TaskSet` holds
each task until it ends and logs what went wrong, saying which work it was.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable
from typing import Any


class TaskSet:
    def __init__(self, log: logging.Logger, failure: str) -> None:
        self._log = log
        self._failure = failure  # e.g. "presence handling failed"
        self._tasks: set[asyncio.Task[Any]] = set()

    def spawn(self, work: Awaitable[object]) -> None:
        """Run `work` on the loop; a failure is logged, never lost."""
        task = asyncio.ensure_future(work)
        self._tasks.add(task)
        task.add_done_callback(self._ended)

    def cancel(self) -> None:
        for task in self._tasks:
            task.cancel()

    def _ended(self, task: asyncio.Task[Any]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and (error := task.exception()) is not None:
            self._log.error(self._failure, exc_info=error)
