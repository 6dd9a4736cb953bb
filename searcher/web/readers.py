"""A few SearchIndex handles shared by the server's worker threads.

A handle's reader is not safe for two threads at once, so each request borrows one and
gives it back. Two handles let a slow search (a date sort over a whole archive) leave the
other free for everyone else; more would only hold more readers in memory, since the
work is CPU-bound Python that the GIL runs one thread at a time anyway.
Each handle notices a new index generation (`searcher index` run meanwhile) by itself, at
the next search: the server needs no restart.
"""

from __future__ import annotations

import os
import queue
from collections.abc import Iterator
from contextlib import contextmanager

from .. import ClusterSettings, SearchIndex

#: Handles opened by default (one per core of a small machine).
DEFAULT_READERS = 2


class IndexPool:
    """``readers`` handles on the index at ``location``, lent out one request at a time."""

    def __init__(self, location: str | os.PathLike[str], readers: int = DEFAULT_READERS,
                 cluster: ClusterSettings | None = None) -> None:
        if readers < 1:
            raise ValueError("readers must be 1 or more")
        self.location = location
        self._free: queue.SimpleQueue[SearchIndex] = queue.SimpleQueue()
        self._all = [SearchIndex(location, cluster=cluster) for _ in range(readers)]
        #: The location as messages show it (a cluster's without credentials).
        self.shown = self._all[0].location
        for index in self._all:
            self._free.put(index)

    @contextmanager
    def borrow(self) -> Iterator[SearchIndex]:
        """A handle for the length of the ``with`` block (waits while all are lent)."""
        index = self._free.get()
        try:
            yield index
        finally:
            self._free.put(index)

    def close(self) -> None:
        """Close every handle's readers."""
        for index in self._all:
            index.close()
