"""The daemon waits for its child processes on the event loop, without a thread per child."""

from __future__ import annotations

import subprocess
import sys
import textwrap

PROBE = textwrap.dedent(
    """
    import asyncio, threading
    from deskbreak.daemon.start import wait_for_children_on_the_loop

    async def main() -> None:
        # The child waits for its stdin to close, so it is surely alive while threads are counted.
        child = await asyncio.create_subprocess_exec(
            "sh", "-c", "cat >/dev/null; exit 3", stdin=asyncio.subprocess.PIPE
        )
        threads = threading.active_count()
        child.stdin.close()
        print(threads, await child.wait())

    wait_for_children_on_the_loop()
    asyncio.run(main())
    """
)


def test_a_child_of_the_daemon_adds_no_thread_and_its_exit_code_still_arrives() -> None:
    # A fresh interpreter: the child watcher is process-wide state.
    done = subprocess.run(
        [sys.executable, "-c", PROBE], capture_output=True, text=True, check=True, timeout=30
    )
    assert done.stdout.split() == ["1", "3"], done.stderr
