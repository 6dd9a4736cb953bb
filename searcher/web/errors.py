"""Every error as a response: JSON under /api/ (and /openapi.json), a page elsewhere.

Library errors keep their one-line message, which says what to do; anything else is an
"internal error" whose traceback goes to the server's log, never into a response.
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
    ClusterError,
    ClusterUnavailableError,
    DocumentError,
    DocumentNotFoundError,
    IndexAccessError,
    IndexDamagedError,
    IndexLockedError,
    IndexNotFoundError,
    IndexVersionError,
    NotAnIndexError,
    QueryError,
    SearcherError,
)
from .headers import SECURITY_HEADERS
from .rendering import Pages

logger = logging.getLogger(__name__)

#: HTTP status of each library error (the first that matches); others are 400.
STATUS: tuple[tuple[type[SearcherError], int], ...] = (
    (DocumentNotFoundError, 404),
    (AmbiguousIdError, 400),
    (QueryError, 400),
    (DocumentError, 400),
    # The index cannot be read now (missing, damaged, being rebuilt by a newer version):
    # the server is fine, the service is not, until someone repairs the index.
    (IndexNotFoundError, 503),
    (IndexDamagedError, 503),
    (IndexAccessError, 503),
    (IndexVersionError, 503),
    (NotAnIndexError, 503),
    (IndexLockedError, 503),
    # A cluster that cannot answer (down, electing a manager) or refuses us (permissions).
    (ClusterError, 503),
)

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
        status = next((code for kind, code in STATUS if isinstance(exc, kind)), 400)
        extra = {"candidates": exc.candidates} if isinstance(exc, AmbiguousIdError) else {}
        response = error_response(request, status, str(exc), **extra)
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
        response.headers.update(SECURITY_HEADERS)
        return response
