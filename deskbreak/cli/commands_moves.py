"""`deskbreak moves`: list the move library as a table or as JSON."""

from __future__ import annotations

import dataclasses
from typing import Any

import typer

from deskbreak.cli import app
from deskbreak.cli.common import print_json
from deskbreak.errors import EXIT_OK, UsageError
from deskbreak.moves import AREAS, Move, load_library


@app.command("moves")
def moves_command(
    area: str | None = typer.Option(
        None, "--area", "-a", help=f"Only moves for this body area ({', '.join(AREAS)})."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print every field of every move as JSON."),
) -> int:
    """List the move library: id, name, area, setting, dose, and whether it suits the desk.

    Example: deskbreak moves --area hips
    """
    if area is not None and area not in AREAS:
        raise UsageError(f'unknown area "{area}"; choose one of: {", ".join(AREAS)}')
    library = load_library()
    moves = [m for m in library.moves.values() if area is None or m.area == area]
    if as_json:
        print_json([_as_json(m) for m in moves])
    else:
        _print_table(moves, library.safety)
    return EXIT_OK


def _as_json(move: Move) -> dict[str, Any]:
    return {**dataclasses.asdict(move), "dose": move.dose_text()}


def _print_table(moves: list[Move], safety: str) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(box=None, header_style="bold", pad_edge=False)
    for column in ("id", "name", "area", "setting", "dose", "desk"):
        table.add_column(column, no_wrap=column != "name")
    for m in moves:
        table.add_row(m.id, m.name, m.area, m.setting, m.dose_text(), "yes" if m.desk else "")
    console = Console()
    console.print(table)
    if safety:
        console.print(f"\n{safety}", style="dim")
