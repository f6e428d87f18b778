"""A private D-Bus daemon and small services on it that implement documented interfaces.

CI has no logind, GNOME Shell or KDE: these fakes answer the same method calls and emit the
same signals as the real services do according to their documentation (logind's D-Bus API,
org.gnome.Mutter.IdleMonitor, org.freedesktop.ScreenSaver, the Desktop Notifications spec),
so the code under test talks real D-Bus to something that behaves like them.
"""

from __future__ import annotations

import asyncio
import contextlib
import shutil
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from jeepney import DBusAddress, HeaderFields, MessageType, new_error, new_method_return
from jeepney.bus_messages import message_bus
from jeepney.io.asyncio import DBusConnection, open_dbus_connection
from jeepney.wrappers import new_signal

CONFIG = """<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-BUS Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:path={socket}</listen>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
"""

# (interface, member) -> handler(body) -> (signature, reply body)
Handler = Callable[[tuple[Any, ...]], tuple[str, tuple[Any, ...]]]


@contextlib.contextmanager
def private_bus(root: Path) -> Iterator[str]:
    """A bus daemon of our own (no service files: nothing is ever D-Bus-activated)."""
    if shutil.which("dbus-daemon") is None:
        pytest.skip("dbus-daemon is not installed")
    socket = root / "bus"
    config = root / "bus.conf"
    config.write_text(CONFIG.format(socket=socket), encoding="utf-8")
    proc = subprocess.Popen(
        ["dbus-daemon", "--nofork", "--nopidfile", f"--config-file={config}", "--print-address"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    assert proc.stdout is not None
    address = proc.stdout.readline().strip()
    try:
        yield address
    finally:
        proc.terminate()
        proc.wait(timeout=10)


class FakeService:
    """One bus name with methods, properties, and signals it can emit."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.methods: dict[tuple[str, str], Handler] = {}
        self.properties: dict[tuple[str, str, str], tuple[str, Any]] = {}  # (path, iface, name)
        self.calls: list[tuple[str, str, tuple[Any, ...]]] = []
        self.conn: DBusConnection | None = None
        self._task: asyncio.Task[None] | None = None

    async def start(self, address: str) -> FakeService:
        self.conn = await open_dbus_connection(address)
        serial = 1000
        await self.conn.send(message_bus.RequestName(self.name), serial=serial)
        self._task = asyncio.ensure_future(self._serve())
        return self

    async def _serve(self) -> None:
        assert self.conn is not None
        while True:
            msg = await self.conn.receive()
            if msg.header.message_type is not MessageType.method_call:
                continue
            fields = msg.header.fields
            iface, member = fields.get(HeaderFields.interface), fields[HeaderFields.member]
            path = fields[HeaderFields.path]
            self.calls.append((str(iface), str(member), tuple(msg.body)))
            if (iface, member) == ("org.freedesktop.DBus.Properties", "Get"):
                found = self.properties.get((path, msg.body[0], msg.body[1]))
                if found is None:
                    reply = new_error(msg, "org.freedesktop.DBus.Error.UnknownProperty")
                else:
                    reply = new_method_return(msg, "v", (found,))
            elif (iface, member) in self.methods:
                signature, body = self.methods[(iface, member)](tuple(msg.body))
                reply = new_method_return(msg, signature, body)
            else:
                reply = new_error(msg, "org.freedesktop.DBus.Error.UnknownMethod")
            await self.conn.send(reply)

    async def emit(
        self, path: str, interface: str, member: str, signature: str, body: tuple[Any, ...]
    ) -> None:
        assert self.conn is not None
        await self.conn.send(
            new_signal(DBusAddress(path, interface=interface), member, signature, body)
        )

    def called(self, member: str) -> list[tuple[Any, ...]]:
        return [body for _, m, body in self.calls if m == member]

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        if self.conn is not None:
            await self.conn.close()


async def eventually(probe: Callable[[], object], timeout: float = 5.0) -> None:
    """Let the loop run until `probe()` is truthy; fails the test after `timeout` seconds."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not probe():
        if loop.time() > deadline:
            pytest.fail("timed out waiting for the bus")
        await asyncio.sleep(0.01)


def logind(uid: int, locked: bool = False) -> FakeService:
    """org.freedesktop.login1 with one user whose Display is session c1."""
    service = FakeService("org.freedesktop.login1")
    user = f"/org/freedesktop/login1/user/_{uid}"
    session = "/org/freedesktop/login1/session/c1"
    service.methods[("org.freedesktop.login1.Manager", "GetUser")] = lambda body: ("o", (user,))
    service.properties[(user, "org.freedesktop.login1.User", "Display")] = (
        "(so)",
        ("c1", session),
    )
    service.properties[(session, "org.freedesktop.login1.Session", "LockedHint")] = ("b", locked)
    return service


async def set_locked_hint(service: FakeService, locked: bool) -> None:
    session = "/org/freedesktop/login1/session/c1"
    service.properties[(session, "org.freedesktop.login1.Session", "LockedHint")] = ("b", locked)
    await service.emit(
        session,
        "org.freedesktop.DBus.Properties",
        "PropertiesChanged",
        "sa{sv}as",
        ("org.freedesktop.login1.Session", {"LockedHint": ("b", locked)}, []),
    )
