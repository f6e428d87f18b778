"""The dbus backend against a notification server on a private bus that implements the
Desktop Notifications Specification 1.2 but, like GNOME Shell, never expires a notification by
itself; and against a bus with no server at all."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
from bus_fakes import FakeService, eventually, private_bus

from deskbreak.desktop.dbus import Buses
from deskbreak.desktop.notify import EXPIRED, REMINDER_ACTIONS, Notification, NotifyError
from deskbreak.desktop.notify_dbus import DbusNotifier

IFACE = "org.freedesktop.Notifications"
PATH = "/org/freedesktop/Notifications"


def resident_server(capabilities: list[str]) -> FakeService:
    service = FakeService(IFACE)
    ids = iter(range(1, 100))
    service.methods[(IFACE, "GetCapabilities")] = lambda body: ("as", (capabilities,))
    service.methods[(IFACE, "GetServerInformation")] = lambda body: (
        "ssss",
        ("gnome-shell", "GNOME", "46", "1.2"),
    )
    service.methods[(IFACE, "Notify")] = lambda body: ("u", (body[1] or next(ids),))
    service.methods[(IFACE, "CloseNotification")] = lambda body: ("", ())
    return service


def notifier_on(address: str) -> DbusNotifier:
    env = {"DBUS_SESSION_BUS_ADDRESS": address}
    return DbusNotifier(Buses(env), env, platform="linux")


def test_the_daemon_closes_a_reminder_the_server_keeps_and_counts_it_unanswered(
    tmp_path: Path,
) -> None:
    async def scenario(address: str) -> None:
        server = await resident_server(["body", "actions"]).start(address)
        notifier = notifier_on(address)
        answers: list[str] = []

        async def on_answer(outcome: str) -> None:
            answers.append(outcome)

        note = Notification("Chin tucks", "10 reps", 1, REMINDER_ACTIONS)
        await notifier.send(note, on_answer)
        (call,) = server.called("Notify")
        app, replaces, _icon, title, _body, actions, hints, timeout = call
        assert (app, replaces, title, timeout) == ("deskbreak", 0, "Chin tucks", 1000)
        assert actions == ["done", "Done", "snooze", "Snooze", "skip", "Skip"]
        assert hints["desktop-entry"] == ("s", "deskbreak")
        await eventually(lambda: answers)
        assert answers == [EXPIRED]
        await eventually(lambda: server.called("CloseNotification"))
        assert server.called("CloseNotification") == [(1,)]
        await notifier.buses.close()
        await server.stop()

    with private_bus(tmp_path) as address:
        asyncio.run(scenario(address))


def test_a_server_without_actions_gets_no_buttons_and_its_silence_is_no_answer(
    tmp_path: Path,
) -> None:
    async def scenario(address: str) -> None:
        server = await resident_server(["body"]).start(address)
        notifier = notifier_on(address)
        answers: list[str] = []

        async def on_answer(outcome: str) -> None:
            answers.append(outcome)

        await notifier.send(Notification("Walk", "2 min", 1, REMINDER_ACTIONS), on_answer)
        assert server.called("Notify")[0][5] == []
        await eventually(lambda: server.called("CloseNotification"))
        await asyncio.sleep(0.05)
        assert answers == []
        await notifier.buses.close()
        await server.stop()

    with private_bus(tmp_path) as address:
        asyncio.run(scenario(address))


def test_withdraw_closes_the_notification_and_no_answer_follows(tmp_path: Path) -> None:
    async def scenario(address: str) -> None:
        server = await resident_server(["actions"]).start(address)
        notifier = notifier_on(address)
        answers: list[Any] = []

        async def on_answer(outcome: str) -> None:
            answers.append(outcome)

        handle = await notifier.send(Notification("Walk", "", 0, REMINDER_ACTIONS), on_answer)
        await notifier.withdraw(handle)
        assert server.called("CloseNotification") == [(1,)]
        await server.emit(PATH, IFACE, "NotificationClosed", "uu", (1, 3))
        await asyncio.sleep(0.05)
        assert answers == []
        await notifier.buses.close()
        await server.stop()

    with private_bus(tmp_path) as address:
        asyncio.run(scenario(address))


def test_a_bus_without_a_notification_server_is_a_notify_error_naming_it(
    tmp_path: Path,
) -> None:
    async def scenario(address: str) -> None:
        notifier = notifier_on(address)

        async def on_answer(outcome: str) -> None:
            raise AssertionError("no answer expected")

        with pytest.raises(NotifyError, match="no notification server on the session bus"):
            await notifier.send(Notification("Walk", "", 5), on_answer)
        await notifier.buses.close()

    with private_bus(tmp_path) as address:
        asyncio.run(scenario(address))
