"""Running a query against an open Whoosh searcher and turning the hits into Results.

This is the read path: parse, filter, rank, page, highlight. SearchIndex hands it its
shared searcher, so nothing here opens or closes an index.
"""

from __future__ import annotations

import time
from datetime import date, datetime
from typing import Any

from whoosh import query as wq
from whoosh import sorting

from .errors import QueryError
from .query import make_filter, parse_query
from .results import Hit, Results
from .snippets import FORMATS, configure, marked_snippet, render

SORTS = ("relevance", "date")


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
) -> Results:
    """One page of ranked hits for ``query``; QueryError for a query that cannot run."""
    started = time.perf_counter()
    if limit < 1 or page < 1:
        raise QueryError("limit and page must be 1 or more")
    if sort not in SORTS:
        raise QueryError(f"unknown sort {sort!r}: use relevance or date")
    if highlight not in FORMATS:
        raise QueryError(f"unknown highlight format {highlight!r}: use {', '.join(FORMATS)}")
    parsed = parse_query(query, searcher.schema, syntax=syntax)
    kwargs: dict[str, Any] = {"filter": make_filter(source, since, until)}
    if sort == "date":
        kwargs["sortedby"] = _newest_first()
    if facets:
        kwargs["groupedby"] = {"source": sorting.FieldFacet("source_key"), "month": sorting.FieldFacet("month")}
    hits = searcher.search(parsed, limit=page * limit, **kwargs)
    configure(hits, fragments=fragments, context_words=context)
    shown = [
        _to_hit(hits[position], position + 1, fragments=fragments, highlight=highlight)
        for position in range((page - 1) * limit, min(len(hits), page * limit))
    ]
    results = Results(query=query, hits=shown, total=len(hits), page=page, limit=limit)
    if facets:
        results.facets = {name: _facet_counts(hits, name) for name in ("source", "month")}
    results.seconds = time.perf_counter() - started
    return results


def _to_hit(hit: Any, rank: int, *, fragments: int, highlight: str) -> Hit:
    stored = hit.fields()
    snippet = ""
    if fragments:
        snippet = render(marked_snippet(hit, fragments=fragments, body=stored.get("body", "")), highlight)
    return Hit(
        rank=rank,
        doc_id=stored["doc_id"],
        title=stored.get("title", ""),
        # With a sort other than relevance Whoosh puts the sort key where the score goes.
        score=hit.score if isinstance(hit.score, float) else 0.0,
        source=stored.get("source") or None,
        published=stored.get("published"),
        path=stored.get("path"),
        url=stored.get("url"),
        snippet=snippet,
    )


def _newest_first() -> Any:
    """Sort key for sort="date": dated documents newest first, then the undated ones."""
    # A plain reverse sort on `published` would put undated documents first: Whoosh
    # gives a missing value the largest key.
    has_date = sorting.QueryFacet({0: wq.Every("published")}, other=1)
    return sorting.MultiFacet([has_date, sorting.FieldFacet("published", reverse=True)])


def _facet_counts(hits: Any, name: str) -> dict[str, int]:
    groups = hits.groups(name)
    counts = {str(key): len(docs) for key, docs in groups.items() if key not in (None, "")}
    return dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))
