"""One cache for what is made from a segment's files: its columns, decoded postings,
spelling and stats files.

A segment's files never change once written, so a value made from them stays right for as
long as its key (``internals.segment_key``: the index folder and the segment's id) names
that segment; a reader of another generation asks with other keys and never sees it. The
least recently used values go first once the cache holds more than it may.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

V = TypeVar("V")


class SegmentCache(Generic[V]):
    """Values made per segment key, at most ``kept`` of them (or ``kept`` units of
    ``weight``, say postings), shared by every thread of the process."""

    def __init__(self, kept: int, weight: Callable[[V], int] = lambda value: 1) -> None:
        self._kept = kept
        self._weight = weight
        self._held = 0
        self._items: OrderedDict[Hashable, V] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable, make: Callable[[], V]) -> V:
        """The value kept for ``key``, or ``make()``'s, kept. ``make`` runs outside the lock:
        reading one segment's files never holds up the threads that want another's."""
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                return self._items[key]
        value = make()
        with self._lock:
            if key not in self._items:
                self._items[key] = value
                self._held += self._weight(value)
                while self._held > self._kept and len(self._items) > 1:
                    _, old = self._items.popitem(last=False)
                    self._held -= self._weight(old)
        return value

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
            self._held = 0
