"""Every error as a response: JSON under /api/ (and /openapi.json), a page elsewhere.

Errors in what the client sent (a query, an id) keep their one-line message, which says what
to fix. An index that cannot be read now (missing, damaged, a cluster down) is a 503 whose
message names nothing of the server: its folder or cluster URL, and the library's message,
go to the server's log. Anything else is an "internal error" whose traceback goes to the
log, never into a response.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from .. import (
    AmbiguousIdError,
    ClusterUnavailableError,
    DocumentError,
    DocumentNotFoundError,
    QueryError,
    SearcherError,
    redacted,
)
from .headers import headers_for
from .rendering import Pages

logger = logging.getLogger(__name__)

#: HTTP status of each library error about the request (the first that matches). Any other
#: is about the index, which cannot be read now (missing, damaged, being rebuilt by a newer
#: version, on a cluster that is down): 503, the server is fine, the service is not.
STATUS: tuple[tuple[type[SearcherError], int], ...] = (
    (DocumentNotFoundError, 404),
    (AmbiguousIdError, 400),
    (QueryError, 400),
    (DocumentError, 400),
)
#: What a 503 says (the library's message, which names the index, goes to the log).
UNAVAILABLE = "the index cannot be read just now (the server's log says why); try again later"

#: Seconds a client is asked to wait before trying again when the cluster cannot answer now
#: (a node restarting, a new manager elected: seconds, not minutes).
RETRY_AFTER_SECONDS = 10

TITLES = {400: "Bad request", 404: "Not found", 405: "Method not allowed", 422: "Bad parameter",
          500: "Internal error", 503: "Index unavailable"}


def wants_json(request: Request) -> bool:
    path = request.url.path
    return path.startswith("/api/") or path == "/api" or path == "/openapi.json"


def error_response(request: Request, status: int, message: str, **extra: Any) -> Response:
    """The error as JSON ``{"error": message, "status": status, ...}`` or as a page."""
    message = " ".join(message.split()) or TITLES.get(status, "error")
    if wants_json(request):
        return JSONResponse({"error": message, "status": status, **extra}, status_code=status)
    pages: Pages = request.app.state.pages
    return pages.render(request, "error.html", {"status": status, "title": TITLES.get(status, "Error"),
                                                "message": message, "extra": extra, "params": None}, status)


def _validation_message(exc: RequestValidationError) -> str:
    parts = []
    for error in exc.errors():
        where = ".".join(str(p) for p in error.get("loc", ()) if p not in ("query", "path"))
        parts.append(f"{where}: {error.get('msg', 'invalid')}" if where else str(error.get("msg", "invalid")))
    return "; ".join(parts) or "invalid parameters"


def install_handlers(app: FastAPI) -> None:
    """Route every kind of error through :func:`error_response`."""

    @app.exception_handler(SearcherError)
    async def library_error(request: Request, exc: SearcherError) -> Response:
        status = next((code for kind, code in STATUS if isinstance(exc, kind)), 503)
        extra = {"candidates": exc.candidates} if isinstance(exc, AmbiguousIdError) else {}
        if status == 503:
            logger.warning("%s %s: %s", request.method, request.url.path, redacted(str(exc)))
            message = UNAVAILABLE
        elif isinstance(exc, DocumentNotFoundError):
            # The library's message names the index (a folder, a cluster): say it without.
            message = f"no document {request.path_params.get('doc_id', '')!r}, and no id starts with it"
        else:
            message = str(exc)
        response = error_response(request, status, message, **extra)
        if isinstance(exc, ClusterUnavailableError):
            response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response

    @app.exception_handler(RequestValidationError)
    async def bad_parameter(request: Request, exc: RequestValidationError) -> Response:
        return error_response(request, 422, _validation_message(exc))

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException) -> Response:
        if exc.status_code == 404:
            message = f"nothing at {request.url.path}"
        else:
            message = str(exc.detail)
        response = error_response(request, exc.status_code, message)
        for name, value in (exc.headers or {}).items():
            response.headers[name] = value
        return response

    @app.exception_handler(Exception)
    async def internal_error(request: Request, exc: Exception) -> Response:
        # Sent by Starlette's outermost middleware, past SecurityHeaders: set them here.
        logger.error("internal error on %s", request.url.path, exc_info=exc)
        response = error_response(request, 500, "internal error: the server's log has the details")
        response.headers.update(headers_for(request.url.path))
        return response
