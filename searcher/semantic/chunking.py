"""Long texts in overlapping windows of tokens: one vector per window, the best one scores.

A model reads at most a few hundred tokens; a news article is often longer, and one vector
of its first window would miss what its later paragraphs are about. Windows overlap so a
passage cut by one boundary is whole in the neighbouring window.
"""

from __future__ import annotations


def windows(ids: list[int], size: int, overlap: int, limit: int) -> list[list[int]]:
    """``ids`` cut into windows of at most ``size`` tokens, neighbours sharing ``overlap``, at
    most ``limit`` of them. A text that needs ``n`` windows gets ``n`` windows of one length,
    spread evenly from its start to its end: a text a little longer than one window is two
    half windows, not two full ones repeating most of their tokens (what a last window moved
    back to end at the text's end gave: a quarter of a Reuters build's tokens). A text longer
    than ``limit`` windows is cut into its first ``limit`` full windows. An empty text is one
    empty window (a document is never without a vector)."""
    if size < 1:
        raise ValueError("a window holds at least one token")
    if len(ids) <= size:
        return [list(ids)]
    overlap = min(overlap, size - 1)
    step = size - overlap
    count = -(-(len(ids) - overlap) // step)  # windows of ``size`` needed to cover every token
    if count > limit:
        return [ids[s:s + size] for s in range(0, limit * step, step)]
    length = -(-(len(ids) + (count - 1) * overlap) // count)  # <= size
    step = length - overlap
    return [ids[s:s + length] for s in (min(k * step, len(ids) - length) for k in range(count))]
