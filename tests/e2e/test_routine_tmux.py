"""The installed `deskbreak` routine runner in a real terminal (tmux), as a person sees it.

Skips when tmux is missing, unless DESKBREAK_E2E=1 (then a missing tool fails the test).
DESKBREAK_TIME_SCALE speeds the runner's clock up; every wait polls against a deadline.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import textwrap
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from e2e_support import installed_deskbreak

from deskbreak.library.loader import load_library
from deskbreak.routine.plan import RoutinePlan, plan_routine

STRICT = os.environ.get("DESKBREAK_E2E") == "1"
COUNTER = re.compile(r"go in (\d+):(\d\d)|(\d+):(\d\d) left")


def _plan(name: str) -> RoutinePlan:
    library = load_library()
    return plan_routine(library.routine(name), library)


def _deskbreak() -> str:
    return installed_deskbreak()


class Pane:
    """One tmux server on a private socket, with one 100x30 window running a plain shell."""

    def __init__(self, socket: Path, env: dict[str, str]) -> None:
        self.socket = socket
        self.env = env
        self._tmux("new-session", "-d", "-x", "100", "-y", "30", "bash --norc --noprofile")

    def _tmux(self, *args: str) -> str:
        done = subprocess.run(
            ["tmux", "-S", str(self.socket), "-f", "/dev/null", *args],
            env=self.env,
            capture_output=True,
            text=True,
            timeout=10,
            check=True,
        )
        return done.stdout

    def send(self, *keys: str) -> None:
        self._tmux("send-keys", *keys)

    def capture(self) -> str:
        return self._tmux("capture-pane", "-p")

    def wait_for(self, what: str, found: Callable[[str], bool], timeout: float = 15.0) -> str:
        deadline = time.monotonic() + timeout
        screen = ""
        while time.monotonic() < deadline:
            screen = self.capture()
            if found(screen):
                return screen
            time.sleep(0.05)
        pytest.fail(f"timed out waiting for {what}; the screen showed:\n{screen}")

    def kill(self) -> None:
        subprocess.run(
            ["tmux", "-S", str(self.socket), "kill-server"], env=self.env, capture_output=True
        )


@pytest.fixture
def pane(isolated_dirs: Path) -> Iterator[Pane]:
    if shutil.which("tmux") is None:
        if STRICT:
            pytest.fail("tmux is not installed and DESKBREAK_E2E=1")
        pytest.skip("tmux is not installed")
    # The shell finds the installed command the tests run (a .venv's bin is not on PATH).
    bin_dir = str(Path(_deskbreak()).parent)
    env = {**os.environ, "DESKBREAK_TIME_SCALE": "4", "PS1": "$ ", "TERM": "xterm-256color"}
    env["PATH"] = os.pathsep.join([bin_dir, env.get("PATH", "")])
    env.pop("TMUX", None)
    # The isolated base dir is short, which keeps the socket path within the Unix limit.
    p = Pane(isolated_dirs / "tmux.sock", env)
    try:
        yield p
    finally:
        p.kill()


def _countdown(screen: str) -> tuple[str, int] | None:
    """The step's counter as (its kind, seconds shown): ("go in", 7) or ("left", 25)."""
    match = COUNTER.search(screen)
    if match is None:
        return None
    if match.group(1) is not None:
        return "go in", int(match.group(1)) * 60 + int(match.group(2))
    return "left", int(match.group(3)) * 60 + int(match.group(4))


def _terminal_is_sane(pane: Pane) -> None:
    pane.send("clear; stty -a", "Enter")
    screen = pane.wait_for("stty -a", lambda s: "icanon" in s and "iexten" in s)
    assert re.search(r"(?<![-\w])icanon\b", screen), screen
    assert re.search(r"(?<![-\w])echo\b", screen), screen


def test_postrun_counts_down_skips_with_n_pauses_and_quits_to_a_sane_terminal(
    pane: Pane,
) -> None:
    plan = _plan("postrun")
    first, second = plan.steps[0], plan.steps[1]
    pane.send("deskbreak postrun", "Enter")

    screen = pane.wait_for("the first move", lambda s: first.move.name.upper() in s)
    assert "Stop if a move hurts" in screen or plan.safety[:20] in screen

    shown = pane.wait_for("a countdown", lambda s: _countdown(s) is not None)
    kind, seconds = _countdown(shown) or ("", 0)
    pane.wait_for(
        f"the countdown to go below {seconds} s",
        lambda s: (c := _countdown(s)) is not None and c[0] == kind and c[1] < seconds,
    )

    pane.wait_for(
        "the move to start", lambda s: re.search(r"^ +(HOLD|REPS|GO)\b", s, re.M) is not None
    )
    pane.send("n")
    expected = second.move.name.upper()
    screen = pane.wait_for(expected, lambda s: expected in s and "step 2 / " in s)
    if second.side:
        assert f"{second.side} side" in screen

    pane.send("Space")
    paused = pane.wait_for("PAUSED", lambda s: "PAUSED" in s)
    frozen = _countdown(paused)
    deadline = time.monotonic() + 1.0  # one real second is four routine seconds here
    while time.monotonic() < deadline:
        assert _countdown(pane.capture()) == frozen
        time.sleep(0.1)
    pane.send("Space")
    pane.wait_for("the run to resume", lambda s: "PAUSED" not in s)

    pane.send("q")
    stopped = re.compile(r"stopped · \d+ of \d+ steps")
    screen = pane.wait_for("the summary", lambda s: stopped.search(s) is not None)
    assert f"{plan.title}: stopped" in screen
    _terminal_is_sane(pane)


def test_ctrl_c_ends_the_run_with_a_summary_and_restores_the_terminal(pane: Pane) -> None:
    plan = _plan("prerun")
    pane.send("deskbreak prerun", "Enter")
    pane.wait_for("the first move", lambda s: plan.steps[0].move.name.upper() in s)
    pane.send("C-c")
    pane.wait_for("the summary", lambda s: f"{plan.title}: stopped" in s)
    _terminal_is_sane(pane)


def test_without_a_terminal_each_step_is_one_plain_line(isolated_dirs: Path) -> None:
    plan = _plan("desk")
    done = subprocess.run(
        [_deskbreak(), "routine", "desk", "--no-input"],
        env={**os.environ, "DESKBREAK_TIME_SCALE": "200"},
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    steps = [line for line in done.stdout.splitlines() if line.startswith("[")]
    assert len(steps) == len(plan.steps)
    assert steps[0] == f"[1/{len(plan.steps)}] {plan.steps[0].label} · {plan.steps[0].dose}"
    assert "\x1b[" not in done.stdout
    assert f"{plan.title}: done · {len(plan.steps)} of {len(plan.steps)} steps" in done.stdout


@pytest.mark.parametrize(
    ("command", "name"), [("postrun", "postrun"), ("routine strength", "strength")]
)
def test_postrun_and_strength_show_their_description_switch_sides_and_end_with_a_summary(
    pane: Pane, command: str, name: str
) -> None:
    plan = _plan(name)
    total = len(plan.steps)
    # Ten times real speed: the whole routine in about a minute, a switch lasting half a second.
    pane.send(f"DESKBREAK_TIME_SCALE=10 deskbreak {command}", "Enter")

    first = pane.wait_for("the first screen", lambda s: plan.steps[0].move.name.upper() in s)
    assert f"step 1 / {total}" in first
    assert textwrap.wrap(plan.description, 95)[0] in first
    assert "numbness" in first
    assert f"why: {plan.steps[0].move.why[:40]}" in first

    switch = pane.wait_for("a switch of sides", lambda s: "SWITCH SIDES" in s, timeout=120)
    step = next(s for s in plan.steps if s.ready == "switch" and s.move.name.upper() in switch)
    assert "right side" in switch
    assert step.move.switch is not None and step.move.switch in switch

    done = re.compile(rf"{re.escape(plan.title)}: done · {total} of {total} steps")
    summary = pane.wait_for("the summary", lambda s: done.search(s) is not None, timeout=180)
    assert "done: " + plan.steps[0].move.name in summary
    _terminal_is_sane(pane)
