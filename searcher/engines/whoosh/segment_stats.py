"""What ``stats()`` reports of one segment (documents, sources, date range), written beside
it at commit.

Stats read the date and source columns (columns.py): cheap once loaded, but a new process
paid for importing numpy and reading every segment's columns first (229 ms at 107,885
articles, issue 21's target is 50 ms). A segment's documents never change, so what stats
need of them is written once when the writer commits (:func:`write_missing`, beside the
spelling files) and a reader adds the segments' files up. A segment with deletions, or one
without a file (an index written before, a failed write), sends stats back to the columns:
a deleted document's date may be the segment's newest.

File ``<segment id>.stats`` (a name Whoosh's own clean-up removes with the segment): JSON
``{"documents": n, "oldest": µs, "newest": µs, "sources": [[name, count, first docnum], ...]}``
with dates as microseconds since ``datetime.min`` (the date column's unit) or null.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from .internals import segment_key
from .segment_cache import SegmentCache

logger = logging.getLogger(__name__)

SUFFIX = ".stats"
#: Segments whose files are kept in memory (a few names and numbers each).
_KEPT = 256
_CACHE: "SegmentCache[SegmentStats | None]" = SegmentCache(_KEPT)


@dataclass(frozen=True, slots=True)
class SegmentStats:
    """One segment's counts, its documents numbered from 0."""

    documents: int
    oldest: int | None
    newest: int | None
    #: (source as written, documents, first docnum) for each source name with documents
    sources: tuple[tuple[str, int, int], ...]


@dataclass(frozen=True, slots=True)
class Totals:
    """What stats() reports, added up over segments: sources keyed as the columns key them."""

    sources: dict[str, int]
    oldest: datetime | None
    newest: datetime | None


def from_micros(micros: int) -> datetime:
    """A date of the date column (microseconds since datetime.min) as a datetime."""
    return datetime.min + timedelta(microseconds=micros)


def shown_sources(named: list[tuple[str, int, int]]) -> dict[str, int]:
    """Documents per source from (name as written, count, first docnum) triples: names that
    differ only in case and spaces count as one, shown as the first document writes it."""
    by_key: dict[str, tuple[int, str, int]] = {}
    for name, count, at in named:
        key = name.strip().lower()
        if not count or not key:
            continue
        seen = by_key.get(key)
        if seen is None:
            by_key[key] = (at, name, count)
        else:
            by_key[key] = (min(seen[0], at), seen[1] if seen[0] <= at else name, seen[2] + count)
    shown: dict[str, int] = {}
    for _at, name, count in by_key.values():
        shown[name] = shown.get(name, 0) + count
    return shown


def totals(searcher: Any) -> Totals | None:
    """The stats of every segment of ``searcher`` from their files, or None when one has
    deletions or no file (then the columns answer)."""
    named: dict[str, tuple[int, int]] = {}  # name -> (count, first global docnum)
    oldest: int | None = None
    newest: int | None = None
    for leaf, offset in searcher.reader().leaf_readers():
        if leaf.has_deletions():
            return None
        found = _read(leaf)
        if found is None or found.documents != leaf.doc_count_all():
            return None
        for name, count, first in found.sources:
            had = named.get(name)
            named[name] = (count, offset + first) if had is None else (had[0] + count, min(had[1], offset + first))
        if found.oldest is not None:
            oldest = found.oldest if oldest is None else min(oldest, found.oldest)
        if found.newest is not None:
            newest = found.newest if newest is None else max(newest, found.newest)
    return Totals(shown_sources([(name, count, at) for name, (count, at) in named.items()]),
                  None if oldest is None else from_micros(oldest), None if newest is None else from_micros(newest))


def _read(leaf: Any) -> SegmentStats | None:
    key = segment_key(leaf)
    if key is None:
        return None
    return _CACHE.get(key, lambda: _read_file(os.path.join(key[0], leaf.segment().make_filename(SUFFIX))))


def _read_file(path: str) -> SegmentStats | None:
    found = None
    if os.path.isfile(path):
        try:
            with open(path, encoding="utf-8") as handle:
                data = json.load(handle)
            found = SegmentStats(int(data["documents"]), data["oldest"], data["newest"],
                                 tuple((str(n), int(c), int(f)) for n, c, f in data["sources"]))
        except (OSError, ValueError, KeyError, TypeError) as exc:  # damaged: the columns answer
            logger.debug("stats file %s not used: %s", path, exc)
    return found


def encode(columns: Any) -> bytes:
    """The file's bytes for one segment, from its columns (``columns.segment_columns``;
    deleted documents included: a reader uses the file only while the segment has none)."""
    dated = [int(v) for v in (columns.published.min(initial=2**62, where=columns.published >= 0),
                              columns.published.max(initial=-1))]
    sources = []
    for number, name in enumerate(columns.source_values):
        docs = (columns.source_refs == number).nonzero()[0]
        if len(docs):
            sources.append([name, int(len(docs)), int(docs[0])])
    data = {"documents": int(len(columns.published)), "oldest": dated[0] if dated[1] >= 0 else None,
            "newest": dated[1] if dated[1] >= 0 else None, "sources": sources}
    return json.dumps(data, ensure_ascii=False).encode("utf-8")


def write_missing(ix: Any, columns_of: Callable[[Any], Any]) -> int:
    """Write the stats file of every segment of ``ix``'s latest commit that has none, from
    its columns (``columns_of(leaf)``: passed in, so that reading stats never imports the
    columns' numpy); the writer calls this after each commit, lock held. Returns how many it
    wrote. A failure (a full disk) is logged: stats read the columns meanwhile."""
    from ...core.files import atomic_write_bytes

    folder = getattr(ix.storage, "folder", None)
    if not isinstance(folder, str):
        return 0
    written = 0
    with ix.reader() as reader:
        for leaf, _offset in reader.leaf_readers():
            path = os.path.join(folder, leaf.segment().make_filename(SUFFIX))
            if os.path.exists(path):
                continue
            try:
                atomic_write_bytes(path, encode(columns_of(leaf)), durable=False)
                written += 1
            except OSError as exc:
                logger.warning("could not write %s (%s): stats read the columns instead", path, exc)
    return written
