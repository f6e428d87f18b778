"""Plain log lines on stderr: timestamps in a terminal, syslog priority prefixes under journald."""

from __future__ import annotations

import logging
import os
import sys

# journald reads a "<N>" prefix as the line's priority (SyslogLevelPrefix=yes is its default).
_PRIORITY = {
    logging.DEBUG: 7,
    logging.INFO: 6,
    logging.WARNING: 4,
    logging.ERROR: 3,
    logging.CRITICAL: 2,
}


class _JournalFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        text = super().format(record).replace("\n", "\n  ")
        return f"<{_PRIORITY.get(record.levelno, 6)}>{text}"


def under_journald() -> bool:
    return bool(os.environ.get("JOURNAL_STREAM"))


def setup_logging(verbose: bool = False) -> None:
    handler = logging.StreamHandler(sys.stderr)
    if under_journald():
        handler.setFormatter(_JournalFormatter("%(message)s"))
    else:
        handler.setFormatter(
            logging.Formatter("%(asctime)s %(levelname)s %(message)s", "%Y-%m-%d %H:%M:%S")
        )
    root = logging.getLogger("deskbreak")
    root.handlers[:] = [handler]
    root.setLevel(logging.DEBUG if verbose else logging.INFO)
    root.propagate = False
    # APScheduler narrates every job run at INFO; the daemon logs its own one line per reminder.
    logging.getLogger("apscheduler").setLevel(logging.DEBUG if verbose else logging.ERROR)
    logging.getLogger("apscheduler").addHandler(handler)
