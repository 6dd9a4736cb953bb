"""The web application: pages, JSON API, static files, error handling and headers, around
a few handles on one index."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from starlette.staticfiles import StaticFiles

from .. import ClusterSettings, __version__
from . import api, pages
from .errors import install_handlers
from .headers import SecurityHeaders
from .readers import DEFAULT_READERS, IndexPool
from .rendering import STATIC, Pages


def create_app(location: str | os.PathLike[str], *, readers: int = DEFAULT_READERS,
               cluster: ClusterSettings | None = None) -> FastAPI:
    """The app serving the index at ``location``, read-only (``readers``: handles on it, see
    :mod:`searcher.web.readers`; ``cluster``: how to reach a cluster, default: the environment's)."""
    pool = IndexPool(location, readers, cluster)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        yield
        pool.close()

    app = FastAPI(title="searcher", version=__version__, lifespan=lifespan,
                  description="Search an archive of news articles: the JSON records of `searcher search --json`, "
                              "`show --json`, `similar --json` and `stats --json`.",
                  docs_url=None, redoc_url=None)  # the interactive docs load scripts from elsewhere
    app.state.pool = pool
    app.state.pages = Pages()
    app.include_router(api.router)
    app.include_router(pages.router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    install_handlers(app)
    app.add_middleware(SecurityHeaders)
    return app
