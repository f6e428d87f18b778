"""Between the reminder job and the notification: is the person there to see it?

At each slot the gate refreshes what the presence sources say, adds whether a synced calendar
meeting is under way, asks the planner (`planner.presence.decide`) and does what it says:
send, record the slot as `away`, or hold the reminder (a `held` event, which `stats` counts
as deferred). A held reminder is looked at again whenever a source reports a change, at the
daemon's heartbeat (so it goes out within a minute of do-not-disturb, fullscreen or a call
ending) and at the end of the meeting that holds it; if the next slot comes first, or a
meeting outlasts it from the start, it is recorded `missed`.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Awaitable, Callable, Coroutine, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from deskbreak.desktop.presence.monitor import PresenceMonitor
from deskbreak.desktop.tasks import TaskSet
from deskbreak.library.moves import Move
from deskbreak.planner import presence
from deskbreak.planner.holds import busy_until
from deskbreak.planner.runs import CalendarWindow

if TYPE_CHECKING:
    from deskbreak.config import Config
    from deskbreak.desktop.calls import CallCheck
    from deskbreak.desktop.dbus import Buses
    from deskbreak.store.queued import QueuedHistory

log = logging.getLogger("deskbreak.daemon.presence")


@dataclass(frozen=True)
class Held:
    slot: datetime
    move: Move
    reason: str
    until: datetime | None = None  # a meeting's end; None while the other reasons last


Send = Callable[[datetime, Move], Awaitable[object]]


class PresenceGate:
    def __init__(
        self,
        buses: Buses,
        env: dict[str, str],
        clock: Callable[[], datetime],
        history: QueuedHistory,
        config: Callable[[], Config],
        next_slot: Callable[[datetime], datetime | None],
        send: Send,
        on_wake: Callable[[], None],
        on_held: Callable[[], None] = lambda: None,
        windows: Callable[[], Sequence[CalendarWindow]] = lambda: (),
        wake_at: Callable[[datetime], None] = lambda _: None,
        paused: Callable[[datetime], bool] = lambda _: False,
    ) -> None:
        # on_held: the held reminder changed; the daemon saves it for `deskbreak schedule`.
        # windows: the synced calendar windows; wake_at: look at the held reminder then
        # (a meeting's end); paused: a pause drops a held reminder instead of showing it.
        self.history, self.config, self.next_slot, self.send = history, config, next_slot, send
        self.windows, self.wake_at, self.paused = windows, wake_at, paused
        self.clock = clock
        self.on_held = on_held
        self._held: Held | None = None
        self.monitor = PresenceMonitor(
            buses,
            env,
            clock,
            config().presence.natural_break or presence.PresencePolicy().natural_break,
            on_change=self._changed,
            on_wake=on_wake,
        )
        self._tasks = TaskSet(log, "presence handling failed")
        self.look_for_call: Callable[[], Awaitable[CallCheck]] = _look_for_call
        self._releasing = False
        self._started = False

    @property
    def held(self) -> Held | None:
        return self._held

    @held.setter
    def held(self, held: Held | None) -> None:
        changed = held != self._held
        self._held = held
        if changed:
            self.on_held()

    @property
    def policy(self) -> presence.PresencePolicy:
        return self.config().presence

    def reconfigure(self) -> None:
        """After a reload: idle sources that watch for `natural_break` watch the new length."""
        length = self.policy.natural_break or presence.PresencePolicy().natural_break
        if length != self.monitor.natural_break and self._started:
            self.spawn(self.monitor.set_natural_break(length))

    async def start(self) -> None:
        self._started = True
        await self.monitor.start()
        for source in self.monitor.sources():
            state = "used" if source.used else "not used"
            log.info("presence %s: %s %s (%s)", source.kind, source.name, state, source.detail)

    async def at_slot(self, slot: datetime, previous_slot: datetime | None, move: Move) -> str:
        """Decide about the reminder due at `slot`; returns "send", "away" or "hold"."""
        self.drop_held("the next reminder came first")
        await self.monitor.refresh()
        now = self.clock()
        facts = await self.facts()
        verdict = presence.decide(facts, self.policy, previous_slot, now, self.next_slot(slot))
        if verdict.decision == "send":
            return "send"
        if verdict.decision == "away":
            self.record(slot, move, "away", verdict.reason)
            return "away"
        self.history.record_event("held", now, f"{slot.isoformat()} {verdict.reason}")
        log.info("the %s reminder is held: %s", f"{slot:%H:%M}", verdict.reason)
        if verdict.decision == "missed":  # held, and it can never be shown
            self.record(slot, move, "missed", verdict.reason)
            return "missed"
        until = facts.meeting_until if verdict.reason.startswith("in a meeting") else None
        self.held = Held(slot, move, verdict.reason, until)
        if until is not None:
            self.wake_at(until)
        return "hold"

    def record(self, slot: datetime, move: Move, answer: str, reason: str) -> None:
        reminder_id = self.history.record_reminder(slot, move.id, move.area, "none")
        self.history.record_answer(reminder_id, answer, self.clock())  # type: ignore[arg-type]
        log.info("the %s reminder was not sent: %s (%s)", f"{slot:%H:%M}", answer, reason)

    def drop_held(self, why: str) -> None:
        held, self.held = self.held, None
        if held is not None:
            self.record(held.slot, held.move, "missed", why)

    def _changed(self) -> None:
        if self.held is not None and not self._releasing:
            self.spawn(self.check_held())

    def spawn(self, work: Coroutine[Any, Any, None]) -> None:
        """Run `work` on the loop; a failure is logged, never lost."""
        self._tasks.spawn(work)

    async def tick(self) -> None:
        """At the heartbeat: a look at a held reminder (nothing at all while none is held, so
        an idle desktop costs no extra wake-ups)."""
        if self.held is not None:
            await self.monitor.refresh()
            await self.check_held()

    async def check_held(self) -> None:
        held = self.held
        if held is None or self._releasing:
            return
        now = self.clock()
        facts = await self.facts()
        what = presence.release(facts, self.policy, self.next_slot(held.slot), now)
        if what == "keep":
            return
        self.held = None
        if what == "show" and self.paused(now):
            self.record(held.slot, held.move, "missed", "paused while it was held")
        elif what == "show":
            if held.until is not None and now >= held.until:
                log.info("the meeting is over: sending the %s reminder", f"{held.slot:%H:%M}")
            else:
                log.info("sending the held %s reminder", f"{held.slot:%H:%M}")
            self._releasing = True
            try:
                await self.send(held.slot, held.move)
            finally:
                self._releasing = False
        else:
            self.record(held.slot, held.move, what, "while it was held")

    async def facts(self) -> presence.PresenceFacts:
        """What the sources say, whether a meeting is under way, plus one look for a call when
        calls are respected (there is no signal for a call: this look happens only at a slot
        and while a reminder is held)."""
        now = self.clock()
        meeting_end = busy_until(self.windows(), now)
        facts = dataclasses.replace(
            self.monitor.state.facts(),
            meeting_until=None if meeting_end is None else meeting_end.astimezone(now.tzinfo),
        )
        if not self.policy.respect_calls:
            return facts
        try:
            found = await self.look_for_call()
        except Exception:
            log.exception("could not look for a call")
            return facts
        if found.in_call:
            log.info("a call is on: %s", found.reason)
        return dataclasses.replace(facts, in_call=found.in_call if found.visible else None)

    def describe_held(self) -> tuple[datetime, str] | None:
        return None if self.held is None else (self.held.slot, self.held.reason)

    async def close(self) -> None:
        self._tasks.cancel()
        await self.monitor.close()


async def _look_for_call() -> CallCheck:
    # Loaded at the first look: a daemon that does not respect calls never needs it.
    from deskbreak.desktop.calls import look_for_call_async

    return await look_for_call_async()
