"""A short look through a command: a missing, failing or slow tool means "cannot tell"."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Awaitable
from typing import Any

import pytest

from deskbreak.desktop.command_output import command_output


def test_a_command_that_answers_gives_its_output() -> None:
    out = asyncio.run(command_output([sys.executable, "-c", "print('hi')"], 10))
    assert out == "hi\n"


def test_a_missing_or_failing_command_gives_none() -> None:
    assert asyncio.run(command_output(["/nonexistent/tool"], 10)) is None
    assert asyncio.run(command_output([sys.executable, "-c", "raise SystemExit(3)"], 10)) is None


def test_a_child_that_ends_just_as_its_time_runs_out_gives_none_without_an_error(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The deadline passes, and the child exits before it is killed: nothing to kill, no error."""

    async def finish_then_time_out(awaitable: Awaitable[Any], timeout: float) -> Any:
        await awaitable  # the child has ended and been reaped
        raise TimeoutError

    monkeypatch.setattr(asyncio, "wait_for", finish_then_time_out)
    assert asyncio.run(command_output([sys.executable, "-c", "pass"], 0.5)) is None
