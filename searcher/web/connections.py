"""How long a client may hold a connection without making a request.

uvicorn closes a kept-alive connection that stays idle after a response
(``timeout_keep_alive``), but waits forever for the first request of a connection and for
headers that arrive a byte at a time: a few hundred such sockets (a "slowloris") would hold
the server's connections for as long as their clients like. Here a connection must deliver
a request's whole head within :data:`HEADERS_SECONDS` of connecting, or of its last response.
"""

from __future__ import annotations

import asyncio
from typing import Any

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol

#: Seconds a kept-alive connection may stay idle after a response before it is closed.
KEEP_ALIVE_SECONDS = 5
#: Seconds a client has to send a request's line and headers (a browser sends them at once;
#: a slow mobile link, in well under a second).
HEADERS_SECONDS = 10


class BoundedH11Protocol(H11Protocol):
    """uvicorn's HTTP/1.1 protocol, closing a connection whose request head is not complete
    within :data:`HEADERS_SECONDS` (see the module docstring)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._head_deadline: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._await_head()

    def connection_lost(self, exc: Exception | None) -> None:
        self._stop_waiting()
        super().connection_lost(exc)

    def on_response_complete(self) -> None:
        super().on_response_complete()
        if not self.transport.is_closing():
            self._await_head()

    def _await_head(self) -> None:
        self._stop_waiting()
        self._head_deadline = self.loop.call_later(HEADERS_SECONDS, self._head_overdue)

    def _stop_waiting(self) -> None:
        if self._head_deadline is not None:
            self._head_deadline.cancel()
            self._head_deadline = None

    def _head_overdue(self) -> None:
        self._head_deadline = None
        # IDLE: no request line and headers received since the connection or the last response.
        if self.conn.their_state is h11.IDLE and not self.transport.is_closing():
            self.transport.close()
