"""The deletion index of near_terms.py kept on disk, one file per segment, written at commit.

Did-you-mean and fuzzy words find their candidates in a deletion index of a field's
vocabulary (near_terms.py). Built in memory it cost every new process about a second of
CPU at 21,577 articles (the first misspelled query took 4.7 s on a busy machine). A
segment's terms never change, so its index is written once, beside the segment, when the
writer commits (:func:`write_missing`), and a reader maps the file (:class:`SegmentSpelling`):
opening costs nothing, and a look-up is a binary search per deletion of the word.

File ``<segment id>.spell`` (a name Whoosh's own clean-up removes with the segment)::

    b"SRCHSPL1", then little-endian uint64: term count, key count, blob length
    uint32 offsets[term count + 1]   where each term's UTF-8 bytes start in the blob
    the blob, padded with zeros to a multiple of 8 bytes
    uint32 keys[key count]           crc32 of each deletion's UTF-8 bytes, sorted
    uint32 ids[key count]            the term each key came from

A crc32 may be shared by other strings: every candidate is checked with the exact edit
distance afterwards, so a collision only adds a candidate to reject.
"""

from __future__ import annotations

import logging
import mmap
import os
import zlib
from typing import Any

import numpy as np

from .internals import segment_key
from .segment_cache import SegmentCache
from .deletions import DEPTH, deletions
from ...core.files import atomic_write_bytes

logger = logging.getLogger(__name__)

#: The fields whose deletion index is written at commit: did-you-mean reads the body's.
SPELLED_FIELDS = ("body",)
SUFFIX = ".spell"
_MAGIC = b"SRCHSPL1"
_HEADER = 8 + 3 * 8


def _file_name(segment: Any, fieldname: str) -> str:
    name = segment.make_filename(SUFFIX)
    return name if fieldname == "body" else f"{name[:-len(SUFFIX)]}.{fieldname}{SUFFIX}"


def encode(terms: list[str]) -> bytes:
    """The file's bytes for a field's sorted vocabulary ``terms``."""
    encoded = [t.encode("utf-8") for t in terms]
    offsets = np.zeros(len(encoded) + 1, dtype="<u4")
    if encoded:
        offsets[1:] = np.cumsum([len(b) for b in encoded])
    blob = b"".join(encoded)
    blob += bytes(-len(blob) % 8)
    keys: list[int] = []
    ids: list[int] = []
    crc = zlib.crc32
    for number, term in enumerate(terms):
        made = [crc(d.encode("utf-8")) for d in deletions(term, DEPTH)]
        keys.extend(made)
        ids.extend([number] * len(made))
    key_array = np.asarray(keys, dtype="<u4")
    id_array = np.asarray(ids, dtype="<u4")
    order = np.argsort(key_array, kind="stable")
    head = _MAGIC + np.array([len(terms), len(keys), len(blob)], dtype="<u8").tobytes()
    offsets_bytes = offsets.tobytes() + bytes(-offsets.nbytes % 8)
    return head + offsets_bytes + blob + key_array[order].tobytes() + id_array[order].tobytes()


class SegmentSpelling:
    """One segment's deletion index for one field, read from its mapped file."""

    def __init__(self, path: str) -> None:
        with open(path, "rb") as handle:
            self._map = mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ)
        buf = self._map
        if buf[:8] != _MAGIC:
            raise ValueError(f"{path}: not a spelling file")
        nterms, nkeys, blob_len = (int(x) for x in np.frombuffer(buf, dtype="<u8", count=3, offset=8))
        at = _HEADER
        self._offsets = np.frombuffer(buf, dtype="<u4", count=nterms + 1, offset=at)
        at += 4 * (nterms + 1)
        at += -at % 8
        self._blob_at = at
        at += blob_len
        self._keys = np.frombuffer(buf, dtype="<u4", count=nkeys, offset=at)
        self._ids = np.frombuffer(buf, dtype="<u4", count=nkeys, offset=at + 4 * nkeys)
        if at + 8 * nkeys != len(buf):
            raise ValueError(f"{path}: truncated spelling file")
        self.longest = int(np.max(np.diff(self._offsets))) if nterms else 0

    def term(self, number: int) -> str:
        start, end = int(self._offsets[number]), int(self._offsets[number + 1])
        return self._map[self._blob_at + start:self._blob_at + end].decode("utf-8")

    def candidates(self, word: str, maxdist: int) -> set[str]:
        """The terms sharing a deletion (up to ``maxdist`` letters of ``word``, DEPTH of the
        term) with ``word``: a superset of those within ``maxdist`` edits."""
        keys = np.array(sorted({zlib.crc32(d.encode("utf-8")) for d in deletions(word, maxdist)}), dtype="<u4")
        left = np.searchsorted(self._keys, keys, side="left")
        right = np.searchsorted(self._keys, keys, side="right")
        numbers: set[int] = set()
        for lo, hi in zip(left.tolist(), right.tolist()):
            if hi > lo:
                numbers.update(self._ids[lo:hi].tolist())
        return {self.term(n) for n in numbers}


#: Mapped files kept open, by (index folder, segment id, field).
OPEN_FILES: "SegmentCache[SegmentSpelling | None]" = SegmentCache(256)


def segment_spelling(leaf: Any, fieldname: str) -> SegmentSpelling | None:
    """The segment's written deletion index for ``fieldname``, or None when it has none."""
    key = segment_key(leaf)
    if key is None or fieldname not in SPELLED_FIELDS:
        return None
    path = os.path.join(key[0], _file_name(leaf.segment(), fieldname))
    return OPEN_FILES.get((*key, fieldname), lambda: _open_file(path))


def _open_file(path: str) -> SegmentSpelling | None:
    found = None
    if os.path.isfile(path):
        try:
            found = SegmentSpelling(path)
        except (OSError, ValueError) as exc:  # damaged: the reader builds it in memory instead
            logger.debug("spelling file %s not used: %s", path, exc)
    return found


def write_missing(ix: Any) -> int:
    """Write the spelling file of every segment of ``ix``'s latest commit that has none
    (the writer calls this after each commit, lock held); returns how many it wrote.

    A failure to write one (a full disk) is logged and left for the next commit: readers
    build what a file would hold in memory meanwhile.
    """
    storage = ix.storage
    folder = getattr(storage, "folder", None)
    if not isinstance(folder, str):
        return 0
    written = 0
    with ix.reader() as reader:
        leaves = reader.leaf_readers()
        for leaf, _offset in leaves:
            segment = leaf.segment()
            for fieldname in SPELLED_FIELDS:
                name = _file_name(segment, fieldname)
                path = os.path.join(folder, name)
                if os.path.exists(path) or fieldname not in leaf.schema:
                    continue
                terms = [t.decode("utf-8") if isinstance(t, bytes) else t for t in leaf.lexicon(fieldname)]
                try:
                    atomic_write_bytes(path, encode(terms), durable=False)
                    written += 1
                except OSError as exc:
                    logger.warning("could not write %s (%s): did-you-mean builds it in memory", path, exc)
    return written
