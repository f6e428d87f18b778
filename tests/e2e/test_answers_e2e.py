"""One meaning per answer, end to end: the installed daemon, a real dunst, the real CLI.

`deskbreak done` closes the notification still on screen, the first answer counts, and the
answer survives a restart of the daemon.
"""

from __future__ import annotations

from pathlib import Path

from e2e_support import MakeDaemon, harness, harness_config, notify_calls, wait_for


def close_calls(harness_dir: str) -> int:
    log = Path(harness_dir, "notify.log").read_text(encoding="utf-8", errors="replace")
    return log.count("member=CloseNotification")


def test_done_from_the_cli_closes_the_notification_and_a_later_skip_changes_nothing(
    make_daemon: MakeDaemon, notify_server: dict[str, str]
) -> None:
    daemon = make_daemon(harness_config(), **notify_server)
    daemon.start()
    sent = daemon.cli("now")
    assert sent.returncode == 0, sent.stderr
    wait_for(lambda: notify_calls(notify_server["NOTIFY_HARNESS_DIR"]), what="a Notify call")

    done = daemon.cli("done")
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("nice, ")
    wait_for(
        lambda: close_calls(notify_server["NOTIFY_HARNESS_DIR"]) >= 1,
        what="the daemon to close the notification",
    )
    assert daemon.status()["last_reminder"]["answer"] == "done"

    # The answer comes from the history after a restart.
    assert daemon.stop() == 0
    daemon.start()
    assert daemon.status()["last_reminder"]["answer"] == "done"
    text = daemon.cli("status").stdout
    assert "(done)" in text and "no answer yet" not in text
    assert daemon.stop() == 0


def test_the_skip_button_counts_first_and_a_later_done_is_kept_as_an_event(
    make_daemon: MakeDaemon, notify_server: dict[str, str]
) -> None:
    daemon = make_daemon(harness_config(), **notify_server)
    daemon.start()
    assert daemon.cli("now").returncode == 0
    wait_for(lambda: notify_calls(notify_server["NOTIFY_HARNESS_DIR"]), what="a Notify call")
    pressed = harness(notify_server, "act", "Skip")
    assert pressed.returncode == 0, pressed.stderr
    wait_for(
        lambda: daemon.status()["last_reminder"]["answer"] == "skipped", what="the Skip answer"
    )
    late = daemon.cli("done")
    assert late.returncode == 0, late.stderr
    assert "already counts as skipped" in late.stdout
    today = daemon.status()["today"]
    assert (today["skipped"], today["done"]) == (1, 0)
    history = daemon.cli("history").stdout
    assert "answer" in history and "done after skipped" in history
    assert daemon.stop() == 0
