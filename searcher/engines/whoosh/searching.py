"""Running a query against an open Whoosh searcher and turning the hits into Results.

This is the read path: parse (into searcher's own query tree, then compiled to Whoosh),
filter, rank, page, highlight. The engine hands it its shared searcher, so nothing here
opens or closes an index.

Word queries (``syntax=False``, or typed without any operator) are ranked by
:func:`word_ranking.rank_words`; structured ones by Whoosh with :func:`scoring.make_weighting`
(the searcher's weighting). Both read the RankingSettings passed in.
Sorting by date and facets always use Whoosh's collectors over the same matching set.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import whoosh
from whoosh import query as wq
from whoosh import sorting
from whoosh.collectors import TimeLimitCollector
from whoosh.searching import TimeLimit

from ...core.errors import DocumentNotFoundError, QueryError
from ...core.records import Hit, Results, ScorePart
from ...search.duplicates import Signature, are_copies, collapse, read_signature
from ...search.empty import empty_reason
from ...search.explain import explanation_lines
from ...search.filters import SearchFilter, make_filter
from ...search.limits import Deadline, check_query_size
from ...search.options import SearchOptions
from ...search.query_text import is_plain
from ...search.settings import DEFAULT_SETTINGS, RankingSettings
from ...search.snippets import SpanFinder, make_snippet, render, split_marks
from ...search.suggestions import SUGGEST_BELOW
from .bounds import check_expansions
from .compounds import Compound, analyze_query, highlight_terms
from .explain import structured_parts
from .schema import span_finder
from .scoring import key_terms
from .suggestions import suggest
from .word_ranking import rank_words
from .word_stats import WORD_FIELDS

if TYPE_CHECKING:
    from ...search.query_parser import ParsedQuery

_WHOOSH3 = tuple(whoosh.__version__) >= (3,)


@dataclass(slots=True)
class _Ranking:
    """What ranking found for one query: (score, docnum) best first, and what the page needs."""

    order: list[tuple[float, int]]
    total: int
    #: the analysed words to highlight
    terms: set[str]
    #: the query's words when it was ranked as words (for explanations), else None
    tokens: list[str] | None = None
    #: the parts of each explained document's score
    why: dict[int, list[ScorePart]] = field(default_factory=dict)
    #: stored fields of documents already read while ranking (the hits reuse them)
    stored: dict[int, dict[str, Any]] = field(default_factory=dict)
    facets: dict[str, dict[str, int]] = field(default_factory=dict)
    #: the Whoosh query that ranked the hits (explained per shown hit), None for rank_words
    parsed: Any = None
    #: (similar) how many copies of the article itself were taken out of ``order``
    own_copies: int = 0
    #: (sorted by date) how many matches have no date
    undated: int = 0


def run_search(searcher: Any, query: str, options: SearchOptions,
               settings: RankingSettings = DEFAULT_SETTINGS) -> Results:
    """One page of ranked hits for ``query``; QueryError for a query that cannot run.

    ``options`` are checked by the caller (SearchOptions.checked). ``settings``: the ranking
    knobs; the searcher's weighting must be made from the same. With ``options.collapse``
    near-duplicates fold into the best-ranked copy (search/duplicates.py).
    """
    started = time.perf_counter()
    if not query or not query.strip():
        raise QueryError("empty query: give at least one word to search for")
    check_query_size(query)
    deadline = Deadline(options.seconds)
    filt = compile_filter(make_filter(options.source, options.since, options.until), searcher.schema)
    as_words = None
    parsed = reading = None
    if options.syntax and not is_plain(query):
        reading, parsed, as_words = _structured_query(searcher, query, settings)
        check_expansions(parsed, searcher.reader(), deadline)
        terms = _body_terms(parsed, searcher)

    def rank(limit: int) -> _Ranking:
        if parsed is None:
            return _rank_words(searcher, query, filt, options, settings, deadline, limit)
        return _rank_with_whoosh(searcher, parsed, terms, filt, options, deadline, limit)

    ranking, entries, copies = _ranked_entries(searcher, rank, options, deadline)
    deadline.check()
    results = Results(query=query, hits=_page(searcher, ranking, entries, options, settings, deadline),
                      total=ranking.total, page=options.page, limit=options.limit, facets=ranking.facets,
                      searched_as_words=as_words, copies=copies, undated=ranking.undated)
    if ranking.total < SUGGEST_BELOW:
        results.suggestion = suggest(searcher, query, deadline)
        deadline.check()
    if not ranking.total:
        analyzer = searcher.schema["body"].analyzer
        results.empty_reason = empty_reason(query, reading, lambda text: analyze_query(text, analyzer))
    results.seconds = time.perf_counter() - started
    return results


@dataclass(slots=True)
class _Entry:
    """One hit to show: its score and docnum, and the docnums of the copies folded into it."""

    score: float
    docnum: int
    copies: list[int] = field(default_factory=list)


def _ranked_entries(searcher: Any, rank: Callable[[int], _Ranking], options: SearchOptions,
                    deadline: Deadline) -> tuple[_Ranking, list[_Entry], int]:
    """The ranking, its hits in order (copies folded into the best-ranked one when
    ``options.collapse``) and how many were folded."""
    if not options.collapse:
        ranking = rank(options.wanted)
        return ranking, [_Entry(score, docnum) for score, docnum in ranking.order], 0
    last: list[_Ranking] = []

    def keys(limit: int) -> tuple[list[int], int]:
        # Ranking more costs more (feedback re-scores every ranked hit: on Reuters 1x, 100
        # hits 18 ms of CPU against 12.5 ms for 30), so each window is ranked as asked.
        deadline.check()
        last[:] = [rank(limit)]
        return [docnum for _, docnum in last[0].order], last[0].total

    def signature(docnum: int) -> Signature | None:
        return stored_signature(_stored(searcher, last[0], docnum))

    groups, copies = collapse(keys, signature, options.wanted)
    ranking = last[0]
    scores = dict((d, s) for s, d in ranking.order)
    return ranking, [_Entry(scores[g.key], g.key, g.copies) for g in groups], copies


def _stored(searcher: Any, ranking: _Ranking, docnum: int) -> dict[str, Any]:
    """A document's stored fields, read once per search (the ranking may have read them)."""
    fields = ranking.stored.get(docnum)
    if fields is None:
        fields = ranking.stored[docnum] = searcher.stored_fields(docnum)
    return fields


def stored_signature(stored: dict[str, Any]) -> Signature:
    """The near-duplicate signature of a document from its stored fields (made from its
    stored body and title if it was written without one)."""
    return read_signature(stored.get("signature"), stored.get("body") or "", stored.get("title") or "")


def _structured_query(searcher: Any, query: str,
                      settings: RankingSettings) -> "tuple[ParsedQuery, wq.Query, str | None]":
    """A query with syntax, parsed into the project's tree (the ParsedQuery) and compiled to
    Whoosh's objects; and why it was searched as plain words instead (None when its syntax
    was used)."""
    # Imported here: most searches are plain words, and a cold `searcher search` should
    # not pay for building the parser's tables and the tree's classes.
    from ...search.query_parser import parse_query
    from .compile import DIALECT, compile_reading

    reading = parse_query(query, syntax=True, index_fields=searcher.schema.names(), dialect=DIALECT)
    return (reading, *compile_reading(reading, searcher.schema, reader=searcher.reader(),
                                      field_boosts=settings.field_weights()))


def _rank_words(searcher: Any, query: str, filt: Any, options: SearchOptions, settings: RankingSettings,
                deadline: Deadline, limit: int) -> _Ranking:
    """A query of plain words: BM25F and feedback by rank_words (Whoosh's collectors for date order)."""
    tokens = analyze_query(query, searcher.schema["body"].analyzer)
    parsed = _words_query(tokens)
    if options.by_date:
        ranking = _rank_with_whoosh(searcher, parsed, highlight_terms(tokens), filt, options, deadline, limit)
        ranking.tokens = tokens
        return ranking
    allowed = set(searcher.docs_for_query(filt)) if filt is not None else None
    ranked = rank_words(searcher, tokens, settings=settings, allowed=allowed, limit=limit,
                        explain=options.explain, feedback=options.expand)
    ranking = _Ranking(ranked.order, ranked.total, highlight_terms(tokens), tokens, ranked.why, ranked.stored)
    if options.facets and ranking.total:
        ranking.facets = _facets(searcher, parsed, filt)
    return ranking


def _rank_with_whoosh(searcher: Any, parsed: wq.Query, terms: set[str], filt: Any,
                      options: SearchOptions, deadline: Deadline, limit: int) -> _Ranking:
    """Whoosh's own search (with our weighting): structured queries, and any query sorted by date."""
    kwargs: dict[str, Any] = {"filter": filt}
    if options.by_date:
        kwargs["sortedby"] = _by_date(newest_first=options.sort == "date")
        if not (options.since or options.until):  # a date filter leaves no undated match
            kwargs["groupedby"] = {"dated": _dated()}
            kwargs["maptype"] = sorting.Count
    hits = _timed_search(searcher, parsed, deadline, limit=limit, **kwargs)
    order = [(hit.score if isinstance(hit.score, float) else 0.0, hit.docnum) for hit in hits]
    if options.by_date:
        order = [(0.0, d) for _, d in order]
    ranking = _Ranking(order, len(hits), terms, parsed=parsed)
    if "groupedby" in kwargs:
        ranking.undated = hits.groups("dated").get(1, 0)
    if options.facets and ranking.total:
        ranking.facets = _facets(searcher, parsed, filt)
    return ranking


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
        raise deadline.error() from None
    return collector.results()


def _page(searcher: Any, ranking: _Ranking, entries: list[_Entry], options: SearchOptions,
          settings: RankingSettings, deadline: Deadline) -> list[Hit]:
    """The hits of the requested page, with snippets, folded copies and (if asked) explanations."""
    find_spans = span_finder(searcher.schema["body"].analyzer)
    hits = []
    for position in range(options.first, min(len(entries), options.wanted)):
        entry = entries[position]
        score, docnum = entry.score, entry.docnum
        hit = _to_hit(_stored(searcher, ranking, docnum), position + 1, score, ranking.terms, find_spans, options)
        hit.duplicates = [_stored(searcher, ranking, d)["doc_id"] for d in entry.copies]
        deadline.check()
        if options.explain:
            if ranking.parsed is not None and not options.by_date:  # sorted by date, hits are not scored
                ranking.why[docnum] = structured_parts(searcher, ranking.parsed, docnum, score)
            hit.score_parts = ranking.why.get(docnum, [])
            tokens = ranking.tokens
            tiered = tokens is not None and settings.tiers(len(set(tokens)))
            hit.explanation = explanation_lines(score, hit.score_parts, sorted_by_date=options.by_date,
                                                all_words_first=sorted(set(tokens)) if tiered and hit.score_parts else None)
        hits.append(hit)
    return hits


def compile_filter(filt: SearchFilter | None, schema: Any) -> wq.Query | None:
    """The Whoosh filter query for --source/--since/--until, or None when there is none.

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


def source_query(source: str, schema: Any) -> wq.Query:
    """Documents whose source has the words of ``source`` in order (nothing for no words)."""
    words = [t.text for t in schema["source"].analyzer(source, mode="query")]
    if not words:
        return wq.NullQuery
    return wq.Term("source", words[0]) if len(words) == 1 else wq.Phrase("source", words)


def source_names(searcher: Any, counts: dict[str, int]) -> dict[str, int]:
    """Counts by source key (``source_key``: lower case) shown by the name the documents
    give the source ("AppleInsider", not "appleinsider"): the form of the first document
    with that key."""
    shown: dict[str, int] = {}
    for key, count in counts.items():
        docnum = searcher.document_number(source_key=key)
        name = (searcher.stored_fields(docnum).get("source") if docnum is not None else None) or key
        shown[name] = shown.get(name, 0) + count
    return shown


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


def _to_hit(stored: dict[str, Any], rank: int, score: float, terms: set[str], find_spans: SpanFinder,
            options: SearchOptions) -> Hit:
    snippet = text = ""
    matches: list[tuple[int, int]] = []
    if options.fragments:
        marked = make_snippet(stored.get("body", ""), stored.get("title", ""), terms, find_spans,
                              fragments=options.fragments, context=options.context)
        snippet = render(marked, options.highlight)
        text, matches = split_marks(marked)
    return Hit(
        rank=rank,
        doc_id=stored["doc_id"],
        title=stored.get("title", ""),
        score=float(score),
        source=stored.get("source") or None,
        published=stored.get("published"),
        path=stored.get("path"),
        url=stored.get("url"),
        snippet=snippet,
        snippet_text=text,
        matches=matches,
    )


def _dated() -> Any:
    """The facet 0 for a dated document, 1 for an undated one."""
    return sorting.QueryFacet({0: wq.Every("published")}, other=1)


def _by_date(*, newest_first: bool) -> Any:
    """Sort key for a date sort: dated documents newest (or oldest) first, then the undated ones."""
    # A plain reverse sort on `published` would put undated documents first: Whoosh
    # gives a missing value the largest key.
    return sorting.MultiFacet([_dated(), sorting.FieldFacet("published", reverse=newest_first)])


def _facets(searcher: Any, parsed: wq.Query, filt: Any) -> dict[str, dict[str, int]]:
    groupedby = {"source": sorting.FieldFacet("source_key"), "month": sorting.FieldFacet("month")}
    hits = searcher.search(parsed, limit=1, filter=filt, groupedby=groupedby, scored=False)
    facets = {name: _facet_counts(hits, name) for name in ("source", "month")}
    facets["source"] = source_names(searcher, facets["source"])
    return facets


def _facet_counts(hits: Any, name: str) -> dict[str, int]:
    groups = hits.groups(name)
    counts = {str(key): len(docs) for key, docs in groups.items() if key not in (None, "")}
    return dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))


def run_similar(searcher: Any, doc_id: str, options: SearchOptions,
                settings: RankingSettings = DEFAULT_SETTINGS) -> Results:
    """The articles most like ``doc_id`` (its key terms as a weighted query), itself excluded.

    With ``options.collapse`` copies of the article itself are left out too (they are the
    same article, not one like it; counted in ``Results.copies``), and copies among the
    rest fold as in a search.
    """
    started = time.perf_counter()
    docnum = searcher.document_number(doc_id=doc_id)
    if docnum is None:
        raise DocumentNotFoundError(f"no document {doc_id!r} in the index")
    weights = key_terms(searcher, docnum)
    ranking = _Ranking([], 0, set(weights))
    entries: list[_Entry] = []
    copies = 0
    if weights:
        def rank(limit: int) -> _Ranking:
            # Ranked on key terms only: the coordination tier would demand all 20 words.
            ranked = rank_words(searcher, list(weights), settings=settings, weights=weights, limit=limit,
                                exclude=docnum, feedback=False, coordinate=False)
            return _Ranking(ranked.order, ranked.total, set(weights), stored=ranking.stored)

        if options.collapse:
            own = stored_signature(_stored(searcher, ranking, docnum))

            def rank_others(limit: int) -> _Ranking:
                # The article's own copies are taken out before folding; the window grows
                # past them as past any copy.
                found = rank(limit)
                own_copies = [d for _, d in found.order if _is_copy(searcher, found, d, own)]
                found.order = [(s, d) for s, d in found.order if d not in own_copies]
                found.total -= len(own_copies)
                found.own_copies = len(own_copies)
                return found

            ranking, entries, copies = _ranked_entries(searcher, rank_others, options, Deadline(options.seconds))
            copies += ranking.own_copies
            ranking.total += ranking.own_copies
        else:
            ranking = rank(options.limit)
            entries = [_Entry(score, d) for score, d in ranking.order]
    results = Results(query=f"like:{doc_id}", hits=_page(searcher, ranking, entries, options, settings,
                                                         Deadline(options.seconds)),
                      total=ranking.total, page=1, limit=options.limit, copies=copies)
    results.seconds = time.perf_counter() - started
    return results


def _is_copy(searcher: Any, ranking: _Ranking, docnum: int, own: Signature | None) -> bool:
    return are_copies(own, stored_signature(_stored(searcher, ranking, docnum)))
