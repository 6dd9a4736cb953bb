"""The index's write lock: one writer at a time, waiters queue, a dead holder never blocks.

The lock is an ``fcntl`` lock on a file, so the kernel releases it the moment its holder
dies (even by ``kill -9``): a stale lock cannot outlive its process. The file also records
the holder's pid and host so a waiting process can say who it is waiting for.
"""

from __future__ import annotations

import fcntl
import json
import os
import time
from pathlib import Path
from types import TracebackType

from ...core.errors import IndexLockedError

#: Seconds a second writer waits for the first by default before giving up.
DEFAULT_WAIT = 30.0


class WriteLock:
    """An exclusive, process-wide lock on one index folder (a context manager)."""

    def __init__(self, path: str | os.PathLike[str], *, wait: float = DEFAULT_WAIT) -> None:
        self.path = Path(path)
        self.wait = wait
        self._fd: int | None = None

    def acquire(self) -> None:
        """Take the lock, waiting up to ``wait`` seconds, else raise IndexLockedError."""
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
        deadline = time.monotonic() + max(self.wait, 0.0)
        delay = 0.02
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    holder = self.holder()
                    os.close(fd)
                    who = f"process {holder.get('pid', '?')} on {holder.get('host', '?')}" if holder else "another process"
                    raise IndexLockedError(
                        f"index is being updated by {who}; waited {self.wait:g} s "
                        "(try again later or pass a longer --wait)"
                    ) from None
                time.sleep(delay)
                delay = min(delay * 2, 0.25)
        os.ftruncate(fd, 0)
        os.write(fd, json.dumps({"pid": os.getpid(), "host": os.uname().nodename, "since": time.time()}).encode())
        self._fd = fd

    def release(self) -> None:
        """Give the lock back (the record stays; it means nothing once unlocked)."""
        if self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None

    def holder(self) -> dict[str, object]:
        """Who last took the lock (pid, host, since), or {} if unknown."""
        try:
            return json.loads(self.path.read_text() or "{}")
        except (OSError, ValueError):
            return {}

    def __enter__(self) -> "WriteLock":
        self.acquire()
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self.release()
