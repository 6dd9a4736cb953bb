"""Encoding many passages on every core: one worker process per core, one ONNX thread each.

Measured on Reuters (docs/benchmarks.md): worker processes with one thread each keep both
cores busy on the network's small matrix products, where one process with two ONNX threads
spends much of its time waiting between operators. Workers load the model once and encode
batches of passages; results come back in order.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

from ..core.processes import parent_lifeline, start_worker
from .encoder import EmbeddingModel, PassageVectors

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

#: Passages one worker encodes per task: enough to fill its batches, few enough to share
#: the work evenly at the end.
TASK_PASSAGES = 64
#: Below this many passages, starting workers costs more than it saves.
PARALLEL_MIN_PASSAGES = 256

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
    import numpy as np

    workers = workers or os.cpu_count() or 1
    if workers <= 1 or len(texts) < PARALLEL_MIN_PASSAGES:
        done = model.encode_passages(texts)
        if progress:
            progress(len(texts), len(texts))
        return done
    vectors: list[npt.NDArray[np.float32]] = []
    owners: list[npt.NDArray[np.int32]] = []
    finished = 0
    for start, (part, part_owners) in _in_workers(str(model.folder), texts, workers):
        vectors.append(part)
        owners.append(part_owners + start)
        finished = start + int(part_owners[-1]) + 1 if len(part_owners) else finished
        if progress:
            progress(finished, len(texts))
    return PassageVectors(np.concatenate(vectors), np.concatenate(owners).astype(np.int32))


def _in_workers(folder: str, texts: list[str], workers: int) -> Iterator[tuple[int, tuple[Any, Any]]]:
    """(first passage's number, encoded task) of each task, in order."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    context = multiprocessing.get_context("forkserver")
    starts = list(range(0, len(texts), TASK_PASSAGES))
    with ProcessPoolExecutor(max_workers=workers, mp_context=context, initializer=_start,
                             initargs=(parent_lifeline(), folder)) as pool:
        futures = [pool.submit(_encode, texts[s:s + TASK_PASSAGES]) for s in starts]
        try:
            for start, future in zip(starts, futures):
                yield start, future.result()
        finally:
            for future in futures:
                future.cancel()
