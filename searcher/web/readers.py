"""A few SearchIndex handles shared by the server's worker threads.

A handle's reader is not safe for two threads at once, so each request borrows one and
gives it back. Two handles let a slow search (a date sort over a whole archive) leave the
other free for everyone else; more would only hold more readers in memory, since the
work is CPU-bound Python that the GIL runs one thread at a time anyway.
Each handle notices a new index generation (`searcher index` run meanwhile) by itself, at
the next search: the server needs no restart.

A request that reads a whole document (its page, its JSON, the articles like it) costs in
proportion to the document, which may be very large: such requests hold at most all the
handles but one, so however many of them are in flight one handle is always left for
searches, and a search waits at most for its own share of the machine.
"""

from __future__ import annotations

import os
import queue
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

from .. import ClusterSettings, IndexStats, SearchIndex

#: Handles opened by default (one per core of a small machine).
DEFAULT_READERS = 2
#: Seconds the index's figures are kept for the search page (its date presets, the home
#: page): they walk the whole index, and an archive changes little in a minute.
STATS_SECONDS = 60.0


class IndexPool:
    """``readers`` handles on the index at ``location``, lent out one request at a time
    (``model``: the embedding model for queries, see ``SearchIndex``)."""

    def __init__(self, location: str | os.PathLike[str], readers: int = DEFAULT_READERS,
                 cluster: ClusterSettings | None = None, model: str | None = None) -> None:
        if readers < 1:
            raise ValueError("readers must be 1 or more")
        self._free: queue.SimpleQueue[SearchIndex] = queue.SimpleQueue()
        # (the handles encode queries with one model: searcher.semantic.dense.shared_model)
        self._all = [SearchIndex(location, cluster=cluster, model=model) for _ in range(readers)]
        #: The location as messages show it (a cluster's without credentials).
        self.shown = self._all[0].location
        for index in self._all:
            self._free.put(index)
        self._documents = threading.BoundedSemaphore(max(1, readers - 1))
        self._stats: tuple[float, IndexStats] | None = None
        self._stats_lock = threading.Lock()

    def stats(self) -> IndexStats:
        """The index's figures, read at most once a :data:`STATS_SECONDS` (two requests at
        once read them once)."""
        with self._stats_lock:
            if self._stats is None or time.monotonic() - self._stats[0] > STATS_SECONDS:
                with self.borrow() as index:
                    self._stats = (time.monotonic(), index.stats())
            return self._stats[1]

    @contextmanager
    def borrow(self, *, whole_document: bool = False) -> Iterator[SearchIndex]:
        """A handle for the length of the ``with`` block (waits while all are lent).

        ``whole_document``: the request reads a whole document (see the module docstring).
        """
        lane = self._documents if whole_document else None
        if lane is not None:
            lane.acquire()
        try:
            index = self._free.get()
            try:
                yield index
            finally:
                self._free.put(index)
        finally:
            if lane is not None:
                lane.release()

    def close(self) -> None:
        """Close every handle's readers."""
        for index in self._all:
            index.close()
