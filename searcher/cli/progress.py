"""A one-line progress bar on stderr for long builds: count, percentage when known, rate.

It draws only on a terminal, and only once a build has run for ``delay`` seconds, so
quick updates and piped output stay silent. Pass it as ``progress=`` to
``SearchIndex.add``, ``rebuild`` or ``update``.
"""

from __future__ import annotations

import sys
import time
from typing import TextIO


class ProgressBar:
    """Callable as ``bar(done, total, stage)``; use as a context manager to end the line."""

    def __init__(self, unit: str = "articles", *, stream: TextIO | None = None, enabled: bool | None = None,
                 delay: float = 1.0, interval: float = 0.1) -> None:
        self.unit = unit
        self.stream = stream if stream is not None else sys.stderr
        if enabled is None:
            isatty = getattr(self.stream, "isatty", None)
            enabled = bool(isatty and isatty())
        self.enabled = enabled
        self.delay = delay
        self.interval = interval
        self.started = time.perf_counter()
        self._last = 0.0
        self._drawn = False
        self._width = 0
        self._stage, self._stage_started = "indexing", self.started

    def __call__(self, done: int, total: int = 0, stage: str = "indexing") -> None:
        if not self.enabled:
            return
        now = time.perf_counter()
        if stage not in ("indexing", "committing") and stage != self._stage:
            # A later stage (embedding, after the keyword index) counts again from 0: its rate
            # and time are its own.
            self._stage, self._stage_started = stage, now
        elapsed = now - self.started
        if elapsed < self.delay or (now - self._last < self.interval and stage == "indexing"):
            return
        self._last = now
        own = now - (self._stage_started if stage == self._stage else self.started)
        rate = done / own if own > 0 else 0.0
        if total:
            share = min(done / total, 1.0)
            filled = int(share * 20)
            text = f"[{'#' * filled}{'.' * (20 - filled)}] {done:,}/{total:,} {self.unit} {share:4.0%}"
        else:
            text = f"{done:,} {self.unit}"
        text += f"  {rate:,.0f}/s  {elapsed:.0f} s"
        if stage != "indexing":
            text += f"  {stage}…"
        self._draw(text)

    def _draw(self, text: str) -> None:
        pad = max(self._width - len(text), 0)
        self.stream.write("\r" + text + " " * pad)
        self.stream.flush()
        self._width = len(text)
        self._drawn = True

    def clear(self) -> None:
        """Blank the line (before printing a message under a drawn bar)."""
        if self._drawn:
            self.stream.write("\r" + " " * self._width + "\r")
            self.stream.flush()
            self._width = 0
            self._drawn = False

    def close(self) -> None:
        """End the bar's line so what follows starts on a new one."""
        self.clear()

    def __enter__(self) -> "ProgressBar":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
