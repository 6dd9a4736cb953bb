"""The update algorithm, written once for every engine: a seeds folder diffed by content
hash against what the engine holds, and only the difference cleaned and written.

* new or changed seeds (by content hash; an unchanged stat skips the hashing) are cleaned
  and upserted, in commits of ``COMMIT_EVERY`` so a crash loses at most one batch of work;
* seeds gone from the folder are deleted, unless their content turns up under a new name
  (a rename: the new document replaces the old id);
* documents added from code (no seed path) are never touched;
* a first build is one bulk write into the live, empty index: stopped part-way (Ctrl-C,
  a crash) it keeps what was committed, and the next update goes on from there;
* an index of an older schema is rebuilt: one bulk write into a fresh index that is
  swapped in when complete, carrying the documents added from code over;
* with a model (``SeedOptions.model``, or the one the index's vectors were made with), the
  documents' vectors are brought in step after the keyword write (``vectors``).
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ..core.model_choice import given_model
from ..core.records import Document, Progress, SeedFile, SeedState, SkippedSeed, UpdateReport
from ..engines.base import Engine
from ..sources.seeds import DEFAULT_MAX_BYTES
from .cleaning_pool import clean_seeds
from .scan import ScanResult, scan_seeds

if TYPE_CHECKING:
    from .vectors import VectorUpkeep

logger = logging.getLogger(__name__)

#: Documents per commit in an incremental update.
COMMIT_EVERY = 5000


@dataclass(frozen=True, slots=True)
class SeedOptions:
    """How seeds are read and cleaned."""

    max_bytes: int | None = DEFAULT_MAX_BYTES
    follow_symlinks: bool = False
    jobs: int | None = None
    #: The embedding model (a folder or a known model's name; None: SEARCHER_MODEL, else the
    #: one the index's vectors were made with, else none).
    model: str | None = None


def timer() -> Callable[[], float]:
    """A stopwatch: call the result to get the seconds since it was made."""
    start = time.perf_counter()
    return lambda: time.perf_counter() - start


def update(engine: Engine, seeds_dir: str | os.PathLike[str], options: SeedOptions = SeedOptions(),
           progress: Progress | None = None) -> UpdateReport:
    """Bring ``engine`` in line with ``seeds_dir``: clean and write only what changed."""
    with engine.writing():
        if engine.exists() and engine.outdated():
            logger.warning("index schema changed: rebuilding %s from %s", engine.location, seeds_dir)
            return _rebuild_locked(engine, seeds_dir, options, progress)
        elapsed = timer()
        report = UpdateReport()
        upkeep = upkeep_for(engine, options, report)
        try:
            if engine.is_empty():
                # A first build: the bulk path (both cores writing, big commits) is the fast one.
                report = _first_build(engine, seeds_dir, options, progress, report, upkeep)
                if upkeep is not None:
                    upkeep.unknown()
            else:
                report = _update_locked(engine, seeds_dir, options, progress, report, upkeep)
            if upkeep is not None:
                upkeep.finish(report, progress)
                report.seconds = elapsed()
        finally:
            if upkeep is not None:
                upkeep.close()
        return report


def upkeep_for(engine: Engine, options: SeedOptions, report: UpdateReport) -> "VectorUpkeep | None":
    """The vector upkeep of this write, if a model is configured (imported only then: the
    semantic extra's packages are needed for it)."""
    if given_model(options.model) is None:
        path = engine.vector_file()
        if path is None or not path.exists():
            return None
    from .vectors import start

    return start(engine, options.model, options.jobs, report)


def _update_locked(engine: Engine, seeds_dir: str | os.PathLike[str], options: SeedOptions,
                   progress: Progress | None, report: UpdateReport, upkeep: "VectorUpkeep | None") -> UpdateReport:
    """An incremental update (lock held, the index not empty)."""
    elapsed = timer()
    known = engine.seed_states()
    scan = scan_seeds(seeds_dir, known, report, max_bytes=options.max_bytes,
                      follow_symlinks=options.follow_symlinks)
    report.scan_seconds = elapsed()
    if scan.restated:
        engine.record_seed_states(scan.restated)
    changes = _changes(scan, known, report, options, progress)
    if upkeep is not None:  # (first: their encoding starts while they are written)
        upkeep.wrote((doc for doc, _ in changes.upserts), changes.deletes)
    _write_changes(engine, changes)
    report.warnings.extend(engine.repairs)
    report.seconds = elapsed()
    return report


def rebuild(engine: Engine, seeds_dir: str | os.PathLike[str], options: SeedOptions = SeedOptions(),
            progress: Progress | None = None) -> UpdateReport:
    """Build a fresh index from ``seeds_dir`` and swap it in; the live one serves until then."""
    with engine.writing():
        return _rebuild_locked(engine, seeds_dir, options, progress)


@dataclass(slots=True)
class _Changes:
    """What an update writes: cleaned documents with their seed states, and ids to delete."""

    upserts: list[tuple[Document, SeedState]] = field(default_factory=list)
    deletes: list[str] = field(default_factory=list)


def _changes(scan: ScanResult, known: dict[str, SeedState], report: UpdateReport, options: SeedOptions,
             progress: Progress | None) -> _Changes:
    """Clean the pending seeds and sort each into added, changed or renamed (filling ``report``)."""
    gone = [d for d, state in known.items() if state.path and d not in scan.seen and d not in scan.unreadable]
    gone_by_hash = {known[d].hash: d for d in gone}
    seeds = {seed.doc_id: seed for seed in scan.pending}
    changes = _Changes()
    cleaned = clean_seeds(list(seeds.values()), max_bytes=options.max_bytes, jobs=options.jobs)
    for done, item in enumerate(cleaned, 1):
        if progress is not None:
            progress(done, len(seeds), "indexing")
        if isinstance(item, SkippedSeed):
            report.failed.append(item)
            continue
        changes.upserts.append((item, SeedState.of(item, seeds[item.doc_id])))
        if item.doc_id in known:
            report.changed.append(item.doc_id)
        elif item.content_hash in gone_by_hash:
            old = gone_by_hash.pop(item.content_hash or "")
            gone.remove(old)
            report.renamed.append((old, item.doc_id))
        else:
            report.added.append(item.doc_id)
    report.removed.extend(gone)
    changes.deletes = gone + [old for old, _ in report.renamed]
    return changes


def _write_changes(engine: Engine, changes: _Changes) -> None:
    """Deletions with the first commit, then the upserts in commits of COMMIT_EVERY."""
    if not (changes.upserts or changes.deletes):
        return
    deletes = changes.deletes
    for start in range(0, max(len(changes.upserts), 1), COMMIT_EVERY):
        engine.write_batch(changes.upserts[start:start + COMMIT_EVERY], deletes)
        deletes = []


def _rebuild_locked(engine: Engine, seeds_dir: str | os.PathLike[str], options: SeedOptions,
                    progress: Progress | None) -> UpdateReport:
    elapsed = timer()
    report = UpdateReport(rebuilt=True)
    upkeep = upkeep_for(engine, options, report)
    carried = engine.documents_not_from_seeds(report.warnings)
    scan = scan_seeds(seeds_dir, {}, report, max_bytes=options.max_bytes, follow_symlinks=options.follow_symlinks)
    seeds = {seed.doc_id: seed for seed in scan.pending}
    try:
        engine.rebuild(_noted(_rebuild_stream(seeds, carried, report, options), upkeep), jobs=options.jobs,
                       progress=progress, total=len(seeds))
        if upkeep is not None:
            upkeep.unknown()  # a new generation: every vector is checked against its text again
            upkeep.finish(report, progress)
    finally:
        if upkeep is not None:
            upkeep.close()
    report.seconds = elapsed()
    return report


def _first_build(engine: Engine, seeds_dir: str | os.PathLike[str], options: SeedOptions,
                 progress: Progress | None, report: UpdateReport, upkeep: "VectorUpkeep | None") -> UpdateReport:
    elapsed = timer()
    scan = scan_seeds(seeds_dir, {}, report, max_bytes=options.max_bytes, follow_symlinks=options.follow_symlinks)
    report.scan_seconds = elapsed()
    seeds = {seed.doc_id: seed for seed in scan.pending}
    engine.build(_noted(_rebuild_stream(seeds, [], report, options), upkeep), jobs=options.jobs, progress=progress,
                 total=len(seeds))
    report.warnings.extend(engine.repairs)
    report.seconds = elapsed()
    return report


def _noted(stream: Iterator[tuple[Document, SeedState]],
           upkeep: "VectorUpkeep | None") -> Iterator[tuple[Document, SeedState]]:
    """``stream``, each document noted by ``upkeep`` (its encoding starts while it is indexed)."""
    if upkeep is None:
        return stream
    return ((upkeep.note(doc), state) for doc, state in stream)


def _rebuild_stream(seeds: dict[str, SeedFile], carried: list[Document], report: UpdateReport,
                    options: SeedOptions) -> Iterator[tuple[Document, SeedState]]:
    """Every seed cleaned (failures noted in ``report``), then the documents added from code."""
    for item in clean_seeds(list(seeds.values()), max_bytes=options.max_bytes, jobs=options.jobs):
        if isinstance(item, SkippedSeed):
            report.failed.append(item)
            continue
        report.added.append(item.doc_id)
        yield item, SeedState.of(item, seeds[item.doc_id])
    for doc in carried:
        yield doc, SeedState.of(doc)
