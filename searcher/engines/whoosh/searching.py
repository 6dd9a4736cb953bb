"""The Whoosh engine's part of a search: what the search pipeline (``search/pipeline.py``)
asks of an open Whoosh searcher (:class:`WhooshBackend`).

Word queries (``syntax=False``, or typed without any operator) are ranked by
:func:`word_ranking.rank_words`; structured ones by Whoosh with ``scoring.make_weighting``
(the searcher's weighting). Both read the RankingSettings passed in. Sorting by date and
facets read the matching set's dates and sources from columns (columns.py), never the
date field's terms; signatures come from a column too. Keys are Whoosh docnums, good
for the one searcher a search runs on (the engine runs it again on a new searcher if
another process commits meanwhile).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import whoosh
from whoosh import query as wq
from whoosh.collectors import TimeLimitCollector
from whoosh.searching import TimeLimit

from ...core.errors import DocumentNotFoundError, NoVectors
from ...core.records import ScorePart
from ...search.backend import Copy, FacetCounts, Plan, Stored, Window
from ...search.duplicates import Signature, read_signature
from ...search.fields import WORD_FIELDS
from ...search.filters import SearchFilter
from ...search.limits import Deadline
from ...search.options import SearchOptions
from ...search.settings import RankingSettings
from .bounds import check_expansions
from .columns import DocMask, columns_for, query_docs, value_column
from .compounds import Compound, analyze_query, highlight_terms
from .explain import structured_parts
from .schema import span_finder
from .scoring import key_terms
from .suggestions import corrections_for
from .word_ranking import matching_docs, rank_words

if TYPE_CHECKING:
    from ...search.backend import DenseSide
    from ...search.query_parser import Dialect, ParsedQuery
    from ...semantic.dense import VectorReader

_WHOOSH3 = tuple(whoosh.__version__) >= (3,)


@dataclass(slots=True)
class WhooshPlan(Plan):
    """A search as Whoosh runs it."""

    #: the analysed words to mark in snippets
    terms: set[str] = field(default_factory=set)
    #: the Whoosh query of the matching set: a structured query's, a word query's (for
    #: date order and facets)
    query: Any = None
    #: True when Whoosh ranks the query itself (its explanation walks Whoosh's matchers)
    structured: bool = False
    #: the documents --source/--since/--until let through (read from columns), or None
    allowed: DocMask | None = None
    #: ``similar``: the key terms' weights, and the article's own docnum (never ranked)
    weights: dict[str, float] | None = None
    exclude: int | None = None
    #: the documents the query matches, as ranking found them (docnums or a mask; facets
    #: count them instead of matching again), None until ranked
    matched: Any = None


class WhooshBackend:
    """One search on an open Whoosh searcher (see the module docstring)."""

    def __init__(self, searcher: Any, settings: RankingSettings, vectors: "VectorReader | None" = None,
                 commit: str = "") -> None:
        self.searcher = searcher
        self.settings = settings
        #: the index's vectors (None: it has no vector file), and the commit this search reads
        self._vectors, self._commit = vectors, commit
        self.query_fields = searcher.schema.names()
        self._find_spans = span_finder(searcher.schema["body"].analyzer)
        #: stored fields read during this search (ranking may read some: the page reuses them)
        self._stored: dict[int, dict[str, Any]] = {}

    def find_spans(self, text: str, marks: frozenset[str]) -> list[tuple[int, int]]:
        """The spans of the words of ``text`` whose indexed term (as the body analyses it) is marked."""
        return self._find_spans(text, marks)

    @property
    def dialect(self) -> "Dialect":
        # Imported here: most searches are plain words and never load the query compiler.
        from .compile import DIALECT

        return DIALECT

    def analyse(self, text: str) -> list[str]:
        """The terms the index searches for ``text`` (stop words dropped)."""
        return list(analyze_query(text, self.searcher.schema["body"].analyzer))

    # ------------------------------------------------------------------ plans

    def structured(self, parsed: "ParsedQuery", options: SearchOptions, filt: SearchFilter | None,
                   deadline: Deadline) -> WhooshPlan:
        from .compile import compile_reading

        searcher = self.searcher
        query, as_words = compile_reading(parsed, searcher.schema, reader=searcher.reader(),
                                          field_boosts=self.settings.field_weights())
        check_expansions(query, searcher.reader(), deadline)
        return WhooshPlan(options, searched_as_words=as_words, terms=_body_terms(query, searcher), query=query,
                          structured=True, allowed=self._allowed(filt))

    def words(self, query: str, options: SearchOptions, filt: SearchFilter | None) -> WhooshPlan:
        tokens = analyze_query(query, self.searcher.schema["body"].analyzer)
        return WhooshPlan(options, words=tokens, terms=highlight_terms(tokens), query=_words_query(tokens),
                          allowed=self._allowed(filt))

    def like(self, doc_id: str, options: SearchOptions) -> tuple[int, WhooshPlan | None]:
        docnum = self.searcher.document_number(doc_id=doc_id)
        if docnum is None:
            raise DocumentNotFoundError(f"no document {doc_id!r} in the index ")
        weights = key_terms(self.searcher, docnum)
        if not weights:
            return docnum, None
        return docnum, WhooshPlan(options, terms=set(weights), weights=weights, exclude=docnum)

    # ------------------------------------------------------------------ ranking

    def rank(self, plan: WhooshPlan, limit: int, deadline: Deadline) -> Window[int]:
        options = plan.options
        if options.by_date:
            return self._rank_by_date(plan, limit)
        if plan.structured:
            return self._rank_with_whoosh(plan, limit, deadline)
        if plan.weights is not None:
            # Ranked on key terms only: the coordination tier would demand all 20 words.
            ranked = rank_words(self.searcher, list(plan.weights), settings=self.settings, weights=plan.weights,
                                limit=limit, exclude=plan.exclude, feedback=False, coordinate=False)
        else:
            ranked = rank_words(self.searcher, plan.words or [], settings=self.settings, allowed=plan.allowed,
                                limit=limit, explain=options.explain, feedback=options.expand)
            plan.matched = ranked.matched
        self._stored.update(ranked.stored)
        return Window(ranked.order, ranked.total, ranked.why)

    def _allowed(self, filt: SearchFilter | None) -> DocMask | None:
        """The documents a filter lets through, from the columns: dates from the date column,
        sources decided once per source name (as ``source:"..."`` matches: the words side by
        side, in order). Walking the date field's terms, or a common source's postings, took
        0.1-1.3 s at 5x Reuters; :func:`compile_filter` is the same filter as a Whoosh query."""
        if filt is None:
            return None
        columns = columns_for(self.searcher)
        mask = columns.published_between(filt.since, filt.until) if filt.since or filt.until else columns.live
        if filt.sources:
            analyzer = self.searcher.schema["source"].analyzer
            wanted = [source_words(name, analyzer) for name in filt.sources]
            mask = mask & columns.from_sources(
                lambda name: any(words and _in_order(words, source_words(name, analyzer)) for words in wanted))
        return DocMask(mask)

    def _rank_by_date(self, plan: WhooshPlan, limit: int) -> Window[int]:
        """The matches newest (or oldest) first, undated ones last: their dates read from
        the date column (columns.py), not by Whoosh's sort, which walked the date field's terms."""
        if plan.structured:
            docs = query_docs(self.searcher, plan.query, plan.allowed)
        else:
            docs = matching_docs(self.searcher, plan.words or [], plan.allowed)
        plan.matched = docs
        ordered, undated = columns_for(self.searcher).by_date(docs, limit, newest_first=plan.options.sort == "date")
        return Window([(0.0, d) for d in ordered], len(docs), undated=undated)

    def _rank_with_whoosh(self, plan: WhooshPlan, limit: int, deadline: Deadline) -> Window[int]:
        """Whoosh's own search (with our weighting): structured queries ranked by relevance."""
        if plan.allowed is not None and not plan.allowed:
            return Window([], 0)  # (Whoosh takes an empty filter set for no filter at all)
        filt = plan.allowed.docnums() if plan.allowed is not None else None
        hits = _timed_search(self.searcher, plan.query, deadline, limit=limit, filter=filt)
        return Window([(hit.score if isinstance(hit.score, float) else 0.0, hit.docnum) for hit in hits], len(hits))

    def explain(self, plan: WhooshPlan, key: int, score: float) -> list[ScorePart]:
        if plan.structured and not plan.options.by_date:  # sorted by date, hits are not scored
            return structured_parts(self.searcher, plan.query, key, score)
        return []

    # ------------------------------------------------------------------ stored documents

    def _fields(self, docnum: int) -> dict[str, Any]:
        """A document's stored fields, read once per search."""
        found = self._stored.get(docnum)
        if found is None:
            found = self._stored[docnum] = self.searcher.stored_fields(docnum)
        return found

    def stored(self, plan: WhooshPlan, keys: Sequence[int], texts: bool) -> dict[int, Stored]:
        marks = frozenset(plan.terms)
        out = {}
        for docnum in keys:
            f = self._fields(docnum)
            out[docnum] = Stored(doc_id=f["doc_id"], title=f.get("title", ""), body=f.get("body", ""),
                                 source=f.get("source") or None, published=f.get("published"), path=f.get("path"),
                                 url=f.get("url"), marks=marks)
        return out

    def copies(self, keys: Sequence[int]) -> dict[int, Copy]:
        """Ids and signatures from their columns: a window of 30-40 candidates costs no
        stored-text read (those were a fifth of a Reuters query's time)."""
        ids = value_column(self.searcher, "doc_id")
        out = {}
        for docnum in keys:
            raw = ids[docnum]
            out[docnum] = Copy(raw.decode("utf-8") if raw else self._fields(docnum)["doc_id"], self._signature(docnum))
        return out

    def _signature(self, docnum: int) -> Signature:
        """A document's near-duplicate signature: its column, or made from its stored text when it has none."""
        found = Signature.from_bytes(value_column(self.searcher, "signature")[docnum])
        return found if found is not None else stored_signature(self._fields(docnum))

    # ------------------------------------------------------------------ facets, did-you-mean

    def facet_counts(self, plan: WhooshPlan) -> FacetCounts:
        """Counts by source and month of the matches ranking found (or the query's, matched
        again), read from the columns: a facet costs a bincount, not a second search."""
        docs = plan.matched if plan.matched is not None else query_docs(self.searcher, plan.query, plan.allowed)
        columns = columns_for(self.searcher)
        mask = columns.mask(docs)
        return FacetCounts(sources=columns.source_counts(mask), months=columns.month_counts(mask))

    # ------------------------------------------------------------------ vectors

    def dense(self) -> "DenseSide | None":
        return self._vectors.side(self._commit) if self._vectors is not None else None

    def no_dense(self) -> NoVectors:
        if self._vectors is None:
            from ...semantic.dense import NO_VECTORS

            return NO_VECTORS
        return self._vectors.why_not()

    def keys_of(self, doc_ids: Sequence[str]) -> dict[str, int]:
        found = {}
        for doc_id in doc_ids:
            docnum = self.searcher.document_number(doc_id=doc_id)
            if docnum is not None:
                found[doc_id] = docnum
        return found

    def matching(self, plan: WhooshPlan, keys: Sequence[int]) -> set[int]:
        """Each segment's matcher skips to the keys in turn: a query that matches most of a
        large index (``source:reuters``) costs a skip per key, not a walk of its postings;
        the filter is the plan's mask."""
        query = plan.query
        wanted = sorted(key for key in set(keys) if plan.allowed is None or key in plan.allowed)
        found: set[int] = set()
        for leaf, offset in self.searcher.leaf_searchers():
            end = offset + leaf.doc_count_all()
            local = [key - offset for key in wanted if offset <= key < end]
            if not local:
                continue
            matcher = query.matcher(leaf)  # deleted documents are not among its matches
            for docnum in local:
                if not matcher.is_active():
                    break
                if matcher.id() < docnum:
                    matcher.skip_to(docnum)
                if matcher.is_active() and matcher.id() == docnum:
                    found.add(docnum + offset)
        return found

    def corrections(self, words: list[str], deadline: Deadline) -> dict[str, str]:
        return corrections_for(self.searcher, words, deadline)


def stored_signature(stored: dict[str, Any]) -> Signature:
    """The near-duplicate signature of a document from its stored fields (made from its
    stored body and title if it was written without one)."""
    return read_signature(stored.get("signature"), stored.get("body") or "", stored.get("title") or "")


def _timed_search(searcher: Any, parsed: wq.Query, deadline: Deadline, **kwargs: Any) -> Any:
    """``searcher.search(parsed, **kwargs)`` (the same collector), stopped by the deadline.

    Whoosh 2.7.4's TimeLimitCollector collects its child's matches itself, past the
    FilterCollector inside it (``--source``/``--since`` would be ignored): there a filtered
    search runs without the clock, bounded by the query's limits (bounds.py), and the
    deadline is looked at after it.
    """
    collector = searcher.collector(**kwargs)
    left = deadline.left()
    if left is None or (kwargs.get("filter") is not None and not _WHOOSH3):
        searcher.search_with_collector(parsed, collector)
        return collector.results()
    try:
        searcher.search_with_collector(parsed, TimeLimitCollector(collector, timelimit=left, use_alarm=False))
    except TimeLimit:
        raise deadline.error("matching and scoring the query") from None
    return collector.results()


def compile_filter(filt: SearchFilter | None, schema: Any) -> wq.Query | None:
    """The Whoosh filter query for --source/--since/--until, or None when there is none: what
    ``WhooshBackend._allowed`` must let through (the tests hold the columns to it).

    The source is matched as ``source:"..."`` matches it: its words, as the source field
    analyses them, in order (``cbs`` finds "CBS News"; an exact key would not).
    """
    if filt is None:
        return None
    parts: list[wq.Query] = []
    if filt.sources:
        wanted = [source_query(name, schema) for name in filt.sources]
        parts.append(wanted[0] if len(wanted) == 1 else wq.Or(wanted))
    if filt.since or filt.until:
        parts.append(wq.DateRange("published", filt.since, filt.until))
    if not parts:
        return None
    return parts[0] if len(parts) == 1 else wq.And(parts)


def source_words(source: str, analyzer: Any) -> list[str]:
    """The words of a source name as the source field holds them."""
    return [t.text for t in analyzer(source, mode="query")]


def _in_order(words: list[str], name: list[str]) -> bool:
    """True if ``name``'s words hold ``words`` side by side, in order (a phrase's match)."""
    return any(name[i:i + len(words)] == words for i in range(len(name) - len(words) + 1))


def source_query(source: str, schema: Any) -> wq.Query:
    """Documents whose source has the words of ``source`` in order (nothing for no words)."""
    words = source_words(source, schema["source"].analyzer)
    if not words:
        return wq.NullQuery
    return wq.Term("source", words[0]) if len(words) == 1 else wq.Phrase("source", words)


def _words_query(tokens: list[str]) -> wq.Query:
    """The Whoosh query matching the same documents as rank_words (for date sorting and facets)."""
    subs = [_word_query(f, t) for t in dict.fromkeys(tokens) for f in WORD_FIELDS]
    return wq.Or(subs) if subs else wq.NullQuery


def _word_query(fieldname: str, term: str) -> wq.Query:
    if isinstance(term, Compound):  # a hyphenated word: its parts side by side, or its whole word
        phrase = wq.Phrase(fieldname, list(term.parts))
        return wq.Or([phrase, wq.Term(fieldname, term.whole)]) if term.whole else phrase
    return wq.Term(fieldname, term)


def _body_terms(parsed: wq.Query, searcher: Any) -> set[str]:
    """The analysed words a structured query matches in the text fields (wildcards expanded)."""
    found: set[str] = set()
    try:
        pairs = parsed.existing_terms(searcher.reader(), phrases=True, expand=True)
    except Exception:  # an odd query node: highlight nothing rather than fail
        return found
    for fieldname, text in pairs:
        if fieldname in WORD_FIELDS:
            found.add(text.decode("utf-8") if isinstance(text, bytes) else text)
    return found
