"""Ranking word queries: term-at-a-time BM25F over the index postings.

Word queries (``syntax=False``, or a query typed without any operator) are ranked here
rather than by Whoosh: exact hit counts, query-term frequency, true BM25F (field
frequencies combined before saturation), documents holding every word first, pseudo-
relevance feedback and an optional proximity bonus, each explainable per field and term.
:func:`rank_words` runs the steps; every knob comes from its :class:`RankingSettings`.

Scores are sums in first-match order (term by term, each term's fields in WORD_FIELDS
order, docnums ascending) and equal scores rank in that order: the fast paths below
keep it, and tests compare them with the explained path posting by posting.
"""

from __future__ import annotations

import heapq
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from itertools import compress
from operator import mul
from typing import Any

import numpy as np
from whoosh.reading import TermNotFound

from ...core.records import ScorePart
from ...search.bm25 import add_term_scores, idf, query_term_weights, term_score, term_scores, term_scores_of
from ...search.feedback import rm3
from ...search.settings import RankingSettings
from ...search.sums import fold
from ...search.tiers import with_tier_bonus
from .columns import DocMask
from .compounds import Compound, compound_postings, plain_terms
from .internals import block_postings, is_block_matcher, remaining_blocks
from .postings import term_postings
from .word_stats import WORD_FIELDS, WordStats, stats_for

#: Per query term: (term, query weight, docnum -> pseudo-tf).
TermTfs = list[tuple[str, float, dict[int, float]]]


@dataclass(slots=True)
class Ranked:
    """The outcome of :func:`rank_words`: docnums best first, with scores and reasons."""

    order: list[tuple[float, int]]
    total: int
    terms: dict[str, float]
    why: dict[int, list[ScorePart]] = field(default_factory=dict)
    #: Stored fields of the documents this query read (feedback): the hits can reuse them.
    stored: dict[int, dict[str, Any]] = field(default_factory=dict)
    #: Every matching document (a numpy mask by docnum; None when explained), for facets.
    matched: Any = None


@dataclass(slots=True)
class _Query:
    """One word query's fixed inputs, shared by the steps of :func:`rank_words`."""

    stats: WordStats
    settings: RankingSettings
    terms: dict[str, float]
    allowed: DocMask | None
    exclude: int | None
    tiered: bool


def term_weights(tokens: list[str], settings: RankingSettings) -> dict[str, float]:
    """Query-term weights as the settings count repeated words (order kept)."""
    return query_term_weights(tokens, settings.query_tf, settings.query_tf_log)


def rank_words(
    searcher: Any,
    tokens: list[str],
    *,
    settings: RankingSettings,
    allowed: DocMask | None = None,
    limit: int = 10,
    explain: bool = False,
    feedback: bool | None = None,
    weights: dict[str, float] | None = None,
    exclude: int | None = None,
    coordinate: bool = True,
) -> Ranked:
    """Rank documents for analysed query tokens (stems), best first.

    ``allowed``: only these docnums (a filter). ``limit`` is how many must be in order;
    the total counts every matching document. ``feedback``: None follows the settings.
    ``weights``: the query's term weights instead of the tokens' counts; ``exclude``: a
    docnum never to return; ``coordinate``: False ranks without the all-words tier.
    """
    terms = dict(weights) if weights else term_weights(tokens, settings)
    tiered = coordinate and settings.tiers(len(terms))
    q = _Query(stats_for(searcher), settings, terms, allowed, exclude, tiered)
    use_feedback = (settings.feedback if feedback is None else feedback) and settings.feedback_docs > 0
    depth = max(limit, settings.proximity_depth if settings.proximity_weight or settings.phrase_weight else 0)
    # With feedback, the first pass orders enough documents to fill the final top
    # ``depth`` however many of them feedback's pool takes (see _rerank).
    first = max(depth, max(settings.feedback_docs, settings.feedback_depth) + depth if use_feedback else 0)
    matched = None
    if explain:
        scores, full, why = _first_pass_explained(q)
        total = len(scores)
        order = _order(scores, full, tiered, first)
    else:
        order, full, total, matched = _first_pass_arrays(q, first)
        why = {}
    stored: dict[int, dict[str, Any]] = {}
    scale = 1.0
    if use_feedback and order:
        order, terms, why, scale = _feedback(q, order, full, depth, stored, why, explain)
    if (settings.proximity_weight or settings.phrase_weight) and len(q.terms) > 1:
        order = _proximity(q, plain_terms(tokens), order, full, why if explain else None, scale)
    order = order[:limit]
    if tiered:
        order = with_tier_bonus(order, full, why if explain else None)
    return Ranked(order=order, total=total, terms=terms, why=dict(why), stored=stored, matched=matched)


# ---------------------------------------------------------------------------- first pass, as arrays


def matching_docs(searcher: Any, tokens: list[str], allowed: DocMask | None = None) -> Any:
    """The docnums (a numpy array, ascending) holding any of the analysed ``tokens`` in a
    word field: what a word query matches, for a date sort."""
    stats = stats_for(searcher)
    mask = np.zeros(stats.doc_count, dtype=bool)
    for term in dict.fromkeys(tokens):
        for fieldname in WORD_FIELDS:
            docs, _ = _field_arrays(stats, fieldname, term)
            mask[docs] = True
    if allowed is not None:
        mask &= allowed.mask
    return np.flatnonzero(mask)


def _field_arrays(stats: WordStats, fieldname: str, term: str) -> tuple[Any, Any]:
    """(docnums, term frequencies) of one term in one field, docnums in first-match order."""
    if isinstance(term, Compound):
        found = compound_postings(stats, fieldname, term)
        return (np.fromiter(found.keys(), dtype=np.int64, count=len(found)),
                np.fromiter(found.values(), dtype=np.float64, count=len(found)))
    return term_postings(stats, fieldname, term)


def _first_pass_arrays(q: _Query, first: int) -> tuple[list[tuple[float, int]], DocMask, int, Any]:
    """The first pass over numpy arrays: (top ``first`` (score, docnum), the documents
    holding every word, the hit count, the matches' mask).

    The same scores, bit for bit, as the dict path (:func:`_score_terms`): each term's
    pseudo-tf adds its fields in WORD_FIELDS order, each score adds the terms in query
    order (adding to 0.0 is exact), in float64 with the same operations. Equal scores
    rank in first-match order: by the first (term, field) that matched a document, then
    by docnum, which is the order of the dict path's keys.
    """
    stats, settings = q.stats, q.settings
    n = stats.doc_count
    fields = stats.word_field_arrays(settings)
    k1, delta = settings.k1, settings.delta
    k1_plus = k1 + 1.0
    allowed = None if q.allowed is None else q.allowed.mask
    scores = np.zeros(n, dtype=np.float64)
    count = np.zeros(n, dtype=np.int32)
    first_match = np.full(n, np.iinfo(np.int32).max, dtype=np.int32)
    acc = np.zeros(n, dtype=np.float64)
    main = [(t, w) for t, w in q.terms.items()]
    part_weight = settings.compound_part_weight
    parts = [(_Part(p), w * part_weight / len(t.parts)) for t, w in main if isinstance(t, Compound) and part_weight
             for p in t.parts]
    code = 0
    for index, (term, qweight) in enumerate(main + parts):
        is_part = index >= len(main)
        touched = []
        for fieldname, norms in fields:
            docs, tfs = _field_arrays(stats, fieldname, term)
            code += 1
            if not len(docs):
                continue
            keep = None
            if allowed is not None:
                keep = allowed[docs]
            if q.exclude is not None:
                keep = (docs != q.exclude) if keep is None else keep & (docs != q.exclude)
            if is_part:
                keep = (count[docs] > 0) if keep is None else keep & (count[docs] > 0)
            if keep is not None:
                docs, tfs = docs[keep], tfs[keep]
                if not len(docs):
                    continue
            acc[docs] += tfs * norms[docs]  # a field's docnums are distinct
            if not is_part:
                first_match[docs] = np.minimum(first_match[docs], code)
            touched.append(docs)
        if not touched:
            continue
        if len(touched) == 1:
            docs = touched[0]  # one field's docnums: distinct
        elif sum(map(len, touched)) * 16 > n:
            docs = np.flatnonzero(acc)  # every touched entry is > 0 (frequencies and norms are)
        else:
            docs = np.unique(np.concatenate(touched))
        tf = acc[docs]
        acc[docs] = 0.0
        w = idf(n, stats.df(term)) * qweight
        scores[docs] += w * (tf * k1_plus / (tf + k1) + delta)
        if not is_part:
            count[docs] += 1
    matched = count > 0
    total = int(np.count_nonzero(matched))
    full_mask = (count == len(main)) if q.tiered and main else None
    if full_mask is not None and not full_mask.any():
        full_mask = None
    candidates = np.flatnonzero(matched)
    if full_mask is not None:
        best = _top(np.flatnonzero(full_mask), scores, first_match, first)
        if len(best) < first:
            rest = candidates[~full_mask[candidates]]
            best = np.concatenate([best, _top(rest, scores, first_match, first - len(best))])
    else:
        best = _top(candidates, scores, first_match, first)
    order = [(float(s), int(d)) for s, d in zip(scores[best], best)]
    return order, DocMask(full_mask), total, matched


def _top(docs: Any, scores: Any, first_match: Any, k: int) -> Any:
    """The ``k`` best of ``docs`` by score, equal scores in first-match order then by docnum."""
    if k <= 0 or not len(docs):
        return docs[:0]
    values = scores[docs]
    if len(docs) > k:
        kth = np.partition(values, len(values) - k)[len(values) - k]
        keep = values >= kth
        docs, values = docs[keep], values[keep]
    order = np.lexsort((docs, first_match[docs], -values))
    return docs[order[:k]]


# ---------------------------------------------------------------------------- first pass


def _first_pass(q: _Query, first: int) -> tuple[dict[int, float], set[int], int]:
    """(docnum -> score, documents holding every word if tiered, hit count), scoring only
    what the top ``first`` can hold."""
    tfs = _term_tfs(q.stats, q.settings, q.terms, q.allowed, q.exclude)
    full = _all_terms(tfs) if q.tiered else set()
    if len(tfs) == 1 and tfs[0][2] and tfs[0][1] > 0:
        # One word: its BM25 score rises with the pseudo-tf, so the best pseudo-tfs
        # are the best scores (equal ones in the same order): score only those.
        term, qweight, pseudo = tfs[0]
        best = heapq.nlargest(first, pseudo, key=pseudo.__getitem__)
        scores, _ = _sum_scores(q.stats, q.settings, [(term, qweight, {d: pseudo[d] for d in best})])
        total = len(pseudo)
    elif q.tiered and len(full) >= first:
        # Enough documents hold every word to fill the first pass: the others rank
        # after all of them, so only these are scored (the hit count still counts all).
        matches = tfs[0][2]
        scores, _ = _sum_scores(q.stats, q.settings, tfs, only=list(compress(matches, map(full.__contains__, matches))))
        total = len(set().union(*(pseudo for _, _, pseudo in tfs)))
    else:
        scores, _ = _sum_scores(q.stats, q.settings, tfs)
        total = len(scores)
    return scores, full, total


def _first_pass_explained(q: _Query) -> tuple[dict[int, float], set[int], dict[int, list[ScorePart]]]:
    """Every match's score, the documents holding every word, and a score part per term."""
    scores, full, why, _ = _score_terms(q.stats, q.settings, q.terms, q.allowed, True)
    if q.exclude is not None:
        scores.pop(q.exclude, None)
        full.discard(q.exclude)
    return scores, full, why


def _order(scores: dict[int, float], full: set[int], tiered: bool, depth: int) -> list[tuple[float, int]]:
    """Top ``depth`` (score, docnum), the documents in ``full`` (every query word) first if ``tiered``.

    Equal scores keep the order of ``scores``' keys (as heapq.nlargest does).
    """
    key = scores.__getitem__
    if tiered and len(full) < len(scores):
        best = heapq.nlargest(depth, compress(scores, map(full.__contains__, scores)), key=key)
        if len(best) < depth:
            # The best of the rest: the top ``depth`` of all holds at most len(best)
            # documents of ``full``, so at least the ``depth - len(best)`` needed others.
            need = depth - len(best)
            rest = [d for d in heapq.nlargest(depth, scores, key=key) if d not in full]
            best += rest[:need]
    else:
        best = heapq.nlargest(depth, scores, key=key)
    return [(scores[d], d) for d in best]


# ---------------------------------------------------------------------------- postings -> scores


def _matchers(stats: WordStats, fieldname: str, text: str) -> Iterable[tuple[Any, int]]:
    """(matcher, docnum offset) of one term in each segment that has it."""
    for leaf, offset in stats.field_leaves(fieldname):
        index = stats.term_index(leaf)
        try:
            if getattr(index, "plain", False):
                m = index.postings(fieldname, text)  # the same matcher, found without Whoosh's file probes
            else:
                m = leaf.postings(fieldname, text)
        except (TermNotFound, KeyError):
            continue
        yield m, offset


def _postings(stats: WordStats, fieldname: str, text: str) -> Iterable[tuple[int, float]]:
    """(global docnum, term frequency) of one term in one field."""
    if isinstance(text, Compound):
        yield from compound_postings(stats, fieldname, text).items()
        return
    for m, offset in _matchers(stats, fieldname, text):
        if is_block_matcher(m):
            yield from block_postings(m, offset)
            continue
        while m.is_active():
            yield offset + m.id(), m.weight()
            m.next()


def _field_tf(stats: WordStats, fieldname: str, text: str, norms: list[float]) -> dict[int, float]:
    """Global docnum -> term frequency x the field's norm, for one term in one field, by docnum.

    Block by block, the products and the dict are built by C loops (map, zip, dict.update).
    """
    if isinstance(text, Compound):
        return {d: tf * norms[d] for d, tf in compound_postings(stats, fieldname, text).items()}
    out: dict[int, float] = {}
    for m, offset in _matchers(stats, fieldname, text):
        if is_block_matcher(m):
            for ids, weights in remaining_blocks(m, offset):
                out.update(zip(ids, map(mul, weights, map(norms.__getitem__, ids))))
            continue
        while m.is_active():
            d = offset + m.id()
            out[d] = m.weight() * norms[d]
            m.next()
    return out


def _term_tfs(
    stats: WordStats,
    settings: RankingSettings,
    terms: dict[str, float],
    allowed: DocMask | None = None,
    exclude: int | None = None,
) -> TermTfs:
    """Per query term, in order: (term, query weight, docnum -> pseudo-tf), {} if it matches nothing.

    The pseudo-tf is BM25F's: each field's frequency, length-normalised and weighted,
    summed over the fields (keys in first-match order: fields in WORD_FIELDS order,
    docnums ascending).
    """
    fields = stats.word_fields(settings)
    out = []
    for term, qweight in terms.items():
        pseudo: dict[int, float] = {}
        for fieldname, norms in fields:
            tfs = _field_tf(stats, fieldname, term, norms)
            if tfs:
                fold(pseudo, tfs)
        if allowed is not None and pseudo:
            pseudo = {d: tf for d, tf in pseudo.items() if d in allowed}
        if exclude is not None:
            pseudo.pop(exclude, None)
        out.append((term, qweight, pseudo))
    if settings.compound_part_weight and any(isinstance(t, Compound) for t in terms):
        out += _part_tfs(stats, fields, terms, out, settings.compound_part_weight)
    return out


class _Part(str):
    """A hyphenated word's part as a scoring term: it adds to documents the query matches
    and is not counted among the words a document must hold to rank first."""


def _part_tfs(stats: WordStats, fields: list, terms: dict[str, float], tfs: TermTfs, weight: float) -> TermTfs:
    """Per part of each compound: (part, weight, docnum -> pseudo-tf) over the matched documents;
    the parts of a word weigh ``weight`` of it together (RankingSettings.compound_part_weight)."""
    matched: set[int] = set()
    for _, _, pseudo in tfs:
        matched.update(pseudo)
    out = []
    for term, qweight in terms.items():
        if not isinstance(term, Compound):
            continue
        for part in term.parts:
            pseudo: dict[int, float] = {}
            for fieldname, norms in fields:
                got = _field_tf(stats, fieldname, part, norms)
                if got:
                    fold(pseudo, got)
            pseudo = {d: tf for d, tf in pseudo.items() if d in matched}
            out.append((_Part(part), qweight * weight / len(term.parts), pseudo))
    return out


def _all_terms(tfs: TermTfs) -> set[int]:
    """The documents matching every term."""
    tfs = [entry for entry in tfs if not isinstance(entry[0], _Part)]
    if not tfs or not all(pseudo for _, _, pseudo in tfs):
        return set()
    full = set(tfs[0][2])
    for _, _, pseudo in tfs[1:]:
        full.intersection_update(pseudo)
    return full


def _sum_scores(
    stats: WordStats, settings: RankingSettings, tfs: TermTfs, only: list[int] | None = None
) -> tuple[dict[int, float], dict[str, float]]:
    """BM25F per document (the terms' scores added in query order) and each term's weight.

    ``only``: score just these documents (each must match every term), in this order.
    Keys are in first-match order (term by term): ties in score rank in that order.
    """
    n = stats.doc_count
    k1, delta = settings.k1, settings.delta
    scores: dict[int, float] = {}
    idfs: dict[str, float] = {}
    for term, qweight, pseudo in tfs:
        if not pseudo:
            continue
        # Document frequency: the most of any word field's (the union would need every
        # field's postings, which feedback's re-rank does not read; titles mostly repeat
        # body words, so the two rarely differ).
        w = idf(n, stats.df(term)) * qweight
        idfs[term] = w
        if only is None:
            fold(scores, term_scores(w, pseudo, k1, delta))
        elif not scores:
            scores = term_scores_of(w, pseudo, only, k1, delta)
        else:
            scores = add_term_scores(scores, w, pseudo, k1, delta)
    return scores, idfs


def _score_terms(
    stats: WordStats, settings: RankingSettings, terms: dict[str, float], allowed: DocMask | None, explain: bool
) -> tuple[dict[int, float], set[int], dict[int, list[ScorePart]], dict[str, float]]:
    """BM25F accumulators: docnum -> score, the documents matching every term, score parts, term weights.

    ``scores`` keys are in first-match order (term by term, each term's fields in
    WORD_FIELDS order, docnums ascending): ties in score rank in that order.
    """
    if explain:
        return _score_terms_explained(stats, settings, terms, allowed)
    tfs = _term_tfs(stats, settings, terms, allowed)
    scores, idfs = _sum_scores(stats, settings, tfs)
    return scores, _all_terms(tfs), {}, idfs


def _score_terms_explained(
    stats: WordStats, settings: RankingSettings, terms: dict[str, float], allowed: DocMask | None
) -> tuple[dict[int, float], set[int], dict[int, list[ScorePart]], dict[str, float]]:
    """:func:`_score_terms` with a score part per document and term (the same scores, posting by posting)."""
    n = stats.doc_count
    k1, delta = settings.k1, settings.delta
    scores: dict[int, float] = defaultdict(float)
    matched: dict[int, int] = defaultdict(int)
    why: dict[int, list[ScorePart]] = defaultdict(list)
    idfs: dict[str, float] = {}
    fields = stats.word_fields(settings)
    entries = list(terms.items())
    part_weight = settings.compound_part_weight
    for term, qweight in terms.items():
        if isinstance(term, Compound) and part_weight:
            entries += [(_Part(part), qweight * part_weight / len(term.parts)) for part in term.parts]
    for term, qweight in entries:
        if isinstance(term, _Part) and not scores:
            continue
        pseudo: dict[int, float] = defaultdict(float)
        parts: dict[int, dict[str, float]] = defaultdict(dict)
        for fieldname, norms in fields:
            for docnum, tf in _postings(stats, fieldname, term):
                if allowed is not None and docnum not in allowed:
                    continue
                if isinstance(term, _Part) and docnum not in scores:
                    continue  # a part never makes a match
                pseudo[docnum] += tf * norms[docnum]
                parts[docnum][fieldname] = tf
        if not pseudo:
            continue
        df = stats.df(term)
        w = idf(n, df) * qweight
        idfs[term] = w
        for docnum, tf in pseudo.items():
            s = term_score(w, tf, k1, delta)
            scores[docnum] += s
            if not isinstance(term, _Part):
                matched[docnum] += 1
            why[docnum].append(ScorePart("word", term, s, parts[docnum], idf=idf(n, df), query_weight=qweight))
    full = {d for d, c in matched.items() if c >= len(terms)}
    return scores, full, why, idfs


# ---------------------------------------------------------------------------- feedback


def _feedback(
    q: _Query,
    order: list[tuple[float, int]],
    full: set[int],
    depth: int,
    stored: dict[int, dict[str, Any]],
    why: dict[int, list[ScorePart]],
    explain: bool,
) -> tuple[list[tuple[float, int]], dict[str, float], dict[int, list[ScorePart]], float]:
    """Pseudo-relevance feedback: (new order, the expanded query's weights, reasons, the
    factor on the user's words' scores).

    A re-rank: the expansion words re-score only the first pass's best documents
    (documents matching only expansion words are never hits: coordination and the hit
    count follow the user's own words). ``stored`` collects the documents read.
    """
    stats, settings = q.stats, q.settings
    top = [(s, stats.doc_terms(d, stored)[""], stats.doc_length(d)) for s, d in order[: max(settings.feedback_docs, 1)]]
    scale, extra = rm3(q.terms, top, stats.df, stats.doc_count, settings)
    if not extra:
        return order, q.terms, why, 1.0
    pool = _feedback_pool(stats, settings, order, stored)
    if explain:
        order, why = _rerank_explained(q, scale, extra, pool, full, depth)
    else:
        order = _rerank(q, scale, extra, pool, order, full, depth)
    expanded = {t: scale * w for t, w in q.terms.items()}
    for t, w in extra.items():
        expanded[t] = expanded.get(t, 0.0) + w
    return order, expanded, why, scale


def _rerank(
    q: _Query,
    scale: float,
    extra: dict[str, float],
    pool: list[int],
    order: list[tuple[float, int]],
    full: set[int],
    depth: int,
) -> list[tuple[float, int]]:
    """The top ``depth`` after feedback, re-ordering only what feedback can move.

    BM25 is linear in the query weight: every first-pass score is scaled by ``scale``
    and the pool's gain the expansion words' scores. Scaling keeps the order of the
    documents outside the pool, so the new top ``depth`` is among the pool and the next
    ``depth`` of the first pass: only those are re-ordered (a stable sort: ties keep the
    first pass's order, which is the score dict's, as a full re-sort would).
    """
    gain = _score_pool(q.stats, q.settings, extra, pool, None)
    rescored = []
    for s, d in order[: len(pool) + depth]:
        s *= scale
        if d in gain:
            s += gain[d]
        rescored.append((s, d))
    if q.tiered:
        rescored.sort(key=lambda sd: (sd[1] in full, sd[0]), reverse=True)
    else:
        rescored.sort(key=lambda sd: sd[0], reverse=True)
    return rescored[:depth]


def _rerank_explained(
    q: _Query, scale: float, extra: dict[str, float], pool: list[int], full: set[int], depth: int
) -> tuple[list[tuple[float, int]], dict[int, list[ScorePart]]]:
    """:func:`_rerank` for explain: every match re-scored, with its score parts."""
    # The user's words again at their mixed weight, so each line is its real share.
    scaled = {t: scale * w for t, w in q.terms.items()}
    scores, _, why, _ = _score_terms(q.stats, q.settings, scaled, q.allowed, True)
    if q.exclude is not None:
        scores.pop(q.exclude, None)
    for d, s in _score_pool(q.stats, q.settings, extra, pool, why).items():
        scores[d] += s
    return _order(scores, full, q.tiered, depth), why


def _feedback_pool(
    stats: WordStats, settings: RankingSettings, order: list[tuple[float, int]], keep: dict[int, Any] | None = None
) -> list[int]:
    """The first pass's best documents that feedback re-scores: up to feedback_depth, and
    no more once feedback_read_words words have been read (long pages cost more)."""
    pool: list[int] = []
    read = 0
    for _, docnum in order[: settings.feedback_depth]:
        if pool and read >= settings.feedback_read_words and len(pool) >= settings.feedback_docs:
            break
        pool.append(docnum)
        read += stats.doc_length(docnum, keep)
    return pool


def _score_pool(
    stats: WordStats,
    settings: RankingSettings,
    terms: dict[str, float],
    pool: list[int],
    why: dict[int, list[ScorePart]] | None,
) -> dict[int, float]:
    """BM25F of ``terms`` for the documents in ``pool`` only, from their own text.

    The same score as the posting lists give (index_terms is the analyzer), without
    reading the expansion words' posting lists, whose cost grows with the index.
    ``why``: where to add a score part per document and term (explain).
    """
    n = stats.doc_count
    fields = stats.word_fields(settings)
    weights = {t: idf(n, stats.df(t)) * q for t, q in terms.items() if stats.df(t)}
    if why is not None:
        return _score_pool_explained(stats, settings, terms, weights, fields, pool, why)
    k1, delta = settings.k1, settings.delta
    out: dict[int, float] = defaultdict(float)
    for docnum in pool:
        per_field = stats.doc_terms(docnum)
        whole = per_field[""]
        present = [t for t in weights if t in whole]
        if not present:
            continue
        counts = [(per_field[fieldname], norms[docnum]) for fieldname, norms in fields]
        total = 0.0
        for term in present:
            tf = 0.0
            for counter, norm in counts:
                c = counter.get(term)
                if c:
                    tf += c * norm
            if tf:
                total += term_score(weights[term], tf, k1, delta)
        out[docnum] = total
    return out


def _score_pool_explained(
    stats: WordStats,
    settings: RankingSettings,
    terms: dict[str, float],
    weights: dict[str, float],
    fields: list[tuple[str, list[float]]],
    pool: list[int],
    why: dict[int, list[ScorePart]],
) -> dict[int, float]:
    """:func:`_score_pool` with a score part per document and term."""
    n = stats.doc_count
    out: dict[int, float] = defaultdict(float)
    for docnum in pool:
        per_field = stats.doc_terms(docnum)
        for term, w in weights.items():
            tf = 0.0
            parts = {}
            for fieldname, norms in fields:
                c = per_field[fieldname].get(term)
                if c:
                    tf += c * norms[docnum]
                    parts[fieldname] = c
            if not tf:
                continue
            s = term_score(w, tf, settings.k1, settings.delta)
            out[docnum] += s
            why[docnum].append(ScorePart("feedback", term, s, parts, idf=idf(n, stats.df(term)),
                                         query_weight=terms[term]))
    return out


# ---------------------------------------------------------------------------- proximity


def _proximity(
    q: _Query,
    tokens: list[str],
    order: list[tuple[float, int]],
    full: set[int],
    why: dict[int, list[ScorePart]] | None,
    scale: float = 1.0,
) -> list[tuple[float, int]]:
    """Sequential dependence: a bonus for each pair of consecutive query words that stand
    side by side (``phrase_weight``) or within ``proximity_window`` positions of each other
    (``proximity_weight``) in the body of one of the top ``proximity_depth`` documents.

    Each pair scores like a query word of its own: BM25's saturation of its count times the
    mean idf of its two words times the weight, on the query's scale (``scale``: feedback's
    factor on the user's words), so a pair of rare words counts more than one of common words.
    """
    settings = q.settings
    pairs = [(a, b) for a, b in zip(tokens, tokens[1:]) if a != b]
    if not pairs or not order:
        return order
    depth = settings.proximity_depth
    candidates = {d for _, d in order[:depth]}
    positions = _body_positions(q.stats, {t for pair in pairs for t in pair}, candidates)
    n, k1 = q.stats.doc_count, settings.k1
    rescored = {d: s for s, d in order[:depth]}
    for a, b in pairs:
        pa, pb = positions.get(a, {}), positions.get(b, {})
        weight = scale * (idf(n, q.stats.df(a)) + idf(n, q.stats.df(b))) / 2.0
        for docnum in candidates & pa.keys() & pb.keys():
            for kind, counted, share in (("phrase", _adjacent_count(pa[docnum], pb[docnum]), settings.phrase_weight),
                                         ("proximity", _near_count(pa[docnum], pb[docnum], settings.proximity_window),
                                          settings.proximity_weight)):
                if not counted or not share:
                    continue
                bonus = term_score(weight * share, counted, k1)
                rescored[docnum] += bonus
                if why is not None:
                    why.setdefault(docnum, []).append(ScorePart(kind, f"{a} {b}", bonus, {"body": counted}))
    ranked = sorted(candidates, key=lambda d: ((d in full) if q.tiered else True, rescored[d], -d), reverse=True)
    return [(rescored[d], d) for d in ranked]


def _adjacent_count(a: list[int], b: list[int]) -> int:
    """How many occurrences of ``a`` are followed right away by ``b`` (stop words do not count
    as positions, so "Viet Nam" and "state of the union" are adjacent pairs)."""
    following = set(b)
    return sum(1 for p in a if p + 1 in following)


def _body_positions(stats: WordStats, wanted: set[str], candidates: set[int]) -> dict[str, dict[int, list[int]]]:
    """Per word, the body positions of each candidate document holding it."""
    positions: dict[str, dict[int, list[int]]] = {}
    for term in wanted:
        found: dict[int, list[int]] = {}
        for leaf, offset in stats.leaves:
            try:
                m = leaf.postings("body", term)
            except (TermNotFound, KeyError):
                continue
            for docnum in sorted(candidates):
                local = docnum - offset
                if local < 0 or local >= leaf.doc_count_all():
                    continue
                if not m.is_active():
                    break
                if m.id() < local:
                    m.skip_to(local)
                if m.is_active() and m.id() == local:
                    found[docnum] = list(m.value_as("positions"))
        positions[term] = found
    return positions


def _near_count(a: list[int], b: list[int], window: int) -> int:
    """How many occurrences of ``a`` have ``b`` within ``window`` positions (either side)."""
    count, j = 0, 0
    for p in a:
        while j < len(b) and b[j] < p - window:
            j += 1
        if j < len(b) and abs(b[j] - p) <= window:
            count += 1
    return count
