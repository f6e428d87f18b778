"""The desk rotation: which move the next reminder brings, deterministically from history.

Pure functions of the candidates, the ids already sent and the day's leanings, so the daemon
and `schedule` agree and tests need no clock.
"""

from __future__ import annotations

from collections.abc import Sequence

from deskbreak.errors import ConfigError
from deskbreak.library.moves import Move

_NO_DESK_MOVES = "no desk moves left after [moves] areas/exclude"
# The areas running loads; on run days the rotation leans toward them (see `lean`).
RUN_AREAS = ("hips", "legs", "hamstrings", "calves", "mid-back")
# A whole-body desk move gets the user up and walking; at the default half-hour interval one
# comes at least every two hours of reminders.
WALK_AREA = "whole-body"
DEFAULT_WALK_EVERY = 4
# How many of the last reminders the rotation looks back on: the daemon reads this many from
# the history (`recent_desk_moves`), and `schedule` keeps to the same window.
RECENT_MOVES = 20


def walk_every_for(interval_minutes: int) -> int:
    """How many reminders apart walks may be so that one comes at least every two hours."""
    return max(2, 120 // max(1, interval_minutes))


def next_desk_move(
    candidates: Sequence[Move],
    recent: Sequence[str],
    lean: Sequence[str] = (),
    walk_every: int = DEFAULT_WALK_EVERY,
) -> Move:
    """The next reminder's move. `recent` holds the ids already sent, most recent last.

    A walk (a whole-body move) comes whenever none of the last `walk_every - 1` reminders was
    one (at least 2, so a walk never follows a walk). Otherwise areas take turns (the area used
    least recently goes first, ties in library order); within the area, the move used least
    recently. With two or more candidates this never repeats the last move: the last move's area
    is the most recent one unless it is the only area, and within one area the last move is the
    most recent one.

    With `lean` areas, a reminder after one outside them comes from them: about every other
    move serves those areas, and the usual turn-taking still reaches all the others.
    """
    if not candidates:
        raise ConfigError(_NO_DESK_MOVES)
    last_used = {move_id: index for index, move_id in enumerate(recent)}
    walk = _walk_due(candidates, recent, walk_every, last_used)
    if walk is not None:
        return walk
    favoured = [m for m in candidates if m.area in lean]
    by_id = {m.id: m for m in candidates}
    last = by_id.get(recent[-1]) if recent else None
    if favoured and (last is None or last.area not in lean):
        candidates = favoured
    area_last: dict[str, int] = {}
    for move in candidates:
        area_last[move.area] = max(area_last.get(move.area, -1), last_used.get(move.id, -1))
    area_order = {area: n for n, area in enumerate(dict.fromkeys(m.area for m in candidates))}
    # min() keeps the first of equal keys, so ties fall to library order.
    return min(
        candidates,
        key=lambda m: (area_last[m.area], area_order[m.area], last_used.get(m.id, -1)),
    )


def _walk_due(
    candidates: Sequence[Move], recent: Sequence[str], walk_every: int, last_used: dict[str, int]
) -> Move | None:
    """The least recently sent walk when none came in the last `walk_every - 1` reminders."""
    walks = [m for m in candidates if m.area == WALK_AREA]
    window = max(2, walk_every) - 1
    if not walks or len(walks) == len(candidates) or len(recent) < window:
        return None
    if {m.id for m in walks} & set(recent[-window:]):
        return None
    return min(walks, key=lambda m: last_used.get(m.id, -1))


def upcoming_desk_moves(
    candidates: Sequence[Move],
    recent: Sequence[str],
    count: int,
    lean: Sequence[str] = (),
    walk_every: int = DEFAULT_WALK_EVERY,
) -> list[Move]:
    """The next `count` moves the rotation would bring, as if each reminder were sent."""
    if not candidates:
        raise ConfigError(_NO_DESK_MOVES)
    history = list(recent)
    upcoming: list[Move] = []
    for _ in range(count):
        move = next_desk_move(candidates, history, lean, walk_every)
        upcoming.append(move)
        history.append(move.id)
    return upcoming
