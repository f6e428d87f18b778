"""Doctor checks for calendars and the call signal. Feed addresses appear only redacted."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from deskbreak.calendar.sources import SourceList, redact
from deskbreak.desktop.calls import CallCheck
from deskbreak.doctor.check import Check
from deskbreak.errors import ConfigError


def check_calendars(calendars_file: Path, libraries_found: bool) -> Check:
    try:
        sources = SourceList(calendars_file).load()
    except ConfigError as err:
        return Check("calendars", "fail", str(err), f"remove {calendars_file} and add them again")
    if not sources:
        return Check("calendars", "ok", "none added (optional: `deskbreak calendar add`)")
    if not libraries_found:
        return Check(
            "calendars",
            "fail",
            f"{len(sources)} added, but icalendar / recurring-ical-events are not installed",
            "pipx install --force 'deskbreak[calendar]'",
        )
    failing = [s for s in sources if s.error]
    never = [s for s in sources if not s.synced_at]
    names = ", ".join(f"{s.name} ({redact(s.location)})" for s in sources)
    if failing:
        first = failing[0]
        return Check(
            "calendars",
            "warn",
            f"{first.name}: last sync failed: {first.error}",
            "check the address with `deskbreak calendar list`, then `deskbreak calendar sync`",
        )
    if never:
        return Check(
            "calendars", "warn", f"{never[0].name} was never synced", "`deskbreak calendar sync`"
        )
    last = max(s.synced_at or "" for s in sources)
    return Check("calendars", "ok", f"{names}; last sync {last}")


def check_calls(look: Callable[[], CallCheck]) -> Check:
    found = look()
    if "pipewire" in found.visible or "pulseaudio" in found.visible:
        seen = ", ".join(found.visible)
        state = f"a call is on now ({found.reason})" if found.in_call else "no call now"
        return Check("calls", "ok", f"can see calls through {seen}; {state}")
    if "camera" in found.visible:
        return Check(
            "calls",
            "warn",
            "sees cameras in use but not microphones: neither pw-dump nor pactl answered",
            "install pw-dump (Debian: pipewire-bin) or pactl (pulseaudio-utils)",
        )
    return Check(
        "calls",
        "warn",
        "cannot see calls here: no pw-dump, pactl or /proc",
        "reminders are then not held during calls",
    )
