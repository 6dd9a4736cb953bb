"""Writing documents into a Whoosh index: big atomic commits, segments written by worker processes.

Every write ends in a Whoosh commit, which is atomic: a crash at any point leaves the last
committed state.
"""

from __future__ import annotations

import logging
import os
import signal
import threading
from collections.abc import Callable, Container, Iterable, Iterator
from typing import Any

from ...core.errors import SearcherError
from ...core.processes import exit_with_parent, heap_frozen_for_fork, ignore_interrupts, parent_lifeline, thaw_in_child
from ...core.records import Document, Progress, SeedState
from .fields import document_to_fields

logger = logging.getLogger(__name__)

#: Documents per commit in an add written by this process alone, so a crash part-way
#: loses at most one batch of work.
COMMIT_EVERY = 5000
#: A bulk add of at least this many documents is split between worker processes, each
#: writing its own segments. Smaller adds are written in this process: starting processes
#: costs more than it saves.
BULK_MIN_DOCS = 2000
#: Documents per commit in a bulk add. Each commit adds at least one segment per worker,
#: and queries slow down with every segment, so bulk commits are big.
BULK_COMMIT_EVERY = 100_000

def write_documents(writer: object, docs: Iterable[Document], *, upsert: bool = True) -> int:
    """Send Documents to a Whoosh writer; ``upsert`` replaces any document with the same id."""
    count = 0
    add = writer.update_document if upsert else writer.add_document  # type: ignore[attr-defined]
    for doc in docs:
        add(**document_to_fields(doc))
        count += 1
    return count


def bulk_write(
    ix: object,
    docs: Iterable[Document],
    *,
    existing: Container[str] = (),
    jobs: int | None = None,
    on_commit: Callable[[list[tuple[str, SeedState]]], None] | None = None,
    progress: Progress | None = None,
    total: int = 0,
    entry: Callable[[Document], SeedState] = SeedState.of,
    finish_on_interrupt: bool = False,
) -> int:
    """Write a stream of Documents to a Whoosh index in a few big commits; returns the count.

    ``docs`` is consumed lazily. A document whose id is in ``existing`` (or repeats an id
    already written) replaces the old one; the others are plain adds, which cost nothing
    extra. An id repeated within a batch: the last record wins, in the same commit (the
    earlier copies are marked deleted in the batch's new segments before it is committed).
    ``on_commit`` gets the (doc_id, ``entry(doc)``) pairs of each committed batch.

    Segments are written by :class:`searcher.engines.whoosh.segments.SegmentBuilder` (the files Whoosh's
    writer makes, for a fraction of its CPU); streams of at least BULK_MIN_DOCS are split
    between ``jobs`` worker processes, each writing its own segments, and every batch is
    one Whoosh commit (atomic: a crash leaves the last committed state).

    ``finish_on_interrupt`` (for writes into the live index, run from the main thread): a
    Ctrl-C finishes and commits the batch being written, then raises KeyboardInterrupt,
    so everything sent before it is kept; a second Ctrl-C stops at once, keeping what was
    committed before.
    """
    jobs = jobs or os.cpu_count() or 1
    source = _Pushback(iter(docs))
    counter = _Counter(progress, total)
    written: set[str] = set()

    def replaces(doc_id: str) -> bool:
        return doc_id in written or doc_id in existing

    with _Interrupts(finish_on_interrupt) as interrupts:
        head: list[Document] = []
        while len(head) < BULK_MIN_DOCS and (doc := interrupts.next_document(source)) is not None:
            head.append(doc)
        procs = jobs if jobs > 1 and len(head) >= BULK_MIN_DOCS else 1
        limit = BULK_COMMIT_EVERY if procs > 1 else COMMIT_EVERY
        source.push_back(head)
        del head
        while interrupts.has_more(source):
            # The writer holds the lock, applies deletions, merges small segments and commits.
            writer = ix.writer(compound=False)  # type: ignore[attr-defined]
            batch, segments = _fill_batch(writer, source, procs, limit, replaces, entry, counter, interrupts)
            if not batch:  # interrupted before the batch's first document
                _cancel(writer)
                break
            _commit(writer, segments)
            written.update(doc_id for doc_id, _ in batch)
            if on_commit is not None:
                on_commit(batch)
    if interrupts.requested:
        raise KeyboardInterrupt
    counter.report("done")
    return counter.done


class _Interrupts:
    """Ctrl-C during a bulk write that finishes its batch (see bulk_write); inert unless enabled.

    Only the main thread gets signals, and only Python's default handler is replaced (an
    application's own handler is left alone). While the writer waits for the next
    document (cleaning, reading a file) the interrupt is raised there, where nothing is
    half done; anywhere else it is noted and the batch ends after the current document.
    """

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled and threading.current_thread() is threading.main_thread()
        self.requested = False
        self._waiting = False
        self._previous: Any = None

    def __enter__(self) -> "_Interrupts":
        if self.enabled and signal.getsignal(signal.SIGINT) is signal.default_int_handler:
            self._previous = signal.signal(signal.SIGINT, self._handle)
        return self

    def __exit__(self, *exc: object) -> None:
        if self._previous is not None:
            signal.signal(signal.SIGINT, self._previous)
            self._previous = None

    def _handle(self, signum: int, frame: Any) -> None:
        if self._waiting or self.requested:  # nothing half done, or the second Ctrl-C: stop now
            raise KeyboardInterrupt
        self.requested = True

    def next_document(self, source: "_Pushback") -> Document | None:
        """The next document, or None at the end of the stream; once interrupted, only
        those already read (pushed back) and never the stream's next."""
        if self.requested:
            return source.pushed()
        self._waiting = True
        try:
            return next(source)
        except StopIteration:
            return None
        except KeyboardInterrupt:
            if self._previous is None:
                raise
            self.requested = True
            return None
        finally:
            self._waiting = False

    def has_more(self, source: "_Pushback") -> bool:
        doc = self.next_document(source)
        if doc is None:
            return False
        source.push(doc)
        return True


class _Counter:
    """Documents written so far, reported to ``progress`` every 256 and at each stage."""

    def __init__(self, progress: Progress | None, total: int) -> None:
        self.progress, self.total, self.done = progress, total, 0

    def step(self) -> None:
        self.done += 1
        if self.progress is not None and not self.done % 256:
            self.progress(self.done, self.total, "indexing")

    def report(self, stage: str) -> None:
        if self.progress is not None:
            self.progress(self.done, self.total, stage)


def _fill_batch(writer: Any, source: "_Pushback", procs: int, limit: int, replaces: Callable[[str], bool],
                entry: Callable[[Document], SeedState], counter: _Counter,
                interrupts: _Interrupts) -> tuple[list[tuple[str, SeedState]], list]:
    """Send documents from ``source`` into one writer until ``limit``.

    An id that repeats within the batch: the earlier copy, already sent, is marked deleted in
    the new segments when they are finished (it is known by its place in the batch, which
    the same stream always gives the same), so 2,000 records of one id are one commit.

    Returns the batch's (doc_id, entry) pairs and the segments written beside the writer;
    on any failure the workers are stopped and the writer cancelled (its lock released).
    """
    from .segments import supported

    sink: _Sink | None = None
    batch: list[tuple[str, SeedState]] = []
    places: dict[str, int] = {}  # doc_id -> its place among the documents sent to the sink
    dead: list[int] = []  # places of documents replaced by a later one of the batch
    try:
        if not supported(writer.schema):
            sink = _WhooshSink(writer)
        elif procs > 1 and getattr(writer.storage, "supports_multiproc_writing", False):
            sink = _WorkerSink(writer, procs)
        else:
            sink = _BuilderSink(writer)
        while (item := interrupts.next_document(source)) is not None:
            doc = _checked(item)
            if doc.doc_id in places:
                if not sink.can_replace:  # Whoosh's writer: the repeat goes to the next batch
                    source.push(doc)
                    break
                dead.append(places[doc.doc_id])
            elif replaces(doc.doc_id):
                writer.delete_by_term("doc_id", doc.doc_id)
            places[doc.doc_id] = len(batch)
            sink.add(doc)
            batch.append((doc.doc_id, entry(doc)))
            counter.step()
            if len(batch) >= limit:
                break
        counter.report("committing")
        segments = sink.finish()
        if dead:
            sink.delete(dead)
        return batch, segments
    except BaseException:
        if sink is not None:
            sink.cancel()
        _cancel(writer)
        raise


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

    def push_back(self, items: list[Document]) -> None:
        """Put ``items`` (read in this order) back in front of the stream."""
        self._back.extend(reversed(items))

    def pushed(self) -> Document | None:
        """The next item pushed back, or None: never reads the stream."""
        return self._back.pop() if self._back else None

    def has_more(self) -> bool:
        if self._back:
            return True
        for item in self._items:
            self._back.append(item)
            return True
        return False


def _commit(writer: Any, segments: list[Any]) -> None:
    """Commit ``writer`` with ``segments`` (written beside it) added: one new TOC, atomic.

    What Whoosh's multiprocess writer does with its workers' segments: the merge policy
    runs first (it may merge small old segments into the writer), then the TOC lists the
    old segments, the writer's own segment if it has documents, and the new ones.
    """
    try:
        final = writer._merge_segments(None, None, None)
        if writer._added:
            final.append(writer._finalize_segment())
        else:
            writer._close_segment()
        writer._commit_toc(final + segments)
    except BaseException:
        _cancel(writer)
        raise
    writer._finish()


def _cancel(writer: Any) -> None:
    """Cancel a writer, releasing its lock even when cancel() itself fails."""
    if getattr(writer, "is_closed", False):
        return
    try:
        writer.cancel()
    except Exception:
        logger.debug("writer cancel failed", exc_info=True)
        lock = getattr(writer, "writelock", None)
        if lock is not None:
            try:
                lock.release()
            except Exception:
                pass


class _Sink:
    """Where a batch's documents go: add each, then finish() returns the new segments;
    delete() then marks documents (by their place in the batch) deleted in them."""

    #: Whether delete() can mark a document of this batch deleted.
    can_replace = True

    def add(self, doc: Document) -> None:
        raise NotImplementedError

    def finish(self) -> list[Any]:
        raise NotImplementedError

    def delete(self, places: list[int]) -> None:
        raise NotImplementedError

    def cancel(self) -> None:
        pass


class _WhooshSink(_Sink):
    """Whoosh's own writer (for a schema SegmentBuilder cannot write exactly)."""

    can_replace = False  # its new segment's documents cannot be deleted before the commit

    def __init__(self, writer: Any) -> None:
        self.writer = writer

    def add(self, doc: Document) -> None:
        self.writer.add_document(**document_to_fields(doc))

    def finish(self) -> list[Any]:
        return []  # the writer's own segment is finalized by _commit


class _BuilderSink(_Sink):
    """SegmentBuilders in this process, a new segment each SEGMENT_POSTINGS postings."""

    def __init__(self, writer: Any) -> None:
        self.storage, self.indexname, self.schema = writer.storage, writer.indexname, writer.schema
        self.builder: Any = None
        self.segments: list[Any] = []

    def add(self, doc: Document) -> None:
        _add_to_segments(self, document_to_fields(doc))

    def finish(self) -> list[Any]:
        if self.builder is not None:
            self.segments.append(self.builder.finish())
            self.builder = None
        return self.segments

    def delete(self, places: list[int]) -> None:
        _delete_documents(self.segments, places)  # the documents went into them in order

    def cancel(self) -> None:
        if self.builder is not None:
            builder, self.builder = self.builder, None
            try:
                builder.cancel()  # on a full disk, closing the segment's files fails too
            except Exception:
                logger.debug("segment cancel failed", exc_info=True)


def _delete_documents(segments: list[Any], numbers: Iterable[int]) -> None:
    """Mark deleted the documents at these places (0-based) of ``segments`` taken in order."""
    wanted = sorted(numbers)
    first = 0
    for segment in segments:
        count = segment.doc_count_all()
        while wanted and wanted[0] < first + count:
            segment.delete_document(wanted.pop(0) - first)
        first += count
    if wanted:
        raise SearcherError(f"internal error: no document {wanted[0]} in the new segments")


def _add_to_segments(sink: Any, fields: dict[str, Any]) -> None:
    from .segments import SegmentBuilder

    builder = sink.builder
    if builder is None:
        builder = sink.builder = SegmentBuilder(sink.storage, sink.indexname, sink.schema)
    builder.add_document(fields)
    if builder.postings >= SEGMENT_POSTINGS:
        sink.segments.append(builder.finish())
        sink.builder = None


#: Documents sent to a worker process at a time.
WORKER_CHUNK = 64


class _WorkerSink(_Sink):
    """Worker processes, each writing its share of the documents into its own segments.

    Chunks of documents go to the workers in turn, each through its own bounded queue, so
    the same stream always gives the same segments (and the same document numbers, which
    order tied hits); a worker ends a segment when the batch ends or it holds
    SEGMENT_POSTINGS postings. Workers are forked (they start with the schema and code
    loaded) and die with this process.
    """

    def __init__(self, writer: Any, procs: int) -> None:
        import multiprocessing

        context = multiprocessing.get_context("fork" if _CAN_FORK else "spawn")
        self.queues = [context.Queue(maxsize=4) for _ in range(procs)]
        self.results = context.Queue()
        self.chunk: list[Document] = []
        self.turn = 0
        self.done: dict[int, list[Any]] = {}  # worker number -> its segments
        self.procs = [
            context.Process(target=_segment_worker, name=f"searcher-segment-{i}", daemon=True,
                            args=(i, writer.storage, writer.indexname, writer.schema, self.queues[i], self.results,
                                  os.getpid(), parent_lifeline(), SEGMENT_POSTINGS))
            for i in range(procs)
        ]
        blocked = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})  # until workers ignore it
        try:
            with heap_frozen_for_fork():
                for proc in self.procs:
                    proc.start()
        except BaseException:
            self.procs = [proc for proc in self.procs if proc.pid is not None]
            self.cancel()
            raise
        finally:
            signal.pthread_sigmask(signal.SIG_SETMASK, blocked)

    def add(self, doc: Document) -> None:
        self.chunk.append(doc)
        if len(self.chunk) >= WORKER_CHUNK:
            self._put(self.queues[self.turn], self.chunk)
            self.turn = (self.turn + 1) % len(self.queues)
            self.chunk = []

    def _put(self, jobs: Any, item: object) -> None:
        import queue

        while True:
            try:
                jobs.put(item, timeout=0.5)
                return
            except queue.Full:
                self._poll(block=False)

    def _poll(self, block: bool) -> None:
        """Collect a worker's result if there is one; raise if a worker failed or died."""
        import queue

        try:
            result = self.results.get(timeout=0.5) if block else self.results.get_nowait()
        except queue.Empty:
            for proc in self.procs:
                if proc.exitcode is not None and proc.exitcode != 0:
                    raise SearcherError(f"indexing process {proc.name} died (exit code {proc.exitcode})") from None
            if len(self.done) < len(self.procs) and all(proc.exitcode is not None for proc in self.procs):
                if self.results.empty():
                    raise SearcherError("indexing processes ended without their segments") from None
            return
        if result[0] == "oserror":  # disk full, permission denied: the caller names the folder
            raise OSError(*result[1:])
        if result[0] == "error":
            raise SearcherError(f"indexing process failed: {result[1]}")
        self.done[result[1]] = result[2]

    def finish(self) -> list[Any]:
        if self.chunk:
            self._put(self.queues[self.turn], self.chunk)
            self.chunk = []
        for jobs in self.queues:
            self._put(jobs, None)  # the end of the batch
        while len(self.done) < len(self.procs):
            self._poll(block=True)
        for proc in self.procs:
            proc.join()
        return [segment for number in sorted(self.done) for segment in self.done[number]]

    def delete(self, places: list[int]) -> None:
        # Chunk k of WORKER_CHUNK documents went to worker k % procs, every chunk full but the
        # batch's last: a worker's documents are its chunks in turn, written in order.
        procs = len(self.procs)
        per_worker: dict[int, list[int]] = {}
        for place in places:
            chunk, offset = divmod(place, WORKER_CHUNK)
            per_worker.setdefault(chunk % procs, []).append(chunk // procs * WORKER_CHUNK + offset)
        for number, local in per_worker.items():
            _delete_documents(self.done[number], local)

    def cancel(self) -> None:
        for proc in self.procs:
            if proc.is_alive():
                proc.terminate()
        for proc in self.procs:
            proc.join()
        for jobs in self.queues:
            jobs.cancel_join_thread()


class _WorkerState:
    def __init__(self, storage: Any, indexname: str, schema: Any) -> None:
        self.storage, self.indexname, self.schema = storage, indexname, schema
        self.builder: Any = None
        self.segments: list[Any] = []


def _segment_worker(number: int, storage: Any, indexname: str, schema: Any, jobs: Any, results: Any, parent: int,
                    lifeline: Any, budget: int) -> None:
    """Worker process: write the documents from ``jobs`` into segments, report them on ``results``."""
    global SEGMENT_POSTINGS
    thaw_in_child()
    ignore_interrupts()  # Ctrl-C is the parent's to handle: it finishes or cancels the batch
    _die_with(parent, lifeline)
    SEGMENT_POSTINGS = budget
    from . import segments

    segments.reset_after_fork()
    state = _WorkerState(storage, indexname, schema)
    try:
        while True:
            chunk = jobs.get()
            if chunk is None:
                break
            for doc in chunk:
                _add_to_segments(state, document_to_fields(doc))
        if state.builder is not None:
            state.segments.append(state.builder.finish())
        results.put(("ok", number, state.segments))
    except BaseException as exc:  # reported to the parent, which raises it
        import traceback

        logger.debug("segment worker failed", exc_info=True)
        if isinstance(exc, OSError) and exc.errno is not None:
            results.put(("oserror", exc.errno, exc.strerror, exc.filename))
        else:
            results.put(("error", f"{type(exc).__name__}: {exc}\n{traceback.format_exc()}"))
        if state.builder is not None:
            try:
                state.builder.cancel()  # on a full disk, closing the segment's files fails too
            except Exception:
                logger.debug("segment cancel failed", exc_info=True)


#: A worker ends its segment when it holds this many postings (about 60 bytes of memory
#: each: measured on Reuters, see docs/benchmarks.md); bigger segments make faster queries.
SEGMENT_POSTINGS = 3_000_000

_CAN_FORK = hasattr(os, "fork") and hasattr(os, "register_at_fork")
_PR_SET_PDEATHSIG = 1


def _die_with(parent: int, lifeline: Any) -> None:
    """In a worker: end with the process that started it, even before it is reaped.

    On Linux the kernel kills it at once (PR_SET_PDEATHSIG: the thread that forked it is
    the one that joins it); everywhere, a thread watching the parent's lifeline ends it.
    """
    exit_with_parent(lifeline)
    try:
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):
        pass
    if os.getppid() != parent:  # the parent died before prctl took effect
        os._exit(1)


