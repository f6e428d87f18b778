"""The call signal, on pw-dump output recorded from a headless PipeWire (a pw-record capture
from a virtual microphone, then the same graph after it stopped) and on fake /proc trees."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from deskbreak.desktop.calls import (
    camera_users,
    capture_streams_from_pw_dump,
    look_for_call,
    recording_streams_from_pactl,
)
from deskbreak.proc import RunResult

FIXTURES = Path(__file__).parent / "fixtures"


def test_a_running_capture_stream_in_pw_dump_is_a_call() -> None:
    text = (FIXTURES / "pw-dump-recording.json").read_text(encoding="utf-8")
    assert capture_streams_from_pw_dump(text) == ["microphone: pw-record"]


def test_an_idle_microphone_without_streams_is_not_a_call() -> None:
    text = (FIXTURES / "pw-dump-idle.json").read_text(encoding="utf-8")
    assert capture_streams_from_pw_dump(text) == []


def test_broken_pw_dump_output_is_no_call() -> None:
    assert capture_streams_from_pw_dump("not json") == []
    assert capture_streams_from_pw_dump('{"a": 1}') == []


def test_pactl_source_outputs_count_as_recording_streams() -> None:
    listing = "42\t1\t17\tfloat32le 1ch 48000Hz\n"
    assert recording_streams_from_pactl(listing) == 1
    assert recording_streams_from_pactl("\n") == 0


def fake_proc(tmp_path: Path, maps: dict[str, str]) -> Path:
    for pid, text in maps.items():
        (tmp_path / pid).mkdir()
        (tmp_path / pid / "maps").write_text(text, encoding="utf-8")
    (tmp_path / "self").mkdir()
    return tmp_path


def test_a_process_with_a_camera_mapped_is_using_it(tmp_path: Path) -> None:
    proc = fake_proc(
        tmp_path,
        {
            "100": "7f00-7f10 r--p 00000000 00:05 1 /usr/lib/libc.so.6\n",
            "200": "7f00-7f10 rw-s 00000000 00:05 42 /dev/video0\n",
        },
    )
    assert camera_users(proc) == [200]


def test_a_camera_that_is_only_open_is_not_in_use(tmp_path: Path) -> None:
    # PipeWire holds /dev/video* open (an fd), which never shows in maps.
    proc = fake_proc(tmp_path, {"300": "7f00-7f10 r--p 00000000 00:05 1 /usr/bin/pipewire\n"})
    assert camera_users(proc) == []


class Runner:
    def __init__(self, answers: dict[str, RunResult]) -> None:
        self.answers = answers
        self.calls: list[str] = []

    def __call__(self, args: Sequence[str]) -> RunResult:
        self.calls.append(args[0])
        return self.answers.get(args[0], RunResult(127, "", "not found"))


def test_pulseaudio_is_asked_only_when_pipewire_does_not_answer(tmp_path: Path) -> None:
    runner = Runner({"pactl": RunResult(0, "42\t1\t17\ts16le 2ch 44100Hz\n")})
    check = look_for_call(runner, fake_proc(tmp_path, {}))
    assert check.in_call and check.visible == ("pulseaudio",)
    assert runner.calls == ["pw-dump", "pactl"]


def test_with_pipewire_answering_pactl_is_not_asked(tmp_path: Path) -> None:
    idle = (FIXTURES / "pw-dump-idle.json").read_text(encoding="utf-8")
    runner = Runner({"pw-dump": RunResult(0, idle), "pactl": RunResult(0, "1\t2\t3\n")})
    check = look_for_call(runner, fake_proc(tmp_path, {}))
    assert not check.in_call and check.visible == ("pipewire", "camera")
    assert runner.calls == ["pw-dump"]


def test_a_camera_in_use_is_a_call_even_without_a_microphone(tmp_path: Path) -> None:
    proc = fake_proc(tmp_path, {"7": "0-1 rw-s 0 00:05 9 /dev/video2\n"})
    check = look_for_call(Runner({}), proc)
    assert check.in_call and check.reason == "camera in use"
