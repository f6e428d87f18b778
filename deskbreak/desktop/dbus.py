"""One in-process D-Bus connection per bus (session, system), on the daemon's asyncio loop.

Built on jeepney (pure Python; see the README's design notes for why not dbus-fast). A `Bus`
reads its socket in one task that sleeps until a message arrives, so an idle desktop costs no
wake-ups. Method calls wait for their reply with a timeout; signals reach callbacks registered
with `subscribe`, which also asks the bus daemon to route them here (AddMatch). When the bus
goes away, `closed` is set and pending calls fail with `BusError`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from itertools import count
from typing import Any

from jeepney import DBusAddress, HeaderFields, MatchRule, Message, MessageType, Parser
from jeepney.auth import BEGIN, Authenticator
from jeepney.bus import get_connectable_addresses
from jeepney.wrappers import new_method_call

from deskbreak.desktop.notify import session_bus_address

log = logging.getLogger("deskbreak.desktop.dbus")

BUS_NAME = "org.freedesktop.DBus"
BUS_PATH = "/org/freedesktop/DBus"
PROPERTIES = "org.freedesktop.DBus.Properties"
CALL_TIMEOUT_SECONDS = 5.0
SYSTEM_BUS_DEFAULT = "unix:path=/run/dbus/system_bus_socket"

SignalCallback = Callable[[Message], None]


class BusError(Exception):
    """A call failed: no connection, an error reply (its D-Bus name in `name`), or a timeout."""

    def __init__(self, message: str, name: str | None = None) -> None:
        super().__init__(message)
        self.name = name


@dataclass(frozen=True)
class Signal:
    """Which signals a subscription wants. `sender` goes to the bus daemon only: signals carry
    the sender's unique name, which the bus daemon resolves from a well-known one for us."""

    interface: str
    member: str | None = None
    path: str | None = None
    sender: str | None = None
    arg0: str | None = None

    def rule(self, for_bus: bool) -> MatchRule:
        rule = MatchRule(
            type="signal",
            interface=self.interface,
            member=self.member,
            path=self.path,
            sender=self.sender if for_bus else None,
        )
        if self.arg0 is not None:
            rule.add_arg_condition(0, self.arg0)
        return rule


def system_bus_address(env: Mapping[str, str]) -> str:
    return env.get("DBUS_SYSTEM_BUS_ADDRESS") or SYSTEM_BUS_DEFAULT


class Bus:
    """A client connection: `call`, `get_property`, `subscribe`, `close`."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._reader, self._writer = reader, writer
        self._serials = count(start=1)
        self._replies: dict[int, asyncio.Future[Message]] = {}
        self._subscriptions: list[tuple[MatchRule, SignalCallback]] = []
        self.closed = asyncio.Event()
        self.unique_name = ""
        self._receiver = asyncio.create_task(self._receive())

    @classmethod
    async def connect(cls, address: str, timeout: float = CALL_TIMEOUT_SECONDS) -> Bus:
        """Connect and authenticate to the bus at a D-Bus address (`unix:path=...`)."""
        try:
            path = next(get_connectable_addresses(address))
            return await asyncio.wait_for(cls._open(path), timeout)
        except (OSError, EOFError, RuntimeError, ValueError, TimeoutError) as err:
            why = err or "timed out"
            raise BusError(f"cannot connect to the bus at {address}: {why}") from None

    @classmethod
    async def _open(cls, path: str) -> Bus:
        reader, writer = await asyncio.open_unix_connection(path)
        auth = Authenticator()
        for request in auth:
            writer.write(request)
            await writer.drain()
            data = await reader.read(1024)
            if not data:
                raise EOFError("the bus closed the connection during authentication")
            auth.feed(data)
        writer.write(BEGIN)
        bus = cls(reader, writer)
        try:
            (bus.unique_name,) = await bus.call(BUS_NAME, BUS_PATH, BUS_NAME, "Hello")
        except BusError:
            await bus.close()
            raise
        return bus

    # -- receiving -------------------------------------------------------------------------

    async def _receive(self) -> None:
        parser = Parser()
        try:
            while True:
                data = await self._reader.read(65536)
                if not data:
                    break
                parser.add_data(data)
                while (message := parser.get_next_message()) is not None:
                    self._dispatch(message)
        except (OSError, ValueError) as err:
            log.info("D-Bus connection lost: %s", err)
        finally:
            self.closed.set()
            for future in self._replies.values():
                if not future.done():
                    future.set_exception(BusError("the D-Bus connection closed"))
            self._replies.clear()

    def _dispatch(self, message: Message) -> None:
        kind = message.header.message_type
        if kind in (MessageType.method_return, MessageType.error):
            serial = message.header.fields.get(HeaderFields.reply_serial)
            future = self._replies.pop(serial, None)
            if future is not None and not future.done():
                future.set_result(message)
            return
        if kind is not MessageType.signal:
            return
        for rule, callback in list(self._subscriptions):
            if rule.matches(message):
                try:
                    callback(message)
                except Exception:  # a broken handler must not stop the bus for the others
                    log.exception("error handling the D-Bus signal %s", _member(message))

    # -- calling ---------------------------------------------------------------------------

    async def call(
        self,
        destination: str,
        path: str,
        interface: str,
        member: str,
        signature: str | None = None,
        body: tuple[Any, ...] = (),
        timeout: float = CALL_TIMEOUT_SECONDS,
    ) -> tuple[Any, ...]:
        """Call a method and return its reply's body; raises BusError."""
        if self.closed.is_set():
            raise BusError("the D-Bus connection is closed")
        address = DBusAddress(path, bus_name=destination, interface=interface)
        message = new_method_call(address, member, signature, body)
        serial = next(self._serials)
        future: asyncio.Future[Message] = asyncio.get_running_loop().create_future()
        self._replies[serial] = future
        try:
            self._writer.write(message.serialise(serial))
            reply = await asyncio.wait_for(future, timeout)
        except TimeoutError:
            raise BusError(f"{destination} did not answer {member} in {timeout:g} s") from None
        except OSError as err:
            raise BusError(f"cannot send {member}: {err}") from None
        finally:
            self._replies.pop(serial, None)
        if reply.header.message_type is MessageType.error:
            name = reply.header.fields.get(HeaderFields.error_name)
            text = reply.body[0] if reply.body and isinstance(reply.body[0], str) else ""
            raise BusError(f"{member}: {name}: {text}".rstrip(": "), name=name)
        return tuple(reply.body)

    async def get_property(self, destination: str, path: str, interface: str, name: str) -> Any:
        """One property's value (the variant unwrapped)."""
        (variant,) = await self.call(destination, path, PROPERTIES, "Get", "ss", (interface, name))
        return variant[1]

    async def has_owner(self, name: str) -> bool:
        """Whether a service owns `name` now (never D-Bus-activates one)."""
        (owned,) = await self.call(BUS_NAME, BUS_PATH, BUS_NAME, "NameHasOwner", "s", (name,))
        return bool(owned)

    async def subscribe(self, signal: Signal, callback: SignalCallback) -> None:
        """Route matching signals to `callback` from now on."""
        self._subscriptions.append((signal.rule(for_bus=False), callback))
        rule = signal.rule(for_bus=True).serialise()
        await self.call(BUS_NAME, BUS_PATH, BUS_NAME, "AddMatch", "s", (rule,))

    async def watch_name(self, name: str, callback: Callable[[str, str], None]) -> None:
        """callback(old_owner, new_owner) whenever `name` changes hands ("" = nobody)."""

        def on_change(message: Message) -> None:
            _, old, new = message.body
            callback(old, new)

        await self.subscribe(
            Signal(BUS_NAME, "NameOwnerChanged", BUS_PATH, BUS_NAME, arg0=name), on_change
        )

    async def close(self) -> None:
        self._receiver.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._receiver
        self._writer.close()
        with contextlib.suppress(OSError):
            await self._writer.wait_closed()


def _member(message: Message) -> str:
    return str(message.header.fields.get(HeaderFields.member, "?"))


class Buses:
    """The daemon's connections, opened on first use and again after one was lost.

    Every desktop component shares these, so deskbreak holds at most one connection per bus.
    """

    def __init__(self, env: Mapping[str, str]) -> None:
        self.env = env
        self._open: dict[str, Bus] = {}
        self._locks: dict[str, asyncio.Lock] = {}

    def address(self, which: str) -> str | None:
        if which == "system":
            return system_bus_address(self.env)
        return session_bus_address(self.env)

    def current(self, which: str) -> Bus | None:
        bus = self._open.get(which)
        return bus if bus is not None and not bus.closed.is_set() else None

    async def get(self, which: str) -> Bus:
        """The live connection to the "session" or "system" bus; raises BusError."""
        lock = self._locks.setdefault(which, asyncio.Lock())
        async with lock:
            bus = self.current(which)
            if bus is not None:
                return bus
            address = self.address(which)
            if address is None:
                raise BusError("no D-Bus session bus (DBUS_SESSION_BUS_ADDRESS is unset)")
            bus = await Bus.connect(address)
            self._open[which] = bus
            return bus

    async def close(self) -> None:
        for bus in self._open.values():
            await bus.close()
        self._open.clear()
