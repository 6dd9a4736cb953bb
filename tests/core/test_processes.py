"""Forked workers never free what they inherited (core/processes.py)."""

from __future__ import annotations

import gc
import os

import pytest

from searcher.core.processes import heap_frozen_for_fork, thaw_in_child

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")


class _Owner:
    """Stands for an object whose freeing in a forked child would hang it (an ONNX session
    holding thread pools): it tells on a pipe which process freed it."""

    def __init__(self, pipe: int) -> None:
        self.pipe = pipe
        self.cycle = self  # only the collector frees it

    def __del__(self) -> None:
        os.write(self.pipe, f"{os.getpid()}\n".encode())


def test_a_forked_worker_never_collects_the_garbage_it_inherited():
    gc.collect()  # earlier tests' garbage is theirs: only this test's is counted below
    read, write = os.pipe()
    _Owner(write)  # garbage in a cycle, waiting for a collection
    with heap_frozen_for_fork():
        pid = os.fork()
        if pid == 0:  # the worker: collects what it makes, never the parent's garbage
            thaw_in_child()
            gc.collect()
            os._exit(0)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    assert gc.isenabled()
    gc.collect()  # thawed in the parent: its garbage is freed here, where its threads live
    os.close(write)
    freed_by = os.read(read, 1000).decode().split()
    os.close(read)
    assert freed_by == [str(os.getpid())]
