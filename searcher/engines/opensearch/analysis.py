"""The index's word analysis (``searcher_text`` in mapping.py) done here, without asking
the cluster: a query's terms and the words a snippet marks cost no request.

Words by the index's pattern, folded (lower case, accents off), stop words out, Porter
stems as Lucene stems them (porter.py). Python's accent folding and Lucene's
ASCIIFoldingFilter agree on every word that folds to ASCII; a word that does not (a
ligature, a non-Latin script) may fold otherwise, so :func:`local_terms` answers None for
a text holding one and the caller asks the cluster instead. :func:`field_terms` counts a
stored document's terms the same way, so that ranking needs no term vectors from the
cluster (word_ranking.py).
"""

from __future__ import annotations

import unicodedata
from collections import Counter
from collections.abc import Iterable
from functools import lru_cache
from typing import cast

from ...core.words import WORD_RE
from .compile import fold
from .mapping import STOP_WORDS
from .porter import stem

_STOP = frozenset(STOP_WORDS)
#: A word as a document writes it -> its term ("" for a stop word): a search analyses about
#: a hundred documents, whose words repeat from one search to the next.
_TERMS: dict[str, str] = {}
#: The most words :data:`_TERMS` keeps (a few tens of megabytes at most).
_TERMS_MAX = 500_000


def local_terms(text: str) -> list[str] | None:
    """The terms the index makes of ``text`` in a word field, in order; None when a word
    folds to something other than ASCII (the cluster must analyse it)."""
    terms: list[str] = []
    for match in WORD_RE.finditer(text):
        word = fold(match.group())
        if not word.isascii():
            return None
        if word not in _STOP:
            terms.append(stem(word))
    return terms


def marked_words(texts: list[str], terms: frozenset[str]) -> frozenset[str]:
    """The words of ``texts`` (folded) whose term is one of ``terms``: what a snippet marks,
    as the cluster's highlighter would find them for a query of those terms."""
    marks: set[str] = set()
    for word in {w for text in texts for w in WORD_RE.findall(text)}:
        term = _TERMS.get(word)
        if term is None:
            term = _term(word)
            _learn(word)
        if term in terms:
            marks.add(fold(word))
    return frozenset(marks)


def field_terms(texts: Iterable[str]) -> dict[str, int] | None:
    """Each term the index makes of a field's ``texts`` (its values) and how often: the
    field's term vector. None when a text holds a character the index's tokenizer may read
    otherwise than ``core.words``' pattern in Python (Java's ``\\w`` and Python's differ on
    combining marks, connectors, joiners; a fraction or a superscript digit, which only
    Python takes for a word character, is read as a space) or a word that folds to something
    other than ASCII: the cluster must analyse that document."""
    tokens: list[str] = []
    for text in texts:
        if not text.isascii():
            odd = [ch for ch in set(text) if not _read_alike(ch)]
            if odd:
                if not all(unicodedata.category(ch) == "No" for ch in odd):
                    return None
                # A fraction or a superscript ("3½", "x²") is a word character to Python
                # only: for the index it parts words as a space does.
                text = text.translate(dict.fromkeys(map(ord, odd), " "))
        tokens += WORD_RE.findall(text)
    terms = list(map(_TERMS.get, tokens))
    if None in terms:
        for word in {w for w, t in zip(tokens, terms) if t is None}:
            _learn(word)
        terms = [_TERMS.get(w) or _term(w) for w in tokens]
    counts: Counter[str] = Counter(cast("list[str]", terms))  # every word's term is known now
    if _FOREIGN in counts:
        return None
    counts.pop("", None)
    return counts


#: The term of a word that folds to something other than ASCII (never a real term).
_FOREIGN = "\x00"


def _term(word: str) -> str:
    """The term of a word as written: "" for a stop word, :data:`_FOREIGN` for a word the
    cluster must analyse."""
    folded = fold(word)
    if not folded.isascii():
        return _FOREIGN
    return "" if folded in _STOP else stem(folded)


def _learn(word: str) -> None:
    if len(_TERMS) < _TERMS_MAX:
        _TERMS[word] = _term(word)


@lru_cache(maxsize=4096)
def _read_alike(ch: str) -> bool:
    """True if the index's pattern (Java's ``\\w`` with UNICODE_CHARACTER_CLASS: letters,
    marks, decimal digits, connectors, joiners) and Python's (letters, any numeral, ``_``)
    agree on whether ``ch`` is part of a word."""
    if ch.isascii():
        return True
    category = unicodedata.category(ch)
    return not (category[0] == "M" or category in ("No", "Nl", "Pc") or ch in "\u200c\u200d"
                or "\u24b6" <= ch <= "\u24e9" or "\U0001f130" <= ch <= "\U0001f189")
