"""The library speaks in its own words: no run of 8 or more consecutive words from the moves brief.

The brief (`../shared/MOVES-BRIEF.md` beside the repository) holds the facts the library is built
from; its sentences must not carry over. Also a script: `python tests/library/test_wording.py
[BRIEF]` prints every shared run and exits 1 if there is one.
"""

from __future__ import annotations

import os
import re
import sys
import tomllib
from collections.abc import Iterator
from importlib import resources
from pathlib import Path
from typing import Any

import pytest

RUN_WORDS = 8
REPO = Path(__file__).resolve().parents[2]
_WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")
_CURLY_APOSTROPHE = "\N{RIGHT SINGLE QUOTATION MARK}"


def find_brief() -> Path | None:
    """`../shared/MOVES-BRIEF.md` from the repository (or from the main checkout it is a
    worktree of), or the file DESKBREAK_MOVES_BRIEF names."""
    named = os.environ.get("DESKBREAK_MOVES_BRIEF")
    if named:
        return Path(named)
    for base in (REPO, *REPO.parents):
        candidate = base.parent / "shared" / "MOVES-BRIEF.md"
        if candidate.is_file():
            return candidate
    return None


def words(text: str) -> list[str]:
    return _WORD.findall(text.lower().replace(_CURLY_APOSTROPHE, "'"))


def library_texts(data: Any, where: str = "moves.toml") -> Iterator[tuple[str, str]]:
    """Every string in the library file with where it is, e.g. ("[[move]] open-book cues", ...)."""
    if isinstance(data, str):
        yield where, data
    elif isinstance(data, list):
        for item in data:
            label = f"{where} {item['id']}" if isinstance(item, dict) and "id" in item else where
            yield from library_texts(item, label)
    elif isinstance(data, dict):
        for key, value in data.items():
            yield from library_texts(value, f"{where} {key}")


def shared_runs(brief: str, texts: list[tuple[str, str]], length: int = RUN_WORDS) -> list[str]:
    """Each library text's longest stretches that also appear in the brief, `length` words or
    more, as "where: the words"."""
    brief_words = words(brief)
    grams = {tuple(brief_words[i : i + length]) for i in range(len(brief_words) - length + 1)}
    hits = []
    for where, text in texts:
        tokens = words(text)
        i = 0
        while i <= len(tokens) - length:
            if tuple(tokens[i : i + length]) in grams:
                end = i + length
                while end < len(tokens) and tuple(tokens[end - length + 1 : end + 1]) in grams:
                    end += 1
                hits.append(f"{where}: {' '.join(tokens[i:end])}")
                i = end
            else:
                i += 1
    return hits


def bundled_texts() -> list[tuple[str, str]]:
    text = (resources.files("deskbreak.library") / "data" / "moves.toml").read_text("utf-8")
    return list(library_texts(tomllib.loads(text)))


def test_the_word_run_finder_catches_a_copied_sentence() -> None:
    brief = "Sit near the front of the chair, knees hip-width, feet flat; cross the arms."
    copied = [("cue", "Please sit near the front of the chair, knees hip-width, feet flat.")]
    own = [("cue", "Perch on the front edge of your seat, feet flat.")]
    assert shared_runs(brief, copied) == [
        "cue: sit near the front of the chair knees hip width feet flat"
    ]
    assert shared_runs(brief, own) == []


def test_no_library_text_shares_eight_words_in_a_row_with_the_moves_brief() -> None:
    brief = find_brief()
    if brief is None:
        if os.environ.get("DESKBREAK_E2E") == "1":
            pytest.fail("../shared/MOVES-BRIEF.md is missing and DESKBREAK_E2E=1")
        pytest.skip("../shared/MOVES-BRIEF.md is not beside this checkout")
    assert shared_runs(brief.read_text("utf-8"), bundled_texts()) == []


if __name__ == "__main__":
    path = Path(sys.argv[1]) if len(sys.argv) > 1 else find_brief()
    if path is None:
        sys.exit("no moves brief found; pass its path")
    found = shared_runs(path.read_text("utf-8"), bundled_texts())
    print("\n".join(found) or f"no run of {RUN_WORDS}+ words shared with {path}")
    sys.exit(1 if found else 0)
