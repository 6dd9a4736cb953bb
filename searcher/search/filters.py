"""--source / --since / --until as engine-neutral data: which documents a search may return."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from ..core.errors import QueryError
from .dates import to_datetime

__all__ = ["SearchFilter", "make_filter", "to_datetime"]


@dataclass(frozen=True)
class SearchFilter:
    """Documents from any of ``sources`` (none: any source) published between ``since`` and
    ``until`` (inclusive; naive UTC); None means no limit on that side. Each source is
    matched as ``source:"..."`` in a query is: its words, in order, anywhere in the source's
    name, case and accents aside (``cbs`` finds "CBS News")."""

    sources: tuple[str, ...] = ()
    since: datetime | None = None
    until: datetime | None = None


def make_filter(source: str | Iterable[str] | None, since: date | datetime | str | None,
                until: date | datetime | str | None) -> SearchFilter | None:
    """The filter for a source (or several) and a date range, or None when there is none;
    QueryError for bad dates.

    A partial date is a span: ``since`` starts at its beginning, ``until`` ends at its end.
    """
    names = [source] if isinstance(source, str) else list(source or ())
    keys = tuple(dict.fromkeys(key for key in (" ".join(str(name).split()) for name in names) if key))
    start, stop = to_datetime(since), to_datetime(until, end=True)
    if start and stop and start > stop:
        raise QueryError(f"since ({since}) is after until ({until}): nothing can match")
    if not keys and not (start or stop):
        return None
    return SearchFilter(sources=keys, since=start, until=stop)
