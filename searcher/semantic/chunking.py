"""Long texts in overlapping windows of tokens: one vector per window, the best one scores.

A model reads at most a few hundred tokens; a news article is often longer, and one vector
of its first window would miss what its later paragraphs are about. Windows overlap so a
passage cut by one boundary is whole in the neighbouring window.
"""

from __future__ import annotations


def windows(ids: list[int], size: int, overlap: int, limit: int) -> list[list[int]]:
    """``ids`` cut into windows of ``size`` tokens, each starting ``size - overlap`` after the
    last, at most ``limit`` of them (the first ones). The last window is moved back to end at
    the text's end when that keeps it full, so no window holds only a short tail. An empty
    text is one empty window (a document is never without a vector)."""
    if size < 1:
        raise ValueError("a window holds at least one token")
    if len(ids) <= size:
        return [list(ids)]
    step = max(1, size - min(overlap, size - 1))
    starts = list(range(0, len(ids) - size + 1, step))
    if starts[-1] + size < len(ids):
        starts.append(len(ids) - size)
    return [ids[s:s + size] for s in starts[:limit]]
