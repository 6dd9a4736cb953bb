"""Worker processes that end with the process that started them (cleaning pools, index writers)."""

from __future__ import annotations

import os
import time


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
