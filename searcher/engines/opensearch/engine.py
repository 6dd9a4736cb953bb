"""The OpenSearch engine: an alias on a cluster, and the physical index behind it.

The user's index name (``http://host:9200/news``) is an alias; documents live in a
physical index ``news--<timestamp>`` it points to. ``--rebuild`` fills a new physical index
and then moves the alias in one atomic ``_aliases`` call, so readers see the old index or
the new one, never half of one; the old index is deleted after. The write lock is a
document in ``news--lock`` (locking.py). Seed states (the update's manifest) are fields of
the documents themselves, so what the manifest says was indexed is exactly what landed.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

from ...core.errors import DocumentNotFoundError, IndexNotFoundError, IndexVersionError, NotAnIndexError
from ...core.records import Document, IndexStats, Progress, Results, SeedState
from ...search.options import SearchOptions
from ...search.settings import DEFAULT_SETTINGS, RankingSettings
from ..base import DEFAULT_WAIT
from .client import REQUEST_TIMEOUT, Action, BulkOptions, NotFound, bulk_write, cluster_errors, connect
from .connection import ClusterSettings
from .location import parse_location
from .locking import ClusterLock, lease_for
from .mapping import ADDED_FIELDS, SCHEMA_VERSION, bm25_type, doc_key, index_body, seed_state, to_document, to_source

if TYPE_CHECKING:
    from .searching import ClusterBackend

logger = logging.getLogger(__name__)

#: Shards and replicas of a new physical index (env SEARCHER_OPENSEARCH_SHARDS /
#: SEARCHER_OPENSEARCH_REPLICAS). One shard by default: term statistics are exact without a
#: distributed-frequency round trip, and a shard holds tens of millions of news articles.
#: Replicas default to "0-1" (auto-expanded): one copy on another node when there is one.
SHARDS_ENV = "SEARCHER_OPENSEARCH_SHARDS"
REPLICAS_ENV = "SEARCHER_OPENSEARCH_REPLICAS"
#: Documents read per request when scanning the index (seed states, documents to carry over).
SCAN_PAGE = 2000


class OpenSearchEngine:
    """An index on an OpenSearch cluster (see the module docstring)."""

    def __init__(self, location: str, *, wait: float = DEFAULT_WAIT, settings: RankingSettings | None = None,
                 cluster: ClusterSettings | None = None) -> None:
        where = parse_location(location)
        self.url = where.url  # as messages show it: never with a user or password
        self.alias = where.name
        self.location = str(where)
        self.wait = wait
        self.settings = DEFAULT_SETTINGS if settings is None else settings
        self.cluster = ClusterSettings.from_env() if cluster is None else cluster
        self.repairs: list[str] = []
        connected = connect(where, self.cluster)
        self.client = connected.client
        #: The server's version (checked to be one searcher supports).
        self.server_version = connected.version
        self._lock: ClusterLock | None = None  # held while writing
        self._created: str | None = None  # a physical index this write made for a first build
        self._checked = False  # the alias was found to be ours (see _searchable)
        self._current: str | None = None  # the live index this write checked for new fields
        #: the word fields' average lengths the last search read (ClusterBackend.averages)
        self._averages: dict[str, float] = {}

    # ------------------------------------------------------------------ lifecycle

    def close(self) -> None:
        try:
            self.client.close()
        except Exception:
            pass

    def errors(self) -> Any:
        """A context turning the client's errors into ClusterError (for this package), and a
        missing index into IndexNotFoundError."""
        return cluster_errors(self.url, missing=f"no index at {self.location}")

    def _searchable(self) -> str:
        """What searches read: the alias itself (always the live index, even across a
        rebuild's swap), once it was checked to be ours and of this schema version (its words
        analysed as queries are); two look-ups per engine, not per search."""
        if not self._checked:
            self._check_version(self._meta(self._live(local=True)))
            self._checked = True
        return self.alias

    def _physical(self, local: bool = False) -> str | None:
        """The physical index the alias points to; None if there is no alias. ``local``: as the
        node asked knows it (a search need not wait for a new cluster manager after one died).

        :raises NotAnIndexError: the name is an index or alias that searcher did not make.
        """
        with self.errors():
            try:
                found = self.client.indices.get_alias(name=self.alias, local=local)
            except NotFound:
                found = None
            if found:
                names = sorted(found)
                if len(names) != 1 or not names[0].startswith(f"{self.alias}--"):
                    raise NotAnIndexError(f"{self.location} is an alias of {', '.join(names)}, which searcher did "
                                          "not make: it is never touched; give another name")
                return names[0]
            if self.client.indices.exists(index=self.alias, local=local):
                raise NotAnIndexError(f"{self.location} is an index searcher did not make: it is never touched; "
                                      "give another name")
        return None

    def exists(self) -> bool:
        try:
            return self._physical() is not None
        except NotAnIndexError:
            return False

    def check_usable(self) -> None:
        self._physical()

    def _meta(self, physical: str | None = None) -> dict[str, Any]:
        """What searcher wrote in the mapping of ``physical`` (default: the live index)."""
        physical = physical or self._live()
        with self.errors():
            mapping = self.client.indices.get_mapping(index=physical)[physical]["mappings"]
        return _searcher_meta(mapping)

    def outdated(self) -> bool:
        return self._meta().get("schema_version") != SCHEMA_VERSION

    def _check_version(self, meta: dict[str, Any]) -> None:
        """IndexVersionError if the index was written with another schema version (``meta``:
        its mapping's), as the Whoosh engine says of a folder: only a rebuild (``update``
        makes one) analyses its words as this code does."""
        if meta.get("schema_version") != SCHEMA_VERSION:
            raise IndexVersionError.rebuild(self.location, meta.get("schema_version", "?"),
                                            meta.get("searcher_version", "?"), SCHEMA_VERSION)

    def _live(self, local: bool = False) -> str:
        physical = self._physical(local)
        if physical is None:
            raise IndexNotFoundError(f"no index at {self.location}")
        return physical

    # ------------------------------------------------------------------ writing

    @contextmanager
    def writing(self) -> Iterator[None]:
        self.check_usable()
        self.repairs = []
        lock = ClusterLock(self.client, self.url, self._lock_index, wait=self.wait, location=self.location,
                           ttl=lease_for(self.cluster.retry_for, REQUEST_TIMEOUT))
        lock.acquire()
        self._lock = lock
        self._created = None
        self._current = None
        discarded = False
        try:
            yield
        except BaseException:
            discarded = self._discard_if_empty()
            raise
        finally:
            self._created = None
            self._lock = None
            lock.release()
            if discarded:
                self._drop_lock_index()

    @property
    def _lock_index(self) -> str:
        return f"{self.alias}--lock"

    def _discard_if_empty(self) -> bool:
        """A first build that failed before writing anything leaves nothing behind (True if
        it was discarded)."""
        if self._created is None:
            return False
        try:
            with self.errors():
                self.client.indices.refresh(index=self._created)
                if self.client.count(index=self._created)["count"] == 0:
                    self.client.indices.delete(index=self._created)
                    return True
        except Exception:
            pass
        return False

    def _drop_lock_index(self) -> None:
        """The lock's index, once a discarded first build left no index for it to guard."""
        try:
            with self.errors():
                if self._physical() is None:
                    self.client.indices.delete(index=self._lock_index, ignore_unavailable=True)
        except Exception:
            pass

    def _new_physical(self) -> str:
        name = f"{self.alias}--{datetime.now(timezone.utc).strftime('%Y%m%d%H%M%S%f')}"
        shards = int(os.environ.get(SHARDS_ENV) or 1)
        replicas = os.environ.get(REPLICAS_ENV)
        body = index_body(self.settings, shards=shards, replicas=int(replicas) if replicas else 0,
                          bm25=bm25_type(self.server_version))
        if not replicas:
            body["settings"]["index"]["auto_expand_replicas"] = "0-1"
        with self.errors():
            self.client.indices.create(index=name, body=body)
        return name

    def _ensure_live(self) -> str:
        """The live physical index, made (with its alias) if there is none. Lock held."""
        physical = self._physical()
        if physical is None:
            physical = self._new_physical()
            with self.errors():
                self.client.indices.put_alias(index=physical, name=self.alias)
            self._created = physical
        elif physical != self._current:
            self._add_new_fields(physical)
        self._current = physical
        return physical

    def _add_new_fields(self, physical: str) -> None:
        """Give an index made by an older searcher the fields added since (ADDED_FIELDS), so
        its new documents can carry them (the mapping is strict); one of another schema
        version is refused (its words were analysed otherwise: ``update`` rebuilds it)."""
        with self.errors():
            mapping = self.client.indices.get_mapping(index=physical)[physical]["mappings"]
        self._check_version(_searcher_meta(mapping))
        with self.errors():
            missing = {name: spec for name, spec in ADDED_FIELDS.items() if name not in mapping.get("properties", {})}
            if missing:
                self.client.indices.put_mapping(index=physical, body={"properties": missing})

    def is_empty(self) -> bool:
        physical = self._ensure_live()
        with self.errors():
            return self.client.count(index=physical)["count"] == 0

    def _scan(self, query: dict[str, Any], fields: list[str] | None) -> Iterator[dict[str, Any]]:
        """Every stored source matching ``query`` (only ``fields`` of it), in _id order pages."""
        physical = self._live()
        after: list[Any] | None = None
        with self.errors():
            while True:
                body: dict[str, Any] = {"query": query, "size": SCAN_PAGE, "sort": [{"doc_id": "asc"}]}
                if fields is not None:
                    body["_source"] = fields
                if after is not None:
                    body["search_after"] = after
                hits = self.client.search(index=physical, body=body)["hits"]["hits"]
                for hit in hits:
                    yield hit["_source"]
                if len(hits) < SCAN_PAGE:
                    return
                after = hits[-1]["sort"]

    def seed_states(self) -> dict[str, SeedState]:
        return {src["doc_id"]: seed_state(src) for src in self._scan(
            {"bool": {"filter": [{"exists": {"field": "path"}}]}}, ["doc_id", "path", "content_hash", "seed"])
            if src.get("path")}

    def record_seed_states(self, states: dict[str, SeedState]) -> None:
        physical = self._ensure_live()
        actions = (Action(doc_key(doc_id), doc_id, partial={"seed": {
            "size": s.size, "mtime_ns": s.mtime_ns, "ctime_ns": s.ctime_ns, "inode": s.inode}})
            for doc_id, s in states.items())
        self._bulk(physical, actions)

    def _bulk(self, physical: str, actions: Iterable[Action], progress: Progress | None = None,
              total: int = 0, jobs: int | None = None) -> int:
        """Write ``actions`` in ``jobs`` parallel streams (default: this machine's cores)."""
        written = (lambda n: progress(n, total, "indexing")) if progress is not None else None
        lock = self._lock
        options = BulkOptions(streams=jobs or os.cpu_count() or 1, retry_for=self.cluster.retry_for,
                              lease=lock.remaining if lock is not None else None)
        try:
            with self.errors():
                count = bulk_write(self.client, self.url, physical, actions, written=written, options=options)
        except BaseException:
            try:  # what landed is searchable; the error that stopped the write is the one to report
                with self.errors():
                    self.client.indices.refresh(index=physical)
            except Exception:
                pass
            raise
        with self.errors():
            self.client.indices.refresh(index=physical)
        return count

    def write_batch(self, upserts: Sequence[tuple[Document, SeedState]], deletes: Iterable[str] = ()) -> None:
        physical = self._ensure_live()
        actions = [Action(doc_key(d), d) for d in deletes]
        actions += [Action(doc_key(doc.doc_id), doc.doc_id, to_source(doc, state)) for doc, state in upserts]
        self._bulk(physical, actions)

    def add_stream(self, docs: Iterable[Document], *, jobs: int | None = None,
                   progress: Progress | None = None) -> int:
        physical = self._ensure_live()
        ids: dict[str, None] = {}

        def actions() -> Iterator[Action]:
            for doc in docs:
                if not isinstance(doc, Document):
                    from ...core.errors import DocumentError

                    raise DocumentError(f"add() takes Documents, not {type(doc).__name__}")
                ids[doc.doc_id] = None
                yield Action(doc_key(doc.doc_id), doc.doc_id, to_source(doc))

        self._bulk(physical, actions(), progress, jobs=jobs)
        if progress is not None:
            progress(len(ids), len(ids), "done")
        return len(ids)

    def build(self, docs: Iterable[tuple[Document, SeedState]], *, jobs: int | None = None,
              progress: Progress | None = None, total: int = 0) -> None:
        physical = self._ensure_live()
        self._bulk(physical, (Action(doc_key(doc.doc_id), doc.doc_id, to_source(doc, state)) for doc, state in docs),
                   progress, total, jobs)

    def rebuild(self, docs: Iterable[tuple[Document, SeedState]], *, jobs: int | None = None,
                progress: Progress | None = None, total: int = 0) -> None:
        old = self._physical()
        new = self._new_physical()
        try:
            self._bulk(new, (Action(doc_key(doc.doc_id), doc.doc_id, to_source(doc, state)) for doc, state in docs),
                       progress, total, jobs)
            actions: list[dict[str, Any]] = [{"add": {"index": new, "alias": self.alias}}]
            if old is not None:
                actions.insert(0, {"remove": {"index": old, "alias": self.alias}})
            with self.errors():
                self.client.indices.update_aliases(body={"actions": actions})
        except BaseException:
            try:
                with self.errors():
                    self.client.indices.delete(index=new)
            except Exception:
                pass
            raise
        if old is not None:
            try:
                with self.errors():
                    self.client.indices.delete(index=old)
            except Exception as exc:  # the new index is live; the old one is only space
                logger.warning("could not delete the old index %s: %s", old, exc)

    def documents_not_from_seeds(self, lost: list[str] | None = None) -> list[Document]:
        if self._physical() is None:
            return []
        return [to_document(src) for src in self._scan({"bool": {"must_not": [{"exists": {"field": "path"}}]}}, None)]

    def vector_file(self) -> None:
        return None  # semantic search is an embedded-index feature for now (searching.NO_VECTORS)

    def commit_id(self) -> str:
        return ""

    def texts(self) -> Iterator[tuple[str, str, str]]:
        return iter(())

    def delete(self, doc_id: str) -> bool:
        physical = self._ensure_live()
        with self.errors():
            try:
                self.client.delete(index=physical, id=doc_key(doc_id), refresh=True)
            except NotFound:
                return False
        return True

    # ------------------------------------------------------------------ reading

    def count(self) -> int:
        physical = self._searchable()
        with self.errors():
            return int(self.client.count(index=physical)["count"])

    def contains(self, doc_id: str) -> bool:
        physical = self._searchable()
        with self.errors():
            return bool(self.client.exists(index=physical, id=doc_key(doc_id)))

    def get(self, doc_id: str) -> Document:
        physical = self._searchable()
        with self.errors():
            try:
                found = self.client.get(index=physical, id=doc_key(doc_id))
            except NotFound:
                raise DocumentNotFoundError(f"no document {doc_id!r} in {self.location}") \
                    from None
        return to_document(found["_source"])

    def ids_starting_with(self, prefix: str, limit: int) -> list[str]:
        physical = self._searchable()
        with self.errors():
            hits = self.client.search(index=physical, body={
                "query": {"prefix": {"doc_id": prefix}}, "size": limit, "sort": [{"doc_id": "asc"}],
                "_source": ["doc_id"]})["hits"]["hits"]
        return [hit["_source"]["doc_id"] for hit in hits]

    def ids_after(self, after: str, limit: int) -> list[str]:
        physical = self._searchable()
        body: dict[str, Any] = {"query": {"match_all": {}}, "size": limit, "sort": [{"doc_id": "asc"}],
                                "_source": ["doc_id"]}
        if after:
            body["search_after"] = [after]
        with self.errors():
            hits = self.client.search(index=physical, body=body)["hits"]["hits"]
        return [hit["_source"]["doc_id"] for hit in hits]

    def get_many(self, doc_ids: Sequence[str]) -> list[Document]:
        if not doc_ids:
            return []
        physical = self._searchable()
        with self.errors():
            found = self.client.mget(index=physical, body={"ids": [doc_key(doc_id) for doc_id in doc_ids]})["docs"]
        return [to_document(doc["_source"]) for doc in found if doc.get("found")]

    def backend(self) -> "ClusterBackend":
        from .searching import ClusterBackend

        return ClusterBackend(self.client, self._searchable(), self.settings, self._averages)

    def search(self, query: str, options: SearchOptions) -> Results:
        from ...search import pipeline

        backend = self.backend()
        with self.errors():
            return pipeline.search(backend, query, options)

    def similar(self, doc_id: str, options: SearchOptions) -> Results:
        from ...search import pipeline

        backend = self.backend()
        with self.errors():
            return pipeline.similar(backend, doc_id, options)

    def stats(self) -> IndexStats:
        physical = self._live()
        meta = self._meta()
        with self.errors():
            found = self.client.search(index=physical, body={"size": 0, "track_total_hits": True, "aggs": {
                "sources": {"terms": {"field": "source_key", "size": 10_000},
                            "aggs": {"name": {"top_hits": {"size": 1, "_source": ["source"]}}}},
                "oldest": {"min": {"field": "published"}}, "newest": {"max": {"field": "published"}}}})
            store = self.client.indices.stats(index=physical, metric="store,segments")["indices"][physical]
        aggs = found["aggregations"]
        from .searching import source_counts

        primaries = store["primaries"]
        return IndexStats(
            path=self.location,
            documents=int(found["hits"]["total"]["value"]),
            sources=dict(sorted(source_counts(aggs["sources"]).items(), key=lambda kv: (-kv[1], kv[0].lower()))),
            oldest=_agg_date(aggs["oldest"]),
            newest=_agg_date(aggs["newest"]),
            size_bytes=int(store["total"]["store"]["size_in_bytes"]),
            segments=int(primaries["segments"]["count"]),
            schema_version=int(meta.get("schema_version", 0)),
            searcher_version=str(meta.get("searcher_version", "?")),
        )


def _searcher_meta(mapping: dict[str, Any]) -> dict[str, Any]:
    """What searcher wrote in an index mapping's ``_meta`` (schema and searcher version)."""
    return (mapping.get("_meta") or {}).get("searcher") or {}


def _agg_date(agg: dict[str, Any]) -> datetime | None:
    value = agg.get("value")
    if value is None:
        return None
    return datetime.fromtimestamp(value / 1000, timezone.utc).replace(tzinfo=None)

