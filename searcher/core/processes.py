"""Worker processes that end with the process that started them (cleaning pools, index writers)."""

from __future__ import annotations

import os
import signal
import time


def start_worker(parent_pid: int) -> None:
    """A pool initializer: leave Ctrl-C to the indexer, and end with it.

    Ctrl-C reaches every process of the terminal's foreground group; the indexer decides
    what to keep and stops its workers, which must not die mid-task with a traceback each.
    """
    ignore_interrupts()
    exit_with_parent(parent_pid)


def ignore_interrupts() -> None:
    """In a worker process: SIGINT is for the process that started it."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if hasattr(signal, "pthread_sigmask"):  # a forked worker starts with it blocked by its parent
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})


def exit_with_parent(parent_pid: int) -> None:
    """In a worker process (a pool initializer): end it soon after the indexer that started it dies.

    Worker processes never see their queue close when the indexer is killed (each holds
    the queue's write end), so without this they would linger forever.
    """
    import threading

    def watch() -> None:
        while True:
            time.sleep(0.5)
            try:
                os.kill(parent_pid, 0)
            except ProcessLookupError:
                os._exit(1)
            except PermissionError:  # the pid was reused by another user's process
                os._exit(1)

    threading.Thread(target=watch, name="exit-with-parent", daemon=True).start()
