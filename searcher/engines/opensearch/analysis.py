"""The index's word analysis (``searcher_text`` in mapping.py) done here, without asking
the cluster: a query's terms and the words a snippet marks cost no request.

Words by the index's pattern, folded (lower case, accents off), stop words out, Porter
stems as Lucene stems them (porter.py). Python's accent folding and Lucene's
ASCIIFoldingFilter agree on every word that folds to ASCII; a word that does not (a
ligature, a non-Latin script) may fold otherwise, so :func:`local_terms` answers None for
a text holding one and the caller asks the cluster instead.
"""

from __future__ import annotations

from ...core.words import WORD_RE
from .compile import fold
from .mapping import STOP_WORDS
from .porter import stem

_STOP = frozenset(STOP_WORDS)


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
    seen: set[str] = set()
    for text in texts:
        for match in WORD_RE.finditer(text):
            word = fold(match.group())
            if word in seen:
                continue
            seen.add(word)
            if word not in _STOP and stem(word) in terms:
                marks.add(word)
    return frozenset(marks)
