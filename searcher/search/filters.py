"""--source / --since / --until as engine-neutral data: which documents a search may return."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timezone

from ..core.errors import QueryError


@dataclass(frozen=True)
class SearchFilter:
    """Documents from ``source`` (its lower-cased key) published between ``since`` and
    ``until`` (inclusive; naive UTC); None means no limit on that side."""

    source: str | None = None
    since: datetime | None = None
    until: datetime | None = None


def to_datetime(value: date | datetime | str | None, *, end: bool = False) -> datetime | None:
    """A --since/--until value as a naive UTC datetime; a date string means the whole day."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value
    if isinstance(value, date):
        value = value.isoformat()
    try:
        parsed = datetime.fromisoformat(str(value).strip())
    except ValueError:
        raise QueryError(f"bad date {value!r}: use YYYY-MM-DD (or a full ISO 8601 time)") from None
    if end and len(str(value).strip()) <= 10:
        parsed = parsed.replace(hour=23, minute=59, second=59, microsecond=999999)
    if parsed.tzinfo is not None:
        parsed = parsed.astimezone(timezone.utc).replace(tzinfo=None)  # stored dates are naive UTC
    return parsed


def make_filter(source: str | None, since: date | datetime | str | None,
                until: date | datetime | str | None) -> SearchFilter | None:
    """The filter for --source/--since/--until, or None when there is none; QueryError for bad dates."""
    key = source.strip().lower() if source else None
    start, stop = to_datetime(since), to_datetime(until, end=True)
    if start and stop and start > stop:
        raise QueryError("--since is after --until: nothing can match")
    if key is None and not (start or stop):
        return None
    return SearchFilter(source=key, since=start, until=stop)
