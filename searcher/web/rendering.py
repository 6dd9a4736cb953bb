"""How records become HTML: the Jinja2 environment (autoescaped) and its filters.

Every piece of indexed text reaches a page through Jinja's autoescaping; the one place
markup is added to it, :func:`marked`, escapes each piece of the snippet itself and puts
``<mark>`` only around the match offsets the library gives.
"""

from __future__ import annotations

import calendar
from datetime import datetime, time
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup, escape
from starlette.requests import Request
from starlette.responses import HTMLResponse

from .. import Hit, __version__
from .filters import MONTH_NAMES, month_words

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
    """A publication date in words, as a list of hits shows it: ``6 March 1987``; or nothing."""
    return f"{value.day} {MONTH_NAMES[value.month - 1]} {value.year}" if value else ""


def moment(value: datetime | None) -> str:
    """A publication date and time in words, as a document's page shows it: ``Friday 6 March
    1987, 13:45 UTC`` (the index keeps UTC; a time of midnight is taken for no time)."""
    if not value:
        return ""
    words = f"{calendar.day_name[value.weekday()]} {day(value)}"
    return words if value.time() == time() else f"{words}, {value:%H:%M} UTC"


def domain(url: str | None) -> str:
    """The site of a web address, as a hit names it: ``nytimes.com`` for
    ``https://www.nytimes.com/...``; nothing for an address a page may not link to."""
    link = web_url(url)
    host = (urlsplit(link).hostname or "") if link else ""
    return host[4:] if host.startswith("www.") else host


def make_environment() -> Environment:
    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(default=True),
                      trim_blocks=True, lstrip_blocks=True)
    env.filters.update(marked=marked, document_path=document_path, web_url=web_url, day=day, moment=moment,
                       domain=domain, month_words=month_words)
    env.globals.update(version=__version__)
    return env


class Pages:
    """Renders a template into a response."""

    def __init__(self) -> None:
        self.env = make_environment()

    def render(self, request: Request, template: str, context: dict[str, Any], status: int = 200) -> HTMLResponse:
        html = self.env.get_template(template).render(request=request, **context)
        return HTMLResponse(html, status_code=status)
