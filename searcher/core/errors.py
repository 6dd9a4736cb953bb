"""Errors raised by the library: every one is a SearcherError whose message says what to do."""

from __future__ import annotations

from dataclasses import dataclass


class SearcherError(Exception):
    """Base class of every error searcher raises on purpose."""


class SearcherWarning(UserWarning):
    """Base class of the warnings searcher issues (the CLI prints each as one line)."""


class InsecureClusterWarning(SearcherWarning):
    """A cluster's certificate is not checked (SEARCHER_OPENSEARCH_VERIFY=0): anyone between us
    and the cluster could read or change what is sent. Issued on every run that does it."""


class SeedError(SearcherError):
    """A seed file could not be read or cleaned."""


class SourceFileError(SearcherError):
    """A file of documents (JSON Lines) cannot be opened or read."""


class DocumentError(SearcherError, ValueError):
    """A Document made with a value of the wrong kind (the message says what to pass)."""


class IndexNotFoundError(SearcherError):
    """There is no searcher index at the given path."""


class NotAnIndexError(SearcherError):
    """The index path holds something that is not a searcher index; it is never touched."""


class IndexAccessError(SearcherError):
    """The index folder cannot be read or written: permission denied, read-only file system,
    disk full, a missing folder. Nothing in the index is lost; the message names the problem."""


class IndexDamagedError(SearcherError):
    """Files of the index are missing, truncated or corrupt (a crash of the disk, a bad copy).
    The message names the damage; `searcher index --rebuild` repairs it from the seeds.

    ``foreign``: the folder holds what no index of ours holds (it may have been made to run
    code): not to be rebuilt in place, but replaced by a new index in a new folder.
    """

    def __init__(self, message: str, *, foreign: bool = False) -> None:
        super().__init__(message)
        self.foreign = foreign


class IndexVersionError(SearcherError):
    """The index was written with another schema version and must be rebuilt."""

    @classmethod
    def rebuild(cls, where: str, found: object, written_by: object, needed: int) -> "IndexVersionError":
        """The error for the index at ``where``, of schema version ``found`` written by searcher
        ``written_by``, read by code that needs version ``needed`` (the same words for both engines)."""
        return cls(f"the index at {where} has schema version {found} (written by searcher {written_by}); "
                   f"this searcher needs version {needed}: rebuild it")


class IndexLockedError(SearcherError):
    """Another process holds the index's write lock for longer than we may wait."""


class ClusterError(SearcherError):
    """A search cluster (an OpenSearch URL given as the index) cannot be reached, refused a
    request, or did not take some documents; the message names the cluster and what failed."""


class ClusterUnavailableError(ClusterError):
    """The cluster cannot be reached or cannot answer just now (down, restarting, electing a
    new manager, overloaded): the same request may well work in a moment."""


class ModelError(SearcherError):
    """An embedding model folder that cannot be used (a file missing, a bad config, a model
    whose outputs do not fit), or a model that cannot be fetched; the message names it."""


class QueryError(SearcherError):
    """A query that cannot be run as given (empty, unknown field, bad option)."""


class VectorsUnavailableError(QueryError):
    """Semantic or hybrid ranking was asked of an index whose vectors cannot serve it.

    The message says what is wrong in the library's words; ``remedy`` says what mends it,
    for a face to word its own way: ``"make"`` (the index has none: index with a model),
    ``"update"`` (they are behind the documents or unreadable: index again), ``""`` (the
    index cannot keep vectors, or the model is the trouble: the message says which).
    """

    def __init__(self, message: str, *, remedy: str = "") -> None:
        super().__init__(message)
        self.remedy = remedy


@dataclass(frozen=True, slots=True)
class NoVectors:
    """Why an index's vectors cannot serve a search, and its VectorsUnavailableError.remedy."""

    reason: str
    remedy: str = ""


class DocumentNotFoundError(SearcherError):
    """No document with that id is in the index."""


class AmbiguousIdError(SearcherError):
    """A document id prefix that more than one indexed document starts with."""

    def __init__(self, message: str, candidates: list[str]) -> None:
        super().__init__(message)
        #: Some of the ids the prefix matches (not necessarily all), sorted.
        self.candidates = candidates
