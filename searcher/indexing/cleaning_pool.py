"""Cleaning many seeds: in a pool of worker processes when there are enough to pay for one."""

from __future__ import annotations

import logging
import os
import signal
from collections.abc import Iterator

from ..core.errors import SearcherError, SeedError
from ..core.processes import parent_lifeline, start_worker
from ..core.records import Document, SeedFile, SkippedSeed
from ..sources.seeds import DEFAULT_MAX_BYTES
from .scan import reason_of

logger = logging.getLogger(__name__)

#: Below this many seeds to clean, a process pool costs more to start than it saves.
PARALLEL_MIN_SEEDS = 64


def clean_seed(seed: SeedFile, max_bytes: int | None = DEFAULT_MAX_BYTES) -> Document:
    """Read, decode and clean one seed; raises SeedError with the reason on any failure."""
    from ..cleaning.cleaner import clean_file

    try:
        doc = clean_file(seed.path, seed.doc_id, max_bytes=max_bytes)
    except SearcherError:
        raise
    except RecursionError:
        raise SeedError(f"{seed.path}: page nested too deeply to clean") from None
    except Exception as exc:  # a cleaner bug must cost one seed, not the whole update
        logger.debug("cleaner failed on %s", seed.path, exc_info=True)
        raise SeedError(f"{seed.path}: cleaner failed ({type(exc).__name__}: {exc})") from None
    if not (doc.title.strip() or doc.body.strip()):
        raise SeedError(f"{seed.path}: no article text found")
    return doc


def _clean_one(args: tuple[SeedFile, int | None]) -> Document | SkippedSeed:
    seed, max_bytes = args
    try:
        return clean_seed(seed, max_bytes)
    except SeedError as exc:
        return SkippedSeed(str(seed.path), reason_of(exc, seed.path))


def clean_seeds(
    seeds: list[SeedFile], *, max_bytes: int | None = DEFAULT_MAX_BYTES, jobs: int | None = None,
) -> Iterator[Document | SkippedSeed]:
    """Clean many seeds, in a process pool when there are enough to pay for one; order kept."""
    jobs = jobs or os.cpu_count() or 1
    work = [(seed, max_bytes) for seed in seeds]
    if jobs <= 1 or len(seeds) < PARALLEL_MIN_SEEDS:
        yield from map(_clean_one, work)
        return
    from concurrent.futures import ProcessPoolExecutor  # not imported by `searcher search`

    import multiprocessing

    # Workers come from a fork server, not a fork of this process: a forked worker would
    # inherit the index's lock files and keep them locked after a `kill -9` of its parent.
    # They end when this process does, through its lifeline (their parent is the fork server).
    context = multiprocessing.get_context("forkserver")
    pool = ProcessPoolExecutor(max_workers=jobs, mp_context=context, initializer=start_worker,
                               initargs=(parent_lifeline(),))
    try:
        # Workers (and the fork server) start with Ctrl-C blocked until they ignore it.
        blocked = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
        try:
            results = pool.map(_clean_one, work, chunksize=32)
        finally:
            signal.pthread_sigmask(signal.SIG_SETMASK, blocked)
        yield from results
    except BaseException:
        # Interrupted, failed or closed early: drop the queued seeds instead of cleaning them
        # all first (a `with` block's shutdown waits for every one); workers end after their chunk.
        pool.shutdown(wait=False, cancel_futures=True)
        raise
    pool.shutdown(wait=True)
