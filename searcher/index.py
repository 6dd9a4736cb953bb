"""SearchIndex: the library's one handle on an index, for writing and searching.

A facade: it opens the engine for a location (a Whoosh folder, or an OpenSearch URL
``http://host:9200/name``), runs the update
algorithm of ``searcher.indexing`` against it, and hands searches to it. Callers pass and
get back Documents, Results and reports; no engine object leaks out.
"""

from __future__ import annotations

import logging
import os
import unicodedata
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .core.errors import AmbiguousIdError, DocumentNotFoundError, IndexNotFoundError, QueryError, SearcherError
from .core.places import shown_location
from .core.records import Document, IndexStats, Progress, Results, UpdateReport, checked_document
from .core.locations import is_url, redacted
from .engines.base import DEFAULT_WAIT, Engine
from .search.options import SearchOptions, with_changes
from .search.settings import RankingSettings
from .sources.seeds import DEFAULT_MAX_BYTES

if TYPE_CHECKING:
    from .engines.opensearch.connection import ClusterSettings
    from .indexing.update import SeedOptions
    from .indexing.vectors import VectorUpkeep

logger = logging.getLogger(__name__)

#: How many candidates an ambiguous id prefix's error lists.
AMBIGUOUS_SHOWN = 5
#: Ids (and documents) read at a time when listing every one.
LIST_PAGE = 500

# The writing methods import searcher.indexing (cleaning, hashing, process pools) when
# they run: a search never needs it, and a cold `searcher search` is measured against bare Whoosh.


def open_engine(location: str | os.PathLike[str], *, wait: float = DEFAULT_WAIT,
                settings: RankingSettings | None = None, cluster: "ClusterSettings | None" = None,
                model: str | os.PathLike[str] | None = None) -> Engine:
    """The engine for an index location: an ``http(s)://host:port/name`` URL is an index on an
    OpenSearch cluster (reached with ``cluster``, default: the environment's settings);
    anything else a folder, kept by Whoosh."""
    if is_url(location):
        try:
            from .engines.opensearch.engine import OpenSearchEngine
        except ImportError as exc:  # opensearch-py is an extra
            raise SearcherError(f"{redacted(location)} is an OpenSearch index, and that needs opensearch-py "
                                f"({exc.name} is missing): pip install 'searcher[opensearch]'") from None
        return OpenSearchEngine(str(location), wait=wait, settings=settings, cluster=cluster)
    from .engines.whoosh.engine import WhooshEngine

    return WhooshEngine(location, wait=wait, settings=settings, model=model)


class SearchIndex:
    """An index: build it from seeds, add Documents, search it.

    :param path: the index folder (made on first write), or an index on an OpenSearch
        cluster given as a URL, ``http://127.0.0.1:9200/news`` (the name is made on first write).
    :param wait: seconds a writer waits for another process's write to finish.
    :param settings: the ranking knobs both word and structured queries use (default:
        ``searcher.DEFAULT_SETTINGS``; try a variant with ``dataclasses.replace(DEFAULT_SETTINGS, k1=1.2)``).
    :param cluster: how to reach a cluster (TLS, credentials: :class:`searcher.ClusterSettings`);
        default: read from the ``SEARCHER_OPENSEARCH_*`` environment variables.
    :param model: an embedding model (its folder, or a fetched known model's name; default:
        the ``SEARCHER_MODEL`` folder): writes then keep each document's vectors, and searches
        rank by keywords and meaning mixed (``mode``; docs/semantic.md). An index that has
        vectors keeps them up to date with the model they were made with, given or not (not
        given: the model of their name in the user's model cache; the index never names a
        model file). A model other than the vectors' is refused.
    """

    def __init__(self, path: str | os.PathLike[str] = "index", *, wait: float = DEFAULT_WAIT,
                 settings: RankingSettings | None = None, cluster: "ClusterSettings | None" = None,
                 model: str | os.PathLike[str] | None = None) -> None:
        self.model = str(model) if model is not None else None
        self.engine: Engine = open_engine(path, wait=wait, settings=settings, cluster=cluster, model=model)
        self._on_cluster = is_url(str(path))
        #: Where the index is, for messages: the folder, or the cluster's URL without credentials.
        self.location = self.engine.location if self._on_cluster else str(path)
        #: The index folder (for a cluster, its URL as :attr:`location` shows it: no secret).
        self.path = Path(self.location) if self._on_cluster else Path(path)
        self.wait = wait

    @property
    def shown_location(self) -> str:
        """Where the index is, as messages name it (``./index`` for ``index``)."""
        return shown_location(self.location)

    @property
    def settings(self) -> RankingSettings:
        """The ranking knobs this index searches with (fixed when it is opened)."""
        return self.engine.settings

    # ------------------------------------------------------------------ lifecycle

    def close(self) -> None:
        """Close open readers (safe to call twice)."""
        self.engine.close()

    def __enter__(self) -> "SearchIndex":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __del__(self) -> None:
        try:
            self.close()
        except Exception:  # interpreter shutdown: nothing to do
            pass

    def exists(self) -> bool:
        """True if there is an index at ``path``."""
        return self.engine.exists()

    def needs_build(self, seeds_dir: str | os.PathLike[str]) -> str | None:
        """Why the index must be built from ``seeds_dir`` before a search, or None.

        Missing, or written with another schema while the seeds are at hand (``update``
        then rebuilds it). Without the seeds an old index is left for the caller to report.

        :raises IndexNotFoundError: an index on a cluster that is not there: a search never
            makes one (someone runs `searcher index` or `import` on purpose).
        """
        if not self.engine.exists():
            self.engine.check_usable()
            if self._on_cluster:
                raise IndexNotFoundError(f"no index at {self.location}")  # the CLI adds how to make one
            return f"no index at {shown_location(self.location)}"
        if self.engine.outdated() and Path(seeds_dir).is_dir():
            return f"the index at {shown_location(self.location)} has an older schema"
        return None

    def check_apart(self, seeds_dir: str | os.PathLike[str]) -> None:
        """SearcherError if this index's folder and ``seeds_dir`` overlap (see :func:`check_apart`)."""
        if not self._on_cluster:
            check_apart(self.path, seeds_dir)

    # ------------------------------------------------------------------ writing

    def update(
        self,
        seeds_dir: str | os.PathLike[str] = "seeds",
        *,
        max_bytes: int | None = DEFAULT_MAX_BYTES,
        follow_symlinks: bool = False,
        jobs: int | None = None,
        progress: Progress | None = None,
    ) -> UpdateReport:
        """Bring the index in line with ``seeds_dir``: clean and write only what changed.

        Seeds are compared by content hash. Documents that did not come from a seed file
        (added with :meth:`add`) are left alone. An index of another schema version is
        rebuilt from the seeds.
        """
        from .indexing import update

        self.check_apart(seeds_dir)
        return update.update(self.engine, seeds_dir, self._seed_options(max_bytes, follow_symlinks, jobs), progress)

    def rebuild(
        self,
        seeds_dir: str | os.PathLike[str] = "seeds",
        *,
        max_bytes: int | None = DEFAULT_MAX_BYTES,
        follow_symlinks: bool = False,
        jobs: int | None = None,
        progress: Progress | None = None,
    ) -> UpdateReport:
        """Build a fresh index from ``seeds_dir`` beside the live one, then swap it in.

        Searches use the old index until the swap; if the rebuild fails, the old index
        is untouched. Documents added with :meth:`add` (not from seeds) are carried over.
        """
        from .indexing import update

        self.check_apart(seeds_dir)
        return update.rebuild(self.engine, seeds_dir, self._seed_options(max_bytes, follow_symlinks, jobs), progress)

    def add(
        self, docs: Iterable[Document] | Document, *, jobs: int | None = None, progress: Progress | None = None
    ) -> int:
        """Index Documents from other code; a document with an existing id replaces it.

        ``docs`` may be any iterable, consumed lazily (``ix.add(read_jsonl(path))`` never holds
        the file in memory); big streams are analysed by ``jobs`` processes (default: all
        cores) and committed in large batches, so a failure part-way keeps what was committed.
        ``progress(done, total, stage)`` is called as documents are written. Each document is
        checked as it comes (``searcher.core.records.checked_document``): a lone surrogate in its
        text becomes U+FFFD; an id with one, a field of the wrong type or a date out of range
        is a DocumentError.
        """
        if isinstance(docs, Document):
            docs = [docs]
        with self.engine.writing():
            upkeep = self._vectors(jobs)
            checked = map(checked_document, docs)
            if upkeep is None:
                return self.engine.add_stream(checked, jobs=jobs, progress=progress)
            try:  # the documents are encoded (upkeep.note) while they are indexed
                count = self.engine.add_stream(map(upkeep.note, checked), jobs=jobs, progress=progress)
                upkeep.finish(progress=progress)
            finally:
                upkeep.close()
            return count

    def delete(self, doc_id: str) -> bool:
        """Remove one document; False if it was not there."""
        with self.engine.writing():
            upkeep = self._vectors(None)
            found = self.engine.delete(doc_id)
            if upkeep is not None:
                upkeep.wrote([], [doc_id])
                upkeep.finish()
            return found

    def delete_many(self, doc_ids: Iterable[str]) -> list[str]:
        """Remove these documents under one write lock; returns the ids that were not there.

        :raises IndexNotFoundError: there is no index (none is created).
        """
        if not self.engine.exists():
            raise IndexNotFoundError(f"no index at {shown_location(self.location)}")
        missing = []
        with self.engine.writing():
            upkeep = self._vectors(None)
            wanted = list(dict.fromkeys(doc_ids))
            for doc_id in wanted:
                if not self.engine.delete(doc_id):
                    missing.append(doc_id)
            if upkeep is not None:
                upkeep.wrote([], wanted)
                upkeep.finish()
        return missing

    def _vectors(self, jobs: int | None) -> "VectorUpkeep | None":
        """The vector upkeep of a write from code (lock held), if the index keeps vectors."""
        from .indexing.update import SeedOptions, upkeep_for

        report = UpdateReport()
        upkeep = upkeep_for(self.engine, SeedOptions(jobs=jobs, model=self.model), report)
        for warning in report.warnings:
            logger.warning("%s", warning)
        return upkeep

    def _seed_options(self, max_bytes: int | None, follow_symlinks: bool, jobs: int | None) -> "SeedOptions":
        from .indexing.update import SeedOptions

        return SeedOptions(max_bytes=max_bytes, follow_symlinks=follow_symlinks, jobs=jobs, model=self.model)

    # ------------------------------------------------------------------ reading

    def get(self, doc_id: str) -> Document:
        """The stored Document with this id, the whole id (``"x" in ix`` says whether it is
        there; :meth:`resolve_id` turns the start of an id into one).

        :raises DocumentNotFoundError: no document has this id; the message names a few ids
            that start with it, if any do.
        """
        return self.engine.get(self._whole_id(doc_id))

    def resolve_id(self, doc_id: str) -> str:
        """The id of the one indexed document that is, or starts with, ``doc_id`` (as git takes
        a commit's prefix): ``000_d8f`` for ``000_d8f0162b6785f52f.txt``. An exact id wins.

        :raises DocumentNotFoundError: no id is or starts with ``doc_id``.
        :raises AmbiguousIdError: several ids start with it; the message lists a few.
        """
        _check_id(doc_id)
        exact = self._present(doc_id)
        if exact is not None:
            return exact
        candidates = self.engine.ids_starting_with(unicodedata.normalize("NFC", doc_id), AMBIGUOUS_SHOWN + 1)
        if len(candidates) == 1:
            return candidates[0]
        if not candidates:
            raise DocumentNotFoundError(f"no document {doc_id!r} in {shown_location(self.location)}, "
                                        "and no id starts with it")
        raise AmbiguousIdError(f"{doc_id!r} starts several document ids ({_listed(candidates)}): "
                               "give more of the id", candidates[:AMBIGUOUS_SHOWN])

    def _present(self, doc_id: str) -> str | None:
        """``doc_id`` if it is indexed, as given or as a keyboard types it (NFC: seed ids are), else None."""
        if self.engine.contains(doc_id):
            return doc_id
        typed = unicodedata.normalize("NFC", doc_id)
        return typed if typed != doc_id and self.engine.contains(typed) else None

    def _whole_id(self, doc_id: str) -> str:
        """``doc_id`` if a document has it, else DocumentNotFoundError naming ids that start with it."""
        _check_id(doc_id)
        exact = self._present(doc_id)
        if exact is not None:
            return exact
        starting = self.engine.ids_starting_with(unicodedata.normalize("NFC", doc_id), AMBIGUOUS_SHOWN + 1)
        hint = f" (ids that start with it: {_listed(starting)}; resolve_id takes the start of an id)" if starting else ""
        raise DocumentNotFoundError(f"no document {doc_id!r} in {shown_location(self.location)}{hint}")

    def __len__(self) -> int:
        return self.engine.count()

    def __iter__(self) -> Iterator[str]:
        """Every document's id, in order (read a page at a time: any size of index)."""
        after = ""
        while True:
            page = self.engine.ids_after(after, LIST_PAGE)
            yield from page
            if len(page) < LIST_PAGE:
                return
            after = page[-1]

    def documents(self) -> Iterator[Document]:
        """Every stored Document, in the order of their ids (read a page at a time)."""
        page: list[str] = []
        for doc_id in self:
            page.append(doc_id)
            if len(page) >= LIST_PAGE:
                yield from self.engine.get_many(page)
                page = []
        yield from self.engine.get_many(page)

    def __contains__(self, doc_id: object) -> bool:
        return isinstance(doc_id, str) and self.engine.contains(doc_id)

    def search(self, query: str, options: SearchOptions | None = None, **changes: Any) -> Results:
        """Search the index; see the README for the query language.

        ``options``: how to search and show the hits, a :class:`searcher.SearchOptions`
        (default: its defaults); ``changes``: some of its fields by name, applied over it
        (``ix.search("oil", limit=20, sort="date")``).

        :raises QueryError: empty query, unknown field, bad option.
        """
        return self.engine.search(query, with_changes(options, changes))

    def similar(self, doc_id: str, options: SearchOptions | None = None, **changes: Any) -> Results:
        """The articles most like ``doc_id`` (a whole id, as for :meth:`get`): not itself, nor
        with ``collapse`` its copies (counted in ``Results.copies``).

        It reads ``limit``, ``page``, ``fragments``, ``context``, ``highlight``, ``collapse``
        and ``seconds`` of the options (given as for :meth:`search`); the others are a QueryError.
        """
        return self.engine.similar(self._whole_id(doc_id), with_changes(options, changes))

    def stats(self) -> IndexStats:
        """Counts and sizes for `searcher stats`."""
        return self.engine.stats()


def _listed(ids: list[str]) -> str:
    """The first few of ``ids``, quoted: ``'a', 'b', ...``."""
    return ", ".join(repr(i) for i in ids[:AMBIGUOUS_SHOWN]) + (", ..." if len(ids) > AMBIGUOUS_SHOWN else "")


def _check_id(doc_id: object) -> None:
    if not isinstance(doc_id, str) or not doc_id:
        raise QueryError("give a document id (or the start of one)")


def check_apart(index_dir: str | os.PathLike[str], seeds_dir: str | os.PathLike[str]) -> None:
    """Refuse an index folder inside the seeds folder (or the reverse).

    An index inside the seeds would be walked as seeds, and whoever fills a seeds folder
    could plant a crafted index there (Whoosh reads parts of an index with pickle).
    """
    index_real, seeds_real = Path(index_dir).resolve(), Path(seeds_dir).resolve()
    if index_real == seeds_real or seeds_real in index_real.parents or index_real in seeds_real.parents:
        raise SearcherError(f"the index folder {index_dir} and the seeds folder {seeds_dir} overlap; keep them apart")

