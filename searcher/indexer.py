"""Writing the index: incremental updates from a seeds folder, rebuilds, adds and deletes.

Every write holds the folder's WriteLock and ends in a Whoosh commit, which is atomic:
a crash at any point leaves the last committed state. The manifest (doc_id -> content
hash) is a cache of what the index holds; when it does not match the committed Whoosh
generation it is rebuilt from the stored fields, so a crash between the two costs time,
never correctness.
"""

from __future__ import annotations

import itertools
import logging
import os
import signal
import time
from collections.abc import Callable, Container, Iterable, Iterator
from dataclasses import dataclass, field

from .document import Document
from .errors import SearcherError, SeedError
from .records import document_to_fields
from .storage import SeedState
from .seeds import DEFAULT_MAX_BYTES, SeedFile, SkippedSeed, content_hash, iter_seed_files, read_seed_bytes

logger = logging.getLogger(__name__)

#: Below this many seeds to clean, a process pool costs more to start than it saves.
PARALLEL_MIN_SEEDS = 64
#: Commit after this many documents in a long update, so a crash loses at most one batch
#: of work (never data: the next update finishes it).
COMMIT_EVERY = 5000
#: A bulk add of at least this many documents is analysed by a multiprocess writer, one
#: Whoosh segment per process: measured on Reuters-21578 (2 cores), 1.7x the documents/s
#: of one writer. Smaller adds use one writer: starting processes costs more than it saves.
BULK_MIN_DOCS = 2000
#: Documents per commit in a bulk add. Each multiprocess commit adds one segment per
#: process, and queries slow down with every segment, so bulk commits are big.
BULK_COMMIT_EVERY = 100_000
#: Memory budget (MB) of each Whoosh writer process's posting buffer.
WRITER_LIMIT_MB = 96

#: progress(done, total, stage): ``total`` is 0 when unknown; ``stage`` is "indexing" or
#: "committing" (a commit of a bulk add can take a while).
Progress = Callable[[int, int, str], None]


@dataclass(slots=True)
class UpdateReport:
    """What an update or rebuild did, seed by seed."""

    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    renamed: list[tuple[str, str]] = field(default_factory=list)
    unchanged: int = 0
    failed: list[SkippedSeed] = field(default_factory=list)
    seconds: float = 0.0
    scan_seconds: float = 0.0
    rebuilt: bool = False

    @property
    def ok(self) -> bool:
        """True when every seed was indexed."""
        return not self.failed

    def summary(self) -> str:
        """One line: '3 added, 1 changed, 0 removed, 40 unchanged, 1 failed in 0.4 s'."""
        parts = [f"{len(self.added)} added", f"{len(self.changed)} changed", f"{len(self.removed)} removed"]
        if self.renamed:
            parts.append(f"{len(self.renamed)} renamed")
        parts += [f"{self.unchanged} unchanged", f"{len(self.failed)} failed"]
        return ", ".join(parts) + f" in {self.seconds:.1f} s"


@dataclass(slots=True)
class ScanResult:
    """What a scan of the seeds folder found, against what the index holds."""

    #: seeds whose content is new or changed: to be cleaned
    pending: list[SeedFile]
    #: doc_id -> content hash of every seed seen
    seen: dict[str, str]
    #: doc ids whose file is present but unreadable: their indexed version is kept
    unreadable: set[str]
    #: unchanged seeds whose stat changed (touched): the manifest should be saved
    restated: int = 0


def scan_seeds(
    seeds_dir: str | os.PathLike[str],
    known: dict[str, SeedState],
    report: UpdateReport,
    *,
    max_bytes: int | None = DEFAULT_MAX_BYTES,
    follow_symlinks: bool = False,
) -> ScanResult:
    """Compare the seeds on disk with ``known`` (what the manifest says is indexed).

    Entries of ``known`` whose file was touched but not changed get their new stat, so
    the next scan need not read them again.
    """
    pending: list[SeedFile] = []
    restated = 0
    seen: dict[str, str] = {}
    unreadable: set[str] = set()
    skipped: list[SkippedSeed] = []
    for seed in iter_seed_files(seeds_dir, follow_symlinks=follow_symlinks, skipped=skipped):
        if seed.doc_id in seen or seed.doc_id in unreadable:
            skipped.append(SkippedSeed(str(seed.path), f"another seed already has the id {seed.doc_id!r}"))
            continue
        state = known.get(seed.doc_id)
        if state and (state.size, state.mtime_ns, state.path) == (seed.size, seed.mtime_ns, seed.path):
            seen[seed.doc_id] = state.hash  # same stat as when it was hashed: no need to read it
            report.unchanged += 1
            continue
        try:
            data = read_seed_bytes(seed.path, max_bytes=max_bytes)
        except SeedError as exc:
            skipped.append(SkippedSeed(str(seed.path), _reason(exc, seed.path)))
            unreadable.add(seed.doc_id)
            continue
        digest = content_hash(data)
        seen[seed.doc_id] = digest
        if state and state.hash == digest:
            known[seed.doc_id] = state._replace(path=seed.path, size=seed.size, mtime_ns=seed.mtime_ns)
            restated += 1
            report.unchanged += 1
        else:
            pending.append(seed)
    report.failed.extend(skipped)
    return ScanResult(pending, seen, unreadable, restated)


def _reason(exc: BaseException, path: object) -> str:
    """The message of a SeedError without the file name it starts with."""
    message = str(exc)
    prefix = f"{path}: "
    return message[len(prefix):] if message.startswith(prefix) else message


def clean_seed(seed: SeedFile, max_bytes: int | None = DEFAULT_MAX_BYTES) -> Document:
    """Read, decode and clean one seed; raises SeedError with the reason on any failure."""
    from .cleaner import clean_file

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
        return SkippedSeed(str(seed.path), _reason(exc, seed.path))


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
    context = multiprocessing.get_context("forkserver")
    with ProcessPoolExecutor(max_workers=jobs, mp_context=context, initializer=_exit_with_parent,
                             initargs=(os.getpid(),)) as pool:
        yield from pool.map(_clean_one, work, chunksize=32)


def _exit_with_parent(parent_pid: int) -> None:
    """Pool initializer: end this worker soon after the indexer that started it dies.

    Worker processes never see their queue close when the indexer is killed (each holds
    the queue's write end), so without this they would linger forever.
    """
    import threading

    def watch() -> None:
        while True:
            time.sleep(0.5)
            try:
                os.kill(parent_pid, 0)
            except ProcessLookupError:
                os._exit(1)
            except PermissionError:  # the pid was reused by another user's process
                os._exit(1)

    threading.Thread(target=watch, name="exit-with-parent", daemon=True).start()


def write_documents(writer: object, docs: Iterable[Document], *, upsert: bool = True) -> int:
    """Send Documents to a Whoosh writer; ``upsert`` replaces any document with the same id."""
    count = 0
    add = writer.update_document if upsert else writer.add_document  # type: ignore[attr-defined]
    for doc in docs:
        add(**document_to_fields(doc))
        count += 1
    return count


def manifest_entry(doc: Document, seed: SeedFile | None = None) -> SeedState:
    """What the manifest remembers of a document: its seed's hash, path and stat."""
    if seed is None:
        return SeedState(doc.content_hash or "", doc.path or "")
    return SeedState(doc.content_hash or "", doc.path or "", seed.size, seed.mtime_ns)


def bulk_write(
    ix: object,
    docs: Iterable[Document],
    *,
    existing: Container[str] = (),
    jobs: int | None = None,
    on_commit: Callable[[list[tuple[str, SeedState]]], None] | None = None,
    progress: Progress | None = None,
    total: int = 0,
    entry: Callable[[Document], SeedState] = manifest_entry,
) -> int:
    """Write a stream of Documents to a Whoosh index in a few big commits; returns the count.

    ``docs`` is consumed lazily. A document whose id is in ``existing`` (or repeats an id
    already written) replaces the old one; the others are plain adds, which cost nothing
    extra. ``on_commit`` gets the (doc_id, ``entry(doc)``) pairs of each committed batch.
    Streams of at least BULK_MIN_DOCS go to a multiprocess writer with ``jobs`` processes.
    """
    jobs = jobs or os.cpu_count() or 1
    stream = iter(docs)
    head = list(itertools.islice(stream, BULK_MIN_DOCS))
    procs = jobs if jobs > 1 and len(head) >= BULK_MIN_DOCS else 1
    limit = BULK_COMMIT_EVERY if procs > 1 else COMMIT_EVERY
    source = _Pushback(itertools.chain(head, stream))
    del head
    done = 0
    written: set[str] = set()
    while source.has_more():
        writer = _open_writer(ix, procs)
        batch: list[tuple[str, SeedState]] = []
        ids: set[str] = set()
        try:
            for doc in source:
                doc = _checked(doc)
                if doc.doc_id in ids:
                    # Whoosh cannot replace a document added by the same writer: commit first.
                    source.push(doc)
                    break
                fields = document_to_fields(doc)
                if doc.doc_id in written or doc.doc_id in existing:
                    writer.update_document(**fields)  # type: ignore[attr-defined]
                else:
                    writer.add_document(**fields)  # type: ignore[attr-defined]
                ids.add(doc.doc_id)
                batch.append((doc.doc_id, entry(doc)))
                done += 1
                if progress is not None and not done % 256:
                    progress(done, total, "indexing")
                if len(batch) >= limit:
                    break
            if progress is not None:
                progress(done, total, "committing")
        except BaseException:
            _abort(writer)
            raise
        writer.commit()  # type: ignore[attr-defined]
        written.update(ids)
        if on_commit is not None:
            on_commit(batch)
    if progress is not None:
        progress(done, total, "done")
    return done


def _checked(doc: object) -> Document:
    if not isinstance(doc, Document) or not doc.doc_id:
        raise SearcherError("add() takes Document records, each with a doc_id")
    return doc


class _Pushback:
    """An iterator one item can be pushed back onto."""

    def __init__(self, items: Iterator[Document]) -> None:
        self._items = items
        self._back: list[Document] = []

    def __iter__(self) -> "_Pushback":
        return self

    def __next__(self) -> Document:
        return self._back.pop() if self._back else next(self._items)

    def push(self, item: Document) -> None:
        self._back.append(item)

    def has_more(self) -> bool:
        if self._back:
            return True
        for item in self._items:
            self._back.append(item)
            return True
        return False


def _open_writer(ix: object, procs: int) -> object:
    # compound=False: a new segment's files are not copied into one compound file at commit,
    # which measured 26% of the commit's CPU time on Reuters (readers open a few more files).
    if procs > 1:
        global _forking_writer
        _forking_writer = True
        try:
            return ix.writer(  # type: ignore[attr-defined]
                procs=procs, multisegment=True, limitmb=WRITER_LIMIT_MB, batchsize=256, compound=False
            )
        finally:
            _forking_writer = False
    return ix.writer(limitmb=WRITER_LIMIT_MB * 2, compound=False)  # type: ignore[attr-defined]


# Whoosh's multiprocess writer forks its workers from this process, so they inherit the
# index's lock files; if the indexer is killed (`kill -9`) they would keep the index locked.
# While such a writer starts, every forked child asks the kernel to kill it when its parent
# dies (Linux prctl PR_SET_PDEATHSIG; elsewhere the workers end when their queue closes).
_forking_writer = False
_PR_SET_PDEATHSIG = 1


def _die_with_parent() -> None:
    if not _forking_writer:
        return
    try:
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):
        return


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_die_with_parent)


def _abort(writer: object) -> None:
    """Cancel a writer, stopping a multiprocess writer's processes (its cancel() does not)."""
    for task in getattr(writer, "tasks", ()):
        task.terminate()
        task.join()
    writer.cancel()  # type: ignore[attr-defined]


def timer() -> Callable[[], float]:
    """A stopwatch: call the result to get the seconds since it was made."""
    start = time.perf_counter()
    return lambda: time.perf_counter() - start
