"""Running the app: bind the address (a clear error if it cannot), say where it serves, and
serve until Ctrl-C."""

from __future__ import annotations

import ipaddress
import os
import signal
import socket
import threading
import time
import webbrowser
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

import uvicorn

from .app import LOOPBACK_HOSTS, create_app
from .connections import KEEP_ALIVE_SECONDS, BoundedH11Protocol
from .readers import DEFAULT_READERS

if TYPE_CHECKING:
    from .. import ClusterSettings

#: Connections the kernel queues for the server (uvicorn's default).
BACKLOG = 2048


def bind(host: str, port: int) -> socket.socket:
    """A socket bound to ``host``:``port`` (0: any free port) and listening, so that requests
    made as soon as the address is announced wait for the server; OSError if it cannot be."""
    family, kind, proto, _name, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM,
                                                              flags=socket.AI_PASSIVE)[0]
    sock = socket.socket(family, kind, proto)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(address)
        sock.listen(BACKLOG)
    except OSError:
        sock.close()
        raise
    return sock


def is_loopback(sock: socket.socket) -> bool:
    """True when only this machine can reach ``sock`` (127.0.0.0/8, ::1)."""
    try:
        return ipaddress.ip_address(sock.getsockname()[0]).is_loopback
    except ValueError:
        return False


def allowed_hosts(sock: socket.socket, extra: Sequence[str] = ()) -> list[str]:
    """The names a request's Host header may give: the loopback names, the address ``sock`` is
    bound to when it is a particular one, and ``extra`` (``--allowed-host``)."""
    names = list(LOOPBACK_HOSTS)
    host = sock.getsockname()[0]
    if not ipaddress.ip_address(host).is_unspecified:
        names.append(f"[{host}]" if ":" in host else host)
    names += [name.strip().lower() for name in extra if name.strip()]
    return list(dict.fromkeys(names))


def address_url(sock: socket.socket) -> str:
    host, port = sock.getsockname()[:2]
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{port}/"


def serve(location: str | os.PathLike[str], sock: socket.socket, *, open_browser: bool = False,
          readers: int = DEFAULT_READERS, access_log: bool = False, hosts: Sequence[str] = (),
          say: Callable[[str], None] = print, workers: int = 1, cluster: "ClusterSettings | None" = None,
          model: str | None = None) -> None:
    """Serve the index at ``location`` (on a cluster: reached with ``cluster``) on the bound
    ``sock`` until interrupted (uvicorn re-raises Ctrl-C as KeyboardInterrupt once it has shut
    down), to requests naming one of :func:`allowed_hosts` (with ``hosts`` added).

    ``workers`` > 1: that many processes accept on the one socket, each with its own
    readers of the index (read-only, shared through the page cache): a search is
    CPU-bound Python, so one process uses one core whatever its threads.
    """
    url = address_url(sock)
    children = _fork_workers(workers - 1)
    app = create_app(location, readers=readers, cluster=cluster, allowed_hosts=allowed_hosts(sock, hosts), model=model)
    config = uvicorn.Config(app, log_level="info" if access_log else "warning", access_log=access_log,
                            server_header=False, lifespan="on", http=BoundedH11Protocol,
                            timeout_keep_alive=KEEP_ALIVE_SECONDS)
    server = uvicorn.Server(config)
    if children is None:  # a worker: serve until stopped, then leave without the parent's clean-up
        try:
            server.run(sockets=[sock])
        finally:
            os._exit(0)
    with_workers = f" with {workers} worker processes" if workers > 1 else ""
    say(f"searcher: serving {app.state.pool.shown}{with_workers} at {url} (Ctrl-C stops)")
    if open_browser:
        threading.Thread(target=_open_when_started, args=(server, url), daemon=True).start()
    try:
        server.run(sockets=[sock])
    finally:
        _stop_workers(children)
    if server.started:
        # Only a signal stops a started server. uvicorn re-raises it once shut down, but a signal that
        # was ignored when we started (a background job's Ctrl-C) comes back ignored: still an interrupt.
        raise KeyboardInterrupt


def _fork_workers(count: int) -> list[int] | None:
    """Fork ``count`` worker processes: their pids in this process, None in a worker."""
    children: list[int] = []
    for _ in range(max(0, count)):
        pid = os.fork()
        if pid == 0:
            _end_with_parent()
            return None
        children.append(pid)
    return children


def _end_with_parent() -> None:
    """In a worker: get SIGTERM when the parent dies, however it dies (Linux; elsewhere the
    parent's clean-up stops the workers)."""
    try:
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def _stop_workers(children: list[int]) -> None:
    """Stop the workers (SIGTERM: uvicorn shuts each down gracefully) and reap them."""
    for pid in children:
        try:
            os.kill(pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
    for pid in children:
        try:
            os.waitpid(pid, 0)
        except ChildProcessError:
            pass


def _open_when_started(server: uvicorn.Server, url: str) -> None:
    for _ in range(200):
        if server.started:
            webbrowser.open(url)
            return
        time.sleep(0.05)
