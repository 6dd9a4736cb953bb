"""How records become HTML: the Jinja2 environment (autoescaped) and its filters.

Every piece of indexed text reaches a page through Jinja's autoescaping; the one place
markup is added to it, :func:`marked`, escapes each piece of the snippet itself and puts
``<mark>`` only around the match offsets the library gives.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup, escape
from starlette.requests import Request
from starlette.responses import HTMLResponse

from .. import Hit, __version__

TEMPLATES = Path(__file__).parent / "templates"
STATIC = Path(__file__).parent / "static"


def marked(hit: Hit) -> Markup:
    """A hit's snippet as HTML: its text escaped, each match in ``<mark>``."""
    text, out, pos = hit.snippet_text, [], 0
    for start, end in hit.matches:
        if start < pos or end > len(text):
            continue  # offsets out of order or range: show the text, never cut markup
        out += [escape(text[pos:start]), Markup("<mark>"), escape(text[start:end]), Markup("</mark>")]
        pos = end
    out.append(escape(text[pos:]))
    return Markup("").join(out)


def document_path(doc_id: str) -> str:
    """The URL path of a document's page: the whole id one path segment (``/`` encoded), so
    an id such as ``a/../b`` stays an id and is never read as a path by a browser."""
    return "/documents/" + quote(doc_id, safe="")


def web_url(url: str | None) -> str | None:
    """``url`` if it is an http(s) address a page may link to, else None (``javascript:``
    and other schemes from a page's metadata are shown as text, never as a link)."""
    if not url:
        return None
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return None
    return url.strip() if parts.scheme.lower() in ("http", "https") and parts.netloc else None


def day(value: datetime | None) -> str:
    """A publication date as the pages show it (YYYY-MM-DD), or nothing."""
    return value.date().isoformat() if value else ""


def make_environment() -> Environment:
    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(default=True),
                      trim_blocks=True, lstrip_blocks=True)
    env.filters.update(marked=marked, document_path=document_path, web_url=web_url, day=day)
    env.globals.update(version=__version__)
    return env


class Pages:
    """Renders a template into a response."""

    def __init__(self) -> None:
        self.env = make_environment()

    def render(self, request: Request, template: str, context: dict[str, Any], status: int = 200) -> HTMLResponse:
        html = self.env.get_template(template).render(request=request, **context)
        return HTMLResponse(html, status_code=status)
