"""Cleaning many seeds: in a pool of worker processes when there are enough to pay for one."""

from __future__ import annotations

import logging
import os
import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from ..core.errors import SearcherError, SeedError
from ..core.processes import parent_lifeline, start_worker
from ..core.records import Document, SeedFile, SkippedSeed
from ..sources.seeds import DEFAULT_MAX_BYTES
from .scan import reason_of

logger = logging.getLogger(__name__)

#: Below this many seeds to clean, a process pool costs more to start than it saves.
PARALLEL_MIN_SEEDS = 64

#: CPU seconds one seed may take to clean before it is skipped (with a warning naming it). The
#: cleaner is linear (tests/cleaning/test_cleaner_floods.py: 1 MB of any rule's trigger words well under
#: 2 s), and a 10 MB page, the size cap, cleans in about 3 s, so a seed over this has hit
#: something the cleaner does badly; one such page must not hold up the build. CPU time, not
#: the clock: a busy machine must not skip a seed that a quiet one indexes.
SEED_BUDGET_SECONDS = 10.0
#: Seconds on the clock one seed may take to read and clean, whatever it waits for (a file
#: system that stalls, a read that never returns): then it is skipped and named, and the
#: index is not held for ever. Well above what the CPU budget allows on a loaded machine.
SEED_WALL_SECONDS = 120.0


class _OverBudget(BaseException):
    """Raised in the cleaning thread when the seed's budget runs out (not an Exception: no
    ``except Exception`` in the cleaner may swallow it). ``wall``: the clock's budget ran out."""

    def __init__(self, wall: bool = False) -> None:
        super().__init__()
        self.wall = wall


@contextmanager
def time_budget(seconds: float | None, *, wall: bool = False) -> Iterator[None]:
    """Raise :class:`_OverBudget` in this thread once the process has used ``seconds`` of CPU
    (with ``wall``: once ``seconds`` have passed on the clock).

    A SIGPROF timer (SIGALRM for the clock): its handler runs between two bytecodes, and the
    regular expression engine checks for signals as it goes, so a regex stuck in C is stopped
    too (a C call that never checks, such as one lxml parse, is waited for: those are linear in
    the page's size); a read waiting for data is interrupted. Only the main thread can take
    signals: elsewhere, or when another such timer is running (a profiler), the seed is
    cleaned without that budget.
    """
    which, signum = (signal.ITIMER_REAL, signal.SIGALRM) if wall else (signal.ITIMER_PROF, signal.SIGPROF)
    if (seconds is None or not hasattr(signal, "setitimer")
            or threading.current_thread() is not threading.main_thread()
            or signal.getsignal(signum) not in (signal.SIG_DFL, signal.SIG_IGN, None)
            or signal.getitimer(which) != (0.0, 0.0)):
        yield
        return

    def expire(signum: int, frame: Any) -> None:
        # Not while this function's own clean-up runs: the timer is being stopped there.
        if frame is None or frame.f_code is not _BUDGET_CODE:
            raise _OverBudget(wall)

    previous = signal.signal(signum, expire)
    # The timer repeats after it expires: an exception raised while Python runs a callback it
    # cannot pass exceptions out of (a gc callback, a __del__) is printed and dropped, and the
    # seed would run on without a budget; the next tick raises it again.
    signal.setitimer(which, seconds, _BUDGET_REPEAT)
    try:
        yield
    finally:
        signal.setitimer(which, 0)
        signal.signal(signum, previous)


# time_budget's own code (its generator's frame), where the timer must not raise.
_BUDGET_CODE = time_budget.__wrapped__.__code__  # type: ignore[attr-defined]
# CPU seconds between two raises once the budget is spent.
_BUDGET_REPEAT = 0.05


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


def _clean_one(args: tuple[SeedFile, int | None, float | None, float]) -> Document | SkippedSeed:
    seed, max_bytes, budget, wall_budget = args
    # The cleaner's modules (a few hundred regexes, lxml) load outside the budget: a seed pays
    # for its own cleaning only, the first in a worker too.
    from ..cleaning import cleaner, html, lines, metadata  # noqa: F401

    try:
        with time_budget(wall_budget, wall=True), time_budget(budget):
            return clean_seed(seed, max_bytes)
    except SeedError as exc:
        return SkippedSeed(str(seed.path), reason_of(exc, seed.path))
    except _OverBudget as exc:
        logger.debug("cleaning %s ran out of time", seed.path, exc_info=True)
        if exc.wall:
            return SkippedSeed(str(seed.path), f"took over {wall_budget:g} s (wall clock) to read and clean: "
                                               "skipped (a file that stalls, or a very busy machine)")
        return SkippedSeed(str(seed.path), f"took over {budget:g} s to clean: skipped (a page the cleaner "
                                           "handles badly; please report it)")


def clean_seeds(
    seeds: list[SeedFile], *, max_bytes: int | None = DEFAULT_MAX_BYTES, jobs: int | None = None,
    budget: float | None = None,
) -> Iterator[Document | SkippedSeed]:
    """Clean many seeds, in a process pool when there are enough to pay for one; order kept.

    A seed that takes over ``budget`` CPU seconds to clean (default :data:`SEED_BUDGET_SECONDS`),
    or over :data:`SEED_WALL_SECONDS` on the clock to read and clean, is a :class:`SkippedSeed`
    saying so, in the pool's workers and in this process alike.
    """
    jobs = jobs or os.cpu_count() or 1
    budget = SEED_BUDGET_SECONDS if budget is None else budget
    work = [(seed, max_bytes, budget, SEED_WALL_SECONDS) for seed in seeds]
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
