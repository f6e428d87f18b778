"""`deskbreak prerun`, `postrun` and `routine NAME`: guided routines in the terminal.

Each command plans the routine (pure, `routine.plan`), then either prints the plan
(`--list`, `--json`) or runs it (`routine.view`) and records the result in the history.
"""

from __future__ import annotations

import inspect
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import typer

from deskbreak.cli.app import app
from deskbreak.cli.common import config_from, paths_from, print_json, warn
from deskbreak.errors import EXIT_OK, UsageError

if TYPE_CHECKING:  # imported inside the commands so other commands start fast
    from deskbreak.library.moves import Library
    from deskbreak.paths import Paths
    from deskbreak.routine.plan import RoutinePlan
    from deskbreak.routine.runner import RoutineResult

EXIT_INTERRUPTED = 130

LIST = typer.Option(False, "--list", "-l", help="Print the steps and the total time; no timers.")
JSON = typer.Option(False, "--json", help="With --list: print the plan as JSON.")
MINUTES = typer.Option(
    None,
    "--minutes",
    "-m",
    min=1,
    max=120,
    help="Scale holds and reps to fit about this many minutes (within safe bounds).",
    show_default=False,
)
SOUND = typer.Option(False, "--sound", help="Ring the terminal bell when a move starts.")
VOICE = typer.Option(False, "--voice", help="Speak the cues (spd-say or espeak-ng).")
NOTIFY = typer.Option(False, "--notify", help="Also show each step as a desktop notification.")
NO_INPUT = typer.Option(False, "--no-input", help="Read no keys (for scripts); Ctrl-C still stops.")
ROUTINE_LIST = typer.Option(
    False, "--list", "-l", help="Without NAME: the routines there are. With NAME: its steps."
)
# The options every routine command has after --list: (parameter, type, Typer option).
SHARED: tuple[tuple[str, object, Any], ...] = (
    ("as_json", bool, JSON),
    ("minutes", int | None, MINUTES),
    ("sound", bool, SOUND),
    ("voice", bool, VOICE),
    ("notify", bool, NOTIFY),
    ("no_input", bool, NO_INPUT),
)


def _library(ctx: typer.Context) -> Library:
    """The library with the user's own moves and routines, or the bundled one without config.py."""
    from deskbreak.library.loader import load_library
    from deskbreak.library.moves import Library

    try:
        config = config_from(ctx)
    except ModuleNotFoundError as err:
        if err.name != "deskbreak.config":
            raise
        return load_library()
    library = getattr(config, "library", None)
    return library if isinstance(library, Library) else load_library()


def complete_routine(ctx: typer.Context, incomplete: str) -> list[str]:
    """Shell completion for a routine name: the bundled routines and the user's own."""
    try:
        library = _library(ctx)
    except Exception:  # noqa: BLE001 - a broken config must not break the shell's completion
        from deskbreak.library.loader import load_library

        library = load_library()
    return [name for name in library.routines if name.startswith(incomplete)]


def _print_plan(plan: RoutinePlan) -> None:
    from deskbreak.routine.plan import duration_text

    width = max([len(s.label) for s in plan.steps] + [4])
    typer.echo(f"{plan.title} ({plan.name}) · {duration_text(plan.total_seconds)}")
    if plan.description:
        typer.echo(plan.description)
    for i, step in enumerate(plan.steps, start=1):
        typer.echo(f"  {i:>2}  {step.label:<{width}}  {step.dose}")
    transitions = sum(s.ready_seconds for s in plan.steps)
    typer.echo(
        f"total {duration_text(plan.total_seconds)}, "
        f"of which {duration_text(transitions)} getting ready and switching sides"
    )
    if plan.left_out:
        typer.echo(f"left out to fit the time: {'; '.join(plan.left_out)}")
    typer.echo(plan.safety)


def _list_routines(library: Library, as_json: bool) -> None:
    from deskbreak.routine.plan import duration_text, plan_routine

    plans = [plan_routine(r, library) for r in library.routines.values()]
    if as_json:
        print_json(
            [
                {
                    "name": p.name,
                    "title": p.title,
                    "description": library.routines[p.name].description,
                    "total_seconds": p.total_seconds,
                    "steps": len(p.steps),
                }
                for p in plans
            ]
        )
        return
    import shutil
    import textwrap

    width = max([len(p.name) for p in plans] + [4])
    indent = " " * (width + 18)
    # On a terminal the description wraps under the title; piped, it stays one line.
    columns = shutil.get_terminal_size().columns if sys.stdout.isatty() else None
    for p in plans:
        typer.echo(f"  {p.name:<{width}}  {duration_text(p.total_seconds):>12}  {p.title}")
        if not p.description:
            continue
        if columns is None:
            typer.echo(indent + p.description)
        else:
            room = max(30, columns - 1 - len(indent))
            for line in textwrap.wrap(p.description, room):
                typer.echo(indent + line)


def _record(ctx: typer.Context, result: RoutineResult) -> None:
    """Write the run to the history; if the database refuses (another program holds its lock
    past the busy timeout), hand it to the running daemon, which never loses a write to a
    locked database. Only when neither can take it does the person hear what was not saved."""
    try:
        from deskbreak.store.history import History
    except ModuleNotFoundError as err:
        if err.name != "deskbreak.store.history":
            raise
        return
    paths = paths_from(ctx)
    try:
        with History(paths.database) as history:
            history.record_routine(
                result.name,
                result.started,
                result.ended,
                result.completed,
                result.steps_done,
                result.steps_total,
            )
        return
    except Exception as err:  # noqa: BLE001 - a run already done must not end in a traceback
        refused = err
    try:
        said = _hand_to_daemon(paths, result)
    except Exception as err:  # noqa: BLE001 - no daemon, or one that refused: say what is lost
        warn(
            f"deskbreak: could not record the routine in the history ({refused}) and the "
            f"deskbreak daemon could not take it ({err})\n"
            f"deskbreak: not saved: {unsaved_routine_text(result)}"
        )
        return
    if said:
        warn(f"deskbreak: {said}")


def _hand_to_daemon(paths: Paths, result: RoutineResult) -> str:
    """Give the run to the daemon; what to tell the person (nothing if it is written)."""
    from deskbreak.cli.control_view import ask, now_here, render_record_routine
    from deskbreak.daemon.protocol import RecordRoutineRequest

    request = RecordRoutineRequest(
        name=result.name,
        started=result.started,
        ended=result.ended,
        completed=result.completed,
        steps_done=result.steps_done,
        steps_total=result.steps_total,
    )
    return render_record_routine(ask(paths, request), now_here())


def unsaved_routine_text(result: RoutineResult) -> str:
    """The run a person may want to note by hand: its name, local start time and steps."""
    started = result.started.astimezone()
    state = "all done" if result.completed else "done"
    return (
        f"the {result.name} routine started {started:%Y-%m-%d %H:%M}, "
        f"{result.steps_done} of {result.steps_total} steps {state}"
    )


def run_routine(
    ctx: typer.Context,
    name: str,
    *,
    show_list: bool,
    as_json: bool,
    minutes: float | None,
    sound: bool,
    voice: bool,
    notify: bool,
    no_input: bool,
) -> int:
    """Plan the routine `name`; print it (--list) or run it and record the result."""
    from deskbreak.routine.plan import plan_routine

    if as_json and not show_list:
        raise UsageError("--json goes with --list (e.g. deskbreak postrun --list --json)")
    library = _library(ctx)
    plan = plan_routine(library.routine(name), library, minutes)
    if plan.note:
        warn(f"note: {plan.note}")
    if show_list:
        if as_json:
            print_json(plan.as_json())
        else:
            _print_plan(plan)
        return EXIT_OK

    from deskbreak.routine.sound import choose_cues
    from deskbreak.routine.view import run_plan, time_scale

    time_scale()  # a bad DESKBREAK_TIME_SCALE is a usage error before the screen changes
    cues, notes = choose_cues(sound=sound, voice=voice, notify=notify, out=sys.stdout)
    for note in notes:
        warn(f"deskbreak: {note}")
    outcome = run_plan(plan, cues=cues, read_keys=not no_input)
    _record(ctx, outcome.result)
    return EXIT_INTERRUPTED if outcome.interrupted else EXIT_OK


def routine_command(fixed_name: str | None, doc: str) -> Callable[..., int]:
    """The command that runs the routine `fixed_name` (prerun, postrun) or, given None, any
    routine named by a NAME argument. All share one set of options, declared once here: Typer
    reads a function's `__signature__`, so the options live in a list instead of three copies
    of one eight-parameter signature."""

    def command(ctx: typer.Context, **options: Any) -> int:
        name = fixed_name or options.pop("name")
        if name is None:
            if not options["show_list"]:
                raise UsageError("name a routine to run, or list them: deskbreak routine --list")
            _list_routines(_library(ctx), options["as_json"])
            return EXIT_OK
        return run_routine(ctx, name, **options)

    keyword = inspect.Parameter.KEYWORD_ONLY
    params = [inspect.Parameter("ctx", keyword, annotation=typer.Context)]
    if fixed_name is None:
        name = typer.Argument(
            None,
            help="The routine to run (see --list).",
            show_default=False,
            autocompletion=complete_routine,
        )
        params.append(inspect.Parameter("name", keyword, default=name, annotation=str | None))
    list_option = LIST if fixed_name else ROUTINE_LIST
    params.append(inspect.Parameter("show_list", keyword, default=list_option, annotation=bool))
    params += [inspect.Parameter(n, keyword, default=d, annotation=t) for n, t, d in SHARED]
    command.__signature__ = inspect.Signature(params, return_annotation=int)  # type: ignore[attr-defined]  # read by inspect.signature
    command.__doc__ = doc
    command.__name__ = f"{fixed_name or 'routine'}_command"
    return command


app.command("prerun")(
    routine_command(
        "prerun",
        """Guided dynamic warm-up before a run (about 5-8 minutes, no equipment).

    Keys: space pause/resume, n next, b back, q quit. Example: deskbreak prerun --minutes 6
    """,
    )
)
app.command("postrun")(
    routine_command(
        "postrun",
        """Guided static cool-down after a run (about 8-12 minutes, on the floor).

    Keys: space pause/resume, n next, b back, q quit. Example: deskbreak postrun --voice
    """,
    )
)
app.command("routine")(
    routine_command(
        None,
        """Run any routine by name, bundled or your own from the config.

    Examples: deskbreak routine --list · deskbreak routine upper-back
    """,
    )
)
