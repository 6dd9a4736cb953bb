"""Every read of Whoosh's internals, in one place, each checked against Whoosh's own result.

The word path reads postings, document frequencies and field lengths many times a
query; Whoosh's public calls for them cost a seek, a read or a method call per item.
These readers use the same files and objects directly. Each relies on a layout that
Whoosh 2.7 and whoosh3 share (named in its docstring), falls back to the public call
when the layout is not there, and has a test that compares it with Whoosh's own answer
byte for byte (tests/engines/test_internals.py): run those after any Whoosh upgrade.

* :class:`TermIndex`: document frequencies and postings from a segment's term hash
  file (``filetables.HashReader``), probed in a memory map;
* :func:`leaf_lengths`: a segment's field-length column read in one go;
* :func:`is_block_matcher`, :func:`remaining_blocks`, :func:`block_postings`,
  :func:`block_ids_weights`: posting blocks read a block at a time, ids and weights
  unpickled without the positions.
"""

from __future__ import annotations

import io
import mmap
import re
import struct
import zlib
from array import array
from collections.abc import Iterator
from itertools import accumulate, repeat
from typing import Any

from whoosh.reading import TermNotFound

from .unpickling import loads


class TermIndex:
    """Document frequencies from one segment's term dictionary, probed in memory.

    Whoosh keeps the dictionary in a hash file and reads every probe with a seek and a
    read: ~20 us a look-up, and feedback looks up ~20 new words a query in each field
    and segment. This probes the same tables (the same hash, slots and key layout as
    whoosh.filedb.filetables.HashReader.ranges_for_key) in a read-only mmap of the file
    and reads the document frequency where W3TermInfo.read_doc_freq does. Built only
    for a plain file (not a compound segment); ``doc_frequency`` equals the reader's
    (tested).
    """

    _POINTER = struct.Struct("!Iq")  # filetables._pointer: key hash, item position
    _LENGTHS = struct.Struct("!ii")  # filetables._lengths: key length, value length
    _DOC_FREQ = struct.Struct("!I")  # W3TermInfo: flags (1 byte), weight (float), doc freq

    def __init__(self, leaf: Any) -> None:
        terms = leaf._terms
        index = terms._tindex
        handle = index.dbfile.file
        if type(handle) is not io.BufferedReader or not hasattr(terms, "_keycoder"):
            raise TypeError("not a plain hash file")
        self._buf = mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ)
        self._tables = index.tables
        self._hash = index.hashfn
        self._keycoder = terms._keycoder
        self._schema = leaf.schema
        self._terms = terms
        from whoosh.codec.whoosh3 import W3TermInfo

        self._terminfo_class = W3TermInfo
        # Postings come from here only for a segment without deletions (Whoosh wraps those).
        self.plain = not leaf.has_deletions()

    def _find(self, fieldname: str, key: bytes) -> int:
        """Where ``key``'s term info starts in the file, or 0."""
        keyhash = self._hash(key)
        tablestart, numslots = self._tables[keyhash & 255]
        if not numslots:
            return 0
        buf = self._buf
        unpack_pointer = self._POINTER.unpack_from
        end = tablestart + numslots * 12
        slotpos = tablestart + ((keyhash >> 8) % numslots) * 12
        for _ in range(numslots):
            slothash, itempos = unpack_pointer(buf, slotpos)
            if not itempos:
                return 0
            if slothash == keyhash:
                keylen, _datalen = self._LENGTHS.unpack_from(buf, itempos)
                keystart = itempos + 8
                if keylen == len(key) and buf[keystart:keystart + keylen] == key:
                    return keystart + keylen
            slotpos += 12
            if slotpos == end:
                slotpos = tablestart
        return 0

    def doc_frequency(self, fieldname: str, text: str) -> int:
        if fieldname not in self._schema:
            return 0
        datapos = self._find(fieldname, self._keycoder(fieldname, self._schema[fieldname].to_bytes(text)))
        return self._DOC_FREQ.unpack_from(self._buf, datapos + 5)[0] if datapos else 0

    def postings(self, fieldname: str, text: str) -> Any:
        """``leaf.postings(fieldname, text)`` (TermNotFound if absent) for a segment without deletions."""
        if fieldname not in self._schema:
            raise TermNotFound(fieldname)
        tbytes = self._schema[fieldname].to_bytes(text)
        key = self._keycoder(fieldname, tbytes)
        datapos = self._find(fieldname, key)
        if not datapos:
            raise TermNotFound(text)
        datalen = self._LENGTHS.unpack_from(self._buf, datapos - len(key) - 8)[1]
        terminfo = self._terminfo_class.from_bytes(self._buf[datapos:datapos + datalen])
        return self._terms._codec.postings_reader(self._terms._postfile, terminfo, self._schema[fieldname].format,
                                                  term=(fieldname, tbytes), scorer=None)


def term_index(leaf: Any) -> Any:
    """``leaf``'s term dictionary for ``doc_frequency`` and ``postings``: a :class:`TermIndex`
    on a plain hash file, else the segment reader itself (the public calls)."""
    try:
        return TermIndex(leaf)
    except Exception:  # not Whoosh's hash file on a plain file: the public call
        return leaf


def leaf_lengths(leaf: Any, fieldname: str) -> list[int]:
    """Every document's length in ``fieldname`` in one segment.

    A cold query needs them all (the average and the per-document BM25 norms): asked one
    document at a time Whoosh takes ~10 us each (and re-checks the disk for every document
    when a segment has no such field), which made a one-shot CLI search on 21k articles
    spend 0.6 s here. Reading the segment's length column in one go takes ~1 us each; it
    uses codec internals shared by Whoosh 2.7 and whoosh3, with the public call as fallback.
    """
    count = leaf.doc_count_all()
    if not leaf.field_length(fieldname):
        return [0] * count
    try:
        from whoosh.codec.whoosh3 import LENGTHS_COLUMN, _lenfield
        from whoosh.util.numeric import byte_to_length

        column = leaf._perdoc._cached_reader(_lenfield(fieldname), LENGTHS_COLUMN)
        if column is not None:
            if getattr(column, "_fixedlen", None) == 1:  # one byte a document: read them at once
                stored = min(column._count, count)
                raw = list(column._dbfile.get(column._basepos, stored)) + [0] * (count - stored)
            else:
                raw = list(column)
            table = [byte_to_length(b) for b in range(256)]
            lengths = [table[b] for b in raw]
            if len(lengths) == count:
                return lengths
    except (ImportError, AttributeError, TypeError, ValueError):
        pass
    return [leaf.doc_field_length(n, fieldname, 0) or 0 for n in range(count)]


_BLOCK_MATCHERS: dict[type, bool] = {}


def is_block_matcher(m: Any) -> bool:
    """Whoosh's block matcher (2.7 and whoosh3 alike), whose blocks can be read whole."""
    kind = type(m)
    found = _BLOCK_MATCHERS.get(kind)
    if found is None:
        found = all(hasattr(m, a) for a in ("_read_ids", "_read_weights", "_next_block", "_ids", "_weights", "_i"))
        _BLOCK_MATCHERS[kind] = found
    return found


# A posting block is the pickle (protocol 2) of (delta-coded ids, weights, values), the
# values being each posting's positions. The ids and weights come first: this matches
# their opcodes (ints K/M/J, floats G, None N, a tuple with a mark or TUPLE1-3, memo puts),
# so they can be unpickled without the positions, most of a block and of its cost.
_INTS = rb"(?:K.|M..|J....)"
_FLOAT = rb"(?:G.{8})"
_MEMO = rb"(?:q.|r....)?"
_BLOCK_HEAD = re.compile(
    rb"\x80\x02(?:\(" + _INTS + rb"*t|" + _INTS + rb"{1,3}[\x85-\x87])" + _MEMO
    + rb"(?:\(" + _FLOAT + rb"*t|" + _FLOAT + rb"{1,3}[\x85-\x87]|N|" + _FLOAT + rb")" + _MEMO,
    re.S,
)


def _head_end(raw: bytes, count: int) -> int:
    """Where a block's ids and weights end in its pickle (0: not found).

    A full block's ids are a marked tuple memoised first ("t" + BINPUT 0): those three
    bytes cannot occur inside the id opcodes of an index under 7 million documents (an
    argument byte is followed by an opcode, never "q"), so a find locates the end; the
    weights are then None, one float, or ``count`` floats of 9 bytes. Anything else (a
    short block's TUPLE1-3) goes through the regular expression.
    """
    at = raw.find(b"tq\x00", 2) + 3
    if at > 2 and raw[2:3] == b"(":
        kind = raw[at:at + 1]
        if kind == b"N":
            end = at + 1
        elif kind == b"G":
            end = at + 9
        elif kind == b"(":
            end = at + 1 + 9 * count
            if raw[end:end + 1] != b"t":
                end = 0
            else:
                end += 1
        else:
            end = 0
        if end:
            # The weights' memo put, when there is one.
            tag = raw[end:end + 1]
            return end + 2 if tag == b"q" else end + 5 if tag == b"r" else end
    head = _BLOCK_HEAD.match(raw)
    return head.end() if head is not None else 0


def block_ids_weights(m: Any, offset: int = 0) -> tuple[Any, Any]:
    """The current block's (docnums + ``offset``, weights) without decoding its positions.

    The same values as the matcher's own ``_read_ids``/``_read_weights`` (which unpickle
    the whole block); anything unexpected falls back to those. Relies on the block
    matcher of ``whoosh.codec.whoosh3`` (W3LeafMatcher, also Whoosh 2.7's): the block's
    bytes are ``_postfile[_dataoffset:_nextoffset]``, zlib-compressed when
    ``_compression``, ``_blocklength`` postings, not yet decoded while ``_data`` is None.
    """
    if m._data is None and not m._byteids:
        count = m._blocklength
        raw = m._postfile.get(m._dataoffset, m._nextoffset - m._dataoffset)
        if m._compression:
            # The head is at most 5 bytes an id and 9 a weight (+ marks): inflate only that.
            raw = zlib.decompressobj().decompress(raw, 14 * count + 32)
        end = _head_end(raw, count)
        try:
            deltas, weights = loads(raw[:end] + b"\x86.") if end else ((), None)
        except Exception:  # not the layout expected: let Whoosh decode the block
            deltas, weights = (), None
        if isinstance(deltas, tuple) and len(deltas) == count:
            if weights is None:
                weights = array("f", repeat(1.0, count))
            elif isinstance(weights, float):
                weights = array("f", repeat(weights, count))
            if isinstance(weights, (tuple, array)) and len(weights) == count:
                ids = list(accumulate(deltas, initial=offset))
                del ids[0]
                return ids, weights
    if m._ids is None:
        m._read_ids()
    if m._weights is None:
        m._read_weights()
    return ([d + offset for d in m._ids] if offset else m._ids), m._weights


def remaining_blocks(m: Any, offset: int = 0) -> Iterator[tuple[Any, Any]]:
    """(docnums + ``offset``, weights) of a block matcher's postings, a block at a time,
    from its current posting to its end (read by :func:`block_ids_weights`)."""
    while m.is_active():
        ids, weights = block_ids_weights(m, offset)
        i = m._i
        if i:
            ids, weights = ids[i:], weights[i:]
        yield ids, weights
        m._next_block()


def block_postings(m: Any, offset: int = 0) -> Iterator[tuple[int, float]]:
    """(docnum + ``offset``, weight) of a block matcher's postings from its current one,
    decoded by Whoosh's own ``_read_ids``/``_read_weights`` a block at a time instead of
    three method calls per posting."""
    while m.is_active():
        if m._ids is None:
            m._read_ids()
        if m._weights is None:
            m._read_weights()
        ids, weights = m._ids, m._weights
        for i in range(m._i, len(ids)):
            yield offset + ids[i], weights[i]
        m._next_block()
