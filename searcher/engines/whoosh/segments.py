"""A fast writer of Whoosh segments: the files Whoosh's SegmentWriter writes, for less CPU.

Whoosh's writer analyses text through a chain of Token objects, pickles each posting's
positions, buffers every posting as a tuple in a pool it then sorts, and looks up each
posting's field length in the lengths column it has just written. ``SegmentBuilder``
writes the same postings, stored fields, lengths and columns through the same codec
objects, but:

* analyses our own text fields (``schema.text_analyzer`` and ``schema.name_analyzer``)
  with one regular expression pass and a dict look-up per word (the schema's own
  TermFilter decides stop words and stems; positions are renumbered over stop words as
  it does); ID and DATETIME terms are made as ``field.index`` makes them (checked on a
  sample date), any other indexed field goes through ``field.index`` itself;
* keeps postings per (field, term) in arrays, with single-position values shared, and
  appends them in C (``map``), not a Python loop per posting;
* writes each term's blocks and term info in one go (``_TermWriter``), lengths already
  known; before first use, its output is compared with the codec's postings writer on
  sample terms, and the codec's writer is used instead if they differ.

Tests build the same documents with Whoosh's writer and compare the segment files byte
for byte, on whoosh3 and Whoosh 2.7.4. A schema with a field this module cannot write
exactly (term vectors, separate spelling) is refused by :func:`supported`, and the
caller uses Whoosh's writer instead.
"""

from __future__ import annotations

import random
import struct
import threading
import zlib
from array import array
from collections import deque
from collections.abc import Iterator
from operator import methodcaller
from pickle import dumps
from typing import Any

from whoosh import formats
from whoosh.analysis import CharsetFilter, IDTokenizer, LowercaseFilter, RegexTokenizer
from whoosh.codec import default_codec
from whoosh.fields import DATETIME, ID, TEXT
from whoosh.support.charset import accent_map
from whoosh.system import pack_uint
from whoosh.util.numeric import byte_to_length, length_to_byte, to_sortable

from .schema import TOKEN_PATTERN, TOKEN_RE, TermFilter

__all__ = ["SegmentBuilder", "reset_after_fork", "supported"]

_BYTE_LENGTH = [0] + [byte_to_length(b) for b in range(1, 256)]
_LENGTH_BYTE: dict[int | None, int] = {None: 0}

_STORED, _TEXT, _NAME, _GENERIC, _ID, _DATETIME = range(6)
_CACHE_LIMIT = 300_000
#: Postings with the same single position share one value object, which the codec's block
#: pickle then writes once per block (a memo reference for the others): the same values
#: when read, a smaller postings file. Tests turn it off to compare files with Whoosh's.
SHARE_VALUES = True


def _length_byte(length: int | None) -> int:
    found = _LENGTH_BYTE.get(length)
    if found is None:
        found = _LENGTH_BYTE[length] = length_to_byte(length)
    return found


def _regex_tokenizer(item: object) -> bool:
    return (type(item) is RegexTokenizer and not item.gaps  # type: ignore[attr-defined]
            and item.expression.pattern == TOKEN_PATTERN)  # type: ignore[attr-defined]


def _kind(field: Any) -> int | None:
    """How a field is written: _STORED, _TEXT, _NAME, _GENERIC, or None if not supported."""
    if not field.indexed:
        return _STORED
    if field.vector or field.separate_spelling():
        return None
    if (type(field) is TEXT and type(field.format) is formats.Positions and field.format.field_boost == 1.0
            and field.scorable):
        items = getattr(field.analyzer, "items", ())
        if len(items) == 2 and _regex_tokenizer(items[0]) and type(items[1]) is TermFilter:
            return _TEXT
        if (len(items) == 3 and _regex_tokenizer(items[0]) and type(items[1]) is LowercaseFilter
                and type(items[2]) is CharsetFilter and items[2].charmap == accent_map):
            return _NAME
    if (type(field) is ID and type(field.analyzer) is IDTokenizer and type(field.format) is formats.Existence
            and field.format.field_boost == 1.0 and not field.scorable):
        return _ID
    if type(field) is DATETIME and field.shift_step and not field.scorable and _datetime_terms_match(field):
        return _DATETIME
    return _GENERIC


def _datetime_terms(field: Any, value: Any) -> list[bytes]:
    """``field.index(value)``'s terms for a DATETIME field, converting the date once, not per term."""
    number = to_sortable(field.numtype, field.bits, field.signed, field.prepare_number(field.prepare_datetime(value)))
    to_bytes = field.sortable_to_bytes
    return [to_bytes(number, shift) for shift in range(0, field.bits, field.shift_step)]


def _datetime_terms_match(field: Any) -> bool:
    from datetime import datetime

    sample = datetime(1987, 2, 26, 15, 1, 1, 790000)
    try:
        return list(field.index(sample)) == [(t, 1, 1.0, b"") for t in _datetime_terms(field, sample)]
    except Exception:  # a Whoosh whose DATETIME works otherwise: use field.index
        return False


def supported(schema: Any) -> bool:
    """True when every field of ``schema`` can be written by a SegmentBuilder."""
    return all(_kind(field) is not None for _, field in schema.items())


class _Analysis:
    """Per-process caches: raw token -> term (None for a stop word), and single positions.

    Safe for builders in several threads: a full cache is replaced, never cleared under a
    reader, and the position list only grows, under a lock.
    """

    def __init__(self) -> None:
        # (stop words, stemmer) of a TermFilter -> {raw token: stem, or None for a stop word}
        self.text: dict[tuple, dict[str, str | None]] = {}
        self.names: dict[str, str] = {}
        self.single: list[bytes] = [pack_uint(1) + dumps([pos], 2) for pos in range(1024)]
        self._lock = threading.Lock()

    def one_position(self, pos: int) -> bytes:
        """Positions.encode([pos]), shared."""
        with self._lock:
            single = self.single
            while len(single) <= pos:
                single.append(pack_uint(1) + dumps([len(single)], 2))
        return single[pos]


_ANALYSIS = _Analysis()


def reset_after_fork() -> None:
    """In a forked child: a new lock (another thread may have held the parent's at the fork)."""
    _ANALYSIS._lock = threading.Lock()


class SegmentBuilder:
    """Writes documents into one new segment of an index; ``finish()`` returns the Segment.

    Documents are field dicts, as for ``SegmentWriter.add_document``. The segment is not
    part of the index until a writer commits a TOC that lists it. After an exception the
    builder cannot go on: ``cancel()`` it (its files are removed by the next commit).
    """

    def __init__(self, storage: Any, indexname: str, schema: Any, codec: Any = None) -> None:
        self.codec = codec or default_codec()
        self.storage = storage
        self.schema = schema
        self.segment = self.codec.new_segment(storage, indexname)
        self._perdoc = self.codec.per_document_writer(storage, self.segment)
        self.docnum = 0
        #: postings held in memory (a rough measure of the memory used)
        self.postings = 0
        self._plans: dict[str, tuple[int, Any]] = {}
        # fieldname -> {term: docnums}, {term: values}, {term: weights}; text terms are str
        # (their weights are the frequencies in their values), others bytes
        self._docs: dict[str, dict[Any, array]] = {}
        self._values: dict[str, dict[Any, list]] = {}
        self._weights: dict[str, dict[Any, array]] = {}
        # fieldname -> length byte per document
        self._lengths: dict[str, bytearray] = {}
        self._text_keys: dict[str, tuple] = {}
        self._closed = False

    def _plan(self, name: str) -> tuple[int, Any]:
        field = self.schema[name]  # KeyError for an unknown field, like Whoosh's writer
        kind = _kind(field)
        if kind is None:
            raise ValueError(f"field {name!r} cannot be written by SegmentBuilder")
        plan = self._plans[name] = (kind, field)
        if kind == _TEXT:
            termfilter = field.analyzer.items[1]
            self._text_keys[name] = (termfilter.stops, termfilter.lang)
        return plan

    def add_document(self, fields: dict[str, Any]) -> None:
        """Add one document (a dict of field values; None values are left out)."""
        perdoc = self._perdoc
        docnum = self.docnum
        plans = self._plans
        perdoc.start_doc(docnum)
        for name in sorted(fields):
            if name.startswith("_"):
                raise ValueError(f"SegmentBuilder does not take {name!r}")
            value = fields[name]
            if value is None:
                continue
            kind, field = plans.get(name) or self._plan(name)
            length = 0
            if kind == _TEXT:
                length = self._add_text(name, field, value, docnum)
            elif kind == _NAME:
                length = self._add_names(name, value, docnum)
            elif kind == _ID:
                self._add_terms(name, (value.encode("utf-8"),), docnum)
            elif kind == _DATETIME:
                self._add_terms(name, _datetime_terms(field, value), docnum)
            elif kind == _GENERIC:
                length = self._add_generic(name, field, value, docnum)
            perdoc.add_field(name, field, value if field.stored else None, length)
            column = field.column_type
            if column:
                perdoc.add_column_value(name, column, field.to_column_value(value))
        perdoc.finish_doc()
        self.docnum += 1

    # ------------------------------------------------------------------ analysis

    def _record_length(self, name: str, docnum: int, length: int) -> None:
        lengths = self._lengths.get(name)
        if lengths is None:
            lengths = self._lengths[name] = bytearray()
        if len(lengths) < docnum:
            lengths.extend(bytes(docnum - len(lengths)))
        lengths.append(_length_byte(length))

    def _add_positions(self, name: str, terms: list[str], first: int, docnum: int) -> None:
        """Postings of one field of one document: ``terms`` in order, at first, first + 1, ..."""
        poses: dict[str, Any] = {}
        get = poses.get
        pos = first
        for term in terms:
            found = get(term)
            if found is None:
                poses[term] = pos
            elif type(found) is int:
                poses[term] = [found, pos]
            else:
                found.append(pos)
            pos += 1
        one = _ANALYSIS.single
        if len(one) <= pos:
            _ANALYSIS.one_position(pos)
        # Positions.encode: the count, then the pickled deltas
        values = [one[p] if type(p) is int else
                  pack_uint(len(p)) + dumps([p[0]] + [b - a for a, b in zip(p, p[1:])], 2)
                  for p in poses.values()]
        docs_of = self._docs.get(name)
        if docs_of is None:
            docs_of = self._docs[name] = {}
            self._values[name] = {}
        values_of = self._values[name]
        new = set(poses).difference(docs_of)  # a dict argument: one look-up per term of poses
        if new:
            for term in new:
                docs_of[term] = array("I")
                values_of[term] = []
        # Append docnum and value to each term's lists, looping in C, not Python.
        _consume(map(methodcaller("append", docnum), map(docs_of.__getitem__, poses)))
        _consume(map(list.append, map(values_of.__getitem__, poses), values))
        self.postings += len(poses)

    def _add_text(self, name: str, field: Any, value: str, docnum: int) -> int:
        tokens = TOKEN_RE.findall(value)
        if not tokens:
            return 0
        key = self._text_keys[name]
        cache = _ANALYSIS.text.get(key)
        if cache is None or len(cache) > _CACHE_LIMIT:
            cache = _ANALYSIS.text[key] = {}
        missing = set(tokens).difference(cache)
        if missing:
            lookup = field.analyzer.items[1]._lookup
            for token in missing:
                cache[token] = lookup(token)[1]
        mapped = list(map(cache.__getitem__, tokens))
        terms = [t for t in mapped if t is not None]
        if not terms:
            return 0
        first = 0
        if mapped[0] is None:
            while mapped[first] is None:
                first += 1
        self._add_positions(name, terms, first, docnum)
        self._record_length(name, docnum, len(terms))
        return len(terms)

    def _add_names(self, name: str, value: str, docnum: int) -> int:
        tokens = TOKEN_RE.findall(value)
        if not tokens:
            return 0
        cache = _ANALYSIS.names
        if len(cache) > _CACHE_LIMIT:
            cache = _ANALYSIS.names = {}
        terms = []
        for token in tokens:
            term = cache.get(token)
            if term is None:
                term = cache[token] = token.lower().translate(accent_map)
            terms.append(term)
        self._add_positions(name, terms, 0, docnum)
        self._record_length(name, docnum, len(terms))
        return len(terms)

    def _add_terms(self, name: str, terms: Any, docnum: int) -> None:
        """Postings of weight 1.0 and no value (an ID or DATETIME field) for one document."""
        self._add_weighted(name, [(tbytes, 1.0, b"") for tbytes in terms], docnum)

    def _add_weighted(self, name: str, postings: list[tuple[bytes, float, bytes]], docnum: int) -> None:
        docs_of = self._docs.get(name)
        if docs_of is None:
            docs_of = self._docs[name] = {}
            self._values[name] = {}
            self._weights[name] = {}
        values_of = self._values[name]
        weights_of = self._weights[name]
        for tbytes, weight, vbytes in postings:
            docs = docs_of.get(tbytes)
            if docs is None:
                docs = docs_of[tbytes] = array("I")
                weights_of[tbytes] = array("d")
                values_of[tbytes] = []
            docs.append(docnum)
            weights_of[tbytes].append(weight)
            values_of[tbytes].append(vbytes)
        self.postings += len(postings)

    def _add_generic(self, name: str, field: Any, value: Any, docnum: int) -> int:
        length = 0
        scorable = field.scorable
        postings = []
        for tbytes, freq, weight, vbytes in field.index(value):
            if scorable:
                length += freq
            postings.append((tbytes, weight, vbytes))
        self._add_weighted(name, postings, docnum)
        if length:
            self._record_length(name, docnum, length)
        return length

    # ------------------------------------------------------------------ writing

    def finish(self) -> Any:
        """Write the postings and close the segment's files; returns the Segment."""
        if self._closed:
            raise RuntimeError("SegmentBuilder already finished")
        self._closed = True
        self._perdoc.close()
        fieldwriter = self.codec.field_writer(self.storage, self.segment)
        try:
            for name in sorted(self._docs):
                self._write_field(fieldwriter, name)
        finally:
            fieldwriter.close()
        self._clear()
        self._lengths.clear()
        self.segment.set_doc_count(self.docnum)
        return self.segment

    def cancel(self) -> None:
        """Close the files without finishing (the segment is left for Whoosh to clean up)."""
        if not self._closed:
            self._closed = True
            self._perdoc.close()
        self._clear()

    def _clear(self) -> None:
        self._docs.clear()
        self._values.clear()
        self._weights.clear()
        self._lengths.clear()

    def _write_field(self, fieldwriter: Any, name: str) -> None:
        kind, field = self._plans[name]
        post = _Postings(self._docs[name], self._weights.get(name), self._values[name])
        lengths = self._lengths.get(name, b"")
        nlengths = len(lengths)
        table = _BYTE_LENGTH
        text = kind in (_TEXT, _NAME)
        share = SHARE_VALUES
        fieldwriter.start_field(name, field)
        terms = _term_writer(self.codec, fieldwriter, field.format)
        if terms is None:
            _write_terms_with_codec(fieldwriter, post, lengths, text, share)
            fieldwriter.finish_field()
            return
        write_term = terms.write
        for term in sorted(post):
            docs, weights, values = post[term]
            if lengths:
                lens = [table[lengths[d]] if d < nlengths else 0 for d in docs]
            else:
                lens = None
            if not share:
                values = [bytes(bytearray(v)) for v in values]
            write_term(term.encode("utf-8") if text else term, docs, weights, values, lens)
        terms.close()
        fieldwriter.finish_field()


class _Postings:
    """One field's postings: term -> (docnums, weights, values)."""

    def __init__(self, docs: dict, weights: dict | None, values: dict) -> None:
        self.docs, self.weights, self.values = docs, weights, values

    def __iter__(self) -> Iterator:
        return iter(self.docs)

    def __getitem__(self, term: Any) -> tuple[array, array, list]:
        values = self.values[term]
        if self.weights is None:  # text: the weight is the frequency, the first 4 bytes of the value
            weights = array("d", [n for (n,) in map(_UINT.unpack_from, values)])
        else:
            weights = self.weights[term]
        return self.docs[term], weights, values


def _consume(iterator: Iterator) -> None:
    deque(iterator, maxlen=0)


def _write_terms_with_codec(fieldwriter: Any, post: _Postings, lengths: bytes, text: bool, share: bool) -> None:
    """The codec's own term-by-term interface (used when _TermWriter does not match the codec)."""
    table = _BYTE_LENGTH
    nlengths = len(lengths)
    for term in sorted(post):
        docs, weights, values = post[term]
        fieldwriter.start_term(term.encode("utf-8") if text else term)
        lens = [table[lengths[d]] if d < nlengths else 0 for d in docs]
        for d, w, v, n in zip(docs, weights, values, lens):
            fieldwriter.add(d, w, v if share else bytes(bytearray(v)), n)
        fieldwriter.finish_term()


_MAGIC = b"W3Bl"
_INT = struct.Struct("!i")
_LONG = struct.Struct("!q")
_USHORT = struct.Struct("!H")
_TERMINFO = struct.Struct("!BfIBBfII")
_UINT = struct.Struct("!I")
_F32 = struct.Struct("f")


class _TermWriter:
    """Writes a field's posting lists and term infos as the W3 codec does, a term at a time.

    The codec's postings writer takes a Python call per posting and several per block;
    this builds each term's blocks in one go and writes them with one call. Before use
    its output is compared with the codec's own writer on sample terms
    (:func:`_term_writer`): any difference and the codec's writer is used instead.
    """

    def __init__(self, postfile: Any, tindex: Any, fieldid: int, blocklimit: int, compression: int,
                 min_compress: int, fixed_size: int | None) -> None:
        self.postfile = postfile
        self.tindex = tindex
        self.prefix = _USHORT.pack(fieldid)
        self.blocklimit = blocklimit
        self.compression = compression
        self.min_compress = min_compress
        self.no_values = fixed_size == 0
        self.offset = postfile.tell()

    def write(self, btext: bytes, docs: array, weights: array, values: list, lens: list | None) -> None:
        """One term's postings: docnums, weights, encoded values and field lengths (or None)."""
        count = len(docs)
        if count == 1:  # most terms: the same as below without the loops
            self._write_one(btext, docs[0], weights[0], values[0], lens[0] if lens is not None else 0)
            return
        blocklimit = self.blocklimit
        parts = [_MAGIC]
        size = 4
        total_weight: Any = 0
        minlength = None
        maxlength = 0
        maxweight: Any = 0
        start = 0
        while start < count:
            end = start + blocklimit
            info, data, weight_sum, block_max, block_min, block_maxlen = self._block(
                docs[start:end], weights[start:end], values, lens, start, end)
            blocklength = len(info) + len(data)
            start = end
            parts.append(_INT.pack(-blocklength if start >= count else blocklength))
            parts.append(info)
            parts.append(data)
            size += 4 + blocklength
            # the codec's W3TermInfo.add_block
            total_weight += weight_sum
            if minlength is None:
                minlength = block_min
            else:
                minlength = min(minlength, block_min)
            maxlength = max(maxlength, block_maxlen)
            maxweight = max(maxweight, block_max)
        self.postfile.write(b"".join(parts))
        offset = self.offset
        self.offset = offset + size
        terminfo = _TERMINFO.pack(0, total_weight, count, _length_byte(minlength), _length_byte(maxlength), maxweight,
                                  docs[0], docs[-1])
        self.tindex.add(self.prefix + btext, terminfo + _LONG.pack(offset) + _INT.pack(size))

    def _block(self, ids: array, ws: array, values: list, lens: list | None, start: int,
               end: int) -> tuple[bytes, bytes, Any, Any, int | None, int]:
        """One block of postings ``start:end``: its info and data pickles (as the codec writes
        them), the sum and the max of its weights, and its shortest and longest field length."""
        wf = array("f", ws)
        top = max(ws)
        block_max = top if top > 0 else 0
        if lens is not None:
            block_lens = [n for n in lens[start:end] if n]
            block_min = min(block_lens) if block_lens else None
            block_maxlen = max(block_lens) if block_lens else 0
        else:
            block_min = None
            block_maxlen = 0
        deltas = [ids[0]]
        if len(ids) > 1:
            deltas += [b - a for a, b in zip(ids, ids[1:])]
        if all(w == 1.0 for w in wf):
            mini_weights: Any = None
        elif all(w == wf[0] for w in wf):
            mini_weights = wf[0]
        else:
            mini_weights = tuple(wf)
        mini_values: Any = None if self.no_values else tuple([v for v in values[start:end] if v])
        data = dumps((tuple(deltas), mini_weights, mini_values), 2)
        comp = self.compression if len(data) >= self.min_compress else 0
        if comp:
            data = zlib.compress(data, comp)
        info = dumps((len(ids), ids[-1], block_max, comp, _length_byte(block_min), _length_byte(block_maxlen)), 2)
        return info, data, sum(wf), block_max, block_min, block_maxlen

    def _write_one(self, btext: bytes, docnum: int, weight: float, value: bytes, length: int) -> None:
        """A term with one posting: write() for a single block of one."""
        weight32 = _F32.unpack(_F32.pack(weight))[0]  # as array("f") stores it
        if self.no_values:
            mini_values: Any = None
        else:
            mini_values = (value,) if value else ()
        data = dumps(((docnum,), None if weight32 == 1.0 else weight32, mini_values), 2)
        comp = self.compression if len(data) >= self.min_compress else 0
        if comp:
            data = zlib.compress(data, comp)
        top = weight if weight > 0 else 0
        length_byte = _length_byte(length or None)
        info = dumps((1, docnum, top, comp, length_byte, length_byte), 2)
        blocklength = len(info) + len(data)
        self.postfile.write(b"".join((_MAGIC, _INT.pack(-blocklength), info, data)))
        offset = self.offset
        size = 8 + blocklength
        self.offset = offset + size
        terminfo = _TERMINFO.pack(0, 0 + weight32, 1, length_byte, length_byte, max(0, top), docnum, docnum)
        self.tindex.add(self.prefix + btext, terminfo + _LONG.pack(offset) + _INT.pack(size))

    def close(self) -> None:
        pass


#: (codec class, block limit, compression, format class) -> compression threshold, or
#: None when _TermWriter does not write what the codec writes.
_CALIBRATED: dict[tuple, int | None] = {}


def _term_writer(codec: Any, fieldwriter: Any, format_: Any) -> _TermWriter | None:
    """A _TermWriter for the field just started on ``fieldwriter``, if it matches the codec."""
    if type(fieldwriter).__name__ != "W3FieldWriter" or not all(
            hasattr(fieldwriter, a) for a in ("_postfile", "_tindex", "_fieldid")):
        return None
    blocklimit = getattr(codec, "_blocklimit", None)
    compression = getattr(codec, "_compression", None)
    if not isinstance(blocklimit, int) or not isinstance(compression, int) or getattr(codec, "_inlinelimit", 1) > 1:
        return None
    fixed = format_.fixed_value_size()
    if fixed not in (None, 0):
        return None
    key = (type(codec), blocklimit, compression, type(format_))
    if key not in _CALIBRATED:
        _CALIBRATED[key] = _calibrate(codec, format_, blocklimit, compression)
    threshold = _CALIBRATED[key]
    if threshold is None:
        return None
    return _TermWriter(fieldwriter._postfile, fieldwriter._tindex, fieldwriter._fieldid, blocklimit, compression,
                       threshold, fixed)


def _sample_terms(format_: Any) -> list[tuple[array, array, list, list | None]]:
    """Posting lists of every shape: one posting, exact and partial blocks, repeats, no lengths."""
    rng = random.Random(5)
    samples = []
    for count in (1, 2, 5, 17, 40, 127, 128, 129, 300, 1000):
        docs = array("I", sorted(rng.sample(range(5 * count + 10), count)))
        freqs = [rng.choice((1, 1, 1, 2, 3, 9)) for _ in range(count)]
        if format_.fixed_value_size() == 0:
            values = [b""] * count
            weights = array("d", [1.0] * count)
        else:
            values = []
            for freq in freqs:
                positions = sorted(rng.sample(range(2000), freq))
                deltas = [positions[0]] + [b - a for a, b in zip(positions, positions[1:])]
                values.append(pack_uint(freq) + dumps(deltas, 2))
            weights = array("d", freqs)
        lens = [rng.choice((1, 5, 30, 200, 5000, 70000)) for _ in range(count)]
        samples.append((docs, weights, values, lens))
        samples.append((docs, array("d", [2.5] * count), values, None))
    return samples


def _calibrate(codec: Any, format_: Any, blocklimit: int, compression: int) -> int | None:
    """The compression threshold with which _TermWriter matches the codec byte for byte, or None."""
    from io import BytesIO

    from whoosh.codec import whoosh3
    from whoosh.filedb.structfile import StructFile

    samples = _sample_terms(format_)
    try:
        reference = []
        for docs, weights, values, lens in samples:
            buffer = BytesIO()
            postwriter = codec.postings_writer(StructFile(buffer))
            postwriter.start_postings(format_, whoosh3.W3TermInfo())
            for d, w, v, n in zip(docs, weights, values, lens or [0] * len(docs)):
                postwriter.add_posting(d, w, v, n)
            terminfo = postwriter.finish_postings()
            reference.append((buffer.getvalue(), terminfo.to_bytes()))
        candidates = [getattr(whoosh3, "COMPRESSION_MIN_SIZE", 0), 0, 20, 80]
        for threshold in dict.fromkeys(candidates):
            ours = []
            for docs, weights, values, lens in samples:
                buffer = BytesIO()

                class _Index:
                    def add(self, key: bytes, value: bytes) -> None:
                        self.value = value

                tindex = _Index()
                writer = _TermWriter(StructFile(buffer), tindex, 0, blocklimit, compression, threshold,
                                     format_.fixed_value_size())
                writer.write(b"x", docs, weights, values, lens)
                ours.append((buffer.getvalue(), tindex.value))
            if ours == reference:
                return threshold
    except Exception:  # a codec unlike the one this was written for
        return None
    return None
