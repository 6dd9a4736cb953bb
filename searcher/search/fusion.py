"""Hybrid ranking: the keyword and the semantic top lists mixed into one.

Each list's scores are min-max normalised over its own top (best 1, worst 0), then mixed
linearly: ``(1 - w) * keyword + w * semantic``, a document missing from one list getting 0
from it. Scores of the two sides are on unrelated scales (BM25 sums vs cosines), which is
what the normalisation removes; reciprocal rank fusion, which throws the scores away, ranked
below this mix in 6 of 9 (collection, model) pairs measured (docs/benchmarks.md).
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class Fused:
    """One document of a mixed list: its mixed score and the two parts it came from.

    ``keyword`` and ``semantic`` are the normalised parts (0..1; 0 when the document was not in
    that side's top), ``keyword_score`` and ``semantic_score`` the raw scores (None when absent).
    ``score == (1 - weight) * keyword + weight * semantic``.
    """

    doc_id: Hashable
    score: float
    keyword: float
    semantic: float
    keyword_score: float | None
    semantic_score: float | None


def min_max(scores: Mapping[Any, float]) -> dict[Any, float]:
    """Scores mapped onto 0..1 (the best 1, the worst 0); all equal: all 1 (each is the best)."""
    if not scores:
        return {}
    low, high = min(scores.values()), max(scores.values())
    if high <= low:
        return {doc: 1.0 for doc in scores}
    return {doc: (value - low) / (high - low) for doc, value in scores.items()}


def in_rank_order(scores: Mapping[Any, float]) -> dict[Any, float]:
    """Scores made non-increasing along the list's order (each at most the one before it).

    The keyword ranking may put a lower score first (documents holding every query word rank
    before those holding some, whatever their scores): its order is the ranking, so a
    document never gets more of the keyword part than one ranked above it.
    """
    out: dict[Any, float] = {}
    ceiling = float("inf")
    for doc, value in scores.items():
        ceiling = min(ceiling, value)
        out[doc] = ceiling
    return out


def fuse(keyword: Mapping[Any, float], semantic: Mapping[Any, float], weight: float) -> list[Fused]:
    """The two top lists (document id -> raw score, best first) mixed at ``weight`` (the
    semantic share, 0..1), best first; ties keep the keyword list's order, then the semantic
    list's. Each list's order is kept (``in_rank_order``): at weight 0 the keyword ranking
    comes back unchanged, at 1 the semantic one."""
    if not 0.0 <= weight <= 1.0:
        raise ValueError(f"the semantic weight must be between 0 and 1, not {weight}")
    kw, sem = min_max(in_rank_order(keyword)), min_max(in_rank_order(semantic))
    order = list(keyword) + [doc for doc in semantic if doc not in keyword]
    fused = [Fused(doc, (1.0 - weight) * kw.get(doc, 0.0) + weight * sem.get(doc, 0.0), kw.get(doc, 0.0),
                   sem.get(doc, 0.0), keyword.get(doc), semantic.get(doc)) for doc in order]
    position = {f.doc_id: i for i, f in enumerate(fused)}
    return sorted(fused, key=lambda f: (-f.score, position[f.doc_id]))
