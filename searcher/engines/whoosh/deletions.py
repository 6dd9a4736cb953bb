"""The deletions of a word (SymSpell): the key of near_terms.py's index, in memory or on disk.

Two words are within ``k`` edits only if some deletion of at most ``k`` letters from each
meets: indexing every term under its deletions finds a word's near terms by looking up its own.
"""

from __future__ import annotations

#: Deletions indexed per term: the largest edit distance the index can answer (``~2``, did-you-mean).
DEPTH = 2


def deletions(word: str, depth: int) -> set[str]:
    """``word`` and every string made by deleting up to ``depth`` of its letters."""
    out = {word}
    layer = out
    for _ in range(depth):
        layer = {w[:i] + w[i + 1:] for w in layer for i in range(len(w))}
        out |= layer
    return out
