"""logind on the system bus: the session's LockedHint, and PrepareForSleep for resumes.

The session is the user's graphical one, found through `org.freedesktop.login1.User.Display`
(the `auto`/`self` object paths never emit signals), else $XDG_SESSION_ID. LockedHint changes
arrive as PropertiesChanged on that session; PrepareForSleep(false) means the machine resumed.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Mapping
from datetime import datetime

from jeepney import HeaderFields, Message

from deskbreak.desktop.dbus import PROPERTIES, Bus, BusError, Signal
from deskbreak.desktop.presence.state import PresenceState, SourceStatus

log = logging.getLogger("deskbreak.desktop.presence")

LOGIND = "org.freedesktop.login1"
MANAGER_PATH = "/org/freedesktop/login1"
MANAGER = "org.freedesktop.login1.Manager"
USER = "org.freedesktop.login1.User"
SESSION = "org.freedesktop.login1.Session"


class Logind:
    name = "logind"
    bus = "system"
    services = (LOGIND,)

    def __init__(
        self,
        state: PresenceState,
        clock: Callable[[], datetime],
        on_wake: Callable[[], None],
        env: Mapping[str, str],
    ) -> None:
        self.state, self.clock, self.on_wake, self.env = state, clock, on_wake, env
        self.session_path: str | None = None

    async def subscribe(self, bus: Bus) -> None:
        await bus.subscribe(
            Signal(MANAGER, "PrepareForSleep", MANAGER_PATH, LOGIND), self._on_sleep
        )
        # Any session's changes; `_on_properties` keeps those of ours.
        await bus.subscribe(
            Signal(PROPERTIES, "PropertiesChanged", None, LOGIND, arg0=SESSION),
            self._on_properties,
        )

    async def detect(self, bus: Bus) -> None:
        """Find the session and read LockedHint; reports itself unused when that fails."""
        try:
            if not await bus.has_owner(LOGIND):
                raise BusError("logind is not running")
            self.session_path = await self._session(bus)
            locked = await bus.get_property(LOGIND, self.session_path, SESSION, "LockedHint")
        except BusError as err:
            self.state.set_source(SourceStatus("locked", self.name, False, str(err)))
            self.state.set_source(SourceStatus("sleep", self.name, False, str(err)))
            return
        self.state.set_locked(self.name, bool(locked), self.clock())
        where = f"session {self.session_path.rsplit('/', 1)[-1]}"
        self.state.set_source(SourceStatus("locked", self.name, True, f"LockedHint of {where}"))
        self.state.set_source(SourceStatus("sleep", self.name, True, "PrepareForSleep"))

    async def _session(self, bus: Bus) -> str:
        (user_path,) = await bus.call(LOGIND, MANAGER_PATH, MANAGER, "GetUser", "u", (os.getuid(),))
        _session_id, session_path = await bus.get_property(LOGIND, user_path, USER, "Display")
        if session_path and session_path != "/":
            return str(session_path)
        session_id = self.env.get("XDG_SESSION_ID")
        if not session_id:
            raise BusError("logind knows no graphical session for this user")
        (path,) = await bus.call(LOGIND, MANAGER_PATH, MANAGER, "GetSession", "s", (session_id,))
        return str(path)

    def _on_properties(self, message: Message) -> None:
        if message.header.fields.get(HeaderFields.path) != self.session_path:
            return
        _interface, changed, _invalidated = message.body
        if "LockedHint" in changed:
            locked = bool(changed["LockedHint"][1])
            log.info("the session is %s", "locked" if locked else "unlocked")
            self.state.set_locked(self.name, locked, self.clock())

    def _on_sleep(self, message: Message) -> None:
        (going_down,) = message.body
        if not going_down:
            log.info("the machine woke from sleep")
            self.on_wake()
