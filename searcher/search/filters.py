"""--source / --since / --until as engine-neutral data: which documents a search may return."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from ..core.errors import QueryError
from .dates import to_datetime

__all__ = ["SearchFilter", "make_filter", "to_datetime"]


@dataclass(frozen=True)
class SearchFilter:
    """Documents from ``source`` published between ``since`` and ``until`` (inclusive; naive
    UTC); None means no limit on that side. ``source`` is matched as ``source:"..."`` in a
    query is: its words, in order, anywhere in the source's name, case and accents aside
    (``cbs`` finds "CBS News")."""

    source: str | None = None
    since: datetime | None = None
    until: datetime | None = None


def make_filter(source: str | None, since: date | datetime | str | None,
                until: date | datetime | str | None) -> SearchFilter | None:
    """The filter for --source/--since/--until, or None when there is none; QueryError for bad dates.

    A partial date is a span: ``since`` starts at its beginning, ``until`` ends at its end.
    """
    key = " ".join(source.split()) if source else None
    key = key or None
    start, stop = to_datetime(since), to_datetime(until, end=True)
    if start and stop and start > stop:
        raise QueryError("--since is after --until: nothing can match")
    if key is None and not (start or stop):
        return None
    return SearchFilter(source=key, since=start, until=stop)
