"""Encoding many passages on every core: one worker process per core, one ONNX thread each.

Measured on Reuters (docs/benchmarks.md): worker processes with one thread each keep both
cores busy on the network's small matrix products, where one process with two ONNX threads
spends much of its time waiting between operators. Workers load the model once and encode
batches of passages (tokenising them too: the parent only sends text); results come back
in order.

:class:`EncodingAhead` starts the workers while a write is still going on and gives them
the write's texts as they stream by, so that the model loads and the encoding runs while
the keyword index is written, not after it.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from ..core.processes import parent_lifeline, start_worker
from .encoder import EmbeddingModel, PassageVectors

if TYPE_CHECKING:
    from concurrent.futures import Future, ProcessPoolExecutor

    import numpy as np
    import numpy.typing as npt

#: Passages one worker encodes per task: enough to fill its batches, few enough to share
#: the work evenly at the end.
TASK_PASSAGES = 64
#: Below this many passages, starting workers costs more than it saves.
PARALLEL_MIN_PASSAGES = 256
#: Texts a write may have encoded ahead (their vectors are held until it asks: some 60 MB);
#: the rest of a bigger write is encoded when it asks.
AHEAD_MAX = 10_000

_worker_model: EmbeddingModel | None = None


def _start(lifeline: Any, folder: str) -> None:
    global _worker_model
    start_worker(lifeline)
    _worker_model = EmbeddingModel(folder, threads=1)


def _encode(texts: list[str]) -> tuple["npt.NDArray[np.float32]", "npt.NDArray[np.int32]"]:
    assert _worker_model is not None
    encoded = _worker_model.encode_passages(texts)
    return encoded.vectors, encoded.owners


def encode_passages_parallel(model: EmbeddingModel, texts: list[str], *, workers: int | None = None,
                             progress: Callable[[int, int], None] | None = None) -> PassageVectors:
    """``model.encode_passages(texts)``, spread over ``workers`` processes (default: one per core).

    ``progress`` is called with (passages done, passages) as batches finish.
    """
    ahead = EncodingAhead(lambda: model, str(model.folder), workers)
    try:
        return ahead.encode(texts, progress)
    finally:
        ahead.close()


class EncodingAhead:
    """Encodes a write's passages in worker processes while the write goes on.

    :meth:`offer` each text as the write streams it; past ``PARALLEL_MIN_PASSAGES`` of them
    (a small write is encoded in-process at the end, as starting workers would cost more),
    workers start and every ``TASK_PASSAGES`` texts become one task. :meth:`encode` then
    gives the vectors of the texts asked for: those encoded ahead (found by their text, so a
    text the write changed again, or never committed, is simply not used) and the rest encoded
    then, in the same workers. :meth:`close` stops the workers (in a ``finally``).
    """

    def __init__(self, model: Callable[[], EmbeddingModel], folder: str, workers: int | None = None) -> None:
        self._model, self._folder = model, folder
        self._workers = workers or os.cpu_count() or 1
        self._waiting: list[str] = []
        self._offered = 0
        self._tasks: list[tuple[list[str], Future[Any]]] = []
        self._ready: dict[str, npt.NDArray[np.float32]] = {}  # text -> its windows' vectors
        self._pool: ProcessPoolExecutor | None = None
        #: texts given to the workers so far (ahead or when asked)
        self.submitted = 0

    def offer(self, text: str) -> None:
        """A text the write will likely ask the vectors of."""
        if self._workers <= 1 or self._offered >= AHEAD_MAX:
            return
        self._waiting.append(text)
        self._offered += 1
        if len(self._waiting) >= TASK_PASSAGES and self._offered >= PARALLEL_MIN_PASSAGES:
            self._submit(self._waiting)
            self._waiting = []

    def encode(self, texts: list[str], progress: Callable[[int, int], None] | None = None) -> PassageVectors:
        """``model.encode_passages(texts)``, from what was encoded ahead and the workers."""
        import numpy as np

        if not texts:
            return self._model().encode_passages([])
        self._collect()
        coming = {t for task_texts, _ in self._tasks for t in task_texts}
        missing = list(dict.fromkeys(t for t in texts if t not in self._ready and t not in coming))
        if missing and self._pool is None and (len(missing) < PARALLEL_MIN_PASSAGES or self._workers <= 1):
            self._keep(missing, self._model().encode_passages(missing))
        elif missing:
            for start in range(0, len(missing), TASK_PASSAGES):
                self._submit(missing[start:start + TASK_PASSAGES])
        done = len(texts) - len(missing)
        for task_texts, future in self._tasks:
            self._keep(task_texts, PassageVectors(*future.result()))
            done += len(task_texts)
            if progress:
                progress(min(done, len(texts)), len(texts))
        self._tasks = []
        if progress:
            progress(len(texts), len(texts))
        self._waiting = []  # offered, never asked for: those asked for were among ``missing``
        rows = [self._ready[t] for t in texts]
        for t in texts:
            self._ready.pop(t, None)
        owners = np.repeat(np.arange(len(texts), dtype=np.int32), [len(r) for r in rows])
        return PassageVectors(np.concatenate(rows).astype(np.float32, copy=False), owners)

    def close(self) -> None:
        """Stop the workers (tasks not started are dropped)."""
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None
        self._tasks, self._waiting, self._ready = [], [], {}

    def _submit(self, texts: list[str]) -> None:
        if self._pool is None:
            import multiprocessing
            from concurrent.futures import ProcessPoolExecutor

            self._pool = ProcessPoolExecutor(max_workers=self._workers,
                                             mp_context=multiprocessing.get_context("forkserver"),
                                             initializer=_start, initargs=(parent_lifeline(), self._folder))
        self._tasks.append((list(texts), self._pool.submit(_encode, list(texts))))
        self.submitted += len(texts)

    def _collect(self) -> None:
        """Keep the results of the tasks already finished (the rest are waited for in encode)."""
        waiting = []
        for task_texts, future in self._tasks:
            if future.done():
                self._keep(task_texts, PassageVectors(*future.result()))
            else:
                waiting.append((task_texts, future))
        self._tasks = waiting

    def _keep(self, texts: list[str], encoded: PassageVectors) -> None:
        import numpy as np

        starts = np.searchsorted(encoded.owners, np.arange(len(texts) + 1))
        for n, text in enumerate(texts):
            self._ready[text] = encoded.vectors[starts[n]:starts[n + 1]]
