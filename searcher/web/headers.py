"""Headers every response carries, whatever made it (a page, the API, an error).

The pages run no script at all, so the Content-Security-Policy allows none: text from an
indexed page that slipped past escaping still could not run. Styles and images come only
from this server; forms post only to it; no other site may frame the pages. Referrer-Policy
keeps a search's words from reaching an article's own site when its link is followed.

Two more rules for what a response says: the API's answers are never stored by a cache
(``Cache-Control: no-store``: they change with the index, and a shared proxy must not keep
them), and a redirect names a path on this server, never a URL built from the request's
Host header (which a client chooses).
"""

from __future__ import annotations

from urllib.parse import urlsplit

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

CONTENT_SECURITY_POLICY = ("default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; "
                           "base-uri 'none'; frame-ancestors 'none'")

SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
}


#: Paths whose responses are never stored (the JSON API and its description).
UNCACHED = ("/api/", "/openapi.json")


def headers_for(path: str) -> dict[str, str]:
    """The headers a response to ``path`` carries, whatever made it."""
    if path.startswith(UNCACHED) or path == "/api":
        return {**SECURITY_HEADERS, "Cache-Control": "no-store"}
    return SECURITY_HEADERS


def relative_location(location: str) -> str:
    """A redirect's target as a path on this server: ``http://host/static/`` -> ``/static/``.

    Leading slashes are collapsed: ``//evil.example/x`` would be another site to a browser.
    """
    parts = urlsplit(location)
    path = "/" + parts.path.lstrip("/")
    return path + (f"?{parts.query}" if parts.query else "")


class SecurityHeaders:
    """ASGI middleware that sets :data:`SECURITY_HEADERS` on every HTTP response, ``no-store``
    on the API's, and makes every redirect relative."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        wanted = headers_for(scope["path"])

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in wanted.items():
                    headers[name] = value
                if "location" in headers:
                    headers["Location"] = relative_location(headers["location"])
            await send(message)

        await self.app(scope, receive, send_with_headers)
