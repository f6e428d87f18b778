"""Reading one config file: only regular UTF-8 files of a sane size, errors that name the line."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest

from deskbreak.config import load_config
from deskbreak.config_loader import MAX_CONFIG_BYTES, read_config_file
from deskbreak.errors import ConfigError


def error_of(path: Path, *, required: bool = False) -> str:
    with pytest.raises(ConfigError) as caught:
        load_config(path, required=required)
    return str(caught.value)


def test_a_file_that_is_not_utf8_names_the_file_and_line_and_says_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_bytes("[schedule]\n# caf\xe9 hours\ninterval = 30\n".encode("latin-1"))
    assert error_of(path) == f"{path}:2: not UTF-8 text (byte 0xe9); save the file as UTF-8"


def test_a_utf8_byte_order_mark_is_accepted(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_bytes(b"\xef\xbb\xbf[schedule]\ninterval = 40\n")
    assert load_config(path).schedule.interval.total_seconds() == 40 * 60


def test_a_syntax_error_names_its_line(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text("[schedule]\ninterval = 30\nhours = [09:00]\n", encoding="utf-8")
    assert error_of(path).startswith(f"{path}:3: invalid TOML: ")


def test_a_syntax_error_at_the_end_of_the_document_names_the_last_line(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text('[schedule]\ninterval = 30\nhours = ["09:00-12:00",\n', encoding="utf-8")
    message = error_of(path)
    assert message.startswith(f"{path}:3: invalid TOML: ")
    assert "end of the file" in message


def test_a_missing_file_is_the_defaults_unless_it_was_named_on_purpose(tmp_path: Path) -> None:
    path = tmp_path / "typo.toml"
    assert load_config(path).source is None
    message = error_of(path, required=True)
    assert message.startswith(f"{path}: no such config file")
    assert "--config" in message


def test_a_fifo_is_refused_at_once_instead_of_waiting_for_a_writer(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    os.mkfifo(path)
    outcome: list[str] = []

    def read() -> None:
        try:
            read_config_file(path, "user", required=True)
        except ConfigError as err:
            outcome.append(str(err))

    reader = threading.Thread(target=read, daemon=True)  # a hung open() must not hang pytest
    reader.start()
    reader.join(timeout=10)
    assert not reader.is_alive(), "reading a FIFO config blocked"
    assert outcome == [
        f"{path}: is a FIFO (named pipe), not a regular file; the config must be a plain text file"
    ]


def test_a_directory_is_not_a_config_file(tmp_path: Path) -> None:
    assert "is a directory, not a regular file" in error_of(tmp_path)


def test_a_huge_file_is_refused_with_the_limit(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_bytes(b"# padding\n" * (MAX_CONFIG_BYTES // 10 + 1))
    message = error_of(path)
    assert message.startswith(f"{path}: is {path.stat().st_size:,} bytes")
    assert "at most 1024 KiB" in message
