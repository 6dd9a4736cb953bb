"""Terms within a few edits of a word, from a deletion index of the vocabulary (SymSpell).

Whoosh finds them with a Levenshtein automaton run over the term list; its cost grows with
the word's length and with the edits allowed (a 100-letter word took seconds, ``oil~9``
minutes). Here every term of a field is indexed, once per reader and field (built on first
use, kept while the reader lives), under each string made by deleting up to two of its
letters. Two words are within ``k`` edits only if some deletion of at most ``k`` letters
from each meets, so the candidates of a word are the terms listed under its own deletions:
a bounded set, checked one by one with the exact edit distance. The answer is Whoosh's
``terms_within`` (plain Levenshtein, a swap is two edits), in term order.
"""

from __future__ import annotations

import time
import weakref
from collections import defaultdict
from typing import Any

from ...search.limits import Deadline
from ...search.suggestions import edits
from .deletions import DEPTH, deletions
from .spelling import segment_spelling


_INDEXES: "weakref.WeakKeyDictionary[Any, dict[str, _Deletions]]" = weakref.WeakKeyDictionary()
_LEXICONS: "weakref.WeakKeyDictionary[Any, dict[str, list[str]]]" = weakref.WeakKeyDictionary()


def lexicon(reader: Any, fieldname: str) -> list[str]:
    """Every term of ``fieldname`` as text, in order: read once per reader and kept (Whoosh
    decodes its term file anew on each pass, several times a wildcard)."""
    per_field = _LEXICONS.get(reader)
    if per_field is None:
        per_field = _LEXICONS[reader] = {}
    terms = per_field.get(fieldname)
    if terms is None:
        terms = per_field[fieldname] = [t.decode("utf-8") if isinstance(t, bytes) else t
                                        for t in reader.lexicon(fieldname)]
    return terms


class _Deletions:
    """One field's vocabulary under every deletion of up to DEPTH letters of each term."""

    def __init__(self, terms: list[str]) -> None:
        self.terms = terms
        index: defaultdict[str, list[int]] = defaultdict(list)
        for i, term in enumerate(terms):
            for d in deletions(term, DEPTH):
                index[d].append(i)
        self.index = dict(index)
        self.longest = max(map(len, terms), default=0)

    def within(self, word: str, maxdist: int, prefix: int = 0, *, swaps: bool = False) -> list[str]:
        if len(word) > self.longest + maxdist:
            return []  # longer than every term by more than the edits: nothing is near
        distance = edits if swaps else levenshtein
        found: set[int] = set()
        get = self.index.get
        for d in deletions(word, maxdist):
            ids = get(d)
            if ids:
                found.update(ids)
        terms = self.terms
        head = word[:prefix]
        out = [terms[i] for i in found
               if terms[i].startswith(head) and distance(word, terms[i], maxdist) <= maxdist]
        out.sort()
        return out


def levenshtein(a: str, b: str, limit: int) -> int:
    """Levenshtein distance of ``a`` and ``b``, or ``limit + 1`` once it must exceed ``limit``."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        if min(cur) > limit:
            return limit + 1
        prev = cur
    return prev[-1]




def terms_within(reader: Any, fieldname: str, word: str, maxdist: int, prefix: int = 0, *,
                 swaps: bool = False, deadline: Deadline | None = None) -> list[str]:
    """The terms of ``fieldname`` within ``maxdist`` (at most DEPTH) edits of ``word`` that
    start with its first ``prefix`` letters, in term order: what Whoosh's Levenshtein automaton
    accepts (``swaps``: a swap of two neighbouring letters counts as one edit). Building the
    field's deletion index (once per reader) does not count against ``deadline``."""
    if maxdist > DEPTH:
        raise ValueError(f"at most {DEPTH} edits")
    written = _written(reader, fieldname)
    if written is not None:  # every segment's index was written at commit (spelling.py)
        distance = edits if swaps else levenshtein
        head = word[:prefix]
        found: set[str] = set()
        for spelling in written:
            if len(word) <= spelling.longest + maxdist:
                found.update(spelling.candidates(word, maxdist))
        return sorted(t for t in found if t.startswith(head) and distance(word, t, maxdist) <= maxdist)
    per_field = _INDEXES.get(reader)
    if per_field is None:
        per_field = _INDEXES[reader] = {}
    deletions_index = per_field.get(fieldname)
    if deletions_index is None:
        started = time.perf_counter()
        deletions_index = per_field[fieldname] = _Deletions(lexicon(reader, fieldname))
        if deadline is not None:
            deadline.extend(time.perf_counter() - started)
    return deletions_index.within(word, maxdist, prefix, swaps=swaps)


def _written(reader: Any, fieldname: str) -> list[Any] | None:
    """The deletion index files of every segment of ``reader`` for ``fieldname``, or None
    when one has none (then the index is built in memory, as for an older index)."""
    found = []
    for leaf, _offset in reader.leaf_readers():
        spelling = segment_spelling(leaf, fieldname)
        if spelling is None:
            return None
        found.append(spelling)
    return found
