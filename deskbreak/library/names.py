"""The names a move may use: body areas, settings, kinds, sources and sides.

Apart from the records in `moves.py`, so a command that only names the areas (`deskbreak moves
--help`) does not build the records' dataclasses.
"""

from __future__ import annotations

from typing import Literal

Setting = Literal["desk", "standing", "floor"]
Kind = Literal["dynamic", "static", "strength", "mobility"]
Source = Literal["brief", "general", "custom"]
# "each": the whole dose on one side, then on the other. "alternate": one rep a side in turn,
# with no switch between. "none": both sides at once, or a move without sides.
Sides = Literal["none", "each", "alternate"]

AREAS = (
    "neck",
    "shoulders",
    "upper-back",
    "mid-back",
    "lower-back",
    "chest",
    "hips",
    "legs",
    "core",
    "whole-body",
)
SETTINGS: tuple[Setting, ...] = ("desk", "standing", "floor")
KINDS: tuple[Kind, ...] = ("dynamic", "static", "strength", "mobility")
SOURCES: tuple[Source, ...] = ("brief", "general", "custom")
SIDES: tuple[Sides, ...] = ("none", "each", "alternate")
