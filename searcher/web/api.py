"""The JSON API: the library's records as `searcher ... --json` prints them (less file-system
paths: see records.py)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from starlette.responses import JSONResponse

from .params import MAX_LIMIT, SearchParams, search_params
from .readers import IndexPool
from .records import document_record, results_record, stats_record
from .schemas import DocumentRecord, ErrorRecord, ResultsRecord, StatsRecord

router = APIRouter(prefix="/api", tags=["api"])

_ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"model": ErrorRecord, "description": "A query or parameter the library cannot use (the message says why)."},
    422: {"model": ErrorRecord, "description": "A parameter of the wrong type or out of bounds."},
    503: {"model": ErrorRecord, "description": "The index cannot be read (missing, damaged, its cluster down: "
                                               "then a Retry-After header says when to try again)."},
}
_NOT_FOUND: dict[int | str, dict[str, Any]] = {
    404: {"model": ErrorRecord, "description": "No document has this id, and none starts with it."}}


def _pool(request: Request) -> IndexPool:
    pool: IndexPool = request.app.state.pool
    return pool


@router.get("/search", response_model=None, responses={200: {"model": ResultsRecord}, **_ERRORS},
            summary="Search the index")
def api_search(
    request: Request,
    params: Annotated[SearchParams, Depends(search_params)],
    facets: Annotated[bool, Query(description="Count hits by source and by month.")] = False,
    explain: Annotated[bool, Query(description="Each hit's score in parts (per field and word).")] = False,
) -> JSONResponse:
    """One page of ranked hits: the record `searcher search --json` prints."""
    with _pool(request).borrow() as index:
        results = index.search(params.q, params.options(facets=facets, explain=explain))
    return JSONResponse(results_record(results),
                        headers={"Server-Timing": f"search;dur={results.seconds * 1000:.1f}"})


@router.get("/documents/{doc_id:path}/similar", response_model=None,
            responses={200: {"model": ResultsRecord}, **_NOT_FOUND, **_ERRORS}, summary="Articles like a document")
def api_similar(
    request: Request, doc_id: str,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT, description="How many articles.")] = 10,
) -> JSONResponse:
    """The articles most like this one (itself excluded): the record `searcher similar --json` prints.
    The id may be any start of one that no other id shares."""
    with _pool(request).borrow(whole_document=True) as index:
        results = index.similar(doc_id, limit=limit)
    return JSONResponse(results_record(results))


@router.get("/documents/{doc_id:path}", response_model=None,
            responses={200: {"model": DocumentRecord}, **_NOT_FOUND, **_ERRORS}, summary="One document")
def api_document(request: Request, doc_id: str) -> JSONResponse:
    """One indexed document, with the lines the cleaner removed: the record `searcher show --json`
    prints. The id may be any start of one that no other id shares."""
    with _pool(request).borrow(whole_document=True) as index:
        doc = index.get(doc_id)
    return JSONResponse(document_record(doc))


@router.get("/stats", response_model=None, responses={200: {"model": StatsRecord}, 503: _ERRORS[503]},
            summary="What the index holds")
def api_stats(request: Request) -> JSONResponse:
    """Documents, sources, date range and size: the record `searcher stats --json` prints."""
    with _pool(request).borrow() as index:
        stats = index.stats()
    return JSONResponse(stats_record(stats))
