"""Pseudo-relevance feedback's term model (RM3): which words to add to a query, and how much.

The top hits of a first pass are taken as relevant; the words most typical of them
(weighted by how rare they are in the collection) join the query, mixed with the user's
own words. Engine-neutral: it reads the top documents' term counts and lengths and a
document-frequency function, never an index; the engine re-ranks with the result.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Mapping, Sequence
from itertools import repeat
from operator import itemgetter, mul

from .bm25 import idf
from .settings import RankingSettings
from .sums import fold

#: One top document: (first-pass score, its term counts over all word fields, its length in words).
TopDocument = tuple[float, Mapping[str, int], int]


def rm3(
    terms: Mapping[str, float],
    top: Sequence[TopDocument],
    df: Callable[[str], int],
    doc_count: int,
    settings: RankingSettings,
) -> tuple[float, dict[str, float]]:
    """RM3: the query mixed with the words most typical of the top hits.

    ``terms``: the query's words and weights; ``top``: the first pass's best documents,
    best first; ``df``: documents holding a word; ``doc_count``: documents in the index.
    Returns ``(scale, extra)``: the mixed query is every original weight times ``scale``
    plus the ``extra`` weights (expansion words, and original words the top hits favour).
    """
    norm_q = sum(terms.values()) or 1.0
    original = original_weight(len(terms), _spread(top), settings)
    if original >= 1.0:
        return 1.0 / norm_q, {}
    model = _relevance_model(top)
    best = _expansion_terms(model, terms, df, doc_count, settings)
    norm_e = sum(v for _, v in best) or 1.0
    extra = {t: (1.0 - original) * w / norm_e for t, w in best if w > 0}
    return original / norm_q, extra


def original_weight(words: int, spread: float, settings: RankingSettings) -> float:
    """The share of the mixed query kept for the user's own ``words`` distinct words,
    when the first pass's top scores fall by ``spread`` (a share of the best) from first to last.

    ``settings.feedback_original``, with feedback's share cut in proportion for queries of
    fewer than ``feedback_full_words`` words and for a spread under ``feedback_full_spread``
    (top hits scoring alike: the first pass found no clear topic to expand on).
    """
    share = 1.0 - settings.feedback_original
    if 0 < words < settings.feedback_full_words:
        share *= words / settings.feedback_full_words
    if settings.feedback_full_spread > 0 and spread < settings.feedback_full_spread:
        share *= max(spread, 0.0) / settings.feedback_full_spread
    return 1.0 - share


def _spread(top: Sequence[TopDocument]) -> float:
    """How far the top documents' scores fall from the best to the worst, as a share of the best."""
    scores = [s for s, _, _ in top]
    best = max(scores, default=0.0)
    return (best - min(scores)) / best if best > 0 else 0.0


def model_words(top: Sequence[TopDocument]) -> list[str]:
    """The top documents' words, most likely first: the order :func:`rm3` looks up their
    document frequencies in (an engine that fetches them can fetch these first)."""
    model = _relevance_model(top)
    return sorted(model, key=model.__getitem__, reverse=True)


def _relevance_model(top: Sequence[TopDocument]) -> dict[str, float]:
    """Word -> its probability in the top documents, each weighed by its share of their scores."""
    total = sum(s for s, _, _ in top) or 1.0
    model: dict[str, float] = {}
    for score, counts, length in top:
        if not length:
            continue
        share = score / total / length
        # model[word] += share * count for every word, the products by a C loop.
        fold(model, dict(zip(counts.keys(), map(mul, repeat(share), counts.values()))))
    return model


def _expansion_terms(
    model: dict[str, float], terms: Mapping[str, float], df: Callable[[str], int], n: int, settings: RankingSettings
) -> list[tuple[str, float]]:
    """The best ``settings.feedback_terms`` (word, model probability x idf), best first."""
    # Words in most documents carry no topic: weigh the model by idf. Looking up a
    # document frequency is the costly step, so candidates go most frequent first and
    # stop once even the highest idf could not lift one into the best feedback_terms
    # (the same words as weighing every candidate).
    wanted, max_df = settings.feedback_terms, settings.feedback_max_df
    ceiling = idf(n, 1)
    heap: list[tuple[float, str]] = []
    for word, p in sorted(model.items(), key=itemgetter(1), reverse=True):
        if len(heap) >= wanted and p * ceiling <= heap[0][0]:
            break
        freq = df(word)
        weight = p * idf(n, freq) if 1 < freq <= max_df * n or word in terms else 0.0
        if len(heap) < wanted:
            heapq.heappush(heap, (weight, word))
        elif weight > heap[0][0]:
            heapq.heapreplace(heap, (weight, word))
    return [(w, v) for v, w in sorted(heap, reverse=True)]
