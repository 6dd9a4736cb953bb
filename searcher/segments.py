"""A fast writer of Whoosh segments: the files Whoosh's SegmentWriter writes, for less CPU.

Whoosh's writer analyses text through a chain of Token objects, pickles each posting's
positions, buffers every posting as a tuple in a pool it then sorts, and looks up each
posting's field length in the lengths column it has just written. ``SegmentBuilder``
writes the same postings, stored fields, lengths and columns through the same codec
objects, but:

* analyses our own text fields (``schema.text_analyzer`` and ``schema.name_analyzer``)
  with one regular expression pass and a dict look-up per word (the schema's own
  TermFilter decides stop words and stems); other indexed fields (ID, DATETIME) go
  through Whoosh's ``field.index``;
* keeps postings per (field, term) in arrays, with single-position values shared;
* writes each term's postings a block at a time, lengths already known.

Tests build the same documents with Whoosh's writer and compare the segment files byte
for byte, on whoosh3 and Whoosh 2.7.4. A schema with a field this module cannot write
exactly (term vectors, separate spelling, boosts) is refused by :func:`supported`, and
the caller uses Whoosh's writer instead.
"""

from __future__ import annotations

import re
from array import array
from pickle import dumps
from typing import Any

from whoosh import formats
from whoosh.analysis import CharsetFilter, IDTokenizer, LowercaseFilter, RegexTokenizer
from whoosh.codec import default_codec
from whoosh.fields import DATETIME, ID, NUMERIC, TEXT
from whoosh.support.charset import accent_map
from whoosh.system import pack_uint
from whoosh.util.numeric import byte_to_length, length_to_byte

from .schema import _TOKEN_PATTERN, TermFilter

__all__ = ["SegmentBuilder", "supported"]

# The token pattern without its capturing group, so findall returns whole tokens.
_TOKEN_RE = re.compile(_TOKEN_PATTERN.replace("(", "(?:"))
_BYTE_LENGTH = [0] + [byte_to_length(b) for b in range(1, 256)]
_LENGTH_BYTE: dict[int, int] = {}

_STORED, _TEXT, _NAME, _GENERIC, _ID, _DATETIME = range(6)
_CACHE_LIMIT = 300_000
#: Postings with the same single position share one value object, which the codec's block
#: pickle then writes once per block (a memo reference for the others): the same values
#: when read, a smaller postings file. Tests turn it off to compare files with Whoosh's.
SHARE_VALUES = True


def _length_byte(length: int) -> int:
    found = _LENGTH_BYTE.get(length)
    if found is None:
        found = _LENGTH_BYTE[length] = length_to_byte(length)
    return found


def _regex_tokenizer(item: object) -> bool:
    return (type(item) is RegexTokenizer and not item.gaps  # type: ignore[attr-defined]
            and item.expression.pattern == _TOKEN_PATTERN)  # type: ignore[attr-defined]


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
    number = field.prepare_datetime(value)
    to_bytes = NUMERIC.to_bytes
    return [to_bytes(field, number, shift) for shift in range(0, field.bits, field.shift_step)]


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
    """Per-process caches: raw token -> term (None for a stop word), and single positions."""

    def __init__(self) -> None:
        self.text: dict[int, dict[str, str | None]] = {}
        self.names: dict[str, str] = {}
        self.single: list[bytes] = []

    def one_position(self, pos: int) -> bytes:
        single = self.single
        while len(single) <= pos:
            single.append(pack_uint(1) + dumps([len(single)], 2))
        return single[pos]


_ANALYSIS = _Analysis()


class SegmentBuilder:
    """Writes documents into one new segment of an index; ``finish()`` returns the Segment.

    Documents are field dicts, as for ``SegmentWriter.add_document``. The segment is not
    part of the index until a writer commits a TOC that lists it.
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
        # fieldname -> {term: (docnums, weights, values)}; text terms are str, others bytes
        self._post: dict[str, dict[Any, tuple[array, array, list]]] = {}
        # fieldname -> length byte per document
        self._lengths: dict[str, bytearray] = {}
        self._closed = False

    def _plan(self, name: str) -> tuple[int, Any]:
        field = self.schema[name]  # KeyError for an unknown field, like Whoosh's writer
        kind = _kind(field)
        if kind is None:
            raise ValueError(f"field {name!r} cannot be written by SegmentBuilder")
        plan = self._plans[name] = (kind, field)
        if kind == _TEXT:
            termfilter = field.analyzer.items[1]
            key = id(termfilter)
            _ANALYSIS.text.setdefault(key, {})
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
        post = self._post.get(name)
        if post is None:
            post = self._post[name] = {}
        one = _ANALYSIS.single
        one_position = _ANALYSIS.one_position
        for term, found in poses.items():
            if type(found) is int:
                freq = 1
                value = one[found] if found < len(one) else one_position(found)
            else:
                freq = len(found)
                deltas = [found[0]]
                deltas += [b - a for a, b in zip(found, found[1:])]
                value = pack_uint(freq) + dumps(deltas, 2)
            entry = post.get(term)
            if entry is None:
                post[term] = (array("I", (docnum,)), array("I", (freq,)), [value])
            else:
                entry[0].append(docnum)
                entry[1].append(freq)
                entry[2].append(value)
        self.postings += len(poses)

    def _add_text(self, name: str, field: Any, value: str, docnum: int) -> int:
        termfilter = field.analyzer.items[1]
        cache = _ANALYSIS.text[id(termfilter)]
        tokens = _TOKEN_RE.findall(value)
        if not tokens:
            return 0
        missing = set(tokens).difference(cache)
        if missing:
            if len(cache) > _CACHE_LIMIT:
                cache.clear()
                missing = set(tokens)
            lookup = termfilter._lookup
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
        tokens = _TOKEN_RE.findall(value)
        if not tokens:
            return 0
        cache = _ANALYSIS.names
        if len(cache) > _CACHE_LIMIT:
            cache.clear()
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
        post = self._post.get(name)
        if post is None:
            post = self._post[name] = {}
        for tbytes in terms:
            entry = post.get(tbytes)
            if entry is None:
                post[tbytes] = (array("I", (docnum,)), array("d", (1.0,)), [b""])
            else:
                entry[0].append(docnum)
                entry[1].append(1.0)
                entry[2].append(b"")
            self.postings += 1

    def _add_generic(self, name: str, field: Any, value: Any, docnum: int) -> int:
        post = self._post.get(name)
        if post is None:
            post = self._post[name] = {}
        length = 0
        scorable = field.scorable
        for tbytes, freq, weight, vbytes in field.index(value):
            if scorable:
                length += freq
            entry = post.get(tbytes)
            if entry is None:
                post[tbytes] = (array("I", (docnum,)), array("d", (weight,)), [vbytes])
            else:
                entry[0].append(docnum)
                entry[1].append(weight)
                entry[2].append(vbytes)
            self.postings += 1
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
            for name in sorted(self._post):
                self._write_field(fieldwriter, name)
        finally:
            fieldwriter.close()
        self._post.clear()
        self._lengths.clear()
        self.segment.set_doc_count(self.docnum)
        return self.segment

    def cancel(self) -> None:
        """Close the files without finishing (the segment is left for Whoosh to clean up)."""
        if not self._closed:
            self._closed = True
            self._perdoc.close()
        self._post.clear()

    def _write_field(self, fieldwriter: Any, name: str) -> None:
        kind, field = self._plans[name]
        post = self._post[name]
        lengths = self._lengths.get(name, b"")
        nlengths = len(lengths)
        table = _BYTE_LENGTH
        fieldwriter.start_field(name, field)
        postwriter = getattr(fieldwriter, "_postwriter", None)
        fast = _fast_blocks(postwriter)
        blocklimit = postwriter._blocklimit if fast else 0
        start_term = fieldwriter.start_term
        finish_term = fieldwriter.finish_term
        add = fieldwriter.add
        text = kind in (_TEXT, _NAME)
        share = SHARE_VALUES
        for term in sorted(post):
            docs, weights, values = post[term]
            start_term(term.encode("utf-8") if text else term)
            if text:
                weights = array("d", weights)
            if lengths:
                lens = [table[lengths[d]] if d < nlengths else 0 for d in docs]
            else:
                lens = [0] * len(docs)
            if not fast:
                if not share:
                    values = [bytes(bytearray(v)) for v in values]
                for d, w, v, n in zip(docs, weights, values, lens):
                    add(d, w, v, n)
                finish_term()
                continue
            count = len(docs)
            start = 0
            while True:
                end = start + blocklimit
                block_lens = [n for n in lens[start:end] if n]
                ws = weights[start:end]
                postwriter._ids = docs[start:end]
                postwriter._weights = array("f", ws)
                postwriter._values = [v for v in values[start:end] if v] if share else [
                    bytes(bytearray(v)) for v in values[start:end] if v]
                top = max(ws)
                postwriter._maxweight = top if top > 0 else 0
                postwriter._minlength = min(block_lens) if block_lens else None
                postwriter._maxlength = max(block_lens) if block_lens else 0
                if end >= count:
                    break
                postwriter._write_block()
                start = end
            finish_term()
        fieldwriter.finish_field()


def _fast_blocks(postwriter: Any) -> bool:
    """True when the codec's postings writer is the W3 one whose block buffer we can fill."""
    return (type(postwriter).__name__ == "W3PostingsWriter" and getattr(postwriter, "_byteids", True) is False
            and isinstance(getattr(postwriter, "_blocklimit", None), int)
            and all(callable(getattr(postwriter, a, None)) for a in ("_new_block", "_write_block", "finish_postings")))
