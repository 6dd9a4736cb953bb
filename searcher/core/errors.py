"""Errors raised by the library: every one is a SearcherError whose message says what to do."""

from __future__ import annotations


class SearcherError(Exception):
    """Base class of every error searcher raises on purpose."""


class SeedError(SearcherError):
    """A seed file could not be read or cleaned."""


class IndexNotFoundError(SearcherError):
    """There is no searcher index at the given path."""


class NotAnIndexError(SearcherError):
    """The index path holds something that is not a searcher index; it is never touched."""


class IndexAccessError(SearcherError):
    """The index folder cannot be read or written: permission denied, read-only file system,
    disk full, a missing folder. Nothing in the index is lost; the message names the problem."""


class IndexVersionError(SearcherError):
    """The index was written with another schema version and must be rebuilt."""


class IndexLockedError(SearcherError):
    """Another process holds the index's write lock for longer than we may wait."""


class QueryError(SearcherError):
    """A query that cannot be run as given (empty, unknown field, bad option)."""


class DocumentNotFoundError(SearcherError):
    """No document with that id is in the index."""
