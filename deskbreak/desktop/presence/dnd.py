"""Do not disturb, asked of whoever shows the notifications (its GetServerInformation name),
not guessed from the desktop:

- dunst: property `paused` of org.dunstproject.cmd0 (PropertiesChanged on change)
- KDE Plasma: property `Inhibited` of org.freedesktop.Notifications (PropertiesChanged)
- XFCE (xfce4-notifyd): xfconf `/do-not-disturb` of channel xfce4-notifyd (PropertyChanged)
- GNOME Shell: gsettings `org.gnome.desktop.notifications show-banners` (false = DND), read
  just before a reminder
- mako: `makoctl mode` lists a `do-not-disturb` mode, read just before a reminder
"""

from __future__ import annotations

import logging
import shutil

from jeepney import Message

from deskbreak.desktop.command_output import command_output
from deskbreak.desktop.dbus import PROPERTIES, Bus, BusError, Signal
from deskbreak.desktop.presence.state import PresenceState, SourceStatus

log = logging.getLogger("deskbreak.desktop.presence")

SERVER = "org.freedesktop.Notifications"
SERVER_PATH = "/org/freedesktop/Notifications"
DUNST = "org.dunstproject.cmd0"
XFCONF = "org.xfce.Xfconf"
XFCONF_PATH = "/org/xfce/Xfconf"
COMMAND_SECONDS = 2.0


async def run_command(command: list[str]) -> str | None:
    """A short command's stdout, or None if it is missing, fails or takes too long."""
    if shutil.which(command[0]) is None:
        return None
    return await command_output(command, COMMAND_SECONDS)


def kind_of_server(name: str) -> str | None:
    """Which DND reader fits the server named `name` (GetServerInformation), if any."""
    lowered = name.lower()
    for key, kind in (
        ("dunst", "dunst"),
        ("plasma", "kde"),
        ("kde", "kde"),
        ("xfce", "xfce"),
        ("gnome", "gnome"),
        ("mako", "mako"),
    ):
        if key in lowered:
            return kind
    return None


class DoNotDisturb:
    name = "dnd"
    bus = "session"
    services = (SERVER,)

    def __init__(self, state: PresenceState) -> None:
        self.state = state
        self.kind: str | None = None
        self._bus: Bus | None = None

    async def subscribe(self, bus: Bus) -> None:
        await bus.subscribe(
            Signal(PROPERTIES, "PropertiesChanged", SERVER_PATH, SERVER), self._on_properties
        )
        await bus.subscribe(Signal(XFCONF, "PropertyChanged", XFCONF_PATH, XFCONF), self._on_xfconf)

    async def detect(self, bus: Bus) -> None:
        self._bus = bus
        try:
            if not await bus.has_owner(SERVER):
                raise BusError("no notification server on the session bus")
            name, *_ = await bus.call(SERVER, SERVER_PATH, SERVER, "GetServerInformation")
        except BusError as err:
            self.kind = None
            self.state.set_dnd(None)
            self.state.set_source(SourceStatus("dnd", self.name, False, str(err)))
            return
        self.kind = kind_of_server(str(name))
        if self.kind is None:
            detail = f"{name}: no known do-not-disturb setting"
        else:
            detail = f"{name} ({self.kind})"
        self.state.set_source(SourceStatus("dnd", self.name, self.kind is not None, detail))
        await self.refresh()

    async def refresh(self) -> bool | None:
        """Read the server's setting now (just before a reminder, or while one is held)."""
        if self.kind is None:  # no server we can ask: leave the fact as it is (unknown)
            return None
        try:
            on = await self._read()
        except BusError as err:
            log.debug("do-not-disturb unreadable: %s", err)
            on = None
        self.state.set_dnd(on)
        return on

    async def _read(self) -> bool | None:
        bus = self._bus
        if bus is None or self.kind is None:
            return None
        if self.kind == "dunst":
            return bool(await bus.get_property(SERVER, SERVER_PATH, DUNST, "paused"))
        if self.kind == "kde":
            return bool(await bus.get_property(SERVER, SERVER_PATH, SERVER, "Inhibited"))
        if self.kind == "xfce":
            (value,) = await bus.call(
                XFCONF, XFCONF_PATH, XFCONF, "GetProperty", "ss",
                ("xfce4-notifyd", "/do-not-disturb"),
            )  # fmt: skip
            return bool(value[1])
        if self.kind == "gnome":
            out = await run_command(
                ["gsettings", "get", "org.gnome.desktop.notifications", "show-banners"]
            )
            return None if out is None else out.strip() == "false"
        if self.kind == "mako":
            out = await run_command(["makoctl", "mode"])
            return None if out is None else "do-not-disturb" in out.split()
        return None

    def _on_properties(self, message: Message) -> None:
        interface, changed, _ = message.body
        key = {"dunst": (DUNST, "paused"), "kde": (SERVER, "Inhibited")}.get(self.kind or "")
        if key is not None and interface == key[0] and key[1] in changed:
            on = bool(changed[key[1]][1])
            log.info("do not disturb is %s", "on" if on else "off")
            self.state.set_dnd(on)

    def _on_xfconf(self, message: Message) -> None:
        channel, prop, value = message.body
        if self.kind == "xfce" and (channel, prop) == ("xfce4-notifyd", "/do-not-disturb"):
            self.state.set_dnd(bool(value[1]))
