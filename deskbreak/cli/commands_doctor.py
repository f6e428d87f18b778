"""`deskbreak doctor`: is everything a reminder needs in place? One line per check."""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

import typer

from deskbreak.cli.app import app
from deskbreak.cli.common import paths_from, print_json

if TYPE_CHECKING:
    from deskbreak.doctor.check import Check

COLOURS = {"ok": typer.colors.GREEN, "warn": typer.colors.YELLOW, "fail": typer.colors.RED}
INDENT = " " * 6


def use_colour(stream_is_tty: bool, env: Mapping[str, str]) -> bool:
    """Colours only on a terminal, and never when NO_COLOR is set (https://no-color.org)."""
    return stream_is_tty and not env.get("NO_COLOR")


def render_text(checks: Sequence[Check], colour: bool) -> str:
    """`ok    config      /path (...)`, with `      fix: ...` under each warn or fail."""
    lines: list[str] = []
    for check in checks:
        status = f"{check.status:<6}"
        if colour:
            status = typer.style(status, fg=COLOURS[check.status], bold=check.status == "fail")
        detail = " ".join(check.detail.split())
        lines.append(f"{status}{check.name:<12}{detail}")
        if check.fix and check.status != "ok":
            lines.append(f"{INDENT}fix: {check.fix}")
    return "\n".join(lines)


@app.command("doctor")
def doctor_command(
    ctx: typer.Context,
    as_json: bool = typer.Option(False, "--json", help="Print the checks as JSON."),
    send_test: bool = typer.Option(
        False, "--send-test", help="Also send one real test notification."
    ),
) -> None:
    """Check the config, notifications, daemon, service and history. Example: deskbreak doctor

    Exits 0 when nothing fails (warnings allowed), 2 when a config file is broken, 1 when
    another check fails.
    """
    from deskbreak.doctor.checks import exit_code, report, run_checks

    checks = run_checks(paths_from(ctx), os.environ, send=send_test)
    if as_json:
        print_json(report(checks))
    else:
        typer.echo(render_text(checks, use_colour(sys.stdout.isatty(), os.environ)))
    raise typer.Exit(exit_code(checks))
