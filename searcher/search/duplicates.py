"""Near-duplicate articles (the same story saved twice, wire copy on many sites): a signature
of each cleaned body, made when it is indexed, and the folding of ranked hits whose
signatures say they are copies. Engine-neutral: an engine stores :func:`body_signature`'s
bytes with each document and calls :func:`fold` on its ranked candidates.

The signature is a one-permutation MinHash (Li, Owen & Zhang 2012, densified by rotation as
in Shrivastava & Li 2014) of the body's word 4-shingles: each shingle is hashed once, the
hash picks one of ``SKETCH_SIZE`` bins and the bin keeps its smallest value; the share of
bins two sketches agree on estimates the Jaccard similarity of the two shingle sets.
Chosen over a 64-bit SimHash by ``benchmarks/duplicates.py`` (section "signatures"): at the
setting that keeps as many development copies, the two separate them from templated wire
items alike (SimHash 0 of 133 pairs, MinHash 1, a story re-sent days later), but MinHash
estimates the Jaccard similarity the thresholds are set on (mean error 0.034 on those
pairs) and, with the shingle counts, how much of one body lies inside another, which
SimHash's Hamming distance cannot tell; SimHash's usual setting (3 bits of 64) keeps
only 24 of 61 copies, it needed 10; and it costs 6x the CPU to make in Python (1.4 ms
against 0.24 ms per Reuters article: 64 bit counts per shingle against one bin).

A body too short for the estimate to mean much (``MIN_SHINGLES``) folds only into one with
the same words in title and body (a 64-bit hash of both is part of the signature): the
same wire item imported twice folds, two companies' identical dividend notices do not.
"""

from __future__ import annotations

import hashlib
import re
from array import array
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from ..core.records import Document

#: Words per shingle. A changed word (a figure, a date, a name) breaks every shingle it is
#: in, so longer shingles keep templated items apart, while copies differ by whole blocks
#: (chrome one capture kept) and lose few shingles either way. Measured by
#: benchmarks/duplicates.py (section "shingles", exact Jaccard >= 0.8): 3, 4, 5 words keep
#: 52, 51, 51 of the 61 development copies and let 18, 18, 13 templated Reuters pairs
#: through (1 of each at >= MIN_SHINGLES); 4 with the containment rule keeps 56.
SHINGLE_WORDS = 4
#: Bins of the sketch: the estimate's standard error at Jaccard 0.8 is about 0.05; 64
#: 32-bit values are 256 bytes stored per document.
SKETCH_SIZE = 64
#: Two bodies are copies from this estimated Jaccard similarity of their shingles up.
#: Measured (exact, 4 words): 0.5 / 0.6 / 0.7 / 0.8 keep 58 / 58 / 54 / 51 development copies
#: and let 55 / 40 / 19 / 18 templated Reuters pairs through (6 / 2 / 1 / 1 of those at
#: >= MIN_SHINGLES); no two different development articles reach 0.06. 0.8 as the issue
#: proposes: lower gains copies only where one body lies inside the other (CONTAINED_AT).
FOLD_AT = 0.8
#: ... or when the shorter lies this much inside the longer (containment: shared shingles
#: over the shorter's, from the Jaccard estimate and the two counts) and they still share
#: CONTAINED_FLOOR of their shingles: one capture of a page kept chrome the other did not
#: (measured: 9 of the 61 development pages' text/HTML pairs are below Jaccard 0.8 but
#: 0.85 to 1.0 contained). Templated items are alike in length, where containment >= 0.9
#: already needs Jaccard >= 0.82; the floor keeps a brief quoted inside a long roundup apart.
CONTAINED_AT = 0.9
CONTAINED_FLOOR = 0.5
#: Bodies with fewer distinct shingles fold only when title and body are the same words:
#: short items are where different articles share a template almost word for word ("Qtly
#: div 20 cts vs 20 cts prior, pay April 15" for two companies named only in the title).
MIN_SHINGLES = 50

# Han and kana characters are words of their own (those scripts put no space between
# words); any other run of word characters is a word.
_CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_WORD = re.compile(f"[{_CJK}]|[^\\W{_CJK}]+")
_MASK = (1 << 64) - 1
# Odd multipliers: a shingle's hash is a weighted sum of its words' (random) hashes, so the
# order of the words counts and the top bits are well mixed.
_MULTIPLIERS = (0x9E3779B97F4A7C15, 0xC2B2AE3D27D4EB4F, 0x165667B19E3779F9, 0xD6E8FEB86659FD93,
                0xFF51AFD7ED558CCD, 0xC4CEB9FE1A85EC53)
_EMPTY = 0xFFFFFFFF
_BIN_BITS = SKETCH_SIZE.bit_length() - 1
_WORD_HASHES: dict[str, int] = {}
#: LSH bands :func:`fold` looks copies up by: two sketches that agree on 2 bins in a row in
#: one of 32 bands (at Jaccard 0.5: 99.99% of pairs) are compared in full.
_BAND = 2


@dataclass(frozen=True, slots=True)
class Signature:
    """A document's near-duplicate signature: how many distinct shingles its body has, its
    sketch, and a 64-bit hash of its title's and body's words (0 for an empty body)."""

    shingles: int
    sketch: tuple[int, ...]
    exact: int = 0

    def to_bytes(self) -> bytes:
        """The stored form: the shingle count, the exact hash (two values), then the sketch,
        32-bit little-endian values."""
        values = array("I", (min(self.shingles, _EMPTY), self.exact & 0xFFFFFFFF, self.exact >> 32, *self.sketch))
        if values.itemsize != 4:  # pragma: no cover - every platform Python runs on has 4-byte "I"
            raise RuntimeError("array('I') is not 32-bit here")
        return _little_endian(values).tobytes()

    @classmethod
    def from_bytes(cls, data: object) -> "Signature | None":
        """The signature stored as :meth:`to_bytes`, or None for anything else (a damaged value)."""
        if not isinstance(data, (bytes, bytearray)) or len(data) != 4 * (SKETCH_SIZE + 3):
            return None
        values = array("I")
        values.frombytes(bytes(data))
        values = _little_endian(values)
        return cls(values[0], tuple(values[3:]), values[1] | values[2] << 32)

    @property
    def foldable(self) -> bool:
        """True if the body is long enough to be folded at all (MIN_SHINGLES)."""
        return self.shingles >= MIN_SHINGLES


def _little_endian(values: array) -> array:
    import sys

    if sys.byteorder == "big":  # pragma: no cover - stored signatures are little-endian everywhere
        values.byteswap()
    return values


def _words(text: str) -> list[str]:
    return _WORD.findall(text.casefold())


def shingle_hashes(text: str, words: int = SHINGLE_WORDS) -> set[int]:
    """The 64-bit hashes of ``text``'s distinct word ``words``-shingles (case folded)."""
    return _shingles(_words(text), words)


def _shingles(tokens: list[str], words: int = SHINGLE_WORDS) -> set[int]:
    cache = _WORD_HASHES
    if len(cache) > 200_000:
        cache.clear()
    for token in set(tokens).difference(cache):
        cache[token] = int.from_bytes(hashlib.blake2b(token.encode("utf-8", "surrogatepass"), digest_size=8).digest(),
                                      "little")
    hashes = list(map(cache.__getitem__, tokens))
    if len(hashes) < words:
        return set()
    if words == 4:  # the usual case, spelt out: three times faster than the general one
        f0, f1, f2, f3 = _MULTIPLIERS[:4]
        return {(a * f0 + b * f1 + c * f2 + d * f3) & _MASK
                for a, b, c, d in zip(hashes, hashes[1:], hashes[2:], hashes[3:])}
    columns = [hashes[i:len(hashes) - words + 1 + i] for i in range(words)]
    factors = _MULTIPLIERS[:words]
    return {sum(h * f for h, f in zip(row, factors)) & _MASK for row in zip(*columns)}


def signature_of(text: str, title: str = "") -> Signature:
    """The signature of a cleaned body and its title (a pure function of the two)."""
    tokens = _words(text)
    hashes = _shingles(tokens)
    bins = [_EMPTY] * SKETCH_SIZE
    shift = 64 - _BIN_BITS
    for h in hashes:
        slot = h >> shift
        value = h >> 16 & 0xFFFFFFFF
        if value < bins[slot]:
            bins[slot] = value
    exact = 0
    if tokens:
        words = " ".join(_words(title)) + "\n" + " ".join(tokens)
        exact = int.from_bytes(hashlib.blake2b(words.encode("utf-8", "surrogatepass"), digest_size=8).digest(),
                               "little") or 1
    return Signature(len(hashes), _densified(bins) if hashes else tuple(bins), exact)


def _densified(bins: list[int]) -> tuple[int, ...]:
    """Empty bins take the value of the next filled bin to the right (wrapping), changed by
    the distance, so that two similar sets fill their empty bins alike (rotation)."""
    out = list(bins)
    size = len(bins)
    for i, value in enumerate(bins):
        if value != _EMPTY:
            continue
        step = 1
        while bins[(i + step) % size] == _EMPTY:
            step += 1
        out[i] = (bins[(i + step) % size] + step * 0x9E3779B1) & 0xFFFFFFFE  # never _EMPTY
    return tuple(out)


def body_signature(doc: Document) -> bytes:
    """What an engine stores with ``doc``: the signature of its cleaned body (and title) as bytes."""
    return signature_of(doc.body or "", doc.title or "").to_bytes()


def read_signature(stored: object, body: str, title: str = "") -> Signature:
    """The signature an engine stored (:func:`body_signature`'s bytes), or, when there is
    none or it cannot be read, the one made from the document's body and title."""
    found = Signature.from_bytes(stored)
    return found if found is not None else signature_of(body or "", title or "")


def similarity(a: Signature, b: Signature) -> float:
    """The estimated Jaccard similarity of the two bodies' shingle sets (0 to 1)."""
    return sum(x == y for x, y in zip(a.sketch, b.sketch)) / SKETCH_SIZE


def containment(a: Signature, b: Signature, jaccard: float | None = None) -> float:
    """The estimated share of the shorter body's shingles found in the longer one."""
    j = similarity(a, b) if jaccard is None else jaccard
    shared = j / (1 + j) * (a.shingles + b.shingles)
    return min(1.0, shared / max(1, min(a.shingles, b.shingles)))


def _alike(a: Signature, b: Signature, threshold: float) -> bool:
    """Two long bodies are copies: similar enough, or one (nearly) inside the other."""
    j = similarity(a, b)
    return j >= threshold or (j >= CONTAINED_FLOOR and containment(a, b, j) >= CONTAINED_AT)


def are_copies(a: Signature | None, b: Signature | None, threshold: float = FOLD_AT) -> bool:
    """True if the two documents are copies: long bodies similar enough (or one inside the
    other), or the same words in title and body."""
    if a is None or b is None:
        return False
    if a.foldable and b.foldable:
        return _alike(a, b, threshold)
    return a.exact != 0 and a.exact == b.exact and a.shingles == b.shingles


Key = TypeVar("Key", bound=Hashable)


@dataclass(slots=True)
class Group(Generic[Key]):
    """A hit that stays (the best-ranked of its copies) and the copies folded into it."""

    key: Key
    copies: list[Key] = field(default_factory=list)


def fold(candidates: Sequence[tuple[Key, Signature | None]], threshold: float = FOLD_AT) -> list[Group[Key]]:
    """Ranked candidates, best first, folded: each one that is a copy of an earlier kept one
    joins that one's group; the rest stay, in order.

    Greedy from the top, so the groups of a prefix of the ranking are a prefix of the
    groups of the whole (a page never shows what folded into an earlier page), and a copy
    is compared with the kept hits only (no chains: A~B and B~C does not fold C into A
    unless C~A). A candidate without a signature (None) never folds. A long body is
    compared only with kept ones that share a band of its sketch (LSH: _BAND values in a
    row), and joins the best-ranked of those it is alike.
    """
    candidates = list(candidates)
    foldable = [i for i, (_, sig) in enumerate(candidates) if sig is not None and sig.foldable]
    partners = _band_partners([candidates[i][1].sketch for i in foldable])  # type: ignore[union-attr]
    row_of = {i: r for r, i in enumerate(foldable)}
    groups: list[Group[Key]] = []
    kept_group: dict[int, int] = {}  # row of a kept long body -> its group
    exact: dict[int, int] = {}
    for i, (key, signature) in enumerate(candidates):
        row = row_of.get(i)
        if row is not None:
            home = None
            for other, agree in partners[row]:  # earlier rows sharing a band, in order
                group = kept_group.get(other)
                if group is not None:
                    j = agree / SKETCH_SIZE  # similarity(): the share of bins that agree
                    if j >= threshold or (j >= CONTAINED_FLOOR and containment(
                            signature, candidates[foldable[other]][1], j) >= CONTAINED_AT):  # type: ignore[arg-type]
                        home = group
                        break
            if home is not None:
                groups[home].copies.append(key)
                continue
            kept_group[row] = len(groups)
        elif signature is not None and signature.exact:
            home = exact.get(signature.exact)
            if home is not None:
                groups[home].copies.append(key)
                continue
            exact[signature.exact] = len(groups)
        groups.append(Group(key))
    return groups


def _band_partners(sketches: list[tuple[int, ...]]) -> list[list[tuple[int, int]]]:
    """For each sketch, the earlier ones sharing a band with it (_BAND bins in a row, all
    equal), in order, each with how many bins the two agree on. numpy over all pairs at
    once, in blocks of rows (a 1,000-candidate window stays a few MB)."""
    import numpy as np

    count = len(sketches)
    partners: list[list[tuple[int, int]]] = [[] for _ in range(count)]
    if count < 2:
        return partners
    matrix = np.asarray(sketches, dtype=np.uint32)
    for start in range(0, count, 64):
        end = min(count, start + 64)
        eq = matrix[start:end, None, :] == matrix[None, :end, :]
        banded = eq.reshape(end - start, end, SKETCH_SIZE // _BAND, _BAND).all(axis=3).any(axis=2)
        banded &= np.arange(end)[None, :] < np.arange(start, end)[:, None]  # earlier ones only
        rows, others = np.nonzero(banded)
        if len(rows):
            agree = eq[rows, others].sum(axis=1)
            for r, o, a in zip((rows + start).tolist(), others.tolist(), agree.tolist()):
                partners[r].append((o, a))
    return partners


#: Hard bound on the candidates ranked to fill a page when folding (see :func:`collapse`).
MAX_CANDIDATES = 1000


def first_window(wanted: int) -> int:
    """Candidates to rank first for the top ``wanted`` folded hits: twice as many plus 10,
    so a page fills in one ranking even when every article is there twice (as text and
    as HTML)."""
    return 2 * wanted + 10


def collapse(rank: Callable[[int], tuple[Sequence[Key], int]], signature: Callable[[Key], Signature | None],
             wanted: int) -> tuple[list[Group[Key]], int]:
    """Fold a ranking until it gives ``wanted`` groups: the engine-neutral driver.

    ``rank(n)`` returns the best ``n`` candidates' keys (best first) and how many match;
    ``signature(key)`` a candidate's signature (None: never folds). The window starts at
    :func:`first_window` and doubles (ranking again) while the groups fall short and more
    documents match, up to ``max(MAX_CANDIDATES, first_window(wanted))``: past that the
    ranking ends there, the same for every page, so paging stays consistent. Returns every
    group found in the window (more than ``wanted`` is the look-ahead) and the number of
    candidates folded into them.
    """
    window = first_window(wanted)
    cap = max(MAX_CANDIDATES, window)
    while True:
        keys, total = rank(window)
        groups = fold([(key, signature(key)) for key in keys])
        if len(groups) >= wanted or len(keys) >= total or window >= cap:
            return groups, len(keys) - len(groups)
        window = min(2 * window, cap)
