"""How hits are scored: BM25F over title, headings and body, all query words first,
a proximity bonus for query words that stand together (off), and pseudo-relevance
feedback (on for word queries, see FEEDBACK).

Two paths share these settings:

* word queries (``syntax=False``, or a query typed without any operator) go through
  :func:`rank_words`, a term-at-a-time scorer over the index postings: exact hit counts,
  query-term frequency, true BM25F (field frequencies combined before saturation), the
  coordination tier and the proximity bonus, each explainable per field and term;
* structured queries (phrases, fields, boolean operators, wildcards) are run by Whoosh
  with :func:`make_weighting`, the same BM25 idf and k1/b per field.

Every setting is a module constant so ``benchmarks/relevance.py --set NAME=VALUE`` can
measure it; the comment beside each says why it helps in general, not on one collection.
"""

from __future__ import annotations

import heapq
import io
import math
import mmap
import pickle
import re
import struct
import weakref
import zlib
from array import array
from collections import Counter, defaultdict
from itertools import accumulate, compress, repeat
from operator import itemgetter, mul
from dataclasses import dataclass, field
from typing import Any, Iterable

from whoosh import scoring
from whoosh.reading import TermNotFound


# ---------------------------------------------------------------------------- settings

#: BM25 term-frequency saturation. 1.4 (between Lucene's 1.2 and the 1.6-2.0 that suit
#: long documents): a word repeated 20 times still does not drown the other query words.
#: Measured: 1.2 -> 1.4 gains a little on CISI and Cranfield, neutral on TIME.
K1 = 1.4
#: Length normalisation of the body. 0.75 is the standard; news bodies vary from a
#: paragraph to thousands of words, so full normalisation (1.0) over-punishes long reports.
B = 0.75
#: BM25+ lower bound: a matching document gets at least DELTA x idf per word, however long.
DELTA = 0.0
#: Length normalisation of titles and headings: short fields, little to normalise.
TITLE_B = 0.5
#: How much one occurrence counts in each field, relative to the body (BM25F weights).
#: A title names what the article is about; headings less so; one title hit is worth
#: a few body hits, not dozens.
TITLE_WEIGHT = 2.0
SECTIONS_WEIGHT = 1.5
FIELD_WEIGHTS = {"title": TITLE_WEIGHT, "sections": SECTIONS_WEIGHT, "body": 1.0}
#: A word typed twice weighs twice (long natural-language queries repeat their topic).
QUERY_TF = True
#: Documents holding every distinct query word rank before those holding only some.
#: Users expect this from a search box; for long queries almost no document holds every
#: word, so it costs nothing there.
ALL_WORDS_FIRST = True
#: Proximity (sequential dependence): bonus when consecutive query words occur within
#: PROXIMITY_WINDOW positions of each other, as a fraction of the unigram score scale.
#: Re-scores only the top PROXIMITY_DEPTH candidates (positions cost a posting read).
#: Measured at 0.2: +0.004 nDCG@10 on TIME, +-0.002 on CISI/Cranfield for 1.5-3x the
#: latency, so it is off by default (set it for phrase-heavy collections).
PROXIMITY_WEIGHT = 0.0
PROXIMITY_WINDOW = 8
PROXIMITY_DEPTH = 100
#: Pseudo-relevance feedback (RM3, on by default; ``search(expand=False)``, CLI
#: ``--no-expand`` turn it off): take FEEDBACK_TERMS expansion words from the top
#: FEEDBACK_DOCS hits and mix them in with the query kept at FEEDBACK_ORIGINAL. It finds
#: relevant articles that use other words. Measured (nDCG@10 TIME / CISI / Cranfield,
#: with the stop list): off 0.712 / 0.419 / 0.379; 10 words at 0.7 0.710 / 0.433 / 0.399;
#: 20 words at 0.75 0.725 / 0.433 / 0.401 (0.8: 0.720 / 0.430 / 0.400; 30 words at 0.8:
#: 0.713 / 0.429 / 0.399; 5 documents lose 0.02 on TIME). More, lighter words spread the
#: feedback instead of letting a few drift the query off topic. Cheap because the first
#: pass is reused and the top documents are re-read with a fast analyzer: about 2-3x
#: the plain-query time.
FEEDBACK = True
FEEDBACK_DOCS = 10
FEEDBACK_TERMS = 20
FEEDBACK_ORIGINAL = 0.75
#: Feedback re-ranks the first pass's best FEEDBACK_DEPTH documents, scoring the
#: expansion words from those documents' own text (stopping early once
#: FEEDBACK_READ_WORDS words were read, for long pages): re-scoring every match would
#: read the expansion words' whole posting lists, 5-8x the plain-query time on
#: Reuters-size indexes.
FEEDBACK_DEPTH = 30
FEEDBACK_READ_WORDS = 20_000
#: Expansion words in more than this share of documents are skipped: they say little
#: about the topic and their long posting lists are what feedback costs.
FEEDBACK_MAX_DF = 0.1

#: The fields a plain word is searched in.
WORD_FIELDS = ("title", "sections", "body")


def idf(doc_count: int, doc_freq: int) -> float:
    """Lucene's BM25 idf: never negative, and near 0 for a word in most documents.

    Whoosh's own idf (log(N/(df+1)) + 1) gives even the commonest words a weight of at
    least 1, so verbose queries ("what are the problems of ...") rank by noise words.
    """
    return math.log(1.0 + (doc_count - doc_freq + 0.5) / (doc_freq + 0.5))


# ---------------------------------------------------------------------------- Whoosh path


class _Bm25Scorer(scoring.BM25FScorer):
    """Whoosh's BM25 scorer with our idf (for structured queries run by Whoosh)."""

    def __init__(self, searcher: Any, fieldname: str, text: Any, B: float, K1: float, qf: int = 1) -> None:
        super().__init__(searcher, fieldname, text, B, K1, qf=qf)
        parent = searcher.get_parent()
        self.idf = idf(parent.doc_count_all(), parent.doc_frequency(fieldname, text))


class Bm25(scoring.BM25F):
    """BM25 per field with our idf and per-field B (used by Whoosh for structured queries)."""

    def scorer(self, searcher: Any, fieldname: str, text: Any, qf: int = 1) -> Any:
        if not searcher.schema[fieldname].scorable:
            return scoring.WeightScorer.for_(searcher, fieldname, text)
        return _Bm25Scorer(searcher, fieldname, text, self._field_B.get(fieldname, self.B), self.K1, qf=qf)


def make_weighting() -> scoring.WeightingModel:
    """The weighting model every Whoosh searcher uses."""
    return Bm25(B=B, K1=K1, title_B=TITLE_B, sections_B=TITLE_B)


# ---------------------------------------------------------------------------- word path


@dataclass(slots=True)
class Ranked:
    """The outcome of :func:`rank_words`: docnums best first, with scores and reasons."""

    order: list[tuple[float, int]]
    total: int
    terms: dict[str, float]
    why: dict[int, list[str]] = field(default_factory=dict)
    #: Stored fields of the documents this query read (feedback): the hits can reuse them.
    stored: dict[int, dict[str, Any]] = field(default_factory=dict)


class _Stats:
    """Per-searcher statistics: field lengths per document and their averages."""

    def __init__(self, searcher: Any) -> None:
        # A weak reference: the searcher holds this object, and without a cycle both go
        # (and the term index maps with them) as soon as the searcher is dropped.
        self.searcher = weakref.proxy(searcher)
        self.doc_count = searcher.doc_count_all()
        self.leaves = searcher.reader().leaf_readers()
        self._lengths: dict[str, list[int]] = {}
        self.avg: dict[str, float] = {}
        self._norms: dict[tuple[str, float, float], list[float]] = {}
        self._df: dict[str, int] = {}
        self._doc_terms: dict[int, dict[str, Counter]] = {}
        self._doc_len: dict[int, int] = {}
        self._field_leaves: dict[str, list[tuple[Any, int]]] = {}
        self._term_index: dict[int, Any] = {}

    def doc_terms(self, docnum: int, keep: dict[int, Any] | None = None) -> dict[str, Counter]:
        """Per word field (and "" for all of them), one document's indexed terms and their counts (cached).

        ``keep``: where to put the document's stored fields when they are read.
        """
        found = self._doc_terms.get(docnum)
        if found is None:
            if len(self._doc_terms) >= 4096:
                self._doc_terms.clear()
                self._doc_len.clear()
            stored = self.searcher.stored_fields(docnum)
            if keep is not None:
                keep[docnum] = stored
            # The forward index written with the document (schema.word_counts): every
            # document of a schema-3 index has one, older indexes are refused on open.
            counts = stored.get("terms") or {}
            found = {f: Counter(counts.get(f) or ()) for f in WORD_FIELDS}
            # Every field together, for the feedback model: the counts and key order of
            # Counter().update() with each field in turn, without a Python-level pass over
            # the (long) body's words.
            whole: dict[str, int] = {}
            for counts in found.values():
                _fold(whole, counts)
            found[""] = Counter(whole)
            self._doc_terms[docnum] = found
            self._doc_len[docnum] = sum(whole.values())
        return found

    def term_index(self, leaf: Any) -> Any:
        """``leaf``'s term dictionary for doc_frequency (a _TermIndex, else the segment reader itself)."""
        found = self._term_index.get(id(leaf))
        if found is None:
            try:
                found = _TermIndex(leaf)
            except Exception:  # not Whoosh's hash file on a plain file: the public call
                found = leaf
            self._term_index[id(leaf)] = found
        return found

    def field_leaves(self, fieldname: str) -> list[tuple[Any, int]]:
        """(segment, docnum offset) of the segments with any text in ``fieldname`` (cached):
        a term lookup in a segment without the field (say, no headings) costs as much as a hit."""
        found = self._field_leaves.get(fieldname)
        if found is None:
            found = [(leaf, offset) for leaf, offset in self.leaves if leaf.field_length(fieldname)]
            self._field_leaves[fieldname] = found
        return found

    def doc_length(self, docnum: int, keep: dict[int, Any] | None = None) -> int:
        """How many indexed words one document has in all word fields (cached with doc_terms)."""
        found = self._doc_len.get(docnum)
        if found is None:
            self.doc_terms(docnum, keep)
            found = self._doc_len[docnum]
        return found

    def word_fields(self) -> list[tuple[str, list[float]]]:
        """(field, norms) of each word field with a weight, in WORD_FIELDS order."""
        fields = []
        for fieldname in WORD_FIELDS:
            weight = {"title": TITLE_WEIGHT, "sections": SECTIONS_WEIGHT}.get(fieldname, 1.0)
            if weight:
                fields.append((fieldname, self.norms(fieldname, weight, B if fieldname == "body" else TITLE_B)))
        return fields

    def df(self, term: str) -> int:
        """Documents holding ``term`` in any word field's index (the most of the fields), cached."""
        found = self._df.get(term)
        if found is None:
            # searcher.doc_frequency per field, summed over the segments that have the
            # field: feedback looks up ~20 new words a query, each a hash probe per field
            # and segment, and a segment without the field (no headings) has none to give.
            found = 0
            for fieldname in WORD_FIELDS:
                count = 0
                for leaf, _offset in self.field_leaves(fieldname):
                    count += self.term_index(leaf).doc_frequency(fieldname, term)
                if count > found:
                    found = count
            self._df[term] = found
        return found

    def norms(self, fieldname: str, weight: float, b: float) -> list[float]:
        """Per document: field weight / BM25 length normalisation, for this field."""
        key = (fieldname, weight, b)
        found = self._norms.get(key)
        if found is None:
            lengths = self.lengths(fieldname)
            avg = self.avg[fieldname]
            found = [weight / ((1.0 - b) + b * (n / avg)) for n in lengths]
            self._norms[key] = found
        return found

    def lengths(self, fieldname: str) -> list[int]:
        found = self._lengths.get(fieldname)
        if found is None:
            found = []
            for leaf, _offset in self.leaves:
                found.extend(_leaf_lengths(leaf, fieldname))
            self._lengths[fieldname] = found
            total = self.searcher.reader().field_length(fieldname)
            self.avg[fieldname] = (total / self.doc_count) if self.doc_count and total else 1.0
        return found




class _TermIndex:
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


def _leaf_lengths(leaf: Any, fieldname: str) -> list[int]:
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


def stats_for(searcher: Any) -> _Stats:
    cached = getattr(searcher, "_searcher_rank_stats", None)
    if cached is None:
        cached = _Stats(searcher)
        searcher._searcher_rank_stats = cached
    return cached


def _fold(acc: dict, new: dict) -> None:
    """``acc[k] += new[k]`` for every key of ``new`` (missing keys counting 0), in place.

    The same values and key order as that loop (``acc``'s keys, then ``new``'s other keys
    in their order), with the per-key Python work only on the keys both hold: posting
    lists of a word in its title and body overlap little compared with the body's length.
    Key order matters: equal scores rank in it, as ``heapq.nlargest`` keeps ties in order.
    """
    if not acc:
        dict.update(acc, new)
        return
    shared = acc.keys() & new.keys()
    fix = {k: acc[k] + new[k] for k in shared}
    dict.update(acc, new)
    dict.update(acc, fix)


_BLOCK_MATCHERS: dict[type, bool] = {}


def _is_block_matcher(m: Any) -> bool:
    """Whoosh's block matcher (2.7 and whoosh3 alike), whose blocks can be read whole."""
    kind = type(m)
    found = _BLOCK_MATCHERS.get(kind)
    if found is None:
        found = all(hasattr(m, a) for a in ("_read_ids", "_read_weights", "_next_block", "_ids", "_weights", "_i"))
        _BLOCK_MATCHERS[kind] = found
    return found


def _matchers(stats: _Stats, fieldname: str, text: str) -> Iterable[tuple[Any, int]]:
    """(matcher, docnum offset) of one term in each segment that has it."""
    for leaf, offset in stats.field_leaves(fieldname):
        index = stats.term_index(leaf)
        try:
            if getattr(index, "plain", False):
                m = index.postings(fieldname, text)  # the same matcher, found without Whoosh's file probes
            else:
                m = leaf.postings(fieldname, text)
        except (TermNotFound, KeyError):
            continue
        yield m, offset


def _postings(stats: _Stats, fieldname: str, text: str) -> Iterable[tuple[int, float]]:
    """(global docnum, term frequency) of one term in one field."""
    for m, offset in _matchers(stats, fieldname, text):
        if _is_block_matcher(m):
            # Read a block of ids and weights at a time instead of three method calls per posting.
            while m.is_active():
                if m._ids is None:
                    m._read_ids()
                if m._weights is None:
                    m._read_weights()
                ids, weights = m._ids, m._weights
                for i in range(m._i, len(ids)):
                    yield offset + ids[i], weights[i]
                m._next_block()
            continue
        while m.is_active():
            yield offset + m.id(), m.weight()
            m.next()


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


def _block_ids_weights(m: Any, offset: int = 0) -> tuple[Any, Any]:
    """The current block's (docnums + ``offset``, weights) without decoding its positions.

    The same values as the matcher's own ``_read_ids``/``_read_weights`` (which unpickle
    the whole block); anything unexpected falls back to those.
    """
    if m._data is None and not m._byteids:
        count = m._blocklength
        raw = m._postfile.get(m._dataoffset, m._nextoffset - m._dataoffset)
        if m._compression:
            # The head is at most 5 bytes an id and 9 a weight (+ marks): inflate only that.
            raw = zlib.decompressobj().decompress(raw, 14 * count + 32)
        end = _head_end(raw, count)
        try:
            deltas, weights = pickle.loads(raw[:end] + b"\x86.") if end else ((), None)
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


def _field_tf(stats: _Stats, fieldname: str, text: str, norms: list[float]) -> dict[int, float]:
    """Global docnum -> term frequency x the field's norm, for one term in one field, by docnum.

    Block by block, the products and the dict are built by C loops (map, zip, dict.update).
    """
    out: dict[int, float] = {}
    for m, offset in _matchers(stats, fieldname, text):
        if _is_block_matcher(m):
            while m.is_active():
                ids, weights = _block_ids_weights(m, offset)
                i = m._i
                if i:
                    ids, weights = ids[i:], weights[i:]
                out.update(zip(ids, map(mul, weights, map(norms.__getitem__, ids))))
                m._next_block()
            continue
        while m.is_active():
            d = offset + m.id()
            out[d] = m.weight() * norms[d]
            m.next()
    return out


def term_weights(tokens: list[str]) -> dict[str, float]:
    """Query-term weights: counts if QUERY_TF, else 1 each (order kept)."""
    counts = Counter(tokens)
    return {t: (float(c) if QUERY_TF else 1.0) for t, c in counts.items()}


def _term_tfs(
    stats: _Stats, terms: dict[str, float], allowed: set[int] | None = None, exclude: int | None = None
) -> list[tuple[str, float, dict[int, float]]]:
    """Per query term, in order: (term, query weight, docnum -> pseudo-tf), {} if it matches nothing.

    The pseudo-tf is BM25F's: each field's frequency, length-normalised and weighted,
    summed over the fields (keys in first-match order: fields in WORD_FIELDS order,
    docnums ascending).
    """
    fields = stats.word_fields()
    out = []
    for term, qweight in terms.items():
        pseudo: dict[int, float] = {}
        for fieldname, norms in fields:
            tfs = _field_tf(stats, fieldname, term, norms)
            if tfs:
                _fold(pseudo, tfs)
        if allowed is not None and pseudo:
            pseudo = {d: tf for d, tf in pseudo.items() if d in allowed}
        if exclude is not None:
            pseudo.pop(exclude, None)
        out.append((term, qweight, pseudo))
    return out


def _all_terms(tfs: list[tuple[str, float, dict[int, float]]]) -> set[int]:
    """The documents matching every term."""
    if not tfs or not all(pseudo for _, _, pseudo in tfs):
        return set()
    full = set(tfs[0][2])
    for _, _, pseudo in tfs[1:]:
        full.intersection_update(pseudo)
    return full


def _sum_scores(
    stats: _Stats, tfs: list[tuple[str, float, dict[int, float]]], only: list[int] | None = None
) -> tuple[dict[int, float], dict[str, float]]:
    """BM25F per document (the terms' scores added in query order) and each term's weight.

    ``only``: score just these documents (each must match every term), in this order.
    Keys are in first-match order (term by term): ties in score rank in that order.
    """
    n = stats.doc_count
    k1, k1_plus, delta = K1, K1 + 1.0, DELTA
    scores: dict[int, float] = {}
    idfs: dict[str, float] = {}
    for term, qweight, pseudo in tfs:
        if not pseudo:
            continue
        # Document frequency: the most of any word field's (the union would need every
        # field's postings, which feedback's re-rank does not read; titles mostly repeat
        # body words, so the two rarely differ).
        w = idf(n, stats.df(term)) * qweight
        idfs[term] = w
        if only is None:
            # (A dict comprehension: 40% faster here than chained operator maps.)
            _fold(scores, {d: w * (tf * k1_plus / (tf + k1) + delta) for d, tf in pseudo.items()})
        elif not scores:
            scores = {d: w * (pseudo[d] * k1_plus / (pseudo[d] + k1) + delta) for d in only}
        else:
            scores = {d: s + w * (pseudo[d] * k1_plus / (pseudo[d] + k1) + delta) for d, s in scores.items()}
    return scores, idfs


def _score_terms(
    stats: _Stats, terms: dict[str, float], allowed: set[int] | None, explain: bool
) -> tuple[dict[int, float], set[int], dict[int, list[str]], dict[str, float]]:
    """BM25F accumulators: docnum -> score, the documents matching every term, reasons, term weights.

    ``scores`` keys are in first-match order (term by term, each term's fields in
    WORD_FIELDS order, docnums ascending): ties in score rank in that order.
    """
    if explain:
        return _score_terms_explained(stats, terms, allowed)
    tfs = _term_tfs(stats, terms, allowed)
    scores, idfs = _sum_scores(stats, tfs)
    return scores, _all_terms(tfs), {}, idfs


def _score_terms_explained(
    stats: _Stats, terms: dict[str, float], allowed: set[int] | None
) -> tuple[dict[int, float], set[int], dict[int, list[str]], dict[str, float]]:
    """:func:`_score_terms` with a reason line per document and term (the same scores, posting by posting)."""
    n = stats.doc_count
    scores: dict[int, float] = defaultdict(float)
    matched: dict[int, int] = defaultdict(int)
    why: dict[int, list[str]] = defaultdict(list)
    idfs: dict[str, float] = {}
    for term, qweight in terms.items():
        pseudo: dict[int, float] = defaultdict(float)
        parts: dict[int, list[str]] = defaultdict(list)
        for fieldname, norms in stats.word_fields():
            for docnum, tf in _postings(stats, fieldname, term):
                if allowed is not None and docnum not in allowed:
                    continue
                pseudo[docnum] += tf * norms[docnum]
                parts[docnum].append(f"{fieldname} tf={tf:g}")
        if not pseudo:
            continue
        df = stats.df(term)
        w = idf(n, df) * qweight
        idfs[term] = w
        for docnum, tf in pseudo.items():
            s = w * (tf * (K1 + 1.0) / (tf + K1) + DELTA)
            scores[docnum] += s
            matched[docnum] += 1
            why[docnum].append(
                f"{s:7.3f}  {term!r}: idf {idf(n, df):.2f} x query {qweight:g}, {', '.join(parts[docnum])}"
            )
    full = {d for d, c in matched.items() if c >= len(terms)}
    return scores, full, why, idfs


def rank_words(
    searcher: Any,
    tokens: list[str],
    *,
    allowed: set[int] | None = None,
    limit: int = 10,
    explain: bool = False,
    feedback: bool | None = None,
    weights: dict[str, float] | None = None,
    exclude: int | None = None,
    coordinate: bool = True,
) -> Ranked:
    """Rank documents for analysed query tokens (stems), best first.

    ``allowed``: only these docnums (a filter). ``limit`` is how many must be in order;
    the total counts every matching document.
    """
    stats = stats_for(searcher)
    terms = dict(weights) if weights else term_weights(tokens)
    tiered = ALL_WORDS_FIRST and coordinate and len(terms) > 1
    use_feedback = (FEEDBACK if feedback is None else feedback) and FEEDBACK_DOCS > 0
    depth = max(limit, PROXIMITY_DEPTH if PROXIMITY_WEIGHT else 0)
    # With feedback, the first pass orders enough documents to fill the final top
    # ``depth`` however many of them feedback's pool takes (see below).
    first = max(depth, max(FEEDBACK_DOCS, FEEDBACK_DEPTH) + depth if use_feedback else 0)
    if explain:
        scores, full, why, _ = _score_terms(stats, terms, allowed, True)
        if exclude is not None:
            scores.pop(exclude, None)
            full.discard(exclude)
        total = len(scores)
    else:
        why = {}
        tfs = _term_tfs(stats, terms, allowed, exclude)
        full = _all_terms(tfs) if tiered else set()
        if len(tfs) == 1 and tfs[0][2] and tfs[0][1] > 0:
            # One word: its BM25 score rises with the pseudo-tf, so the best pseudo-tfs
            # are the best scores (equal ones in the same order): score only those.
            term, qweight, pseudo = tfs[0]
            best = heapq.nlargest(first, pseudo, key=pseudo.__getitem__)
            scores, _ = _sum_scores(stats, [(term, qweight, {d: pseudo[d] for d in best})])
            total = len(pseudo)
        elif tiered and len(full) >= first:
            # Enough documents hold every word to fill the first pass: the others rank
            # after all of them, so only these are scored (the hit count still counts all).
            matches = tfs[0][2]
            scores, _ = _sum_scores(stats, tfs, only=list(compress(matches, map(full.__contains__, matches))))
            total = len(set().union(*(pseudo for _, _, pseudo in tfs)))
        else:
            scores, _ = _sum_scores(stats, tfs)
            total = len(scores)
    order = _order(scores, full, tiered, first)
    stored: dict[int, dict[str, Any]] = {}
    if use_feedback and order:
        scale, extra = _rm3(stats, terms, order[: max(FEEDBACK_DOCS, 1)], stored)
        if extra:
            # A re-rank: the expansion words re-score only the first pass's best
            # FEEDBACK_DEPTH documents (documents matching only expansion words are never
            # hits: coordination and the hit count follow the user's own words).
            pool = _feedback_pool(stats, order, stored)
            if explain:
                # The user's words again at their mixed weight, so each line is its real share.
                scaled = {t: scale * w for t, w in terms.items()}
                scores, _, why, _ = _score_terms(stats, scaled, allowed, True)
                if exclude is not None:
                    scores.pop(exclude, None)
                for d, s in _score_pool(stats, extra, pool, why).items():
                    scores[d] += s
                order = _order(scores, full, tiered, depth)
            else:
                # BM25 is linear in the query weight: every first-pass score is scaled
                # by ``scale`` and the pool's gain the expansion words' scores. Scaling
                # keeps the order of the documents outside the pool, so the new top
                # ``depth`` is among the pool and the next ``depth`` of the first pass:
                # only those are re-ordered (a stable sort: ties keep the first pass's
                # order, which is the score dict's, as a full re-sort would).
                gain = _score_pool(stats, extra, pool, None)
                rescored = []
                for s, d in order[: len(pool) + depth]:
                    s *= scale
                    if d in gain:
                        s += gain[d]
                    rescored.append((s, d))
                if tiered:
                    rescored.sort(key=lambda sd: (sd[1] in full, sd[0]), reverse=True)
                else:
                    rescored.sort(key=lambda sd: sd[0], reverse=True)
                order = rescored[:depth]
            expanded = {t: scale * w for t, w in terms.items()}
            for t, w in extra.items():
                expanded[t] = expanded.get(t, 0.0) + w
            terms = expanded
    if PROXIMITY_WEIGHT and len(terms) > 1:
        order = _proximity(stats, tokens, order, full, tiered, why if explain else None)
    return Ranked(order=order[:limit], total=total, terms=terms, why=dict(why), stored=stored)


def _feedback_pool(stats: _Stats, order: list[tuple[float, int]], keep: dict[int, Any] | None = None) -> list[int]:
    """The first pass's best documents that feedback re-scores: up to FEEDBACK_DEPTH, and
    no more once FEEDBACK_READ_WORDS words have been read (long pages cost more)."""
    pool: list[int] = []
    read = 0
    for _, docnum in order[:FEEDBACK_DEPTH]:
        if pool and read >= FEEDBACK_READ_WORDS and len(pool) >= FEEDBACK_DOCS:
            break
        pool.append(docnum)
        read += stats.doc_length(docnum, keep)
    return pool


def _score_pool(
    stats: _Stats, terms: dict[str, float], pool: list[int], why: dict[int, list[str]] | None
) -> dict[int, float]:
    """BM25F of ``terms`` for the documents in ``pool`` only, from their own text.

    The same score as the posting lists give (index_terms is the analyzer), without
    reading the expansion words' posting lists, whose cost grows with the index.
    """
    n = stats.doc_count
    out: dict[int, float] = defaultdict(float)
    fields = stats.word_fields()
    weights = {t: idf(n, stats.df(t)) * q for t, q in terms.items() if stats.df(t)}
    if why is None:
        k1, k1_plus, delta = K1, K1 + 1.0, DELTA
        for docnum in pool:
            per_field = stats.doc_terms(docnum)
            whole = per_field[""]
            present = [t for t in weights if t in whole]
            if not present:
                continue
            counts = [(per_field[fieldname], norms[docnum]) for fieldname, norms in fields]
            total = 0.0
            for term in present:
                tf = 0.0
                for counter, norm in counts:
                    c = counter.get(term)
                    if c:
                        tf += c * norm
                if tf:
                    total += weights[term] * (tf * k1_plus / (tf + k1) + delta)
            out[docnum] = total
        return out
    for docnum in pool:
        per_field = stats.doc_terms(docnum)
        for term, w in weights.items():
            tf = 0.0
            parts = []
            for fieldname, norms in fields:
                c = per_field[fieldname].get(term)
                if c:
                    tf += c * norms[docnum]
                    if why is not None:
                        parts.append(f"{fieldname} tf={c:g}")
            if not tf:
                continue
            s = w * (tf * (K1 + 1.0) / (tf + K1) + DELTA)
            out[docnum] += s
            if why is not None:
                why[docnum].append(f"{s:7.3f}  {term!r}: idf {idf(n, stats.df(term)):.2f} x query {terms[term]:.3g} "
                                   f"(feedback), {', '.join(parts)}")
    return out


def _order(scores: dict[int, float], full: set[int], tiered: bool, depth: int) -> list[tuple[float, int]]:
    """Top ``depth`` (score, docnum), the documents in ``full`` (every query word) first if ``tiered``.

    Equal scores keep the order of ``scores``' keys (as heapq.nlargest does).
    """
    key = scores.__getitem__
    if tiered and len(full) < len(scores):
        best = heapq.nlargest(depth, compress(scores, map(full.__contains__, scores)), key=key)
        if len(best) < depth:
            # The best of the rest: the top ``depth`` of all holds at most len(best)
            # documents of ``full``, so at least the ``depth - len(best)`` needed others.
            need = depth - len(best)
            rest = [d for d in heapq.nlargest(depth, scores, key=key) if d not in full]
            best += rest[:need]
    else:
        best = heapq.nlargest(depth, scores, key=key)
    return [(scores[d], d) for d in best]


def _proximity(
    stats: _Stats,
    tokens: list[str],
    order: list[tuple[float, int]],
    full: set[int],
    tiered: bool,
    why: dict[int, list[str]] | None,
) -> list[tuple[float, int]]:
    """Add a bonus for each pair of consecutive query words found near each other in the body."""
    pairs = [(a, b) for a, b in zip(tokens, tokens[1:]) if a != b]
    if not pairs or not order:
        return order
    candidates = {d for _, d in order[:PROXIMITY_DEPTH]}
    wanted = {t for pair in pairs for t in pair}
    positions: dict[str, dict[int, list[int]]] = {}
    for term in wanted:
        found: dict[int, list[int]] = {}
        for leaf, offset in stats.leaves:
            try:
                m = leaf.postings("body", term)
            except (TermNotFound, KeyError):
                continue
            for docnum in sorted(candidates):
                local = docnum - offset
                if local < 0 or local >= leaf.doc_count_all():
                    continue
                if not m.is_active():
                    break
                if m.id() < local:
                    m.skip_to(local)
                if m.is_active() and m.id() == local:
                    found[docnum] = list(m.value_as("positions"))
        positions[term] = found
    top = max((s for s, _ in order), default=1.0) or 1.0
    rescored = {d: s for s, d in order[:PROXIMITY_DEPTH]}
    for a, b in pairs:
        pa, pb = positions.get(a, {}), positions.get(b, {})
        # A pair is as informative as its rarer word.
        w = PROXIMITY_WEIGHT * top / len(pairs)
        for docnum in candidates & pa.keys() & pb.keys():
            near = _near_count(pa[docnum], pb[docnum], PROXIMITY_WINDOW)
            if near:
                bonus = w * near / (near + K1)
                rescored[docnum] += bonus
                if why is not None:
                    why.setdefault(docnum, []).append(f"{bonus:7.3f}  {a!r} near {b!r} x{near}")
    ranked = sorted(candidates, key=lambda d: ((d in full) if tiered else True, rescored[d], -d), reverse=True)
    return [(rescored[d], d) for d in ranked]


def _near_count(a: list[int], b: list[int], window: int) -> int:
    """How many occurrences of ``a`` have ``b`` within ``window`` positions (either side)."""
    count, j = 0, 0
    for p in a:
        while j < len(b) and b[j] < p - window:
            j += 1
        if j < len(b) and abs(b[j] - p) <= window:
            count += 1
    return count


def _rm3(
    stats: _Stats, terms: dict[str, float], top: list[tuple[float, int]], keep: dict[int, Any] | None = None
) -> tuple[float, dict[str, float]]:
    """RM3: the query mixed with the words most typical of the top hits.

    Returns ``(scale, extra)``: the mixed query is every original weight times ``scale``
    plus the ``extra`` weights (expansion words, and original words the top hits favour).
    """
    total = sum(s for s, _ in top) or 1.0
    model: dict[str, float] = {}
    n = stats.doc_count
    for score, docnum in top:
        counts = stats.doc_terms(docnum, keep)[""]
        length = stats.doc_length(docnum)
        if not length:
            continue
        share = score / total / length
        # model[word] += share * count for every word, the products by a C loop.
        _fold(model, dict(zip(counts.keys(), map(mul, repeat(share), counts.values()))))
    # Words in most documents carry no topic: weigh the model by idf. Looking up a
    # document frequency is the costly step, so candidates go most frequent first and
    # stop once even the highest idf could not lift one into the best FEEDBACK_TERMS
    # (the same words as weighing every candidate).
    ceiling = idf(n, 1)
    heap: list[tuple[float, str]] = []
    for word, p in sorted(model.items(), key=itemgetter(1), reverse=True):
        if len(heap) >= FEEDBACK_TERMS and p * ceiling <= heap[0][0]:
            break
        df = stats.df(word)
        weight = p * idf(n, df) if 1 < df <= FEEDBACK_MAX_DF * n or word in terms else 0.0
        if len(heap) < FEEDBACK_TERMS:
            heapq.heappush(heap, (weight, word))
        elif weight > heap[0][0]:
            heapq.heapreplace(heap, (weight, word))
    best = [(w, v) for v, w in sorted(heap, reverse=True)]
    norm_q = sum(terms.values()) or 1.0
    norm_e = sum(v for _, v in best) or 1.0
    extra = {t: (1.0 - FEEDBACK_ORIGINAL) * w / norm_e for t, w in best if w > 0}
    return FEEDBACK_ORIGINAL / norm_q, extra


def key_terms(searcher: Any, docnum: int, count: int = 20) -> dict[str, float]:
    """The words that best tell this document apart (Whoosh's Bo1 model over title and body)."""
    found: dict[str, float] = defaultdict(float)
    for fieldname in ("title", "body"):
        try:
            pairs = searcher.key_terms([docnum], fieldname, numterms=count)
        except Exception:  # a field with nothing stored for this document
            continue
        for word, weight in pairs:
            word = word.decode("utf-8") if isinstance(word, bytes) else word
            found[word] += float(weight)
    best = sorted(found.items(), key=lambda kv: kv[1], reverse=True)[:count]
    return dict(best)
