"""The engine interface: what SearchIndex and the update algorithm need of a place that
stores and searches Documents.

An engine knows its storage (a Whoosh folder, a cluster's index) and nothing of seed
folders or cleaning: the update algorithm (``searcher.indexing.update``) diffs a seeds
folder against :meth:`Engine.seed_states` and hands the changes to :meth:`Engine.write_batch`,
so it is written once for every engine. Searches are written once too: an engine's
``search`` and ``similar`` run the search pipeline (``searcher.search.pipeline``) on its
:class:`SearchBackend`, the few things only that engine can do (the Protocol is defined
beside the pipeline, which is what uses it, and named here as part of what an engine
implements). Records in and out are the core's dataclasses; no engine object crosses this line.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from contextlib import AbstractContextManager
from typing import Protocol

from ..core.records import Document, IndexStats, Progress, Results, SeedState
from ..search.backend import SearchBackend
from ..search.options import SearchOptions
from ..search.settings import RankingSettings

__all__ = ["DEFAULT_WAIT", "Engine", "SearchBackend"]

#: Seconds a second writer waits for the first by default before giving up.
DEFAULT_WAIT = 30.0


class Engine(Protocol):
    """One index, opened for reading and writing (see the module docstring)."""

    #: Where the index is, as the user named it (for messages).
    location: str
    #: The ranking knobs every search of this engine uses.
    settings: RankingSettings
    #: Damage repaired during the current write (a lost marker pointed again at the live
    #: data), one line each, for the update report; emptied when a write begins.
    repairs: list[str]

    def close(self) -> None:
        """Let go of open readers and files (safe to call twice)."""
        ...

    # ---------------------------------------------------------------- state

    def exists(self) -> bool:
        """True if there is an index at the location."""
        ...

    def check_usable(self) -> None:
        """Raise a SearcherError if the location holds something that is not ours."""
        ...

    def outdated(self) -> bool:
        """True if the index exists but was written with another schema (rebuild it)."""
        ...

    # ---------------------------------------------------------------- writing

    def writing(self) -> AbstractContextManager[None]:
        """Hold the index's write lock (one writer at a time); creates the index on first use.

        Every method below that writes is called inside it.
        """
        ...

    def is_empty(self) -> bool:
        """True if the live index holds no document (a first build takes the bulk path)."""
        ...

    def seed_states(self) -> dict[str, SeedState]:
        """What is indexed from seed files: doc_id -> content hash, path and stat."""
        ...

    def record_seed_states(self, states: dict[str, SeedState]) -> None:
        """Remember new stats of unchanged seeds (so the next scan need not re-hash them)."""
        ...

    def write_batch(self, upserts: Sequence[tuple[Document, SeedState]], deletes: Iterable[str] = ()) -> None:
        """Delete ``deletes`` and add or replace ``upserts`` by doc_id, in one atomic commit."""
        ...

    def add_stream(self, docs: Iterable[Document], *, jobs: int | None = None,
                   progress: Progress | None = None) -> int:
        """Add or replace a (lazily consumed, possibly huge) stream of Documents; returns the count.

        Committed in big batches: a failure part-way keeps what was committed.
        """
        ...

    def build(self, docs: Iterable[tuple[Document, SeedState]], *, jobs: int | None = None,
              progress: Progress | None = None, total: int = 0) -> None:
        """A first build: ``docs`` written into the live, empty index in bulk commits.

        Stopped part-way (Ctrl-C, a crash), it keeps what was committed, and an update
        goes on from there; Ctrl-C commits the batch being written first.
        """
        ...

    def rebuild(self, docs: Iterable[tuple[Document, SeedState]], *, jobs: int | None = None,
                progress: Progress | None = None, total: int = 0) -> None:
        """Write ``docs`` into a fresh index and swap it in when complete (readers never see half)."""
        ...

    def documents_not_from_seeds(self, lost: list[str] | None = None) -> list[Document]:
        """Documents added from code (no seed path), which a rebuild carries over: all that can
        be read, never an error; a line naming each part that could not be read goes to ``lost``."""
        ...

    def delete(self, doc_id: str) -> bool:
        """Remove one document; False if it was not there."""
        ...

    # ---------------------------------------------------------------- vectors (searcher.semantic)

    def vector_file(self) -> "Path | None":
        """Where the index keeps its documents' vectors; None: this engine keeps none."""
        ...

    def commit_id(self) -> str:
        """The live index's latest commit, as vectors are keyed to it (lock held)."""
        ...

    def texts(self) -> Iterator[tuple[str, str, str]]:
        """(doc_id, title, body) of every live document (lock held): what vectors are made of."""
        ...

    # ---------------------------------------------------------------- reading

    def count(self) -> int:
        """How many documents the index holds."""
        ...

    def contains(self, doc_id: str) -> bool:
        """True if a document with this id is indexed."""
        ...

    def get(self, doc_id: str) -> Document:
        """The stored Document, or DocumentNotFoundError."""
        ...

    def ids_starting_with(self, prefix: str, limit: int) -> list[str]:
        """Up to ``limit`` ids of indexed documents that start with ``prefix``, sorted."""
        ...

    def ids_after(self, after: str, limit: int) -> list[str]:
        """Up to ``limit`` ids of indexed documents that sort after ``after`` ("" for the first), sorted."""
        ...

    def get_many(self, doc_ids: Sequence[str]) -> list[Document]:
        """The stored Documents of these ids, in their order (an id no longer indexed is left out)."""
        ...

    def backend(self) -> SearchBackend:
        """The index as it is now, as the search pipeline reads it (what ``search`` and
        ``similar`` run on; tools and tests ask it one question at a time)."""
        ...

    def search(self, query: str, options: SearchOptions) -> Results:
        """One page of ranked hits: ``searcher.search.pipeline.search`` on this engine's
        SearchBackend (the engine may run it again on fresh readers, see WhooshEngine._read)."""
        ...

    def similar(self, doc_id: str, options: SearchOptions) -> Results:
        """The documents most like ``doc_id``: ``searcher.search.pipeline.similar`` on this
        engine's SearchBackend."""
        ...

    def stats(self) -> IndexStats:
        """Counts, sources, date range and size."""
        ...
