"""Shell completion of the installed `deskbreak`: routine names and body areas, not file names."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from e2e_support import installed_deskbreak


def complete(words: str, tmp_path: Path) -> list[str]:
    """What bash completion offers for the last word of `words`, as the completion script asks."""
    (tmp_path / "strength-notes.txt").write_text("a file that must not be offered\n")
    env = {
        **os.environ,
        "_DESKBREAK_COMPLETE": "complete_bash",
        "COMP_WORDS": words,
        "COMP_CWORD": str(len(words.split(" ")) - 1),
    }
    done = subprocess.run(
        [installed_deskbreak()],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=30,
        check=True,
    )
    return done.stdout.split()


def test_routine_tab_completes_routine_names(tmp_path: Path, isolated_dirs: Path) -> None:
    assert complete("deskbreak routine ", tmp_path) == [
        "prerun",
        "postrun",
        "desk",
        "strength",
        "upper-back",
    ]
    assert complete("deskbreak routine st", tmp_path) == ["strength"]


def test_moves_area_tab_completes_body_areas(tmp_path: Path, isolated_dirs: Path) -> None:
    assert complete("deskbreak moves --area h", tmp_path) == ["hips"]
    assert "core" in complete("deskbreak moves --area ", tmp_path)


def test_moves_tab_completes_move_ids(tmp_path: Path, isolated_dirs: Path) -> None:
    assert complete("deskbreak moves dead", tmp_path) == ["dead-bug"]


def test_routine_completion_includes_the_users_own_routines(
    tmp_path: Path, isolated_dirs: Path
) -> None:
    config = tmp_path / "config.toml"
    config.write_text('[routines.evening]\nsteps = ["lying-twist"]\n', encoding="utf-8")
    words = f"deskbreak --config {config} routine ev"
    assert complete(words, tmp_path) == ["evening"]
