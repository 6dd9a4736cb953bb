"""SearchIndex: the library's one handle on an index folder, for writing and searching.

It hides Whoosh entirely: callers pass and get back Documents, Results and reports.
One Whoosh searcher is kept open and reopened only when another writer has committed,
so a long-lived SearchIndex answers many queries without reopening the index.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Iterable
from contextlib import contextmanager
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterator

from whoosh import index as windex
from whoosh import query as wq

from . import __version__
from .core.records import Document
from .core.errors import DocumentNotFoundError, IndexNotFoundError, IndexVersionError, SearcherError
from .engines.whoosh.locking import DEFAULT_WAIT, WriteLock
from .engines.whoosh.fields import fields_to_document
from .core.records import IndexStats, Results
from .engines.whoosh.searching import run_search
from .search.settings import DEFAULT_SETTINGS, RankingSettings
from .engines.whoosh.schema import SCHEMA_VERSION, build_schema
from .sources.seeds import DEFAULT_MAX_BYTES
from .engines.whoosh.storage import INDEX_NAME, IndexFolder, read_manifest, write_manifest
from .core.records import SeedState

if TYPE_CHECKING:
    from .core.records import Progress, UpdateReport
    from .core.records import SeedFile

# The writing methods import .indexer (cleaning, hashing, process pools) when they run:
# a search never needs it, and a cold `searcher search` is measured against bare Whoosh.

logger = logging.getLogger(__name__)

#: Times a reader re-reads the marker when a concurrent rebuild swaps generations under it.
_OPEN_ATTEMPTS = 5


class _Stale(Exception):
    """The generation we were about to open was replaced (internal: retried)."""


class SearchIndex:
    """An index folder: build it from seeds, add Documents, search it.

    :param path: the index folder (made on first write).
    :param wait: seconds a writer waits for another process's write to finish.
    :param settings: the ranking knobs both word and structured queries use (default:
        ``searcher.search.settings.DEFAULT_SETTINGS``).
    """

    def __init__(self, path: str | os.PathLike[str] = "index", *, wait: float = DEFAULT_WAIT,
                 settings: RankingSettings | None = None) -> None:
        self.path = Path(path)
        self.wait = wait
        self.settings = DEFAULT_SETTINGS if settings is None else settings
        self._folder = IndexFolder(self.path)
        self._generation: str | None = None
        self._ix: Any = None
        self._searcher: Any = None

    # ------------------------------------------------------------------ lifecycle

    def close(self) -> None:
        """Close the open searcher and index (safe to call twice)."""
        if self._searcher is not None:
            self._searcher.close()
        self._searcher = None
        self._ix = None
        self._generation = None

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
        """True if there is a searcher index at ``path``."""
        return self._folder.exists()

    def needs_build(self, seeds_dir: str | os.PathLike[str]) -> str | None:
        """Why the index must be built from ``seeds_dir`` before a search, or None.

        Missing, or written with another schema while the seeds are at hand (``update``
        then rebuilds it). Without the seeds an old index is left for the caller to report.
        """
        if not self._folder.exists():
            self._folder.check_usable()
            return f"no index at {self.path}"
        try:
            self._folder.check_version(self._folder.read_marker(), SCHEMA_VERSION)
        except IndexVersionError:
            if Path(seeds_dir).is_dir():
                return f"the index at {self.path} has an older schema"
        return None

    def _open(self) -> Any:
        """The live Whoosh index, reopened if a rebuild swapped in a new generation."""
        if not self._folder.exists():
            self._folder.check_usable()
            raise IndexNotFoundError(f"no index at {self.path}: run `searcher index` first")
        marker = self._folder.read_marker()
        self._folder.check_version(marker, SCHEMA_VERSION)
        if self._ix is None or marker.current != self._generation:
            self.close()
            gen_path = self._folder.generation_path(marker.current)
            try:
                self._ix = windex.open_dir(str(gen_path), indexname=INDEX_NAME)
            except (windex.EmptyIndexError, OSError) as exc:
                raise _Stale(f"index at {self.path} is incomplete ({exc}); run `searcher index --rebuild`") from None
            self._generation = marker.current
        return self._ix

    def _reader_searcher(self) -> Any:
        """The shared Whoosh searcher, brought up to date with the latest commit.

        A rebuild in another process may swap generations between our reading the marker
        and opening the files; then we read the marker again rather than fail.
        """
        for attempt in range(_OPEN_ATTEMPTS):
            try:
                ix = self._open()
                if self._searcher is not None and not self._searcher.up_to_date():
                    # Reopen rather than Searcher.refresh(): a refreshed searcher that reuses
                    # segment readers keeps seeing documents another writer replaced or deleted.
                    self._searcher.close()
                    self._searcher = None
                if self._searcher is None:
                    self._searcher = ix.searcher(weighting=_weighting(self.settings))
                return self._searcher
            except (_Stale, OSError) as exc:
                self.close()
                if attempt == _OPEN_ATTEMPTS - 1:
                    raise IndexNotFoundError(str(exc) if isinstance(exc, _Stale) else
                                             f"index at {self.path} cannot be read ({exc})") from None
                time.sleep(0.05 * (attempt + 1))
        raise AssertionError("unreachable")

    # ------------------------------------------------------------------ writing

    @contextmanager
    def _writing(self) -> Iterator[None]:
        """Hold the write lock, creating the folder on first use."""
        self._folder.check_usable()
        self.path.mkdir(parents=True, exist_ok=True)
        self.close()  # our own searcher must not pin files a rebuild is about to replace
        with WriteLock(self._folder.lock_path, wait=self.wait):
            yield

    def _check_apart(self, seeds_dir: str | os.PathLike[str]) -> None:
        check_apart(self.path, seeds_dir)

    def _ensure_live(self) -> tuple[Any, Path]:
        """(Whoosh index, generation folder) of the live index; created empty if none. Lock held."""
        if not self._folder.exists():
            gen = self._folder.new_generation()
            windex.create_in(str(gen), build_schema(), indexname=INDEX_NAME)
            self._folder.write_marker(gen.name, schema_version=SCHEMA_VERSION, searcher_version=__version__)
        marker = self._folder.read_marker()
        self._folder.check_version(marker, SCHEMA_VERSION)
        self._folder.remove_stale_generations(keep=marker.current, previous=marker.previous)
        gen = self._folder.generation_path(marker.current)
        return windex.open_dir(str(gen), indexname=INDEX_NAME), gen

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
        from .core.records import UpdateReport
        from .indexing.cleaning_pool import clean_seeds
        from .indexing.scan import scan_seeds
        from .indexing.update import timer
        from .core.records import SkippedSeed

        self._check_apart(seeds_dir)
        with self._writing():
            if self._folder.exists():
                try:
                    self._folder.check_version(self._folder.read_marker(), SCHEMA_VERSION)
                except IndexVersionError:
                    logger.warning("index schema changed: rebuilding %s from %s", self.path, seeds_dir)
                    return self._rebuild_locked(seeds_dir, max_bytes=max_bytes, follow_symlinks=follow_symlinks,
                                                jobs=jobs, progress=progress)
            elapsed = timer()
            ix, gen = self._ensure_live()
            if ix.doc_count_all() == 0:
                # A first build: the bulk path (both cores writing, big commits) is the fast one.
                report = self._rebuild_locked(seeds_dir, max_bytes=max_bytes, follow_symlinks=follow_symlinks,
                                              jobs=jobs, progress=progress)
                report.rebuilt = False
                return report
            known = _load_manifest(ix, gen)
            report = UpdateReport()
            scan = scan_seeds(seeds_dir, known, report, max_bytes=max_bytes, follow_symlinks=follow_symlinks)
            report.scan_seconds = elapsed()
            gone = [d for d, state in known.items() if state.path and d not in scan.seen and d not in scan.unreadable]
            gone_by_hash = {known[d].hash: d for d in gone}
            seeds = {seed.doc_id: seed for seed in scan.pending}
            docs: list[tuple[Document, SeedFile | None]] = []
            for done, item in enumerate(clean_seeds(list(seeds.values()), max_bytes=max_bytes, jobs=jobs), 1):
                if progress is not None:
                    progress(done, len(seeds), "indexing")
                if isinstance(item, SkippedSeed):
                    report.failed.append(item)
                    continue
                docs.append((item, seeds[item.doc_id]))
                if item.doc_id in known:
                    report.changed.append(item.doc_id)
                elif item.content_hash in gone_by_hash:
                    old = gone_by_hash.pop(item.content_hash or "")
                    gone.remove(old)
                    report.renamed.append((old, item.doc_id))
                else:
                    report.added.append(item.doc_id)
            report.removed.extend(gone)
            if docs or gone:
                self._commit_changes(ix, gen, known, docs, gone + [old for old, _ in report.renamed])
            elif scan.restated:
                write_manifest(gen, ix.latest_generation(), known)
            report.seconds = elapsed()
            return report

    def _commit_changes(
        self,
        ix: Any,
        gen: Path,
        known: dict[str, SeedState],
        docs: list[tuple[Document, SeedFile | None]],
        deleted: list[str],
    ) -> None:
        """Write upserts and deletions in batches, keeping the manifest in step with each commit."""
        from .engines.whoosh.writing import COMMIT_EVERY, write_documents

        writer = ix.writer(limitmb=128)
        for doc_id in deleted:
            writer.delete_by_term("doc_id", doc_id)
            known.pop(doc_id, None)
        for start in range(0, max(len(docs), 1), COMMIT_EVERY):
            batch = docs[start : start + COMMIT_EVERY]
            write_documents(writer, (doc for doc, _ in batch), upsert=True)
            writer.commit()
            known.update((doc.doc_id, SeedState.of(doc, seed)) for doc, seed in batch)
            write_manifest(gen, ix.latest_generation(), known)
            if start + COMMIT_EVERY < len(docs):
                writer = ix.writer(limitmb=128)

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
        self._check_apart(seeds_dir)
        with self._writing():
            return self._rebuild_locked(
                seeds_dir, max_bytes=max_bytes, follow_symlinks=follow_symlinks, jobs=jobs, progress=progress
            )

    def _rebuild_locked(
        self, seeds_dir: str | os.PathLike[str], *, max_bytes: int | None, follow_symlinks: bool, jobs: int | None,
        progress: Progress | None = None,
    ) -> UpdateReport:
        from .core.records import UpdateReport
        from .engines.whoosh.writing import bulk_write
        from .indexing.cleaning_pool import clean_seeds
        from .indexing.scan import scan_seeds
        from .indexing.update import timer
        from .core.records import SkippedSeed

        elapsed = timer()
        report = UpdateReport(rebuilt=True)
        carried = self._documents_not_from_seeds()
        scan = scan_seeds(seeds_dir, {}, report, max_bytes=max_bytes, follow_symlinks=follow_symlinks)
        seeds = {seed.doc_id: seed for seed in scan.pending}
        gen = self._folder.new_generation()
        try:
            ix = windex.create_in(str(gen), build_schema(), indexname=INDEX_NAME)
            known: dict[str, SeedState] = {}

            def cleaned() -> Iterator[Document]:
                for item in clean_seeds(list(seeds.values()), max_bytes=max_bytes, jobs=jobs):
                    if isinstance(item, SkippedSeed):
                        report.failed.append(item)
                        continue
                    report.added.append(item.doc_id)
                    yield item
                yield from carried

            # One bulk write: worker processes on every core write segments (see bulk_write).
            bulk_write(ix, cleaned(), jobs=jobs, on_commit=known.update, progress=progress, total=len(seeds),
                       entry=lambda doc: SeedState.of(doc, seeds.get(doc.doc_id)))
            write_manifest(gen, ix.latest_generation(), known)
        except BaseException:
            import shutil

            shutil.rmtree(gen, ignore_errors=True)
            raise
        previous = self._folder.read_marker().current if self._folder.exists() else None
        self._folder.write_marker(gen.name, schema_version=SCHEMA_VERSION, searcher_version=__version__,
                                  previous=previous)
        self._folder.remove_stale_generations(keep=gen.name, previous=previous)
        self.close()
        report.seconds = elapsed()
        return report

    def _documents_not_from_seeds(self) -> list[Document]:
        """Documents in the live index that came from :meth:`add`, to survive a rebuild.

        Read from the live generation whatever its schema version: a rebuild for a new
        schema must carry them over too (their stored fields are all a Document needs).
        """
        try:
            if not self._folder.exists():
                return []
            gen = self._folder.generation_path(self._folder.read_marker().current)
            ix = windex.open_dir(str(gen), indexname=INDEX_NAME)
        except (SearcherError, windex.EmptyIndexError, OSError):
            return []
        with ix.searcher() as searcher:
            return [fields_to_document(f) for f in searcher.all_stored_fields() if not f.get("path")]

    def add(
        self, docs: Iterable[Document] | Document, *, jobs: int | None = None, progress: Progress | None = None
    ) -> int:
        """Index Documents from other code; a document with an existing id replaces it.

        ``docs`` may be any iterable, consumed lazily (``ix.add(read_jsonl(path))`` never holds
        the file in memory); big streams are analysed by ``jobs`` processes (default: all
        cores) and committed in large batches, so a failure part-way keeps what was committed.
        ``progress(done, total, stage)`` is called as documents are written.
        """
        from .engines.whoosh.writing import bulk_write

        if isinstance(docs, Document):
            docs = [docs]
        with self._writing():
            ix, gen = self._ensure_live()
            known = _load_manifest(ix, gen)

            def committed(batch: list[tuple[str, SeedState]]) -> None:
                known.update(batch)
                write_manifest(gen, ix.latest_generation(), known)

            with ix.reader() as reader:
                # Which ids are indexed already: the index knows (the manifest lists seeds only).
                return bulk_write(ix, docs, existing=_IndexedIds(reader), jobs=jobs, on_commit=committed,
                                  progress=progress)

    def delete(self, doc_id: str) -> bool:
        """Remove one document; False if it was not there."""
        with self._writing():
            ix, gen = self._ensure_live()
            known = _load_manifest(ix, gen)
            writer = ix.writer()
            count = writer.delete_by_term("doc_id", doc_id)
            writer.commit()
            known.pop(doc_id, None)
            write_manifest(gen, ix.latest_generation(), known)
            return bool(count)

    # ------------------------------------------------------------------ reading

    def get(self, doc_id: str) -> Document:
        """The stored Document with this id, or DocumentNotFoundError."""
        fields = self._reader_searcher().document(doc_id=doc_id)
        if fields is None:
            raise DocumentNotFoundError(f"no document {doc_id!r} in {self.path} (see `searcher search`)")
        return fields_to_document(fields)

    def __len__(self) -> int:
        return self._reader_searcher().doc_count()

    def __contains__(self, doc_id: object) -> bool:
        return isinstance(doc_id, str) and self._reader_searcher().document_number(doc_id=doc_id) is not None

    def search(
        self,
        query: str,
        limit: int = 10,
        page: int = 1,
        sort: str = "relevance",
        source: str | None = None,
        since: date | datetime | str | None = None,
        until: date | datetime | str | None = None,
        syntax: bool = True,
        *,
        fragments: int = 3,
        context: int = 12,
        highlight: str = "plain",
        facets: bool = False,
        explain: bool = False,
        expand: bool | None = None,
    ) -> Results:
        """Search the index; see the README for the query language.

        :param limit: hits per page; :param page: 1-based page number.
        :param sort: ``relevance`` or ``date`` (newest first, undated last).
        :param syntax: False treats ``query`` as plain words (no operators or fields).
        :param highlight: snippet markup: ``plain`` (``**word**``), ``ansi``, ``html`` or ``none``.
        :param explain: fill each ``Hit.explanation`` with why it scored what it did.
        :param expand: pseudo-relevance feedback for word queries: None follows
            ``settings.feedback`` (on), False turns it off, True forces it.
        :raises QueryError: empty query, unknown field, bad option.
        """
        return run_search(
            self._reader_searcher(), query, limit=limit, page=page, sort=sort, source=source, since=since,
            until=until, syntax=syntax, fragments=fragments, context=context, highlight=highlight, facets=facets,
            explain=explain, expand=expand, settings=self.settings,
        )

    def similar(self, doc_id: str, limit: int = 10, *, fragments: int = 3, context: int = 12,
                highlight: str = "plain") -> Results:
        """The articles most like ``doc_id`` (not itself); DocumentNotFoundError if absent."""
        from .engines.whoosh.searching import run_similar

        return run_similar(self._reader_searcher(), doc_id, limit=limit, fragments=fragments, context=context,
                           highlight=highlight, settings=self.settings)

    def stats(self) -> IndexStats:
        """Counts and sizes for `searcher stats`."""
        searcher = self._reader_searcher()
        marker = self._folder.read_marker()
        dated = wq.Every("published")
        newest = searcher.search(dated, limit=1, sortedby="published", reverse=True)
        oldest = searcher.search(dated, limit=1, sortedby="published")
        return IndexStats(
            path=str(self.path),
            documents=searcher.doc_count(),
            sources=dict(sorted(_field_counts(searcher, "source_key").items(), key=lambda kv: (-kv[1], kv[0]))),
            oldest=oldest[0].get("published") if len(oldest) else None,
            newest=newest[0].get("published") if len(newest) else None,
            size_bytes=sum(p.stat().st_size for p in self.path.rglob("*") if p.is_file()),
            segments=len(searcher.reader().leaf_readers()),
            schema_version=marker.schema_version,
            searcher_version=marker.searcher_version,
        )


def check_apart(index_dir: str | os.PathLike[str], seeds_dir: str | os.PathLike[str]) -> None:
    """Refuse an index folder inside the seeds folder (or the reverse).

    An index inside the seeds would be walked as seeds, and whoever fills a seeds folder
    could plant a crafted index there (Whoosh reads parts of an index with pickle).
    """
    index_real, seeds_real = Path(index_dir).resolve(), Path(seeds_dir).resolve()
    if index_real == seeds_real or seeds_real in index_real.parents or index_real in seeds_real.parents:
        raise SearcherError(f"the index folder {index_dir} and the seeds folder {seeds_dir} overlap; keep them apart")


def _weighting(settings: RankingSettings) -> Any:
    from .engines.whoosh.scoring import make_weighting

    return make_weighting(settings)


def _load_manifest(ix: Any, gen: Path) -> dict[str, SeedState]:
    """The manifest if it matches the committed generation, else rebuilt from stored fields."""
    generation, docs = read_manifest(gen)
    if generation == ix.latest_generation():
        return docs
    with ix.searcher() as searcher:
        return {
            f["doc_id"]: SeedState(f.get("content_hash") or "", f["path"]) for f in searcher.all_stored_fields()
            if f.get("path")
        }


class _IndexedIds:
    """``doc_id in ids``: whether a reader's index holds a document with that id."""

    def __init__(self, reader: Any) -> None:
        self._reader = reader

    def __contains__(self, doc_id: object) -> bool:
        return isinstance(doc_id, str) and self._reader.doc_frequency("doc_id", doc_id) > 0


def _field_counts(searcher: Any, fieldname: str) -> dict[str, int]:
    return {term.decode(): searcher.doc_frequency(fieldname, term) for term in searcher.lexicon(fieldname)}
