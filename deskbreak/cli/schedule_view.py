"""What `deskbreak schedule` prints: the reminders some days bring, and the run prompts.

No Typer in this module: `show_schedule` serves both the Typer command and `cli.quick`, which
answers a plain `deskbreak schedule` without building the Typer app.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, tzinfo
from pathlib import Path
from typing import TYPE_CHECKING, Any

from deskbreak.cli.common import load_config_noting, print_json
from deskbreak.errors import EXIT_OK, UsageError
from deskbreak.limits import FIRST_DATE, LAST_DATE, MAX_SCHEDULE_DAYS

if TYPE_CHECKING:
    from deskbreak.config import Config
    from deskbreak.library.moves import Move
    from deskbreak.paths import Paths
    from deskbreak.planner.runs import CalendarWindow
    from deskbreak.store.history import Snapshot


def show_schedule(paths: Paths, on: str | None, days: int, as_json: bool) -> int:
    """`deskbreak schedule`: the reminders from day `on` (default today) for `days` days."""
    from deskbreak.planner.schedule import plan_days
    from deskbreak.store.journal import read_snapshot_counting_journal

    config = load_config_noting(paths)
    zone = config.schedule.timezone
    now = datetime.now(zone)
    first = schedule_span(on, days, now.date())
    slots = plan_days(config.schedule, first, days)
    start = datetime.combine(first, time(), zone)
    end = datetime.combine(first + timedelta(days=days), time(), zone)
    database = paths.database
    windows = stored_windows(database, start - timedelta(days=2), end)
    # What the daemon did and plans: the reminders already sent, its rotation, skip and pause.
    # (Writes still waiting in the daemon's spill journal, a locked history, count too.)
    facts = read_snapshot_counting_journal(database, start, min(end, now + timedelta(seconds=1)))
    rows = _schedule_rows(config, slots, windows, facts, now, start, end)
    if as_json:
        print_json(rows)
    else:
        print("\n".join(schedule_text(rows, zone, bool(slots))))
    return EXIT_OK


def schedule_text(rows: list[dict[str, Any]], zone: tzinfo, any_slots: bool) -> list[str]:
    """The lines `deskbreak schedule` prints for `rows`: a heading a day, a line a row."""
    lines = [f"time zone: {zone}"]
    current: date | None = None
    for row in rows:
        moment = datetime.fromisoformat(row["at"])
        if moment.date() != current:
            current = moment.date()
            lines.append(f"\n{moment:%a %Y-%m-%d}")
        if row["kind"] == "reminder" and row["status"] in NOT_SENT:
            line = f"  {moment:%H:%M}  {NOT_SENT[row['status']]}"
            if row.get("reason"):
                line += f": {row['reason']}"
        elif row["kind"] == "reminder":
            line = f"  {moment:%H:%M}  {row['name']}  ({row['area']})"
            if row["status"] == "sent":
                line += "  sent"
            if row.get("held_until"):
                line += f"  held by a meeting until {row['held_until'][11:16]}"
            elif "held_until" in row:
                line += "  not sent: in a meeting until the next reminder"
        else:
            label = "warm-up" if row["kind"] == "warmup" else "cool-down"
            line = f"  {moment:%H:%M}  {label} prompt for the {row['run_start'][11:16]} run"
        lines.append(line)
    if not any_slots:
        lines.append("no reminders on these days (not a working day, or no window long enough)")
    return lines


def stored_windows(database: Path, start: datetime, end: datetime) -> list[CalendarWindow]:
    """The synced calendar windows overlapping [start, end), read-only."""
    if not database.exists():
        return []  # and SQLite stays unimported
    from deskbreak.planner.runs import CalendarWindow
    from deskbreak.store.calendar_windows import read_windows_between

    return [
        CalendarWindow(w.start, w.end, w.busy, w.run, w.all_day)
        for w in read_windows_between(database, start, end)
    ]


# How a schedule line reads for a slot that brings (or brought) no move.
NOT_SENT = {
    "not sent": "not sent (paused, skipped, away or asleep)",
    "away": "not sent: you were away (a natural break)",
    "missed": "missed: held for do not disturb or fullscreen until the next reminder",
    "held": "held until it can be seen",
    "skipped": "skipped (`deskbreak skip --undo` brings it back)",
    "paused": "paused",
}


def schedule_span(on: str | None, days: int, today: date) -> date:
    """The first day of `schedule --date ON --days N`, or a UsageError naming the range."""
    if not 1 <= days <= MAX_SCHEDULE_DAYS:
        raise UsageError(f"--days must be from 1 to {MAX_SCHEDULE_DAYS}, got {days}")
    if on is None:
        return today
    try:
        first = date.fromisoformat(on)
    except ValueError:
        raise UsageError(f"--date must be YYYY-MM-DD, got {on!r}") from None
    if first < FIRST_DATE or first > LAST_DATE - timedelta(days=days - 1):
        raise UsageError(
            f"--date and --days must stay within {FIRST_DATE} to {LAST_DATE}, got {on} + {days}"
        )
    return first


def _schedule_rows(
    config: Config,
    slots: list[datetime],
    windows: list[CalendarWindow],
    facts: Snapshot,
    now: datetime,
    start: datetime,
    end: datetime,
) -> list[dict[str, Any]]:
    """Reminders (with their move, the run-day lean and any meeting hold) and run prompts.

    Past slots show what the daemon actually sent (or that it sent nothing); later ones
    continue the daemon's rotation from its history, as the daemon will: a skipped or paused
    slot uses no move, and a snoozed reminder's move comes back first."""
    from deskbreak.library.rotation import (
        RECENT_MOVES,
        RUN_AREAS,
        upcoming_desk_moves,
        walk_every_for,
    )
    from deskbreak.planner.holds import held_until
    from deskbreak.planner.runs import leans_toward_running, prompts_between

    zone = config.schedule.timezone
    runs = config.running.runs
    candidates = config.library.desk_moves(config.moves.areas, config.moves.exclude)
    walk_every = walk_every_for(int(config.schedule.interval.total_seconds() // 60))
    moves = config.library.moves
    sent = {at.timestamp(): move_id for at, move_id in facts.sent}
    unseen = {at.timestamp(): answer for at, answer in facts.unseen}
    state = facts.state
    snoozed = moves.get(state.snoozed_move_id) if state.snoozed_move_id else None
    history = list(facts.recent_moves)
    rows: list[dict[str, Any]] = []
    for index, slot in enumerate(slots):
        row: dict[str, Any] = {"at": slot.isoformat(timespec="seconds"), "kind": "reminder"}
        rows.append(row)
        if state.held_slot is not None and state.held_slot == slot:
            row.update(_move_fields(None, None), status="held", reason=state.held_reason)
            continue
        if slot.timestamp() in unseen:
            row.update(_move_fields(None, None), status=unseen[slot.timestamp()])
            continue
        if slot.timestamp() <= now.timestamp():  # as instants: a fall-back hour repeats
            move_id = sent.pop(slot.timestamp(), None)
            row.update(_move_fields(moves.get(move_id) if move_id else None, move_id))
            row["status"] = "sent" if move_id else "not sent"
            continue
        skipped = state.skipped_slot is not None and state.skipped_slot == slot
        paused = state.paused_indefinitely or (
            state.paused_until is not None and state.paused_until >= slot
        )
        if skipped or paused:
            row.update(_move_fields(None, None))
            row["status"] = "skipped" if skipped else "paused"
            continue
        lean = RUN_AREAS if leans_toward_running(runs, windows, zone, slot.date()) else ()
        # The daemon's rotation looks back on the last RECENT_MOVES reminders; so does this one
        # (and a year's schedule stays quick).
        recent = history[-RECENT_MOVES:]
        move = snoozed or upcoming_desk_moves(candidates, recent, 1, lean, walk_every)[0]
        snoozed = None
        next_slot = slots[index + 1] if index + 1 < len(slots) else None
        held, until = held_until(windows, slot, next_slot)
        if not held or until is not None:  # a dropped reminder uses no move
            history.append(move.id)
        row.update(_move_fields(move, move.id))
        row["status"] = "planned"
        if held:
            row["held_until"] = until.isoformat(timespec="seconds") if until else None
    for at, move_id in facts.sent:  # sent at no slot: `deskbreak now`, a snooze's return
        if at.timestamp() in sent:
            local = at.astimezone(zone)
            row = {"at": local.isoformat(timespec="seconds"), "kind": "reminder"}
            row.update(_move_fields(moves.get(move_id), move_id), status="sent")
            rows.append(row)
    for prompt in prompts_between(runs, windows, zone, start, end):
        rows.append(
            {
                "at": prompt.at.astimezone(zone).isoformat(timespec="seconds"),
                "kind": prompt.kind,
                "run_start": prompt.run.start.astimezone(zone).isoformat(timespec="seconds"),
            }
        )
    rows.sort(key=lambda r: datetime.fromisoformat(r["at"]))
    return rows


def _move_fields(move: Move | None, move_id: str | None) -> dict[str, Any]:
    return {
        "move": move_id,
        "name": move.name if move else move_id,
        "area": move.area if move else None,
    }
