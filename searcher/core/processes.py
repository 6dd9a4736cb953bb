"""Worker processes that end with the process that started them (cleaning pools, index writers).

Each process that starts workers makes one *lifeline*: a pipe whose write end it alone holds,
for as long as it lives. Its workers get the read end and watch it from a thread; the
process never writes to it, so the read only returns, with end-of-file, when the kernel has
closed the write end: when that process is gone, whatever killed it, and even while it is
an unreaped zombie (which a liveness poll such as ``os.kill(pid, 0)`` takes for alive). It
works whoever the worker's parent is, so workers that come from a fork server die with the
indexer that asked for them, not with the fork server.

A child made by ``os.fork()`` (a forked worker, or user code) closes its copy of the write
end at once, so it never keeps another process's workers alive, and forgets the fork server
it inherited, so a library call in it starts its own (see ``_after_fork_in_child``).
"""

from __future__ import annotations

import gc
import os
import signal
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

_lifeline: tuple[Any, Any] | None = None  # (read end, write end) of this process's lifeline
_lifeline_lock = threading.Lock()
_fork_hook_installed = False


def parent_lifeline() -> Any:
    """The read end of this process's lifeline (a picklable ``multiprocessing`` Connection).

    Pass it to each worker (``start_worker`` as a pool initializer, or ``exit_with_parent``):
    it ends when this process does. Made on first use and kept until this process exits.
    """
    global _lifeline
    with _lifeline_lock:
        _install_fork_hook()
        if _lifeline is None:
            from multiprocessing.connection import Pipe

            _lifeline = Pipe(duplex=False)  # (reader, writer); both close-on-exec
        return _lifeline[0]


def start_worker(lifeline: Any) -> None:
    """A pool initializer: leave Ctrl-C to the indexer, and end with it.

    Ctrl-C reaches every process of the terminal's foreground group; the indexer decides
    what to keep and stops its workers, which must not die mid-task with a traceback each.
    ``lifeline`` is the indexer's ``parent_lifeline()``.
    """
    ignore_interrupts()
    exit_with_parent(lifeline)


def ignore_interrupts() -> None:
    """In a worker process: SIGINT is for the process that started it."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if hasattr(signal, "pthread_sigmask"):  # a forked worker starts with it blocked by its parent
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})


def exit_with_parent(lifeline: Any) -> None:
    """In a worker process: end it as soon as the process whose ``parent_lifeline()`` this is ends.

    Worker processes never see their queue close when the indexer is killed (each holds
    the queue's write end), so without this they would linger, holding the indexer's
    stdout and stderr open.
    """
    fd = lifeline.fileno()

    def watch() -> None:
        try:
            while os.read(fd, 1):  # nothing is ever written: only end-of-file returns
                pass
        except OSError:
            pass
        os._exit(1)

    threading.Thread(target=watch, name="exit-with-parent", daemon=True).start()


@contextmanager
def heap_frozen_for_fork() -> Iterator[None]:
    """Around ``os.fork()`` of workers that call :func:`thaw_in_child` first: the garbage
    collector of a child never frees what it inherited.

    An object that owns threads (an ONNX Runtime session, left in a reference cycle by an
    earlier write) and is freed in a forked child waits for threads that only exist in the
    parent: the child hangs at its end. The recipe is the one Python documents for
    ``gc.freeze``: the collector off and the heap frozen across the fork; the parent thaws
    after, the child collects only what it makes itself.
    """
    enabled = gc.isenabled()
    gc.disable()
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()
        if enabled:
            gc.enable()


def thaw_in_child() -> None:
    """In a worker forked inside :func:`heap_frozen_for_fork`: collect again, but only the
    objects made here (the inherited ones stay frozen)."""
    gc.enable()


def _install_fork_hook() -> None:
    global _fork_hook_installed
    if not _fork_hook_installed and hasattr(os, "register_at_fork"):
        os.register_at_fork(after_in_child=_after_fork_in_child)
        _fork_hook_installed = True


def _after_fork_in_child() -> None:
    """In a child of ``os.fork()``: let go of the parent's lifeline and of its fork server."""
    global _lifeline, _lifeline_lock
    _lifeline_lock = threading.Lock()  # another thread may have held it at the fork
    if _lifeline is not None:
        _lifeline[1].close()  # the write end: else the parent's workers would live as long as this child
        _lifeline = None  # the read end stays open while a forked worker's arguments hold it
    _forget_fork_server()


def _forget_fork_server() -> None:
    """Make ``multiprocessing`` start a new fork server in this forked child when it needs one.

    The inherited one is the parent's child, not ours: ``multiprocessing`` would fail to
    check on it (``ChildProcessError: No child processes``), and our copy of its "alive"
    pipe would keep it running as long as we do. multiprocessing has no public way to do
    this; every step is guarded, so another Python version at worst keeps its own behaviour.
    """
    forkserver = sys.modules.get("multiprocessing.forkserver")
    server = getattr(forkserver, "_forkserver", None)
    if server is None or getattr(server, "_forkserver_pid", None) is None:
        return  # none started by this process's parent (or we are one of its workers)
    alive = getattr(server, "_forkserver_alive_fd", None)
    if alive is not None:
        try:
            os.close(alive)
        except OSError:
            pass
    server._forkserver_alive_fd = None
    server._forkserver_pid = None
    server._forkserver_address = None
    server._lock = threading.Lock()
