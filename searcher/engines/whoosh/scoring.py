"""Whoosh's own scoring, as structured queries and ``similar`` use it.

Structured queries (phrases, fields, boolean operators, wildcards) are run by Whoosh:
:func:`make_weighting` gives it BM25 per field with the project's idf and the settings'
k1, b and title_b, scored by :func:`searcher.search.bm25.field_score` (the same formula
as Whoosh's, in one place with the word path's). :func:`key_terms` picks a document's
most telling words for ``similar`` with Whoosh's Bo1 model.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from whoosh import classify, scoring

from ...search.bm25 import field_score, idf
from ...search.limits import SIMILAR_SAMPLE_CHARS
from ...search.settings import RankingSettings


class _Bm25Scorer(scoring.BM25FScorer):
    """Whoosh's BM25 scorer with our idf and our formula (for structured queries run by Whoosh)."""

    def __init__(self, searcher: Any, fieldname: str, text: Any, B: float, K1: float, qf: int = 1) -> None:
        # Whoosh's __init__ computes the term's best possible score (its bound for
        # skipping blocks) with Whoosh's idf, before ours replaces it: kept as it was.
        super().__init__(searcher, fieldname, text, B, K1, qf=qf)
        parent = searcher.get_parent()
        self.idf = idf(parent.doc_count_all(), parent.doc_frequency(fieldname, text))

    def _score(self, weight: float, length: int) -> float:
        return field_score(self.idf, weight, length, self.avgfl, self.B, self.K1)


class Bm25(scoring.BM25F):
    """BM25 per field with our idf and per-field B (used by Whoosh for structured queries)."""

    def scorer(self, searcher: Any, fieldname: str, text: Any, qf: int = 1) -> Any:
        if not searcher.schema[fieldname].scorable:
            return scoring.WeightScorer.for_(searcher, fieldname, text)
        return _Bm25Scorer(searcher, fieldname, text, self._field_B.get(fieldname, self.B), self.K1, qf=qf)


def make_weighting(settings: RankingSettings) -> scoring.WeightingModel:
    """The weighting model a Whoosh searcher scores structured queries with."""
    return Bm25(B=settings.b, K1=settings.k1, title_B=settings.title_b, sections_B=settings.title_b)


def key_terms(searcher: Any, docnum: int, count: int = 20) -> dict[str, float]:
    """The words that best tell this document apart (Whoosh's Bo1 model over title and body,
    as ``Searcher.key_terms`` picks them), read from the first SIMILAR_SAMPLE_CHARS of each:
    a document of megabytes costs no more than one of that size."""
    found: dict[str, float] = defaultdict(float)
    stored = searcher.stored_fields(docnum)
    for fieldname in ("title", "body"):
        text = stored.get(fieldname)
        if not isinstance(text, str) or not text:
            continue
        expander = classify.Expander(searcher.reader(), fieldname, model=classify.Bo1Model)
        expander.add_text(text[:SIMILAR_SAMPLE_CHARS])
        for word, weight in expander.expanded_terms(count, normalize=True):
            word = word.decode("utf-8") if isinstance(word, bytes) else word
            found[word] += float(weight)
    best = sorted(found.items(), key=lambda kv: kv[1], reverse=True)[:count]
    return dict(best)
