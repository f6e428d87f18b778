"""The call signal against a real, headless PipeWire: a private D-Bus session and runtime dir,
pipewire + wireplumber, a virtual microphone, and `pw-record` capturing from it as the "call".

Skips when pipewire, wireplumber, pw-record or dbus-run-session is missing, unless
DESKBREAK_E2E=1 (then that is a failure).
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from deskbreak.desktop.calls import look_for_call, look_for_call_async

STRICT = os.environ.get("DESKBREAK_E2E") == "1"
TOOLS = ("pipewire", "wireplumber", "pw-record", "pw-cli", "pw-dump", "dbus-run-session")
MIC = (
    "{ factory.name=support.null-audio-sink media.class=Audio/Source/Virtual "
    "node.name=deskbreak-test-mic object.linger=true audio.position=[FL FR] }"
)


def _poll(what: str, check: object, timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():  # type: ignore[operator]
            return
        time.sleep(0.1)
    pytest.fail(f"timed out waiting for {what}")


@pytest.fixture
def pipewire(tmp_path: Path) -> Iterator[dict[str, str]]:
    missing = [t for t in TOOLS if shutil.which(t) is None]
    if missing:
        if STRICT:
            pytest.fail(f"{', '.join(missing)} missing and DESKBREAK_E2E=1")
        pytest.skip(f"{', '.join(missing)} not installed")
    runtime = tmp_path / "rt"
    runtime.mkdir(mode=0o700)
    env = {**os.environ, "XDG_RUNTIME_DIR": str(runtime), "PIPEWIRE_RUNTIME_DIR": str(runtime)}
    env.pop("PULSE_SERVER", None)
    # One session bus for both daemons (wireplumber needs one); it ends with the shell.
    script = "pipewire & sleep 0.5; wireplumber & wait"
    session = subprocess.Popen(
        ["dbus-run-session", "--", "sh", "-c", script],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        _poll("pipewire's socket", lambda: (runtime / "pipewire-0").exists())

        def mic_created() -> bool:
            subprocess.run(
                ["pw-cli", "create-node", "adapter", MIC], env=env, capture_output=True, timeout=5
            )
            dump = subprocess.run(["pw-dump"], env=env, capture_output=True, text=True, timeout=5)
            return "deskbreak-test-mic" in dump.stdout

        _poll("the virtual microphone", mic_created)
        yield env
    finally:
        os.killpg(session.pid, 15)
        session.wait(timeout=10)


def test_a_pw_record_capture_is_seen_as_a_call_and_its_end_as_none(
    pipewire: dict[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from deskbreak.proc import make_runner

    runner = make_runner(pipewire, 5.0)
    empty_proc = tmp_path / "proc"
    empty_proc.mkdir()
    before = look_for_call(runner, empty_proc)
    assert not before.in_call and "pipewire" in before.visible
    record = subprocess.Popen(
        ["pw-record", "--target", "deskbreak-test-mic", str(tmp_path / "call.wav")],
        env=pipewire,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        seen: list[object] = []

        def in_call() -> bool:
            check = look_for_call(runner, empty_proc)
            seen.append(check)
            return check.in_call

        _poll("the capture to count as a call", in_call)
        assert seen[-1].reason == "microphone: pw-record"  # type: ignore[attr-defined]
        # The daemon's look (child processes on the event loop) sees the same.
        for name in ("XDG_RUNTIME_DIR", "PIPEWIRE_RUNTIME_DIR"):
            monkeypatch.setenv(name, pipewire[name])
        seen_by_daemon = asyncio.run(look_for_call_async(empty_proc))
        assert seen_by_daemon.in_call and seen_by_daemon.reason == "microphone: pw-record"
    finally:
        record.terminate()
        record.wait(timeout=10)
    _poll("the call to end", lambda: not look_for_call(runner, empty_proc).in_call)
    dump = subprocess.run(["pw-dump"], env=pipewire, capture_output=True, text=True, timeout=5)
    assert all(
        (o.get("info") or {}).get("props", {}).get("media.class") != "Stream/Input/Audio"
        for o in json.loads(dump.stdout)
    )
