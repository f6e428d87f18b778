"""The warm-up and cool-down prompts of planned runs, as a second job on the daemon's loop.

The planner says when each prompt is due; APScheduler waits for it; the prompt is a
notification with its own buttons: **Start warm-up** (or cool-down) opens `deskbreak prerun`
(`postrun`) in the user's terminal, **Not today** is recorded and drops that run's cool-down
too. When no terminal can be found, the notification says which command to type.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from deskbreak.daemon.children import start_child
from deskbreak.desktop.notify import DISMISSED, EXPIRED, Notification, Notifier, NotifyError
from deskbreak.desktop.terminal import deskbreak_command, terminal_argv, type_instead
from deskbreak.planner.runs import CalendarWindow, Prompt, RunsConfig, next_prompt, prompts_between
from deskbreak.store.queued import QueuedHistory
from deskbreak.store.run_prompts import PromptAnswer

log = logging.getLogger("deskbreak.daemon.run_prompts")

PROMPT_TAG = "run-prompt"
# A prompt stays up this long unless answered (the warm-up lead is usually about this).
PROMPT_TIMEOUT_SECONDS = 600
# A prompt found due this late (after a sleep) is still shown; later than this it is not.
PROMPT_GRACE = timedelta(minutes=5)
ROUTINES = {"warmup": "prerun", "cooldown": "postrun"}


def prompt_notification(
    prompt: Prompt, zone_now: datetime, terminal: list[str] | None
) -> Notification:
    """The notification of one prompt, in the run's local time."""
    start = prompt.run.start.astimezone(zone_now.tzinfo)
    routine = ROUTINES[prompt.kind]
    if prompt.kind == "warmup":
        title = f"Run at {start:%H:%M} — warm up first"
        label = "Start warm-up"
        body = "A few minutes of dynamic moves get the legs ready."
    else:
        title = "Run done? Cool down now"
        label = "Start cool-down"
        body = "A few gentle stretches while you catch your breath."
    actions: tuple[tuple[str, str], ...] = (("start", label), ("not-today", "Not today"))
    if terminal is None:  # no button that cannot work: say what to type instead
        body += "\n" + type_instead(routine)
        actions = actions[1:]
    return Notification(title, body, PROMPT_TIMEOUT_SECONDS, actions=actions, tag=PROMPT_TAG)


class RunPrompter:
    def __init__(
        self,
        history: QueuedHistory,
        runs: Callable[[], RunsConfig],
        terminal: Callable[[], str],
        notifiers: Callable[[], Sequence[Notifier]],
        windows: Callable[[], Sequence[CalendarWindow]],
        now: Callable[[], datetime],
        zone: Callable[[], ZoneInfo],
    ) -> None:
        self.history = history
        self.runs = runs
        self.terminal = terminal
        self.notifiers = notifiers
        self.windows = windows
        self.now = now
        self.zone = zone
        # Runs (by start) the user said "Not today" to: their cool-down is not offered.
        self.declined: set[datetime] = set()
        self._children: set[asyncio.Task[None]] = set()

    def next_after(self, moment: datetime) -> datetime | None:
        prompt = self._next_prompt(moment)
        return prompt.at if prompt else None

    def _next_prompt(self, moment: datetime) -> Prompt | None:
        after = moment
        while (prompt := next_prompt(self.runs(), self.windows(), self.zone(), after)) is not None:
            if prompt.run.start not in self.declined:
                return prompt
            after = prompt.at
        return None

    def due(self, now: datetime) -> Prompt | None:
        """The prompt due now (or within the grace before now), if any."""
        zone = self.zone()
        due = [
            p
            for p in prompts_between(self.runs(), self.windows(), zone, now - PROMPT_GRACE, now)
            if p.run.start not in self.declined
        ]
        return due[-1] if due else None

    async def fire(self) -> None:
        now = self.now()
        prompt = self.due(now)
        if prompt is None:
            return
        routine = ROUTINES[prompt.kind]
        argv = terminal_argv(self.terminal(), deskbreak_command(routine))
        notification = prompt_notification(prompt, now, argv)
        # A busy database never stops the prompt: the record waits in the spill journal.
        prompt_id = self.history.record_prompt(now, prompt.kind, prompt.run.start)

        async def on_answer(key: str) -> None:
            await self.answer(prompt_id, prompt, key)

        for notifier in self.notifiers():
            try:
                await notifier.send(notification, on_answer)
            except NotifyError as err:
                log.warning("%s could not show the %s prompt: %s", notifier.name, prompt.kind, err)
                continue
            log.info(
                "%s prompt for the %s run (via %s)",
                prompt.kind,
                f"{prompt.run.start:%H:%M}",
                notifier.name,
            )
            return
        log.error("no notification backend worked; the %s prompt was not shown", prompt.kind)

    async def answer(self, prompt_id: int, prompt: Prompt, key: str) -> None:
        answer: PromptAnswer
        if key == "start":
            answer = "started"
            self.open_terminal(ROUTINES[prompt.kind])
        elif key == "not-today":
            answer = "not-today"
            self.declined.add(prompt.run.start)
        elif key in (DISMISSED, EXPIRED):
            answer = "ignored"
        else:
            return
        log.info("answer to the %s prompt: %s", prompt.kind, answer)
        self.history.record_prompt_answer(prompt_id, answer, self.now())

    def open_terminal(self, routine: str) -> None:
        argv = terminal_argv(self.terminal(), deskbreak_command(routine))
        if argv is None:
            log.warning("no terminal found to run `deskbreak %s`", routine)
            return
        task = asyncio.get_running_loop().create_task(self._run(argv))
        self._children.add(task)
        task.add_done_callback(self._children.discard)

    async def _run(self, argv: list[str]) -> None:
        child = await start_child(argv, f"a terminal ({argv[0]})", log, own_session=True)
        if child is None:
            return
        log.info("opened %s", " ".join([*argv[:1], "…", *argv[-2:]]))
        await child.wait()  # reaps it; a terminal may stay open as long as the routine runs
