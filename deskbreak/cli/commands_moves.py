"""`deskbreak moves [ID]`: the move library (with the user's own moves) as a table, one move in
full, or JSON."""

from __future__ import annotations

import dataclasses
import shutil
import sys
import textwrap
from typing import TYPE_CHECKING, Any

import typer

from deskbreak.cli.app import app
from deskbreak.cli.common import config_from, print_json
from deskbreak.errors import EXIT_OK, UsageError
from deskbreak.library.names import AREAS

if TYPE_CHECKING:
    from deskbreak.library.moves import Library, Move

_HEADERS = ("id", "area", "setting", "desk", "dose")


def complete_area(incomplete: str) -> list[str]:
    """Shell completion for --area: the body areas."""
    return [a for a in AREAS if a.startswith(incomplete)]


def complete_move_id(ctx: typer.Context, incomplete: str) -> list[str]:
    """Shell completion for a move id: the bundled moves and the user's own."""
    return [m for m in _library_for_completion(ctx).moves if m.startswith(incomplete)]


def _library_for_completion(ctx: typer.Context) -> Library:
    try:
        return config_from(ctx).library
    except Exception:  # noqa: BLE001 - a broken config must not break the shell's completion
        from deskbreak.library.loader import load_library

        return load_library()


@app.command("moves")
def moves_command(
    ctx: typer.Context,
    move_id: str | None = typer.Argument(
        None,
        metavar="[ID]",
        help="Show one move in full: cues, caution, why, easier and harder variants.",
        show_default=False,
        autocompletion=complete_move_id,
    ),
    area: str | None = typer.Option(
        None,
        "--area",
        "-a",
        help=f"Only moves for this body area ({', '.join(AREAS)}).",
        autocompletion=complete_area,
    ),
    as_json: bool = typer.Option(False, "--json", help="Print every field as JSON."),
) -> int:
    """List the move library: id, area, setting, whether it suits the desk, dose, and why.

    Examples: deskbreak moves --area hips · deskbreak moves dead-bug
    """
    library = config_from(ctx).library
    if move_id is not None:
        return show_move(library, move_id, as_json)
    return list_moves(library, area, as_json)


def list_moves(library: Library, area: str | None, as_json: bool, width: int | None = None) -> int:
    """Print the library's moves, all or those of one area; UsageError for an unknown area.

    `width` is the terminal's width; None asks the terminal, and output that is not a terminal
    is never wrapped (so it greps well) and never padded at the line ends.
    """
    if area is not None and area not in AREAS:
        raise UsageError(f'unknown area "{area}"; choose one of: {", ".join(AREAS)}')
    moves = [m for m in library.moves.values() if area is None or m.area == area]
    if as_json:
        print_json([_as_json(m) for m in moves])
        return EXIT_OK
    if width is None and sys.stdout.isatty():
        width = shutil.get_terminal_size().columns
    for line in table_lines(moves, width):
        typer.echo(line)
    if library.safety:
        typer.echo("")
        for line in _wrapped(library.safety, width):
            typer.echo(line)
    return EXIT_OK


def show_move(library: Library, move_id: str, as_json: bool) -> int:
    """Print one move in full; UsageError naming a close id for an unknown one."""
    if move_id not in library.moves:
        from deskbreak.library.moves import did_you_mean

        hint = did_you_mean(move_id, library.moves) or " (`deskbreak moves` lists them)"
        raise UsageError(f'unknown move "{move_id}"{hint}')
    move = library.moves[move_id]
    if as_json:
        print_json(_as_json(move))
        return EXIT_OK
    for line in move_lines(move):
        typer.echo(line)
    return EXIT_OK


def move_lines(move: Move) -> list[str]:
    """One move as a person reads it before trying it."""
    place = move.setting + (", desk reminder" if move.desk else "")
    lines = [f"{move.name} ({move.id}) · {move.area} · {place}", f"dose: {move.dose_text()}"]
    if move.why:
        lines.append(f"why: {move.why}")
    lines += [f"  {n}. {cue}" for n, cue in enumerate(move.cues, start=1)]
    extras = [
        ("switch sides", move.switch),
        ("usual mistake", move.mistake),
        ("caution", move.caution),
        ("easier", move.easier),
        ("harder", move.harder),
        ("equipment", move.equipment),
    ]
    lines += [f"{label}: {text}" for label, text in extras if text]
    source = {"brief": "physiotherapists' advice", "general": "general practice"}
    lines.append(f"source: {source.get(move.source, 'your config')}")
    return lines


def table_lines(moves: list[Move], width: int | None) -> list[str]:
    """The table: a row of columns per move, then its name and why, indented, on a second line.

    Within `width` the dose column (the last) wraps; no line ends in spaces.
    """
    rows = [(m.id, m.area, m.setting, "yes" if m.desk else "", m.dose_text()) for m in moves]
    widths = [max(len(row[i]) for row in [_HEADERS, *rows]) for i in range(len(_HEADERS))]
    lead = sum(widths[:-1]) + 2 * (len(widths) - 1)
    dose_width = widths[-1] if width is None else max(12, width - 1 - lead)
    lines = [_row(_HEADERS, widths)]
    for move, row in zip(moves, rows, strict=True):
        doses = textwrap.wrap(row[-1], dose_width) or [""]
        lines.append(_row((*row[:-1], doses[0]), widths))
        lines += [" " * lead + more for more in doses[1:]]
        about = f"{move.name}: {move.why}" if move.why else move.name
        lines += _wrapped(about, width, indent="    ")
    return lines


def _row(cells: tuple[str, ...], widths: list[int]) -> str:
    return "  ".join(cell.ljust(w) for cell, w in zip(cells, widths, strict=True)).rstrip()


def _wrapped(text: str, width: int | None, indent: str = "") -> list[str]:
    if width is None:
        return [indent + text]
    return textwrap.wrap(
        text, max(20, width - 1), initial_indent=indent, subsequent_indent=indent + "  "
    )


def _as_json(move: Move) -> dict[str, Any]:
    return {**dataclasses.asdict(move), "dose": move.dose_text()}
