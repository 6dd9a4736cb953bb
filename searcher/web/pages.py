"""The HTML pages: the home page, the search page and a document's page.

Server-rendered, so everything works without JavaScript (the pages have none): facets,
sorting, pages and "did you mean" are plain links built from the request's parameters.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from starlette.responses import Response

from .params import MAX_PAGE, SearchParams, search_params
from .readers import IndexPool
from .rendering import Pages

router = APIRouter(include_in_schema=False)

#: Similar articles listed on a document's page.
SIMILAR_SHOWN = 5
#: Facet values listed per facet (the biggest sources; the months with most hits).
FACETS_SHOWN = 12
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
    with _pool(request).borrow() as index:
        stats = index.stats()
    return _pages(request).render(request, "home.html", {"stats": stats, "params": SearchParams()})


@router.get("/search")
def search_page(request: Request, params: Annotated[SearchParams, Depends(search_params)]) -> Response:
    """Ranked hits with facets, sort, pages and did-you-mean; without a query, the home page."""
    if not params.q.strip():
        return home(request)
    with _pool(request).borrow() as index:
        results = index.search(params.q, params.options(facets=True))
    last_page = min(results.pages, MAX_PAGE)
    window = range(max(1, params.page - 3), min(last_page, params.page + 3) + 1)
    sources = list(results.facets.get("source", {}).items())[:FACETS_SHOWN]
    months = sorted(list(results.facets.get("month", {}).items())[:FACETS_SHOWN], reverse=True)
    response = _pages(request).render(request, "search.html", {
        "params": params, "results": results, "last_page": last_page, "window": window,
        "sources": sources, "months": months,
    })
    response.headers["Server-Timing"] = f"search;dur={results.seconds * 1000:.1f}"
    return response


@router.get("/documents/{doc_id:path}")
def document_page(request: Request, doc_id: str) -> Response:
    """The cleaned article (its first BODY_SHOWN characters), its metadata, similar articles,
    and what the cleaner removed and why."""
    with _pool(request).borrow(whole_document=True) as index:
        doc = index.get(doc_id)
        similar = index.similar(doc.doc_id, limit=SIMILAR_SHOWN)
    headings = set(doc.sections)
    paragraphs, whole = first_paragraphs(doc.body, BODY_SHOWN)
    blocks = [("h2" if p.strip() in headings else "p", p) for p in paragraphs]
    return _pages(request).render(request, "document.html", {
        "doc": doc, "blocks": blocks, "similar": similar, "params": SearchParams(),
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
