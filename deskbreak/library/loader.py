"""Loading the bundled library from `library/data/moves.toml`."""

from __future__ import annotations

import functools

from deskbreak.library.moves import Library
from deskbreak.library.parser import parse_library


@functools.cache
def load_library() -> Library:
    """The bundled library, parsed once per process."""
    import tomllib
    from importlib import resources  # not at import: it costs every CLI call ~15 ms

    data = resources.files("deskbreak.library") / "data" / "moves.toml"
    return parse_library(tomllib.loads(data.read_text(encoding="utf-8")), where="moves.toml")
