"""The control protocol's shapes: one JSON object per line each way."""

from __future__ import annotations

from datetime import datetime


def iso(moment: datetime | None) -> str | None:
    """An instant as the protocol writes it: ISO 8601 with its offset, to the second."""
    return moment.isoformat(timespec="seconds") if moment is not None else None
