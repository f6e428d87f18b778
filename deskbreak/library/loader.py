"""Loading the bundled library from `library/data/moves.toml`, through the user's cache."""

from __future__ import annotations

import functools
from pathlib import Path

from deskbreak.library.moves import Library


def bundled_file() -> Path:
    return Path(__file__).with_name("data") / "moves.toml"


def parse_bundled(data_file: Path) -> Library:
    """Parse the bundled library file (tomllib and the parser load only here)."""
    import tomllib

    from deskbreak.library.parser import parse_library

    text = data_file.read_text(encoding="utf-8")
    return parse_library(tomllib.loads(text), where="moves.toml")


@functools.cache
def load_library() -> Library:
    """The bundled library, once per process: from the cache while it is current (see
    `library.cache`), else parsed."""
    data_file = bundled_file()
    if not data_file.is_file():  # installed in a zip: no file to stat, so no cache
        import tomllib
        from importlib import resources

        from deskbreak.library.parser import parse_library

        text = (resources.files("deskbreak.library") / "data" / "moves.toml").read_text("utf-8")
        return parse_library(tomllib.loads(text), where="moves.toml")
    from deskbreak.library.cache import cached_library
    from deskbreak.paths import cache_dir

    return cached_library(data_file, cache_dir() / "library.json", lambda: parse_bundled(data_file))
