"""The parsed bundled library cached as JSON in the user's cache dir."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from deskbreak.library.cache import cached_library
from deskbreak.library.loader import bundled_file, parse_bundled
from deskbreak.library.moves import Library

REPO = Path(__file__).resolve().parents[2]


class Parser:
    """Counts how often the library had to be parsed."""

    def __init__(self) -> None:
        self.calls = 0

    def __call__(self) -> Library:
        self.calls += 1
        return parse_bundled(bundled_file())


@pytest.fixture
def data_file(tmp_path: Path) -> Path:
    copy = tmp_path / "moves.toml"
    copy.write_bytes(bundled_file().read_bytes())
    return copy


@pytest.fixture
def cache_file(tmp_path: Path) -> Path:
    return tmp_path / "cache" / "library.json"


def test_the_second_load_reads_the_cache_and_gives_the_same_library(
    data_file: Path, cache_file: Path
) -> None:
    parse = Parser()
    first = cached_library(data_file, cache_file, parse)
    second = cached_library(data_file, cache_file, parse)
    assert parse.calls == 1
    assert second == first == parse_bundled(bundled_file())
    assert oct(cache_file.stat().st_mode & 0o777) == oct(0o600)
    assert oct(cache_file.parent.stat().st_mode & 0o777) == oct(0o700)
    assert [p.name for p in cache_file.parent.iterdir()] == ["library.json"]  # no temp left


def test_a_changed_data_file_is_parsed_again(data_file: Path, cache_file: Path) -> None:
    parse = Parser()
    cached_library(data_file, cache_file, parse)
    data_file.write_text(data_file.read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")
    cached_library(data_file, cache_file, parse)
    assert parse.calls == 2


@pytest.mark.parametrize(
    "content",
    [b"", b"{not json", b"[]", b'{"key": 1}', b"\xff\xfe", b'{"key": null, "library": {}}'],
)
def test_a_corrupt_cache_is_ignored_and_replaced(
    data_file: Path, cache_file: Path, content: bytes
) -> None:
    parse = Parser()
    cached_library(data_file, cache_file, parse)
    cache_file.write_bytes(content)
    assert cached_library(data_file, cache_file, parse) == parse_bundled(bundled_file())
    assert parse.calls == 2
    assert json.loads(cache_file.read_text(encoding="utf-8"))["key"]["format"] == 1


def test_a_cache_with_the_right_key_but_wrong_records_is_ignored(
    data_file: Path, cache_file: Path
) -> None:
    parse = Parser()
    cached_library(data_file, cache_file, parse)
    saved = json.loads(cache_file.read_text(encoding="utf-8"))
    saved["library"]["moves"][0]["no_such_field"] = 1
    cache_file.write_text(json.dumps(saved), encoding="utf-8")
    cached_library(data_file, cache_file, parse)
    assert parse.calls == 2


def test_a_cache_dir_others_can_write_to_is_neither_read_nor_written(
    data_file: Path, cache_file: Path
) -> None:
    parse = Parser()
    cached_library(data_file, cache_file, parse)
    cache_file.parent.chmod(0o777)
    cached_library(data_file, cache_file, parse)
    assert parse.calls == 2
    cache_file.unlink()
    cached_library(data_file, cache_file, parse)
    assert not cache_file.exists()


def test_a_cache_file_others_can_write_to_is_ignored(data_file: Path, cache_file: Path) -> None:
    parse = Parser()
    cached_library(data_file, cache_file, parse)
    cache_file.chmod(0o666)
    cached_library(data_file, cache_file, parse)
    assert parse.calls == 2


def test_a_symlinked_cache_file_is_not_followed(
    data_file: Path, cache_file: Path, tmp_path: Path
) -> None:
    parse = Parser()
    cached_library(data_file, cache_file, parse)
    elsewhere = tmp_path / "elsewhere.json"
    cache_file.rename(elsewhere)
    cache_file.symlink_to(elsewhere)
    cached_library(data_file, cache_file, parse)
    assert parse.calls == 2


def test_a_second_cli_process_loads_the_library_without_tomllib(isolated_dirs: Path) -> None:
    code = (
        "import sys\n"
        "from deskbreak.library.loader import load_library\n"
        "assert len(load_library().moves) > 20\n"
        "print('tomllib' in sys.modules)"
    )
    env = {**os.environ, "PYTHONPATH": str(REPO)}

    def parsed_toml() -> str:
        done = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True
        )
        return done.stdout.strip()

    assert parsed_toml() == "True"
    assert (isolated_dirs / "cache" / "deskbreak" / "library.json").is_file()
    assert parsed_toml() == "False"
