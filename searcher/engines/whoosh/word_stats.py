"""What the word path knows of an open index: field lengths, norms, document frequencies
and each document's term counts, cached per searcher.

One :class:`WordStats` lives on each Whoosh searcher (:func:`stats_for`) and goes with it;
the fast readers it uses are in :mod:`.internals`.
"""

from __future__ import annotations

import weakref
from collections import Counter
from typing import Any

from ...search.bm25 import length_norms
from ...search.fields import WORD_FIELDS
from ...search.settings import RankingSettings
from ...search.sums import fold
from .compounds import Compound, compound_postings
from .internals import leaf_lengths, term_index


class WordStats:
    """Per-searcher statistics: field lengths per document and their averages."""

    def __init__(self, searcher: Any) -> None:
        # A weak reference: the searcher holds this object, and without a cycle both go
        # (and the term index maps with them) as soon as the searcher is dropped.
        self.searcher = weakref.proxy(searcher)
        self.doc_count = searcher.doc_count_all()
        self.leaves = searcher.reader().leaf_readers()
        self._lengths: dict[str, list[int]] = {}
        self.avg: dict[str, float] = {}
        self._norms: dict[tuple[str, float, float], list[float]] = {}
        self._df: dict[str, int] = {}
        self._doc_terms: dict[int, dict[str, Counter]] = {}
        self._doc_len: dict[int, int] = {}
        self._field_leaves: dict[str, list[tuple[Any, int]]] = {}
        self._term_index: dict[int, Any] = {}

    def doc_terms(self, docnum: int, keep: dict[int, Any] | None = None) -> dict[str, Counter]:
        """Per word field (and "" for all of them), one document's indexed terms and their counts (cached).

        ``keep``: where to put the document's stored fields when they are read.
        """
        found = self._doc_terms.get(docnum)
        if found is None:
            if len(self._doc_terms) >= 4096:
                self._doc_terms.clear()
                self._doc_len.clear()
            stored = self.searcher.stored_fields(docnum)
            if keep is not None:
                keep[docnum] = stored
            # The forward index written with the document (schema.word_counts): every
            # document of a schema-3 index has one, older indexes are refused on open.
            counts = stored.get("terms") or {}
            found = {f: Counter(counts.get(f) or ()) for f in WORD_FIELDS}
            # Every field together, for the feedback model: the counts and key order of
            # Counter().update() with each field in turn, without a Python-level pass over
            # the (long) body's words.
            whole: dict[str, int] = {}
            for counts in found.values():
                fold(whole, counts)
            found[""] = Counter(whole)
            self._doc_terms[docnum] = found
            self._doc_len[docnum] = sum(whole.values())
        return found

    def term_index(self, leaf: Any) -> Any:
        """``leaf``'s term dictionary for doc_frequency and postings (cached, see internals.term_index)."""
        found = self._term_index.get(id(leaf))
        if found is None:
            found = term_index(leaf)
            self._term_index[id(leaf)] = found
        return found

    def field_leaves(self, fieldname: str) -> list[tuple[Any, int]]:
        """(segment, docnum offset) of the segments with any text in ``fieldname`` (cached):
        a term lookup in a segment without the field (say, no headings) costs as much as a hit."""
        found = self._field_leaves.get(fieldname)
        if found is None:
            found = [(leaf, offset) for leaf, offset in self.leaves if leaf.field_length(fieldname)]
            self._field_leaves[fieldname] = found
        return found

    def doc_length(self, docnum: int, keep: dict[int, Any] | None = None) -> int:
        """How many indexed words one document has in all word fields (cached with doc_terms)."""
        found = self._doc_len.get(docnum)
        if found is None:
            self.doc_terms(docnum, keep)
            found = self._doc_len[docnum]
        return found

    def word_fields(self, settings: RankingSettings) -> list[tuple[str, list[float]]]:
        """(field, norms) of each word field with a weight, in WORD_FIELDS order."""
        weights = settings.field_weights()
        fields = []
        for fieldname in WORD_FIELDS:
            weight = weights[fieldname]
            if weight:
                fields.append((fieldname, self.norms(fieldname, weight, settings.field_b(fieldname))))
        return fields

    def df(self, term: str) -> int:
        """Documents holding ``term`` in any word field's index (the most of the fields), cached."""
        found = self._df.get(term)
        if found is None and isinstance(term, Compound):
            # A hyphenated word: the documents where its parts stand together (or its whole word).
            return max(len(compound_postings(self, f, term)) for f in WORD_FIELDS)
        if found is None:
            # searcher.doc_frequency per field, summed over the segments that have the
            # field: feedback looks up ~20 new words a query, each a hash probe per field
            # and segment, and a segment without the field (no headings) has none to give.
            found = 0
            for fieldname in WORD_FIELDS:
                count = 0
                for leaf, _offset in self.field_leaves(fieldname):
                    count += self.term_index(leaf).doc_frequency(fieldname, term)
                if count > found:
                    found = count
            self._df[term] = found
        return found

    def norms(self, fieldname: str, weight: float, b: float) -> list[float]:
        """Per document: field weight / BM25 length normalisation, for this field."""
        key = (fieldname, weight, b)
        found = self._norms.get(key)
        if found is None:
            lengths = self.lengths(fieldname)
            found = length_norms(lengths, self.avg[fieldname], weight, b)
            self._norms[key] = found
        return found

    def lengths(self, fieldname: str) -> list[int]:
        """Every document's length in ``fieldname``, by global docnum (cached, with the average)."""
        found = self._lengths.get(fieldname)
        if found is None:
            found = []
            for leaf, _offset in self.leaves:
                found.extend(leaf_lengths(leaf, fieldname))
            self._lengths[fieldname] = found
            total = self.searcher.reader().field_length(fieldname)
            self.avg[fieldname] = (total / self.doc_count) if self.doc_count and total else 1.0
        return found


def stats_for(searcher: Any) -> WordStats:
    """The searcher's WordStats, made on first use and kept on the searcher."""
    cached = getattr(searcher, "_searcher_rank_stats", None)
    if cached is None:
        cached = WordStats(searcher)
        searcher._searcher_rank_stats = cached
    return cached
