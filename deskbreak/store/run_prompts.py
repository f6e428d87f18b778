"""The warm-up and cool-down prompts that were shown, and how each was answered."""

from __future__ import annotations

from datetime import datetime
from typing import Literal, get_args

from deskbreak.store.history import History, epoch

PromptAnswer = Literal["started", "not-today", "ignored", "held", "missed"]
PROMPT_ANSWERS: tuple[PromptAnswer, ...] = get_args(PromptAnswer)


def record_prompt(
    history: History, at: datetime, kind: str, run_start: datetime, prompt_id: int | None = None
) -> int:
    """Record a prompt shown for the run starting at `run_start` (with the id handed out
    earlier, if any); returns its id."""
    rows = history.query(
        "INSERT INTO run_prompts (id, at, kind, run_start) VALUES (?, ?, ?, ?) RETURNING id",
        (prompt_id, epoch(at), kind, epoch(run_start)),
    )
    return int(rows[0][0])


def next_prompt_id(history: History) -> int:
    """The id the next prompt gets (only the daemon records prompts, as with reminders)."""
    return int(history.query("SELECT coalesce(max(id), 0) + 1 FROM run_prompts")[0][0])


def record_prompt_answer(
    history: History, prompt_id: int, answer: PromptAnswer, at: datetime
) -> None:
    """The first real answer wins; "ignored" only fills in a prompt with no answer yet."""
    if answer not in PROMPT_ANSWERS:
        raise ValueError(f"unknown prompt answer {answer!r}; expected one of {PROMPT_ANSWERS}")
    history.write(
        [
            (
                "UPDATE run_prompts SET answer = ?, answered_at = ?"
                " WHERE id = ? AND (answer IS NULL OR (answer = 'ignored' AND ? != 'ignored'))",
                [(answer, epoch(at), prompt_id, answer)],
            )
        ]
    )


def prompt_answers(
    history: History, start: datetime, end: datetime
) -> list[tuple[str, datetime, str | None]]:
    """(kind, run start, answer) of the prompts shown in [start, end)."""
    from datetime import UTC

    return [
        (kind, datetime.fromtimestamp(run_start, UTC), answer)
        for kind, run_start, answer in history.query(
            "SELECT kind, run_start, answer FROM run_prompts WHERE at >= ? AND at < ? ORDER BY at",
            (epoch(start), epoch(end)),
        )
    ]
