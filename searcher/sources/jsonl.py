"""Article records from JSON Lines files: one ``{"id", "title", "text", ...}`` object a line.

``read_jsonl(path)`` yields Documents lazily, so ``ix.add(read_jsonl(path))`` indexes a
file of any size without holding it in memory. A line that is not a usable article (bad
JSON, no id, no text) is skipped with a warning naming the file and line number; the
rest of the file is still read. A line whose date cannot be read is kept without a date,
with a warning naming it too. A line longer than the seeds' size cap (``DEFAULT_MAX_BYTES``,
10 MB) is skipped without being read into memory; text that is not valid Unicode (a lone
surrogate such as ``"\\ud800"``) is repaired (U+FFFD), and an id holding it refused, as is
an id holding a control character (a tab, a line break, U+0000: one no command line can
name, to show or delete it).

Fields read (others are ignored): ``id``; ``title``; ``text`` or ``body``; ``date`` or
``published`` (ISO 8601, or Reuters' ``26-FEB-1987 15:01:01.79``); ``source``; ``url``;
``authors`` (a list, or one string with ``;`` between names) or ``author``; ``language``.
"""

from __future__ import annotations

import json
import os
import re
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from ..core.errors import SourceFileError
from ..core.records import Document
from ..core.textnorm import first_control, has_surrogates, normalize_text
from .seeds import DEFAULT_MAX_BYTES

__all__ = ["BadLine", "JsonlWarning", "parse_date", "read_jsonl", "record_to_document"]


class JsonlWarning(UserWarning):
    """A line of a JSON Lines file was skipped, or kept without a value that could not be read."""


@dataclass(frozen=True, slots=True)
class BadLine:
    """A skipped line: where it is and why."""

    path: str
    line: int
    reason: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.reason}"


_MONTHS = {m: i for i, m in enumerate(
    ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"), start=1)}
# "26-FEB-1987 15:01:01.79" (Reuters-21578); trailing junk after it is ignored, as is a bad time.
_DMY = re.compile(r"\s*(\d{1,2})[- ]([A-Za-z]{3})[a-z]*[- ](\d{4})(?:[ T]+(\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d{1,6}))?)?)?")


def parse_date(value: Any) -> datetime | None:
    """A date from a record: ISO 8601, ``26-FEB-1987 15:01:01.79``, RFC 2822 or a Unix time.

    Returns None when the value is empty or not a date we can read.
    """
    if value is None or value == "" or isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        try:
            return datetime.fromtimestamp(value, tz=timezone.utc)
        except (OverflowError, OSError, ValueError):
            return None
    if not isinstance(value, str):
        return None
    text = value.strip()
    iso = text[:-1] + "+00:00" if text.endswith(("Z", "z")) else text
    try:
        parsed = datetime.fromisoformat(iso)
    except ValueError:
        pass
    else:
        return parsed if _has_utc_time(parsed) else None
    match = _DMY.match(text)
    if match and match.group(2).upper()[:3] in _MONTHS:
        day, mon, year, hh, mm, ss, frac = match.groups()
        try:
            day_start = datetime(int(year), _MONTHS[mon.upper()[:3]], int(day))
        except ValueError:
            return None
        try:
            return day_start.replace(hour=int(hh or 0), minute=int(mm or 0), second=int(ss or 0),
                                     microsecond=int((frac or "0").ljust(6, "0")))
        except ValueError:  # "31-MAR-1987 605:12:19.12": keep the day
            return day_start
    try:
        from email.utils import parsedate_to_datetime

        parsed = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    return parsed if _has_utc_time(parsed) else None


def _has_utc_time(value: datetime) -> bool:
    """False for an aware datetime whose UTC time is out of range (``9999-12-31T23:00:00-05:00``)."""
    if value.tzinfo is None:
        return True
    try:
        value.astimezone(timezone.utc)
    except (OverflowError, ValueError):
        return False
    return True


def _text(record: dict[str, Any], *keys: str) -> str:
    for key in keys:
        value = record.get(key)
        if isinstance(value, str) and value.strip():
            return normalize_text(value).strip()
    return ""


def _authors(record: dict[str, Any]) -> list[str]:
    value = record.get("authors", record.get("author"))
    if isinstance(value, str):
        value = value.split(";")
    if not isinstance(value, list):
        return []
    return [normalize_text(a).strip() for a in value if isinstance(a, str) and a.strip()]


def record_to_document(record: Any) -> Document:
    """One JSON object -> Document; ValueError with the reason if it is not an article."""
    return _record_to_document(record)[0]


def _record_to_document(record: Any) -> tuple[Document, list[str]]:
    """The Document, and what of the record was dropped (a date that is not a date)."""
    if not isinstance(record, dict):
        raise ValueError(f"not a JSON object but {_json_kind(record)}")
    doc_id = _doc_id(record)
    title = _text(record, "title", "headline")
    body = _text(record, "text", "body")
    if not (title or body):
        raise ValueError('no "title" or "text"')
    published = None
    notes = []
    for key in ("published", "date"):
        if record.get(key):
            published = parse_date(record[key])
            if published is None:
                notes.append(f"{key} {json.dumps(record[key], ensure_ascii=False)[:80]} is not a date we can read: "
                             "kept without a date")
            break
    doc = Document(
        doc_id=doc_id.strip(),
        title=title,
        body=body,
        source=_text(record, "source") or None,
        published=published,
        authors=_authors(record),
        url=_text(record, "url") or None,
        language=_text(record, "language", "lang") or None,
    )
    return doc, notes


def _doc_id(record: dict[str, Any]) -> str:
    """The record's id (``id``, else ``doc_id``): a string, or a whole number as one; ValueError
    saying what is wrong with it otherwise."""
    key = "id" if "id" in record else "doc_id" if "doc_id" in record else None
    if key is None:
        raise ValueError('no "id"')
    value = record[key]
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    if not isinstance(value, str):
        raise ValueError(f'"{key}" is {_json_kind(value)}, not a string or a whole number')
    if not value.strip():
        raise ValueError(f'"{key}" is empty')
    if has_surrogates(value):
        raise ValueError(f'"{key}" is not valid Unicode (a lone surrogate)')
    control = first_control(value)
    if control is not None:
        raise ValueError(f'"{key}" holds a control character (U+{ord(control):04X}), which no command line '
                         "can name: give ids of printable characters")
    return value


def _json_kind(value: object) -> str:
    """What a JSON value is, in words: ``the number inf``, ``a list``, ``null``."""
    if value is None or isinstance(value, bool):
        return json.dumps(value)
    if isinstance(value, (int, float)):
        return f"the number {value!r}"
    return {"list": "a list", "dict": "an object", "str": "a string"}.get(type(value).__name__, type(value).__name__)


def read_jsonl(path: str | os.PathLike[str], *, skipped: list[BadLine] | None = None,
               noted: list[BadLine] | None = None, max_bytes: int | None = DEFAULT_MAX_BYTES) -> Iterator[Document]:
    """Yield one Document per good line of a JSON Lines file, lazily.

    A line longer than ``max_bytes`` (default: the seeds' cap, 10 MB; None for no cap) is
    skipped, and never held in memory whole.

    A bad line is appended to ``skipped`` when a list is given, a line kept without a value
    it had (a date that is not one) to ``noted``; without the list, each is reported with
    ``warnings.warn`` (category :class:`JsonlWarning`). Blank lines are ignored.
    :raises SourceFileError: the file cannot be opened (at once) or read (while iterating).
    """
    name = os.fspath(path)
    try:
        with open(name, "rb"):  # fail here, not at the first next(): the caller is still at hand
            pass
    except OSError as exc:
        raise _unreadable(name, exc) from None
    return _read_lines(name, skipped, noted, max_bytes)


def _unreadable(name: str, exc: OSError) -> SourceFileError:
    return SourceFileError(f"cannot read {name}: {exc.strerror or exc}")


def _report(bad: BadLine, into: list[BadLine] | None, verb: str) -> None:
    if into is not None:
        into.append(bad)
    else:
        warnings.warn(f"{verb}{bad}", JsonlWarning, stacklevel=4)


def _read_lines(name: str, skipped: list[BadLine] | None, noted: list[BadLine] | None,
                max_bytes: int | None) -> Iterator[Document]:
    try:
        yield from _documents(name, skipped, noted, max_bytes)
    except OSError as exc:
        raise _unreadable(name, exc) from None


def _lines(handle: Any, max_bytes: int | None) -> Iterator[bytes | int]:
    """Each line of ``handle``, or for a line over ``max_bytes`` its length (read in pieces, not kept)."""
    while True:
        raw = handle.readline() if max_bytes is None else handle.readline(max_bytes + 1)
        if not raw:
            return
        if max_bytes is None or len(raw) <= max_bytes or raw.endswith(b"\n"):  # at most max_bytes before the \n
            yield raw
            continue
        size = len(raw)
        while not raw.endswith(b"\n"):
            raw = handle.readline(1 << 16)
            if not raw:
                break
            size += len(raw)
        yield size


def _documents(name: str, skipped: list[BadLine] | None, noted: list[BadLine] | None,
               max_bytes: int | None) -> Iterator[Document]:
    decoder = json.JSONDecoder()
    with open(name, "rb") as handle:
        for number, raw in enumerate(_lines(handle, max_bytes), start=1):
            if isinstance(raw, int):
                _report(BadLine(name, number, f"{raw / 1e6:.1f} MB is over the {(max_bytes or 0) / 1e6:.1f} MB "
                                              "record size cap"), skipped, "skipped ")
                continue
            try:
                line = raw.decode("utf-8-sig" if number == 1 else "utf-8")
                if not line.strip():
                    continue
                doc, notes = _record_to_document(decoder.decode(line))
            except UnicodeDecodeError as exc:
                reason = f"not UTF-8 ({exc.reason} at byte {exc.start})"
            except json.JSONDecodeError as exc:
                reason = f"bad JSON ({exc.msg} at column {exc.colno})"
            except RecursionError:
                reason = "bad JSON (nested too deeply)"
            except (ValueError, TypeError, OverflowError) as exc:
                reason = str(exc)
            else:
                for note in notes:
                    _report(BadLine(name, number, note), noted, "")
                yield doc
                continue
            _report(BadLine(name, number, reason), skipped, "skipped ")
