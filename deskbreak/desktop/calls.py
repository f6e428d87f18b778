"""Is a call going on? A microphone or camera in use, looked at once, just before a reminder.

Three signs, each optional: PipeWire capture streams (`pw-dump`: a running node of class
Stream/Input/Audio or Stream/Input/Video), PulseAudio recording streams (`pactl list short
source-outputs`, only where PipeWire did not answer: pipewire-pulse shows the same streams),
and a camera: a process with /dev/video* memory-mapped. An open /dev/video* handle alone is not
use: PipeWire keeps cameras open all the time, but maps one only while it streams.
"""

from __future__ import annotations

import contextlib
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from deskbreak.desktop.command_output import command_output
from deskbreak.proc import Runner, RunResult, make_runner

CAPTURE_CLASSES = ("Stream/Input/Audio", "Stream/Input/Video")
PACTL = ["pactl", "list", "short", "source-outputs"]
LOOK_SECONDS = 2.0


@dataclass(frozen=True)
class CallCheck:
    """What one look found: `in_call`, why (e.g. "microphone: zoom"), and which signs could be
    read at all (for `doctor`)."""

    in_call: bool
    reason: str | None
    visible: tuple[str, ...]


def capture_streams_from_pw_dump(text: str) -> list[str]:
    """Names of the running capture streams in `pw-dump` output."""
    try:
        objects: Any = json.loads(text)
    except ValueError:
        return []
    names = []
    for obj in objects if isinstance(objects, list) else []:
        info = obj.get("info") if isinstance(obj, dict) else None
        if not isinstance(info, dict):
            continue
        props = info.get("props") or {}
        if props.get("media.class") in CAPTURE_CLASSES and info.get("state") == "running":
            kind = "camera" if props["media.class"].endswith("Video") else "microphone"
            app = props.get("application.name") or props.get("node.name") or "an app"
            names.append(f"{kind}: {app}")
    return names


def recording_streams_from_pactl(text: str) -> int:
    """How many source-outputs (recording streams) `pactl list short source-outputs` lists."""
    return sum(1 for line in text.splitlines() if line.strip())


def camera_users(proc: Path = Path("/proc")) -> list[int]:
    """Pids of this user's processes that have a /dev/video* device memory-mapped."""
    pids = []
    for entry in proc.iterdir() if proc.is_dir() else ():
        if not entry.name.isdigit():
            continue
        with contextlib.suppress(OSError), (entry / "maps").open("rb") as maps:
            if any(b" /dev/video" in line for line in maps):
                pids.append(int(entry.name))
    return pids


def look_for_call(runner: Runner | None = None, proc: Path = Path("/proc")) -> CallCheck:
    """One look at every sign, blocking (for `doctor`; the daemon uses `look_for_call_async`)."""
    run = runner or make_runner(dict(os.environ), LOOK_SECONDS)
    pipewire = _answer(run(["pw-dump", "--no-colors"]))
    pulse = None if pipewire is not None else _answer(run(PACTL))
    return _verdict(pipewire, pulse, proc)


async def look_for_call_async(proc: Path = Path("/proc")) -> CallCheck:
    """The same look on the event loop: child processes awaited with a time limit, no thread
    and no blocking wait (a blocking wait with a timeout sleeps, which a faked clock breaks)."""
    pipewire = await command_output(["pw-dump", "--no-colors"], LOOK_SECONDS)
    pulse = None if pipewire is not None else await command_output(PACTL, LOOK_SECONDS)
    return _verdict(pipewire, pulse, proc)


def _verdict(pipewire: str | None, pulse: str | None, proc: Path) -> CallCheck:
    visible: list[str] = []
    if pipewire is not None:
        visible.append("pipewire")
        streams = capture_streams_from_pw_dump(pipewire)
        if streams:
            return CallCheck(True, streams[0], tuple(visible))
    elif pulse is not None:
        visible.append("pulseaudio")
        if recording_streams_from_pactl(pulse):
            return CallCheck(True, "microphone: a recording stream", tuple(visible))
    if proc.is_dir():
        visible.append("camera")
        if camera_users(proc):
            return CallCheck(True, "camera in use", tuple(visible))
    return CallCheck(False, None, tuple(visible))


def _answer(result: RunResult) -> str | None:
    return result.stdout if result.returncode == 0 else None
