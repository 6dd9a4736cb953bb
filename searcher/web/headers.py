"""Headers every response carries, whatever made it (a page, the API, an error).

The Content-Security-Policy lets the pages run only scripts from this server (the search
page's own, and on /docs Swagger UI's packaged files), never an inline one: text from an
indexed page that slipped past escaping still could not run. Styles and images come only
from this server (/docs also takes Swagger UI's ``data:`` icons); scripts may fetch only
from it; forms post only to it; no other site may frame the pages. Referrer-Policy keeps a
search's words from reaching an article's own site when its link is followed.
"""

from __future__ import annotations

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

CONTENT_SECURITY_POLICY = ("default-src 'none'; script-src 'self'; connect-src 'self'; style-src 'self'; "
                           "img-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'")
#: /docs: the same, and the icons Swagger UI draws as ``data:`` images.
DOCS_CONTENT_SECURITY_POLICY = CONTENT_SECURITY_POLICY.replace("img-src 'self'", "img-src 'self' data:")

SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
}


class SecurityHeaders:
    """ASGI middleware that sets :data:`SECURITY_HEADERS` on every HTTP response."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in SECURITY_HEADERS.items():
                    headers[name] = value
                if scope.get("path") == "/docs":
                    headers["Content-Security-Policy"] = DOCS_CONTENT_SECURITY_POLICY
            await send(message)

        await self.app(scope, receive, send_with_headers)
