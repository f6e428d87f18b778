"""Cues outside the screen during a routine: the terminal bell, a voice, desktop notifications.

Every cue starts a subprocess without waiting for it, so a slow speech engine or notification
server never holds up the countdown; `proc.Background` reaps them and ends any left at the
end. A missing tool is one plain note before the run, not an error: the routine runs without
that cue.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TextIO

from deskbreak.proc import Background

# spd-say talks through speech-dispatcher and returns at once; espeak-ng speaks directly.
VOICES = ("spd-say", "espeak-ng")

Which = Callable[[str], str | None]


def notify(
    title: str, body: str, notify_send: str = "notify-send", procs: Background | None = None
) -> None:
    """One desktop notification, replacing the previous routine one where the server can."""
    (procs or Background()).start(
        [
            notify_send,
            "-a",
            "deskbreak",
            "-h",
            "string:x-canonical-private-synchronous:deskbreak-routine",
            title,
            body,
        ]
    )


@dataclass
class Cues:
    """The cues chosen for one run; each method is a no-op for a cue that is off."""

    out: TextIO | None = None  # the terminal, for the bell
    voice: str | None = None  # path of spd-say or espeak-ng
    notify_send: str | None = None
    _speaking: subprocess.Popen[bytes] | None = field(default=None, repr=False)
    _procs: Background = field(default_factory=Background, repr=False)

    def bell(self) -> None:
        if self.out is not None:
            self.out.write("\a")
            self.out.flush()

    def say(self, text: str) -> None:
        if self.voice is None:
            return
        # A newer cue matters more than the end of an older one.
        if self._speaking is not None and self._speaking.poll() is None:
            self._speaking.terminate()
        self._speaking = self._procs.start([self.voice, text])

    def notify(self, title: str, body: str) -> None:
        if self.notify_send is not None:
            notify(title, body, self.notify_send, self._procs)

    def close(self) -> None:
        """At the end of a run: let the last words finish (briefly), leave nothing behind."""
        self._procs.close()


def choose_cues(
    *, sound: bool, voice: bool, notify: bool, out: TextIO, which: Which = shutil.which
) -> tuple[Cues, list[str]]:
    """The cues that can work here, and a one-line note for each one asked for that cannot."""
    notes: list[str] = []
    cues = Cues()
    if sound:
        if out.isatty():
            cues.out = out
        else:
            notes.append("--sound: no terminal to ring the bell in; running without it.")
    if voice:
        cues.voice = next((p for p in map(which, VOICES) if p), None)
        if cues.voice is None:
            notes.append(
                "--voice: neither spd-say nor espeak-ng is installed "
                "(e.g. `sudo apt install espeak-ng`); running without voice."
            )
    if notify:
        cues.notify_send = which("notify-send")
        if cues.notify_send is None:
            notes.append(
                "--notify: notify-send is not installed (package libnotify-bin); "
                "running without notifications."
            )
    return cues, notes
