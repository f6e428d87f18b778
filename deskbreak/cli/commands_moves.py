"""`deskbreak moves`: list the move library (with the user's own moves) as a table or JSON."""

from __future__ import annotations

import dataclasses
from typing import Any

import typer

from deskbreak.cli import app
from deskbreak.cli.common import config_from, print_json
from deskbreak.errors import EXIT_OK, UsageError
from deskbreak.library.moves import AREAS, Library, Move


@app.command("moves")
def moves_command(
    ctx: typer.Context,
    area: str | None = typer.Option(
        None, "--area", "-a", help=f"Only moves for this body area ({', '.join(AREAS)})."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print every field of every move as JSON."),
) -> int:
    """List the move library: id, name, area, setting, whether it suits the desk, and dose.

    Example: deskbreak moves --area hips
    """
    return list_moves(config_from(ctx).library, area, as_json)


def list_moves(library: Library, area: str | None, as_json: bool) -> int:
    """Print the library's moves, all or those of one area; UsageError for an unknown area."""
    if area is not None and area not in AREAS:
        raise UsageError(f'unknown area "{area}"; choose one of: {", ".join(AREAS)}')
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

    table = Table(box=None, header_style="bold", padding=(0, 0, 0, 1), pad_edge=False)
    # The flexible columns (name, dose) go where rich can wrap them; desk stays visible.
    table.add_column("id", no_wrap=True)
    table.add_column("name", min_width=12, overflow="fold")
    table.add_column("area", no_wrap=True)
    table.add_column("setting", no_wrap=True)
    table.add_column("desk", no_wrap=True)
    table.add_column("dose")
    for m in moves:
        table.add_row(m.id, m.name, m.area, m.setting, "yes" if m.desk else "", m.dose_text())
    console = Console()
    console.print(table)
    if safety:
        console.print(f"\n{safety}", style="dim")
