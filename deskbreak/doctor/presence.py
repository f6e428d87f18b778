"""The doctor's presence check: which source tells idle, locked, do not disturb, fullscreen
and sleep here, and why the others cannot."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping, Sequence

from deskbreak.desktop.presence.state import KINDS, SourceStatus
from deskbreak.doctor.check import Check

Detect = Callable[[Mapping[str, str]], Sequence[SourceStatus]]


def detect(env: Mapping[str, str]) -> Sequence[SourceStatus]:
    from deskbreak.desktop.presence.monitor import detect_sources

    return asyncio.run(detect_sources(env))


def check_presence(env: Mapping[str, str], detect: Detect = detect) -> Check:
    sources = detect(env)
    parts, missing = [], []
    for kind in KINDS:
        used = [s.name for s in sources if s.kind == kind and s.used]
        if used:
            parts.append(f"{kind}: {', '.join(used)}")
        else:
            why = "; ".join(f"{s.name}: {s.detail}" for s in sources if s.kind == kind)
            missing.append(f"{kind} unknown ({why or 'no source'})")
    if not missing:
        return Check("presence", "ok", "; ".join(parts))
    detail = "; ".join(parts + missing)
    if not parts:
        return Check(
            "presence",
            "warn",
            f"nothing tells whether you are there, so reminders come on the clock: {detail}",
            "run inside your desktop session (DISPLAY, DBUS_SESSION_BUS_ADDRESS)",
        )
    return Check("presence", "ok", detail)
