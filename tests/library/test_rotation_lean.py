"""The run-day lean of the desk rotation."""

from __future__ import annotations

import itertools
from collections import Counter

from deskbreak.library.loader import load_library
from deskbreak.library.rotation import RUN_AREAS, upcoming_desk_moves

DESK = load_library().desk_moves()


def test_on_a_run_day_at_least_half_the_moves_serve_the_running_areas() -> None:
    moves = upcoming_desk_moves(DESK, [], 16, lean=RUN_AREAS)
    running = sum(1 for m in moves if m.area in RUN_AREAS)
    assert running >= 8
    plain = upcoming_desk_moves(DESK, [], 16)
    assert running > sum(1 for m in plain if m.area in RUN_AREAS)


def test_the_lean_still_brings_every_other_area_within_two_days_of_reminders() -> None:
    moves = upcoming_desk_moves(DESK, [], 32, lean=RUN_AREAS)
    assert {m.area for m in DESK} == {m.area for m in moves}


def test_the_lean_never_repeats_a_move_back_to_back() -> None:
    moves = upcoming_desk_moves(DESK, [], 60, lean=RUN_AREAS)
    assert all(a.id != b.id for a, b in itertools.pairwise(moves))


def test_the_first_lean_move_follows_a_move_outside_the_running_areas() -> None:
    neck = next(m for m in DESK if m.area == "neck")
    first = upcoming_desk_moves(DESK, [neck.id], 1, lean=RUN_AREAS)[0]
    assert first.area in RUN_AREAS


def test_without_the_lean_running_areas_get_no_extra_turns() -> None:
    areas = Counter(m.area for m in upcoming_desk_moves(DESK, [], len({m.area for m in DESK})))
    # Walks (whole-body) come more often by design, at least every two hours of reminders.
    assert max(n for area, n in areas.items() if area in RUN_AREAS) == 1
