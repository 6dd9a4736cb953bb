"""The web application: pages, JSON API, static files, error handling and headers, around
a few handles on one index.

It answers only requests that name one of its hosts in their Host header (by default this
machine's loopback names): a page on another site that a browser visits cannot read the API
through DNS rebinding (its requests name that site's host), and no Host header ever reaches
a link or a redirect.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager

from fastapi import FastAPI
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.staticfiles import StaticFiles

from .. import ClusterSettings, __version__
from . import api, apidocs, pages
from .errors import install_handlers
from .head import HeadAsGet
from .headers import SecurityHeaders
from .readers import DEFAULT_READERS, IndexPool
from .rendering import STATIC, Pages


#: The names of this machine's loopback addresses, which a Host header may give (with any port).
LOOPBACK_HOSTS = ("localhost", "127.0.0.1", "[::1]")


def create_app(location: str | os.PathLike[str], *, readers: int = DEFAULT_READERS,
               cluster: ClusterSettings | None = None, allowed_hosts: Sequence[str] = LOOPBACK_HOSTS,
               model: str | None = None) -> FastAPI:
    """The app serving the index at ``location``, read-only (``readers``: handles on it, see
    :mod:`searcher.web.readers`; ``cluster``: how to reach a cluster, default: the environment's),
    to requests whose Host is one of ``allowed_hosts`` (any other gets a 400; ``*`` lets every
    host in); ``model``: the embedding model for queries (a folder or a fetched model's name;
    default: SEARCHER_MODEL, else the index vectors' model in the user's model cache)."""
    pool = IndexPool(location, readers, cluster, model)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        yield
        pool.close()

    app = FastAPI(title="searcher", version=__version__, lifespan=lifespan,
                  description="Search an archive of news articles: the JSON records of `searcher search --json`, "
                              "`show --json`, `similar --json` and `stats --json`.",
                  docs_url=None, redoc_url=None)  # FastAPI's load scripts from elsewhere: apidocs serves ours
    app.state.pool = pool
    app.state.pages = Pages()
    app.include_router(api.router)
    app.include_router(pages.router)
    app.include_router(apidocs.router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    apidocs.mount_assets(app)
    install_handlers(app)
    # The last added runs first: security headers on every response, the 400 of a foreign Host included.
    app.add_middleware(HeadAsGet)
    app.add_middleware(TrustedHostMiddleware, allowed_hosts=list(allowed_hosts), www_redirect=False)
    app.add_middleware(SecurityHeaders)
    return app
