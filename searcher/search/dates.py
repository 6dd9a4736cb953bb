"""Dates as users type them: whole or partial (``2019``, ``2019-11``, ``2019-11-18T23:59``).

A partial date stands for a span of time: ``2019-11`` is the whole of November 2019. A
range or filter starts at the beginning of its start's span and ends at the end of its
end's span (``--until 2019-11`` takes in 30 November, 23:59:59.999999). The same reading
serves query terms and ranges (``published:2019``, ``published:[2019-11-18 TO
2019-11-19T23:59]``), ``--since``/``--until`` and the library's ``since=``/``until=``.
Stored dates are naive UTC: a time with an offset is converted.
"""

from __future__ import annotations

import calendar
import re
from datetime import date, datetime, timedelta, timezone

from ..core.errors import QueryError

#: The ISO 8601 forms, each part optional after the year: ``YYYY[-MM[-DD[(T| )HH[:MM[:SS[.f]]]]]][Z|±HH:MM]``.
_ISO = re.compile(
    r"(?P<year>\d{4})(?:-(?P<month>\d{1,2})(?:-(?P<day>\d{1,2})"
    r"(?:[T ](?P<hour>\d{1,2})(?::(?P<minute>\d{2})(?::(?P<second>\d{2})(?:[.,](?P<fraction>\d{1,6}))?)?)?)?)?)?"
    r"(?P<tz>Z|[+-]\d{2}(?::?\d{2})?)?",
    re.IGNORECASE,
)
#: Whoosh's compact form, still accepted: ``YYYY[MM[DD[hh[mm[ss[uuuuuu]]]]]]`` (also with
#: spaces, dashes or dots between the parts, but not at either end).
_COMPACT_LENGTHS = (4, 6, 8, 10, 12, 14, 20)
_HELP = "use YYYY, YYYY-MM, YYYY-MM-DD or YYYY-MM-DDTHH:MM[:SS] (a time may end in Z or +HH:MM)"


def date_span(text: str) -> tuple[datetime, datetime]:
    """(first, last instant) of the time ``text`` names, naive UTC; QueryError if it names none."""
    value = text.strip()
    match = _ISO.fullmatch(value)
    if match:
        parts = [match.group(name) for name in ("year", "month", "day", "hour", "minute", "second")]
        fraction = match.group("fraction")
        tz = match.group("tz")
    else:
        parts, fraction, tz = _compact(value), None, None
    numbers = [int(p) for p in parts if p is not None]
    try:
        first, last = _span(numbers, fraction)
    except ValueError:
        raise QueryError(f"bad date {text!r}: {_HELP}") from None
    if tz and tz.upper() != "Z":
        sign = -1 if tz[0] == "-" else 1
        digits = tz[1:].replace(":", "")
        offset = timedelta(hours=int(digits[:2]), minutes=int(digits[2:] or 0)) * sign
        try:
            first, last = first - offset, last - offset
        except OverflowError:
            raise _out_of_range(text) from None
    return first, last


def _out_of_range(text: object) -> QueryError:
    return QueryError(f"date {text!r} is out of range: in UTC it falls outside the years 1 to 9999")


def _compact(value: str) -> list[str | None]:
    if not value or value[0] in " -." or value[-1] in " -.":
        raise QueryError(f"bad date {value!r}: {_HELP}")
    digits = value.replace(" ", "").replace("-", "").replace(".", "")
    if not digits.isdigit() or len(digits) not in _COMPACT_LENGTHS:
        raise QueryError(f"bad date {value!r}: {_HELP}")
    cuts = [(0, 4), (4, 6), (6, 8), (8, 10), (10, 12), (12, 14)]
    parts: list[str | None] = [digits[a:b] if len(digits) >= b else None for a, b in cuts]
    if len(digits) == 20:
        parts.append(digits[14:])  # microseconds: the full instant
    return parts


def _span(numbers: list[int], fraction: str | None) -> tuple[datetime, datetime]:
    """The first and last instant of a date given down to some part (ValueError if invalid)."""
    if len(numbers) == 7:  # compact form with microseconds
        instant = datetime(*numbers)
        return instant, instant
    year, month, day, hour, minute, second = (numbers + [None] * 6)[:6]
    if fraction is not None:
        micro = int(fraction.ljust(6, "0"))
        instant = datetime(year, month, day, hour, minute, second, micro)
        return instant, instant
    first = datetime(year, month or 1, day or 1, hour or 0, minute or 0, second or 0)
    if month is None:
        last = datetime(year, 12, 31, 23, 59, 59, 999999)
    elif day is None:
        last = datetime(year, month, calendar.monthrange(year, month)[1], 23, 59, 59, 999999)
    elif hour is None:
        last = first.replace(hour=23, minute=59, second=59, microsecond=999999)
    elif minute is None:
        last = first.replace(minute=59, second=59, microsecond=999999)
    elif second is None:
        last = first.replace(second=59, microsecond=999999)
    else:
        last = first.replace(microsecond=999999)
    return first, last


def to_datetime(value: date | datetime | str | None, *, end: bool = False) -> datetime | None:
    """A since/until value as a naive UTC datetime: the start of the time it names, or with
    ``end`` its last instant (``2019-11`` until: 30 November 23:59:59.999999)."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            try:
                return value.astimezone(timezone.utc).replace(tzinfo=None)
            except (OverflowError, ValueError):
                raise _out_of_range(value.isoformat()) from None
        return value
    if isinstance(value, date):
        value = value.isoformat()
    first, last = date_span(str(value))
    return last if end else first
