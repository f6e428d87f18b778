"""One result of `deskbreak doctor`: a named ok/warn/fail with a one-line fix."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Status = Literal["ok", "warn", "fail"]


@dataclass(frozen=True)
class Check:
    name: str
    status: Status
    detail: str
    fix: str | None = None


def last_line(text: str, default: str) -> str:
    """The last non-empty line of a tool's output, for a one-line detail."""
    lines = [line for line in text.strip().splitlines() if line.strip()]
    return lines[-1].strip() if lines else default
