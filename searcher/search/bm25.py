"""The BM25 formula, once: idf and term-frequency saturation, for every path that scores.

Two forms, because the two paths combine fields differently:

* :func:`term_score` (and its bulk forms) is BM25F: the term frequency is each field's
  count times its weight over its length normalisation (:func:`length_norms`), summed
  over the fields, and saturates once. The word path scores with it (postings,
  feedback's re-rank, explain).
* :func:`field_score` is BM25 over one field, saturated per field, in the operation
  order of Whoosh's ``scoring.bm25``: the structured path's scorer calls it, so Whoosh's
  searches score exactly as they did with Whoosh's own function.

The bulk forms repeat :func:`term_score`'s expression inside a comprehension instead of
calling it: a call per posting would cost a third more on the hottest loop of a query.
They are tested to give the same bits as :func:`term_score`; keep them in step.
Engine-neutral: plain numbers and dicts.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping


def idf(doc_count: int, doc_freq: int) -> float:
    """Lucene's BM25 idf: never negative, and near 0 for a word in most documents.

    Whoosh's own idf (log(N/(df+1)) + 1) gives even the commonest words a weight of at
    least 1, so verbose queries ("what are the problems of ...") rank by noise words.
    """
    return math.log(1.0 + (doc_count - doc_freq + 0.5) / (doc_freq + 0.5))


def length_norms(lengths: Iterable[int], avg_length: float, weight: float, b: float) -> list[float]:
    """Per document, BM25F's factor for one field: its weight over its length normalisation.

    A document's pseudo-tf is the sum over the fields of count x this factor.
    """
    return [weight / ((1.0 - b) + b * (n / avg_length)) for n in lengths]


def term_score(weight: float, tf: float, k1: float, delta: float = 0.0) -> float:
    """One term's BM25F score in one document.

    ``weight``: the term's idf times its query weight; ``tf``: its pseudo-frequency
    (length-normalised and field-weighted, summed over the fields); ``delta``: BM25+'s floor.
    """
    return weight * (tf * (k1 + 1.0) / (tf + k1) + delta)


def term_scores(weight: float, tfs: Mapping[int, float], k1: float, delta: float) -> dict[int, float]:
    """:func:`term_score` of every document in ``tfs`` (docnum -> pseudo-tf), in its key order."""
    k1_plus = k1 + 1.0
    # (A dict comprehension: 40% faster here than chained operator maps.)
    return {d: weight * (tf * k1_plus / (tf + k1) + delta) for d, tf in tfs.items()}


def term_scores_of(
    weight: float, tfs: Mapping[int, float], docs: Iterable[int], k1: float, delta: float
) -> dict[int, float]:
    """:func:`term_score` of the documents ``docs`` (each must be in ``tfs``), in that order."""
    k1_plus = k1 + 1.0
    return {d: weight * (tfs[d] * k1_plus / (tfs[d] + k1) + delta) for d in docs}


def add_term_scores(
    scores: Mapping[int, float], weight: float, tfs: Mapping[int, float], k1: float, delta: float
) -> dict[int, float]:
    """``scores`` with each document's :func:`term_score` added (each must be in ``tfs``)."""
    k1_plus = k1 + 1.0
    return {d: s + weight * (tfs[d] * k1_plus / (tfs[d] + k1) + delta) for d, s in scores.items()}


def field_score(idf: float, tf: float, length: float, avg_length: float, b: float, k1: float) -> float:
    """BM25 of one term in one field: ``tf`` occurrences in a field ``length`` words long.

    The operations of Whoosh's ``scoring.bm25`` in its order (the same bits).
    """
    return idf * ((tf * (k1 + 1)) / (tf + k1 * ((1 - b) + b * length / avg_length)))


def query_term_weights(tokens: Iterable[str], counted: bool, logarithmic: bool) -> dict[str, float]:
    """Each distinct query word's weight, in first-seen order: 1, or with ``counted`` the
    times it was typed, damped to 1 + ln(count) with ``logarithmic`` (a long question that
    names its topic five times means it, but not five times over a word named once)."""
    counts: dict[str, int] = {}
    for token in tokens:
        counts[token] = counts.get(token, 0) + 1
    if not counted:
        return {t: 1.0 for t in counts}
    return {t: 1.0 + math.log(c) if logarithmic else float(c) for t, c in counts.items()}
