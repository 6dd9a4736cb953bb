"""The Whoosh engine: an index folder of Whoosh generations behind the Engine interface.

One Whoosh searcher is kept open and reopened only when another writer has committed,
so a long-lived engine answers many queries without reopening the index. Writes hold the
folder's WriteLock and end in Whoosh commits, which are atomic; the manifest of seed
states is a cache kept in step with each commit (rebuilt from stored fields when it is
not).
"""

from __future__ import annotations

import logging
import os
import pickle
import re
import shutil
import struct
import time
import zlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from whoosh import index as windex

from ...core.errors import (
    DocumentNotFoundError,
    IndexDamagedError,
    IndexNotFoundError,
    IndexVersionError,
    SearcherError,
)
from ...core.places import shown_location
from ...core.records import Document, IndexStats, Progress, Results, SeedState
from ...core.version import __version__
from ...search.options import SearchOptions
from ...search.settings import DEFAULT_SETTINGS, RankingSettings
from ..base import DEFAULT_WAIT
from .fields import fields_to_document
from .locking import WriteLock
from .merging import merge_policy
from .schema import SCHEMA_VERSION, build_schema, is_text_analyzer
from .scoring import make_weighting
from .unpickling import ForbiddenPickle, file_of
from .storage import (
    INDEX_NAME,
    MANIFEST_NAME,
    REPAIR,
    VECTORS_NAME,
    IndexFolder,
    access_error,
    is_about,
    read_manifest,
    release,
    write_manifest,
)

if TYPE_CHECKING:
    from ...semantic.dense import VectorReader
    from .searching import WhooshBackend

# The writing methods import .writing (segment builders, worker processes) when they
# run: a search never needs it, and a cold `searcher search` is measured against bare Whoosh.

logger = logging.getLogger(__name__)

#: Times a reader re-reads the marker when a concurrent rebuild swaps generations under it.
OPEN_ATTEMPTS = 5
#: Times a read is run again when another process committed while it ran (a commit may
#: remove segment files a reader opened before it was about to read them).
READ_ATTEMPTS = 20
#: What damaged files raise when Whoosh reads them (other exceptions are bugs unless a
#: check of the files finds damage).
DAMAGE_ERRORS = (OSError, EOFError, pickle.UnpicklingError, zlib.error, struct.error, UnicodeDecodeError)

T = TypeVar("T")


class _Stale(Exception):
    """The generation we were about to open was replaced (internal: retried)."""


class WhooshEngine:
    """An index folder (see storage.py for its layout), read and written with Whoosh."""

    def __init__(self, path: str | os.PathLike[str], *, wait: float = DEFAULT_WAIT,
                 settings: RankingSettings | None = None, model: str | os.PathLike[str] | None = None) -> None:
        self.path = Path(path)
        #: The model given for semantic queries (None: SEARCHER_MODEL, else the vectors' own).
        self.model = model
        self._vectors: VectorReader | None = None
        self.location = str(path)
        self.wait = wait
        #: The ranking knobs: the searcher's weighting and the word path are made from them.
        self.settings = DEFAULT_SETTINGS if settings is None else settings
        self._folder = IndexFolder(self.path)
        self._generation: str | None = None
        self._hold: int | None = None  # our reader's hold on that generation (see storage.py)
        self._ix: Any = None
        self._searcher: Any = None
        # Set while the write lock is held: the live index, its generation folder, and the
        # manifest of seed states as of its last commit.
        self._live: tuple[Any, Path] | None = None
        self._known: dict[str, SeedState] | None = None
        self.repairs: list[str] = []

    # ------------------------------------------------------------------ lifecycle

    def close(self) -> None:
        if self._searcher is not None:
            self._searcher.close()
        self._searcher = None
        self._ix = None
        self._generation = None
        release(self._hold)
        self._hold = None

    def exists(self) -> bool:
        return self._folder.exists()

    def check_usable(self) -> None:
        self._folder.check_usable()

    def outdated(self) -> bool:
        try:
            self._folder.check_version(self._folder.read_marker(), SCHEMA_VERSION)
        except IndexVersionError:
            return True
        return False

    def _open(self) -> Any:
        """The live Whoosh index, reopened if a rebuild swapped in a new generation."""
        if not self._folder.exists():
            self._folder.check_usable()
            raise IndexNotFoundError(f"no index at {shown_location(self.path)}")
        marker = self._folder.read_marker()
        self._folder.check_version(marker, SCHEMA_VERSION)
        if self._ix is None or marker.current != self._generation:
            self.close()
            gen_path = self._folder.generation_path(marker.current)
            try:
                self._hold = self._folder.hold_generation(marker.current)
                self._ix = windex.open_dir(str(gen_path), indexname=INDEX_NAME)
            except PermissionError as exc:
                self.close()
                raise access_error(exc, self.path, "read") from None
            except (windex.EmptyIndexError, OSError) as exc:
                self.close()
                raise _Stale(f"the index at {shown_location(self.path)} is incomplete ({exc}); {REPAIR}") from None
            self._generation = marker.current
        return self._ix

    def _state(self) -> tuple[str | None, int]:
        """(live generation folder, its latest Whoosh commit): what a concurrent write changes."""
        try:
            current = self._folder.read_marker().current
        except (SearcherError, OSError):
            return None, -1
        return current, _latest_commit(self._folder.generation_path(current))

    def searcher(self) -> Any:
        """The shared Whoosh searcher (for this package and its tests), brought up to date with the latest commit.

        A rebuild in another process may swap generations between our reading the marker
        and opening the files, and a commit may remove the segment files a TOC we just read
        names; then we read the marker and the TOC again rather than fail. Files that fail
        to open while nothing changes are damage: IndexDamagedError names it.
        """
        for attempt in range(OPEN_ATTEMPTS + READ_ATTEMPTS):
            before = self._state()
            try:
                ix = self._open()
                if self._searcher is not None and not self._searcher.up_to_date():
                    # Reopen rather than Searcher.refresh(): a refreshed searcher that reuses
                    # segment readers keeps seeing documents another writer replaced or deleted.
                    self._searcher.close()
                    self._searcher = None
                if self._searcher is None:
                    self._searcher = ix.searcher(weighting=make_weighting(self.settings))
                return self._searcher
            except PermissionError as exc:
                self.close()
                raise access_error(exc, self.path, "read") from None
            except SearcherError:
                self.close()
                raise
            except Exception as exc:
                self.close()
                if self._state() != before and attempt < OPEN_ATTEMPTS + READ_ATTEMPTS - 1:
                    continue  # a write moved on while we opened: open what it made
                if isinstance(exc, _Stale) and attempt < OPEN_ATTEMPTS - 1:
                    time.sleep(0.05 * (attempt + 1))
                    continue
                raise self._damage(exc) from None
        raise AssertionError("unreachable")

    def _read(self, op: Callable[[Any], T]) -> T:
        """``op(searcher)``, run again on a fresh searcher if another process committed while
        it ran (Whoosh opens some files of a segment only when first read, and a commit may
        have merged that segment away); damage is reported as IndexDamagedError."""
        for attempt in range(READ_ATTEMPTS):
            searcher = self.searcher()
            opened = (self._generation, searcher.reader().generation())
            try:
                return op(searcher)
            except SearcherError:
                raise
            except PermissionError as exc:
                self.close()
                raise access_error(exc, self.path, "read") from None
            except Exception as exc:
                self.close()
                moved = self._state() != opened
                if moved and attempt < READ_ATTEMPTS - 1:
                    continue
                damage = self._damage(exc, strict=True)
                if damage is None:
                    raise
                raise damage from None
        raise AssertionError("unreachable")

    def _damage(self, exc: BaseException, *, strict: bool = False) -> Any:
        """IndexDamagedError naming what is wrong with the live generation's files (a check
        reads them all); for an exception that is not damage (a bug), None when ``strict``
        and the check finds nothing, else an IndexNotFoundError as before."""
        if isinstance(exc, _Stale):
            return IndexNotFoundError(str(exc))
        if isinstance(exc, ForbiddenPickle):
            return self._not_ours(exc)
        try:
            current = self._folder.read_marker().current
        except SearcherError as error:
            return error
        gen = self._folder.generation_path(current)
        try:
            found = check_generation(gen)
        except ForbiddenPickle as forbidden:
            return self._not_ours(forbidden)
        if found is None and isinstance(exc, DAMAGE_ERRORS) and not isinstance(exc, InterruptedError):
            found = describe(exc, gen)
        if found is None:
            return None if strict else IndexNotFoundError(f"the index at {shown_location(self.path)} cannot be read ({exc})")
        return IndexDamagedError(f"the index at {shown_location(self.path)} is damaged ({found}); {REPAIR}")

    def _not_ours(self, exc: ForbiddenPickle) -> IndexDamagedError:
        """The error for an index holding a pickle no index of ours holds: made elsewhere, maybe
        to run code. Repairing it in place would trust the folder: the advice is a new one."""
        where = self._index_file(file_of(exc))
        return IndexDamagedError(
            f"the index at {self.path} was not made by searcher: {where} holds {exc}, which an index of ours "
            "never holds (it could run code), so it was not read; do not open it again, but build a new index "
            "from the seeds in a new folder", foreign=True)

    def _index_file(self, name: str | None) -> str:
        """Where the file Whoosh calls ``name`` is in the folder: ``gen-000001/MAIN_x.seg``, or
        ``gen-000001/MAIN_x.seg (its MAIN_x._stored.col)`` for a part of a compound segment."""
        try:
            gen = self._folder.generation_path(self._folder.read_marker().current)
        except SearcherError:
            return name or "a file of it"
        if name is None:
            return f"a file of {gen.name}"
        if (gen / name).exists():
            return f"{gen.name}/{name}"
        compound = next((p.name for p in gen.glob("*.seg") if name.startswith(p.stem)), None)
        return f"{gen.name}/{compound} (its {name})" if compound else f"{gen.name}/{name}"

    def whoosh_index(self) -> Any:
        """The live Whoosh index (for this package and its tests)."""
        return self._open()

    # ------------------------------------------------------------------ writing

    @contextmanager
    def writing(self) -> Iterator[None]:
        self._folder.check_usable()
        # A folder whose marker is lost still holds an index (adopted by _recover_marker).
        existed, fresh = self.path.exists(), not self._folder.exists() and self._adoptable() is None
        self.close()  # our own searcher must not pin files a rebuild is about to replace
        self.repairs = []
        lock = WriteLock(self._folder.lock_path, wait=self.wait)
        try:
            self.path.mkdir(parents=True, exist_ok=True)
            lock.acquire()
        except OSError as exc:
            if not existed:
                self._folder.discard(remove_root=True)
            raise access_error(exc, self.path, "write") from None
        except BaseException:  # Ctrl-C while taking the lock: a first build leaves nothing
            lock.release()
            if not existed:
                self._folder.discard(remove_root=True)
            raise
        try:
            yield
        except BaseException as exc:
            if fresh:  # a failed first build leaves nothing behind, unless it committed documents
                self._discard_if_empty(remove_root=not existed)
            if isinstance(exc, OSError) and not isinstance(exc, InterruptedError) and is_about(exc, self.path):
                raise access_error(exc, self.path, "write") from None
            if isinstance(exc, ForbiddenPickle):
                raise self._not_ours(exc) from None
            raise
        finally:
            self._live = None
            self._known = None
            lock.release()

    def _discard_if_empty(self, *, remove_root: bool) -> None:
        try:
            if self._folder.exists():
                gen = self._folder.generation_path(self._folder.read_marker().current)
                if windex.open_dir(str(gen), indexname=INDEX_NAME).doc_count_all():
                    return
        except (SearcherError, windex.EmptyIndexError, OSError):
            pass
        self._live = None
        self._folder.discard(remove_root=remove_root)

    def _ensure_live(self) -> tuple[Any, Path]:
        """(Whoosh index, generation folder) of the live index; created empty if none. Lock held."""
        if self._live is not None:
            return self._live
        self._recover_marker()
        if not self._folder.exists():
            gen = self._folder.new_generation()
            windex.create_in(str(gen), build_schema(), indexname=INDEX_NAME)
            self._folder.write_marker(gen.name, schema_version=SCHEMA_VERSION, searcher_version=__version__)
        marker = self._folder.read_marker()
        self._folder.check_version(marker, SCHEMA_VERSION)
        self._folder.remove_stale_generations(keep=marker.current, previous=marker.previous)
        gen = self._folder.generation_path(marker.current)
        self._live = (windex.open_dir(str(gen), indexname=INDEX_NAME), gen)
        return self._live

    def _recover_marker(self) -> None:
        """A marker deleted or damaged while generations remain: point it at the newest
        committed generation again, so nothing indexed there (imported documents above
        all, which no seed can give back) is dropped or deleted. Lock held."""
        try:
            if self._folder.exists():
                if self._folder.generation_path(self._folder.read_marker().current).is_dir():
                    return
            elif not self._folder.generations():
                return
        except IndexDamagedError:
            pass
        name = self._adoptable()
        if name is None:
            return
        self.repairs.append(f"{self._folder.marker_path} was missing or damaged: it names {name} again, "
                            "the newest complete generation")
        logger.warning("%s", self.repairs[-1])
        version = _schema_of(self._folder.generation_path(name))
        self._folder.write_marker(name, schema_version=version, searcher_version="?")

    def is_empty(self) -> bool:
        ix, _gen = self._ensure_live()
        return ix.doc_count_all() == 0

    def _manifest(self) -> dict[str, SeedState]:
        """The seed states of the live index (read once per hold of the lock). Lock held."""
        if self._known is None:
            ix, gen = self._ensure_live()
            self._known = _load_manifest(ix, gen)
        return self._known

    def _save_manifest(self) -> None:
        """After a commit: the manifest of seed states, and the new segments' spelling and stats files."""
        ix, gen = self._ensure_live()
        write_manifest(gen, ix.latest_generation(), self._manifest())
        _write_segment_files(ix)

    def seed_states(self) -> dict[str, SeedState]:
        return dict(self._manifest())

    def record_seed_states(self, states: dict[str, SeedState]) -> None:
        self._manifest().update(states)
        self._save_manifest()

    def write_batch(self, upserts: Sequence[tuple[Document, SeedState]], deletes: Iterable[str] = ()) -> None:
        from .writing import write_documents

        ix, _gen = self._ensure_live()
        known = self._manifest()
        writer = ix.writer(limitmb=128)
        for doc_id in deletes:
            writer.delete_by_term("doc_id", doc_id)
            known.pop(doc_id, None)
        write_documents(writer, (doc for doc, _ in upserts), upsert=True)
        writer.commit(mergetype=merge_policy)  # drops what deleted documents hold, as updates go
        known.update((doc.doc_id, state) for doc, state in upserts)
        self._save_manifest()

    def add_stream(self, docs: Iterable[Document], *, jobs: int | None = None,
                   progress: Progress | None = None) -> int:
        from .writing import bulk_write

        ix, _gen = self._ensure_live()
        known = self._manifest()  # read before the first commit makes it stale

        def committed(batch: list[tuple[str, SeedState]]) -> None:
            known.update(batch)
            self._save_manifest()

        with ix.reader() as reader:
            # Which ids are indexed already: the index knows (the manifest lists seeds only).
            return bulk_write(ix, docs, existing=_IndexedIds(reader), jobs=jobs, on_commit=committed,
                              progress=progress, finish_on_interrupt=True)

    def build(self, docs: Iterable[tuple[Document, SeedState]], *, jobs: int | None = None,
              progress: Progress | None = None, total: int = 0) -> None:
        from .writing import bulk_write

        ix, _gen = self._ensure_live()
        known = self._manifest()
        state_of: dict[str, SeedState] = {}

        def documents() -> Iterator[Document]:
            for doc, state in docs:
                state_of[doc.doc_id] = state
                yield doc

        def committed(batch: list[tuple[str, SeedState]]) -> None:
            known.update(batch)
            self._save_manifest()

        # Into the live index, so a build stopped part-way keeps its commits (Ctrl-C commits
        # the batch in hand) and the next update goes on from there by content hash.
        bulk_write(ix, documents(), existing=known, jobs=jobs, on_commit=committed, progress=progress,
                   total=total, entry=lambda doc: state_of.pop(doc.doc_id), finish_on_interrupt=True)

    def rebuild(self, docs: Iterable[tuple[Document, SeedState]], *, jobs: int | None = None,
                progress: Progress | None = None, total: int = 0) -> None:
        from .writing import bulk_write

        gen = self._folder.new_generation()
        states: dict[str, SeedState] = {}
        try:
            ix = windex.create_in(str(gen), build_schema(), indexname=INDEX_NAME)
            state_of: dict[str, SeedState] = {}

            def documents() -> Iterator[Document]:
                for doc, state in docs:
                    state_of[doc.doc_id] = state
                    yield doc

            # One bulk write: worker processes on every core write segments (see bulk_write).
            bulk_write(ix, documents(), jobs=jobs, on_commit=states.update, progress=progress, total=total,
                       entry=lambda doc: state_of[doc.doc_id])
            write_manifest(gen, ix.latest_generation(), states)
            _write_segment_files(ix)
        except BaseException:
            shutil.rmtree(gen, ignore_errors=True)
            raise
        previous = self._readable_generation()
        self._folder.write_marker(gen.name, schema_version=SCHEMA_VERSION, searcher_version=__version__,
                                  previous=previous)
        self._folder.remove_stale_generations(keep=gen.name, previous=previous)
        self._live = None
        self._known = None
        self.close()

    def documents_not_from_seeds(self, lost: list[str] | None = None) -> list[Document]:
        # Read from the live generation whatever its schema version: a rebuild for a new
        # schema must carry them over too (their stored fields are all a Document needs).
        # A damaged index gives what can be read; what cannot is named in ``lost`` (and
        # logged), and never stops the rebuild.
        name = self._readable_generation()
        if name is None:
            return []
        docs, problems = salvage_documents(self._folder.generation_path(name))
        if lost is None:
            for problem in problems:
                logger.warning("%s", problem)
        else:
            lost.extend(problems)
        return docs

    def _readable_generation(self) -> str | None:
        """The live generation's folder name: the marker's, or if the marker is missing or
        damaged, the generation an update would adopt (see :meth:`_adoptable`)."""
        try:
            if self._folder.exists():
                current = self._folder.read_marker().current
                if self._folder.generation_path(current).is_dir():
                    return current
        except SearcherError:
            pass
        return self._adoptable()

    def _adoptable(self) -> str | None:
        """When the marker is lost: the newest generation that holds a committed Whoosh
        index, preferring those with a manifest (the live one writes it with every
        commit; a rebuild killed before its swap never does)."""
        names = [n for n in self._folder.generations() if _latest_commit(self._folder.generation_path(n)) >= 0]
        with_manifest = [n for n in names if (self._folder.generation_path(n) / MANIFEST_NAME).is_file()]
        return (with_manifest or names or [None])[0]

    def delete(self, doc_id: str) -> bool:
        ix, _gen = self._ensure_live()
        known = self._manifest()  # read before the commit makes it stale
        writer = ix.writer()
        count = writer.delete_by_term("doc_id", doc_id)
        writer.commit(mergetype=merge_policy)
        known.pop(doc_id, None)
        self._save_manifest()
        return bool(count)

    # ------------------------------------------------------------------ reading

    def count(self) -> int:
        return self._read(lambda searcher: searcher.doc_count())

    def contains(self, doc_id: str) -> bool:
        return self._read(lambda searcher: searcher.document_number(doc_id=doc_id) is not None)

    def get(self, doc_id: str) -> Document:
        fields = self._read(lambda searcher: searcher.document(doc_id=doc_id))
        if fields is None:
            raise DocumentNotFoundError(f"no document {doc_id!r} in {shown_location(self.path)}")
        return fields_to_document(fields)

    def ids_starting_with(self, prefix: str, limit: int) -> list[str]:
        def ids(searcher: Any) -> list[str]:
            found: list[str] = []
            # The term list is sorted and may still hold ids of deleted documents (until a merge).
            for term in searcher.reader().expand_prefix("doc_id", prefix):
                doc_id = term.decode("utf-8") if isinstance(term, bytes) else term
                if searcher.document_number(doc_id=doc_id) is not None:
                    found.append(doc_id)
                    if len(found) >= limit:
                        break
            return found

        return self._read(ids)

    def ids_after(self, after: str, limit: int) -> list[str]:
        def ids(searcher: Any) -> list[str]:
            found: list[str] = []
            reader = searcher.reader()
            # Deleted documents' ids stay in the term list until a merge: look them up only then.
            check = reader.has_deletions()
            for fieldname, term in reader.terms_from("doc_id", after):
                if fieldname != "doc_id":
                    break
                doc_id = term.decode("utf-8") if isinstance(term, bytes) else term
                if doc_id != after and (not check or searcher.document_number(doc_id=doc_id) is not None):
                    found.append(doc_id)
                    if len(found) >= limit:
                        break
            return found

        return self._read(ids)

    def get_many(self, doc_ids: Sequence[str]) -> list[Document]:
        def documents(searcher: Any) -> list[Document]:
            found = (searcher.document(doc_id=doc_id) for doc_id in doc_ids)
            return [fields_to_document(fields) for fields in found if fields is not None]

        return self._read(documents)

    def backend(self) -> "WhooshBackend":
        return self._backend(self.searcher())

    def _backend(self, searcher: Any) -> "WhooshBackend":
        from .searching import WhooshBackend

        return WhooshBackend(searcher, self.settings, self._vector_reader(),
                             f"{self._generation}:{searcher.reader().generation()}")

    def _vector_reader(self) -> "VectorReader | None":
        """The index's vectors, if it has a vector file (the semantic package is not imported
        for an index without one: a cold keyword search never pays for it)."""
        if self._vectors is None and self.vector_file().exists():
            from ...semantic.dense import VectorReader

            self._vectors = VectorReader(self.vector_file(), self.model)
        return self._vectors

    def search(self, query: str, options: SearchOptions) -> Results:
        from ...search import pipeline

        return self._read(lambda searcher: pipeline.search(self._backend(searcher), query, options))

    def similar(self, doc_id: str, options: SearchOptions) -> Results:
        from ...search import pipeline

        return self._read(lambda searcher: pipeline.similar(self._backend(searcher), doc_id, options))

    # ------------------------------------------------------------------ vectors

    def vector_file(self) -> Path:
        return self.path / VECTORS_NAME

    def commit_id(self) -> str:
        marker = self._folder.read_marker()
        return f"{marker.current}:{_latest_commit(self._folder.generation_path(marker.current))}"

    def texts(self) -> Iterator[tuple[str, str, str]]:
        ix, _gen = self._ensure_live()
        with ix.searcher() as searcher:
            for fields in searcher.all_stored_fields():
                yield fields["doc_id"], fields.get("title", "") or "", fields.get("body", "") or ""

    def stats(self) -> IndexStats:
        return self._read(self._stats)

    def _stats(self, searcher: Any) -> IndexStats:
        """Counts written beside each segment at commit (segment_stats.py), or read from the
        columns (columns.py) when a segment has deletions: never a walk over the date field's
        terms (28 s at 21,577 articles before)."""
        from .segment_stats import totals

        marker = self._folder.read_marker()
        found = totals(searcher)
        if found is None:
            from .columns import columns_for

            columns = columns_for(searcher)
            oldest, newest = columns.date_range()
            sources = columns.source_counts(columns.live)
        else:
            oldest, newest, sources = found.oldest, found.newest, found.sources
        return IndexStats(
            path=str(self.path),
            documents=searcher.doc_count(),
            sources=dict(sorted(sources.items(), key=lambda kv: (-kv[1], kv[0].lower()))),
            oldest=oldest,
            newest=newest,
            size_bytes=self._folder.live_size(self._generation or marker.current),
            segments=len(searcher.reader().leaf_readers()),
            schema_version=marker.schema_version,
            searcher_version=marker.searcher_version,
        )


_TOC = re.compile(re.escape(f"_{INDEX_NAME}_") + r"([0-9]+)\.toc")


def _latest_commit(gen: Path) -> int:
    """The number of the newest Whoosh commit (TOC file) in generation folder ``gen``; -1 if none."""
    try:
        names = os.listdir(gen)
    except OSError:
        return -1
    return max((int(m.group(1)) for m in map(_TOC.fullmatch, names) if m), default=-1)


def _schema_of(gen: Path) -> int:
    """The schema version a generation was written with, as far as its schema tells: this
    searcher's if it has this searcher's fields and word analysis, else 0 (an update then
    rebuilds it)."""
    try:
        schema = windex.open_dir(str(gen), indexname=INDEX_NAME).schema
    except Exception:  # a damaged TOC: a rebuild will carry over what it can
        return 0
    ours = set(schema.names()) == set(build_schema().names()) and is_text_analyzer(schema["body"].analyzer)
    return SCHEMA_VERSION if ours else 0


def salvage_documents(gen: Path) -> tuple[list[Document], list[str]]:
    """The documents not from seeds that generation ``gen`` holds, read one by one so that
    damage loses only what it touches; and a line for each part that could not be read."""
    from whoosh.index import TOC

    problems: list[str] = []
    where = f"{gen.parent.name}/{gen.name}"
    try:
        ix = windex.open_dir(str(gen), indexname=INDEX_NAME)
        segments = TOC.read(ix.storage, INDEX_NAME, schema=ix.schema).segments
    except Exception as exc:  # whatever damage makes Whoosh raise
        return [], [f"could not read {where} ({describe(exc, gen)}): any documents it held that are not "
                    "from seeds (imported) are not in the rebuilt index"]
    docs: dict[str, Document] = {}
    for segment in segments:
        failed, first = 0, None
        try:
            # A small segment is written as one compound file (.seg) holding its columns.
            storage = segment.open_compound_file(ix.storage) if segment.is_compound() else ix.storage
            reader = segment.codec().per_document_reader(storage, segment)
        except Exception as exc:
            failed, first = segment.doc_count(), exc
        else:
            try:
                for docnum in range(reader.doc_count_all()):
                    try:
                        if reader.is_deleted(docnum):
                            continue
                        fields = reader.stored_fields(docnum)
                        if not fields.get("path"):
                            doc = fields_to_document(fields)
                            docs[doc.doc_id] = doc
                    except Exception as exc:
                        failed += 1
                        first = first or exc
            finally:
                try:
                    reader.close()
                except Exception:
                    pass
        if failed:
            problems.append(f"could not read {failed} of the documents in {where} ({describe(first, gen)}): "
                            "those from seeds are rebuilt from the seeds; any others (imported) are not in the "
                            "rebuilt index")
    return list(docs.values()), problems


def describe(exc: BaseException, gen: Path) -> str:
    """A damaged file's error in a few words: ``UnpicklingError: pickle data was truncated``."""
    if isinstance(exc, FileNotFoundError) and exc.filename:
        return f"{os.path.relpath(os.fsdecode(exc.filename), gen.parent)} is missing"
    text = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
    where = f" in {os.path.relpath(os.fsdecode(exc.filename), gen.parent)}" if isinstance(exc, OSError) and \
        exc.filename else ""
    name = "zlib error" if isinstance(exc, zlib.error) else type(exc).__name__
    return f"{name}: {text}{where}"[:300]


def check_generation(gen: Path) -> str | None:
    """Read every file of a Whoosh generation: None if all read, else what is damaged.

    Slow on a big index (every stored document and posting list is read): for the error
    path only, to tell damage from a bug. A pickle that is not ours raises ForbiddenPickle.
    """
    try:
        ix = windex.open_dir(str(gen), indexname=INDEX_NAME)
        with ix.reader() as reader:
            for leaf, _offset in reader.leaf_readers():
                for docnum in range(leaf.doc_count_all()):
                    if not leaf.is_deleted(docnum):
                        leaf.stored_fields(docnum)
                for name, field in ix.schema.items():
                    if field.scorable and leaf.doc_count_all():
                        leaf.doc_field_length(0, name)
                for fieldname, text in leaf.all_terms():
                    leaf.postings(fieldname, text).all_ids()
    except ForbiddenPickle:
        raise
    except Exception as exc:  # whatever a damaged file makes Whoosh raise
        return describe(exc, gen)
    return None


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


def _write_segment_files(ix: Any) -> None:
    """What readers need of each new segment, written once after a commit: its spelling
    (did-you-mean) and stats files."""
    from . import segment_stats, spelling
    from .columns import segment_columns

    spelling.write_missing(ix)
    segment_stats.write_missing(ix, segment_columns)
