"""``/docs``: the API's interactive documentation (Swagger UI) from packaged assets.

FastAPI's own ``/docs`` loads Swagger UI's scripts from a CDN and starts it with an inline
script, which the pages' Content-Security-Policy forbids (and an offline server cannot
reach). Here the scripts come from the ``swagger-ui-bundle-v2`` package (Swagger UI 5, which
reads the OpenAPI 3.1 document FastAPI writes), served by this server under
``/docs/assets/``, and started by ``/static/apidocs.js``: nothing inline, nothing from elsewhere.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, FastAPI, Request
from starlette.responses import Response
from starlette.staticfiles import StaticFiles

from .rendering import Pages

router = APIRouter(include_in_schema=False)

#: Where the assets are served.
ASSETS = "/docs/assets"
#: What installs them.
INSTALL_COMMAND = 'pip install "searcher[web]"  (swagger-ui-bundle-v2)'


def swagger_ui_path() -> Path | None:
    """The folder of Swagger UI's packaged files, or None when the package is missing."""
    try:
        from swagger_ui_bundle import swagger_ui_path as path  # type: ignore[import-untyped]
    except ImportError:
        return None
    return Path(str(path))


@router.get("/docs")
def api_docs(request: Request) -> Response:
    """Swagger UI on /openapi.json, or a page saying what to install."""
    pages: Pages = request.app.state.pages
    return pages.render(request, "apidocs.html", {"params": None, "assets": ASSETS if request.app.state.api_docs else None,
                                                  "install": INSTALL_COMMAND})


def mount_assets(app: FastAPI) -> None:
    """Serve Swagger UI's files under :data:`ASSETS` when they are installed."""
    folder = swagger_ui_path()
    app.state.api_docs = folder is not None and folder.is_dir()
    if app.state.api_docs:
        app.mount(ASSETS, StaticFiles(directory=folder), name="api-docs-assets")
