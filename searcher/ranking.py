"""How hits are scored: BM25F with field weights (see query.FIELD_BOOSTS)."""

from __future__ import annotations

from whoosh import scoring

#: Lucene's long-standing defaults; see benchmarks/relevance.py before changing them.
K1 = 1.2
B = 0.75


def make_weighting() -> scoring.WeightingModel:
    """The weighting model every searcher uses."""
    return scoring.BM25F(B=B, K1=K1)
