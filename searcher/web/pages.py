"""The HTML pages: the home page, the search page and a document's page.

Server-rendered, so everything works without JavaScript: filters, sorting, pages and
corrections are plain links built from the request's parameters. The one script
(``static/search.js``, search as you type) only fetches these same pages.
"""

from __future__ import annotations

import dataclasses
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from starlette.responses import Response

from .. import Document, DocumentNotFoundError, QueryError, Results, SearchIndex
from .filters import active_filters, date_presets, month_choices, source_choices
from .params import MAX_PAGE, SearchParams, search_params
from .readers import IndexPool
from .rendering import Pages

router = APIRouter(include_in_schema=False)

#: Similar articles listed on a document's page.
SIMILAR_SHOWN = 5
#: Sources listed in the filters (the biggest; chosen ones always).
FACETS_SHOWN = 12
#: Copies of a hit listed under it (the rest are counted).
COPIES_SHOWN = 5
#: A hit's snippet: passages and words of context, for two or three lines.
SNIPPET_FRAGMENTS, SNIPPET_CONTEXT = 2, 8
#: Characters of a document's body its page shows (whole paragraphs, at least one): a news
#: article is a few thousand, and a page of megabytes would take the server seconds to render
#: and the browser longer to show. The rest is a note and a link to the JSON record.
BODY_SHOWN = 100_000
#: Removed lines a document's page lists (the rest are counted).
REMOVED_SHOWN = 500


def _pool(request: Request) -> IndexPool:
    pool: IndexPool = request.app.state.pool
    return pool


def _pages(request: Request) -> Pages:
    pages: Pages = request.app.state.pages
    return pages


@router.get("/")
def home(request: Request) -> Response:
    """A search box and what the index holds."""
    stats = _pool(request).stats()
    return _pages(request).render(request, "home.html", {"stats": stats, "params": SearchParams()})


def _search(index: SearchIndex, params: SearchParams, **changes: Any) -> Results:
    """The search the page's parameters ask for (``changes``: the same search with a filter
    left out, or as a count only)."""
    page = {"facets": True, "fragments": SNIPPET_FRAGMENTS, "context": SNIPPET_CONTEXT, "highlight": "none"}
    return index.search(params.q, params.options(**{**page, **changes}))


def _counts_without(index: SearchIndex, params: SearchParams, name: str, results: Results, **left_out: Any) -> dict[str, int]:
    """Facet ``name``'s counts as if its own filter were not set, so that its other values
    keep their counts once one is chosen (the hits still follow every filter)."""
    if not any(left_out.values()) or (not results.total and results.empty_reason):
        return results.facets.get(name, {})
    return _search(index, params, limit=1, page=1, fragments=0, **dict.fromkeys(left_out)).facets.get(name, {})


@router.get("/search")
def search_page(request: Request, params: Annotated[SearchParams, Depends(search_params)],
                typed: Annotated[bool, Query()] = False) -> Response:
    """Ranked hits with filters, sort, pages and corrections; without a query, the home page."""
    if not params.q.strip():
        return home(request)
    params = dataclasses.replace(params, typed=typed)
    stats = _pool(request).stats()  # before borrowing: it may borrow a handle itself
    context: dict[str, Any] = {"params": params, "stats": stats, "corrected_from": None, "error": None}
    with _pool(request).borrow() as index:
        try:
            results = _search(index, params)
            if not results.total and results.suggestion and not params.typed:
                # A misspelling that finds nothing: show what its correction finds, at once.
                fixed = dataclasses.replace(params, q=results.suggestion)
                again = _search(index, fixed)
                if again.total:
                    context["corrected_from"], params, results = params, fixed, again
                    context["params"] = params
            sources = _counts_without(index, params, "source", results, source=params.source)
            months = _counts_without(index, params, "month", results, since=params.since, until=params.until)
            copies = {hit.doc_id: _copies(index, hit.duplicates) for hit in results if hit.duplicates}
        except QueryError as exc:
            context["error"] = str(exc)
            return _pages(request).render(request, "search.html", _filters(context, params, {}, {}), 400)
    last_page = min(results.pages, MAX_PAGE)
    context.update(results=results, last_page=last_page, copies=copies,
                   window=range(max(1, params.page - 2), min(last_page, params.page + 2) + 1))
    response = _pages(request).render(request, "search.html", _filters(context, params, sources, months))
    response.headers["Server-Timing"] = f"search;dur={results.seconds * 1000:.1f}"
    return response


def _filters(context: dict[str, Any], params: SearchParams, sources: dict[str, int],
             months: dict[str, int]) -> dict[str, Any]:
    """``context`` with the filters' choices added."""
    presets = date_presets(params, context["stats"].newest)
    context.update(sources=source_choices(params, sources, FACETS_SHOWN), months=month_choices(params, months),
                   presets=presets, active=active_filters(params, presets))
    return context


def _copies(index: SearchIndex, doc_ids: list[str]) -> list[Document]:
    """The first few copies folded into a hit, as documents (their source, date and site)."""
    found = []
    for doc_id in doc_ids[:COPIES_SHOWN]:
        try:
            found.append(index.get(doc_id))
        except DocumentNotFoundError:  # deleted since the search
            continue
    return found


@router.get("/documents/{doc_id:path}")
def document_page(request: Request, doc_id: str, params: Annotated[SearchParams, Depends(search_params)]) -> Response:
    """The cleaned article (its first BODY_SHOWN characters), its metadata, similar articles,
    and what the cleaner removed and why; with the search it was found by (its parameters),
    a way back to those results."""
    with _pool(request).borrow(whole_document=True) as index:
        doc = index.get(index.resolve_id(doc_id))
        similar = index.similar(doc.doc_id, limit=SIMILAR_SHOWN)
    headings = set(doc.sections)
    paragraphs, whole = first_paragraphs(doc.body, BODY_SHOWN)
    blocks = [("h2" if p.strip() in headings else "p", p) for p in paragraphs]
    return _pages(request).render(request, "document.html", {
        "doc": doc, "blocks": blocks, "similar": similar, "params": params,
        "cut": None if whole else (sum(len(p) for p in paragraphs), len(doc.body)),
        "removed": doc.removed[:REMOVED_SHOWN],
    })


def first_paragraphs(body: str, chars: int) -> tuple[list[str], bool]:
    """The body's first paragraphs, about ``chars`` characters of them (whole ones; the first
    cut at ``chars`` when it alone is longer), and whether they are all of it. Only what is
    shown is split, never a whole body of megabytes."""
    paragraphs: list[str] = []
    total = start = 0
    while start < len(body):
        end = body.find("\n\n", start)
        end = len(body) if end < 0 else end
        paragraph = body[start:end]
        if paragraph.strip():
            if total + len(paragraph) > chars:
                if not paragraphs:
                    paragraphs.append(paragraph[:chars])
                return paragraphs, False
            paragraphs.append(paragraph)
            total += len(paragraph)
        start = end + 2
    return paragraphs, True
