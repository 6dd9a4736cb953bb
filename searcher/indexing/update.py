"""The update algorithm: a seeds folder diffed by content hash against what an engine holds."""

from __future__ import annotations

import time
from collections.abc import Callable


def timer() -> Callable[[], float]:
    """A stopwatch: call the result to get the seconds since it was made."""
    start = time.perf_counter()
    return lambda: time.perf_counter() - start
