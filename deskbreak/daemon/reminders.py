"""Reminders on the desktop: showing one, knowing whether it is still on screen, taking answers.

`Reminders` keeps what the daemon knows of its last reminder (its id, slot and move, the
answer, the notification while it may be on screen) and the move a snooze brings back once.
It shows a reminder through the first notification backend that works and records it and its
answers in the history. What an answer does to the plan (a snooze moves the next reminder) is
the daemon's part: a button pressed on the notification goes to the `answer` callable the
daemon hands in.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from deskbreak.daemon.move_choice import choose_move
from deskbreak.desktop.notify import (
    DISMISSED,
    EXPIRED,
    REMINDER_ACTIONS,
    REMINDER_TAG,
    Notification,
    Notifier,
    NotifyError,
)
from deskbreak.store.history import Answer

if TYPE_CHECKING:
    from deskbreak.config import Config
    from deskbreak.library.moves import Move
    from deskbreak.store.history import DaemonState
    from deskbreak.store.queued import QueuedHistory

# The daemon's log lines keep the logger name they always had.
log = logging.getLogger("deskbreak.daemon.core")

# What a notification's outcome (a button key, a dismissal, an expiry) means for the history.
ANSWERS: dict[str, Answer] = {
    "done": "done",
    "snooze": "snoozed",
    "skip": "skipped",
    DISMISSED: "dismissed",
    EXPIRED: "ignored",
}

# Takes an answer to a reminder (by id); True when it was the first and counted.
AnswerHandler = Callable[[int, Answer], Awaitable[bool]]


@dataclass(frozen=True)
class OnScreen:
    """The last reminder's notification while it may be on screen."""

    reminder_id: int
    notifier: Notifier
    handle: object | None  # from Notifier.send; None: the backend reports no answers
    until: datetime  # when its timeout ends


def notifier_timeout(reminder: Notification) -> timedelta:
    return timedelta(seconds=reminder.timeout_seconds)


async def withdraw(notifier: Notifier, handle: object) -> None:
    """Take a notification off the screen, where the backend can (`Notifier.withdraw`)."""
    close = getattr(notifier, "withdraw", None)
    if close is None:
        return
    try:
        await close(handle)
    except NotifyError as err:
        log.warning("%s could not close the notification: %s", notifier.name, err)


class Reminders:
    def __init__(
        self,
        history: QueuedHistory,
        saved: DaemonState,
        config: Callable[[], Config],
        notifiers: Callable[[], Sequence[Notifier]],
        now: Callable[[], datetime],
        answer: AnswerHandler,
    ) -> None:
        self.history, self.config, self.notifiers, self.now = history, config, notifiers, now
        self.answer = answer
        self.snoozed_move_id = saved.snoozed_move_id
        self.last_id = saved.last_reminder_id
        self.last_at = saved.last_reminder_at
        self.last_move_id = saved.last_move_id
        # The history is the truth about answers, also across a restart.
        self.last_answer: str | None = (
            history.reminder_answer(saved.last_reminder_id)
            if saved.last_reminder_id is not None
            else None
        )
        # The notification of the last reminder while it may still be on screen.
        self._on_screen: OnScreen | None = None
        # Each backend's trouble while it lasts, logged once.
        self._backend_trouble: dict[str, str] = {}

    def next_move(self, slot: datetime) -> Move:
        """The move of the reminder at `slot`: the snoozed reminder's (once), else the
        rotation's."""
        return self._take_snoozed_move() or choose_move(self.config(), self.history, slot)

    def _take_snoozed_move(self) -> Move | None:
        """The move of the snoozed reminder, which the next reminder brings back (once)."""
        move_id, self.snoozed_move_id = self.snoozed_move_id, None
        return self.config().library.moves.get(move_id) if move_id else None

    def bring_back(self, reminder_id: int) -> None:
        """Reminder `reminder_id` was snoozed: the next reminder shows its move again (if it
        is the last one; an older reminder's move is not known any more)."""
        self.snoozed_move_id = self.last_move_id if reminder_id == self.last_id else None

    async def send(self, slot: datetime, move: Move | None = None) -> tuple[Move, str]:
        """Show one reminder through the first backend that works; returns (move, backend).

        `slot` is the moment it was planned for, which the history records."""
        move = move or choose_move(self.config(), self.history, slot)
        notes = self.config().notifications
        reminder = Notification(
            move.name,
            move.notification_body(),
            notes.timeout_seconds,
            REMINDER_ACTIONS if notes.buttons else (),
            REMINDER_TAG,
        )
        recorded: list[int] = []
        early: list[Answer] = []

        async def on_answer(outcome: str) -> None:
            answer = ANSWERS.get(outcome)
            if answer is None:
                log.warning("unknown answer %r to a reminder", outcome)
                return
            if not recorded:  # answered before we finished recording the reminder
                early.append(answer)
                return
            try:
                await self.answer(recorded[0], answer)
            except Exception:  # a backend task runs this: log it, never lose it quietly
                log.exception("the answer %r to reminder #%d failed", answer, recorded[0])

        handle: object | None = None
        for notifier in self.notifiers():
            try:
                handle = await notifier.send(reminder, on_answer)
            except NotifyError as err:
                self._backend_failed(notifier.name, str(err))
                continue
            if self._backend_trouble.pop(notifier.name, None) is not None:
                log.info("%s shows reminders again", notifier.name)
            backend = notifier.name
            break
        else:
            log.error(
                "no notification backend worked; the reminder for %s was not shown", move.name
            )
            notifier, backend = None, "none"
        reminder_id = self.history.record_reminder(slot, move.id, move.area, backend)
        recorded.append(reminder_id)
        self.last_id, self.last_at, self.last_move_id = reminder_id, slot, move.id
        self.last_answer = None
        self._on_screen = (
            None
            if notifier is None
            else OnScreen(reminder_id, notifier, handle, self.now() + notifier_timeout(reminder))
        )
        log.info("reminder %s: %s (via %s)", slot.strftime("%H:%M"), move.name, backend)
        for answer in early:
            await self.answer(reminder_id, answer)
        return move, backend

    def _backend_failed(self, name: str, why: str) -> None:
        """Log a backend's trouble once, not at every reminder while it lasts."""
        if self._backend_trouble.get(name) != why:
            log.warning("%s could not show the reminder: %s; trying the next backend", name, why)
        self._backend_trouble[name] = why

    def open_id(self) -> int | None:
        """The reminder whose notification is still waiting for an answer, if any."""
        shown = self._on_screen
        if shown is None or self.last_answer is not None:
            return None
        if shown.handle is None and self.now() >= shown.until:
            return None  # a backend that reports no answers: assume it expired
        return shown.reminder_id

    async def record_answer(
        self, reminder_id: int, answer: Answer, now: datetime, close: bool
    ) -> bool:
        """Write down an answer to reminder `reminder_id`; True if it is the first (it counts).

        Its notification is no longer waiting; `close` takes it off the screen (the answer
        came from elsewhere than the notification)."""
        counted = self.history.record_answer(reminder_id, answer, now)
        shown = self._on_screen
        if shown is not None and shown.reminder_id == reminder_id:
            self._on_screen = None
            if close and shown.handle is not None:
                await withdraw(shown.notifier, shown.handle)
        if counted:
            if reminder_id == self.last_id:
                self.last_answer = answer
            log.info("answer to reminder #%d: %s", reminder_id, answer)
        return counted
