"""The web face: `searcher serve`'s search page and JSON API (``pip install "searcher[web]"``).

Like the CLI it holds no search logic: every page and API call is one call of the public
library (``searcher.SearchIndex``), rendered. Importing this package needs nothing beyond
the base install; its modules need the ``web`` extra (FastAPI, Jinja2, uvicorn).
"""

#: The command that installs what the web face needs.
INSTALL_COMMAND = 'pip install "searcher[web]"'

#: The top-level packages of the web extra (and what they pull in): a missing one means
#: the extra is not installed.
WEB_PACKAGES = frozenset({"fastapi", "starlette", "pydantic", "pydantic_core", "jinja2", "markupsafe", "uvicorn",
                          "anyio", "h11"})
