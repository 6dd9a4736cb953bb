"""Running a query against an open Whoosh searcher and turning the hits into Results.

This is the read path: parse, filter, rank, page, highlight. SearchIndex hands it its
shared searcher, so nothing here opens or closes an index.

Word queries (``syntax=False``, or typed without any operator) are ranked by
:func:`word_ranking.rank_words`; structured ones by Whoosh with :func:`scoring.make_weighting`
(the searcher's weighting). Both read the RankingSettings passed in.
Sorting by date and facets always use Whoosh's collectors over the same matching set.
"""

from __future__ import annotations

import time
from datetime import date, datetime
from typing import Any

from whoosh import query as wq
from whoosh import sorting

from ...core.errors import QueryError
from .compile import DIALECT, compile_filter, compile_query
from .schema import analyze_words, span_finder
from ...search.filters import make_filter
from ...search.query_parser import parse_query
from ...search.query_text import is_plain, query_words
from ...core.records import Hit, Results
from ...search.settings import DEFAULT_SETTINGS, RankingSettings
from ...search.snippets import FORMATS, make_snippet, render
from .scoring import key_terms
from .word_ranking import rank_words
from .word_stats import WORD_FIELDS

SORTS = ("relevance", "date")
#: Below this many hits a query with an unknown word gets a did-you-mean suggestion.
SUGGEST_BELOW = 3


def run_search(
    searcher: Any,
    query: str,
    *,
    limit: int = 10,
    page: int = 1,
    sort: str = "relevance",
    source: str | None = None,
    since: date | datetime | str | None = None,
    until: date | datetime | str | None = None,
    syntax: bool = True,
    fragments: int = 3,
    context: int = 12,
    highlight: str = "plain",
    facets: bool = False,
    explain: bool = False,
    expand: bool | None = None,
    settings: RankingSettings = DEFAULT_SETTINGS,
) -> Results:
    """One page of ranked hits for ``query``; QueryError for a query that cannot run.

    ``expand``: pseudo-relevance feedback for word queries; None follows ``settings.feedback``.
    ``settings``: the ranking knobs; the searcher's weighting must be made from the same.
    """
    started = time.perf_counter()
    if limit < 1 or page < 1:
        raise QueryError("limit and page must be 1 or more")
    if sort not in SORTS:
        raise QueryError(f"unknown sort {sort!r}: use relevance or date")
    if highlight not in FORMATS:
        raise QueryError(f"unknown highlight format {highlight!r}: use {', '.join(FORMATS)}")
    if not query or not query.strip():
        raise QueryError("empty query: give at least one word to search for")
    filt = compile_filter(make_filter(source, since, until))
    want = page * limit
    schema = searcher.schema
    words = not syntax or is_plain(query)
    why: dict[int, list[str]] = {}
    if words:
        tokens = analyze_words(query, schema)
        parsed = _words_query(tokens)
        terms = set(tokens)
    else:
        tree = parse_query(query, syntax=True, index_fields=schema.names(), dialect=DIALECT)
        parsed = compile_query(tree, schema, reader=searcher.reader(), field_boosts=settings.field_weights())
        terms = _body_terms(parsed, searcher)

    docnums: list[tuple[float, int]]
    groups: dict[str, dict[str, int]] = {}
    stored: dict[int, dict[str, Any]] = {}  # documents already read while ranking
    if words and sort == "relevance":
        allowed = set(searcher.docs_for_query(filt)) if filt is not None else None
        ranked = rank_words(searcher, tokens, settings=settings, allowed=allowed, limit=want, explain=explain,
                            feedback=expand)
        docnums, total, why, stored = ranked.order, ranked.total, ranked.why, ranked.stored
        if facets and total:
            groups = _facets(searcher, parsed, filt)
    else:
        kwargs: dict[str, Any] = {"filter": filt}
        if sort == "date":
            kwargs["sortedby"] = _newest_first()
        hits = searcher.search(parsed, limit=want, **kwargs)
        docnums = [(hit.score if isinstance(hit.score, float) else 0.0, hit.docnum) for hit in hits]
        total = len(hits)
        if sort == "date":
            docnums = [(0.0, d) for _, d in docnums]
        if facets and total:
            groups = _facets(searcher, parsed, filt)
        if explain:
            why = {d: _explain_whoosh(searcher, parsed, d) for _, d in docnums[(page - 1) * limit:]}

    analyzer = schema["body"].analyzer
    shown = []
    for position in range((page - 1) * limit, min(len(docnums), want)):
        score, docnum = docnums[position]
        fields = stored.get(docnum)
        if fields is None:
            fields = searcher.stored_fields(docnum)
        hit = _to_hit(fields, position + 1, score, terms=terms, analyzer=analyzer,
                      fragments=fragments, context=context, highlight=highlight)
        if explain:
            hit.explanation = _explanation(score, why.get(docnum, []), tokens if words else None, sort,
                                           settings.all_words_first)
        shown.append(hit)
    results = Results(query=query, hits=shown, total=total, page=page, limit=limit, facets=groups)
    if total < SUGGEST_BELOW:
        results.suggestion = suggest(searcher, query)
    results.seconds = time.perf_counter() - started
    return results


def _words_query(tokens: list[str]) -> wq.Query:
    """The Whoosh query matching the same documents as rank_words (for date sorting and facets)."""
    subs = [wq.Term(f, t) for t in dict.fromkeys(tokens) for f in WORD_FIELDS]
    return wq.Or(subs) if subs else wq.NullQuery


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


def _to_hit(stored: dict[str, Any], rank: int, score: float, *, terms: set[str], analyzer: Any,
            fragments: int, context: int, highlight: str) -> Hit:
    snippet = ""
    if fragments:
        marked = make_snippet(stored.get("body", ""), stored.get("title", ""), terms, span_finder(analyzer),
                              fragments=fragments, context=context)
        snippet = render(marked, highlight)
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
    )


def _explanation(score: float, lines: list[str], tokens: list[str] | None, sort: str,
                 all_words_first: bool) -> list[str]:
    head = [f"{score:7.3f}  total" + (" (sorted by date)" if sort == "date" else "")]
    if tokens is not None and all_words_first and len(set(tokens)) > 1:
        head.append(f"         {len(lines)} line(s) below; documents holding all of {sorted(set(tokens))} rank first")
    return head + lines


def _explain_whoosh(searcher: Any, parsed: wq.Query, docnum: int) -> list[str]:
    """Per field and term BM25 contributions of a structured query's words to one document."""
    lines: list[str] = []
    seen: set[tuple[str, Any]] = set()
    try:
        pairs = list(parsed.existing_terms(searcher.reader(), phrases=True, expand=True))
    except Exception:
        return lines
    for fieldname, text in pairs:
        if (fieldname, text) in seen or not searcher.schema[fieldname].scorable:
            continue
        seen.add((fieldname, text))
        m = searcher.postings(fieldname, text)
        m.skip_to(docnum)
        if m.is_active() and m.id() == docnum:
            word = text.decode("utf-8") if isinstance(text, bytes) else text
            lines.append(f"{m.score():7.3f}  {fieldname}:{word!r} tf={m.weight():g} (before boosts)")
    return lines


def _newest_first() -> Any:
    """Sort key for sort="date": dated documents newest first, then the undated ones."""
    # A plain reverse sort on `published` would put undated documents first: Whoosh
    # gives a missing value the largest key.
    has_date = sorting.QueryFacet({0: wq.Every("published")}, other=1)
    return sorting.MultiFacet([has_date, sorting.FieldFacet("published", reverse=True)])


def _facets(searcher: Any, parsed: wq.Query, filt: Any) -> dict[str, dict[str, int]]:
    groupedby = {"source": sorting.FieldFacet("source_key"), "month": sorting.FieldFacet("month")}
    hits = searcher.search(parsed, limit=1, filter=filt, groupedby=groupedby)
    return {name: _facet_counts(hits, name) for name in ("source", "month")}


def _facet_counts(hits: Any, name: str) -> dict[str, int]:
    groups = hits.groups(name)
    counts = {str(key): len(docs) for key, docs in groups.items() if key not in (None, "")}
    return dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))


def run_similar(searcher: Any, doc_id: str, *, limit: int = 10, fragments: int = 3, context: int = 12,
                highlight: str = "plain", settings: RankingSettings = DEFAULT_SETTINGS) -> Results:
    """The articles most like ``doc_id`` (its key terms as a weighted query), itself excluded."""
    from ...core.errors import DocumentNotFoundError

    started = time.perf_counter()
    if limit < 1:
        raise QueryError("limit must be 1 or more")
    if highlight not in FORMATS:
        raise QueryError(f"unknown highlight format {highlight!r}: use {', '.join(FORMATS)}")
    docnum = searcher.document_number(doc_id=doc_id)
    if docnum is None:
        raise DocumentNotFoundError(f"no document {doc_id!r} in the index (see `searcher search`)")
    weights = key_terms(searcher, docnum)
    hits: list[Hit] = []
    total = 0
    if weights:
        # Ranked on key terms only: the coordination tier would demand all 20 words.
        ranked = rank_words(searcher, list(weights), settings=settings, weights=weights, limit=limit,
                            exclude=docnum, feedback=False, coordinate=False)
        total = ranked.total
        analyzer = searcher.schema["body"].analyzer
        for position, (score, d) in enumerate(ranked.order):
            hits.append(_to_hit(searcher.stored_fields(d), position + 1, score, terms=set(weights), analyzer=analyzer,
                                fragments=fragments, context=context, highlight=highlight))
    results = Results(query=f"like:{doc_id}", hits=hits, total=total, page=1, limit=limit)
    results.seconds = time.perf_counter() - started
    return results


# ---------------------------------------------------------------------------- did you mean

def suggest(searcher: Any, query: str) -> str | None:
    """The query with unknown words replaced by the closest indexed word, or None.

    The body is stemmed, so candidates are found among stems and then shown as a real
    word: the form that stem has in a document holding it.
    """
    schema = searcher.schema
    analyzer = schema["body"].analyzer
    changed = False
    out = query
    corrector = None
    for word in dict.fromkeys(query_words(query)):
        stems = [t.text for t in analyzer(word, mode="query")]
        if len(stems) != 1 or len(word) < 3 or word.isdigit():
            continue
        stem = stems[0]
        if any(searcher.doc_frequency(f, stem) for f in WORD_FIELDS):
            continue
        corrector = corrector or searcher.corrector("body")
        # Whoosh counts a swap of two letters as two edits: ask for up to two, then keep
        # those within the allowed edits when a swap counts as one ("bahai" -> "bahia").
        allowed = _max_edits(word)
        candidates = [c for c in corrector.suggest(stem, limit=5, maxdist=2) if _edits(stem, c) <= allowed]
        if not candidates:
            continue
        real = _surface_form(searcher, candidates[0], analyzer)
        if not real:
            continue
        if word[:1].isupper():
            real = real[:1].upper() + real[1:]
        out = _replace_word(out, word, real)
        changed = True
    return out if changed else None


def _max_edits(word: str) -> int:
    """Edits allowed to correct ``word``: two edits turn most short words into others
    ("crop" -> "troop"), so 1 up to five letters and 2 beyond (as Elasticsearch's AUTO)."""
    return 1 if len(word) <= 5 else 2


def _edits(a: str, b: str) -> int:
    """Edit distance where a swap of two neighbouring letters is one edit (optimal string alignment)."""
    rows = [list(range(len(b) + 1))]
    for i, ca in enumerate(a, 1):
        row = [i]
        for j, cb in enumerate(b, 1):
            cost = min(rows[-1][j] + 1, row[j - 1] + 1, rows[-1][j - 1] + (ca != cb))
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                cost = min(cost, rows[-2][j - 2] + 1)
            row.append(cost)
        rows.append(row)
    return rows[-1][-1]


def _surface_form(searcher: Any, stem: str, analyzer: Any) -> str | None:
    """How ``stem`` is written in the first document that holds it (lower case)."""
    m = searcher.postings("body", stem)
    if not m.is_active():
        return None
    body = searcher.stored_fields(m.id()).get("body", "")
    for token in analyzer(body, chars=True, mode="index"):
        if token.text == stem:
            return body[token.startchar:token.endchar].lower()
    return None


def _replace_word(text: str, word: str, new: str) -> str:
    import re

    return re.sub(rf"(?<!\w){re.escape(word)}(?!\w)", new.replace("\\", "\\\\"), text)
