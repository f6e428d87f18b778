"""The desk rotation: which move the next reminder brings, deterministically from history."""

from __future__ import annotations

from collections.abc import Sequence

from deskbreak.errors import ConfigError
from deskbreak.library.moves import Move

_NO_DESK_MOVES = "no desk moves left after [moves] areas/exclude"
# The areas running loads; on run days the rotation leans toward them (see `lean`).
RUN_AREAS = ("hips", "legs", "hamstrings", "calves", "mid-back")


def next_desk_move(
    candidates: Sequence[Move], recent: Sequence[str], lean: Sequence[str] = ()
) -> Move:
    """The next reminder's move. `recent` holds the ids already sent, most recent last.

    Areas take turns (the area used least recently goes first, ties in library order); within
    the area, the move used least recently. With two or more candidates this never repeats the
    last move: the last move's area is the most recent one unless it is the only area, and
    within one area the last move is the most recent one.

    With `lean` areas, a reminder after one outside them comes from them: about every other
    move serves those areas, and the usual turn-taking still reaches all the others.
    """
    if not candidates:
        raise ConfigError(_NO_DESK_MOVES)
    favoured = [m for m in candidates if m.area in lean]
    by_id = {m.id: m for m in candidates}
    last = by_id.get(recent[-1]) if recent else None
    if favoured and (last is None or last.area not in lean):
        candidates = favoured
    last_used = {move_id: index for index, move_id in enumerate(recent)}
    area_last: dict[str, int] = {}
    for move in candidates:
        area_last[move.area] = max(area_last.get(move.area, -1), last_used.get(move.id, -1))
    area_order = {area: n for n, area in enumerate(dict.fromkeys(m.area for m in candidates))}
    # min() keeps the first of equal keys, so ties fall to library order.
    return min(
        candidates,
        key=lambda m: (area_last[m.area], area_order[m.area], last_used.get(m.id, -1)),
    )


def upcoming_desk_moves(
    candidates: Sequence[Move], recent: Sequence[str], count: int, lean: Sequence[str] = ()
) -> list[Move]:
    """The next `count` moves the rotation would bring, as if each reminder were sent."""
    if not candidates:
        raise ConfigError(_NO_DESK_MOVES)
    history = list(recent)
    upcoming: list[Move] = []
    for _ in range(count):
        move = next_desk_move(candidates, history, lean)
        upcoming.append(move)
        history.append(move.id)
    return upcoming
