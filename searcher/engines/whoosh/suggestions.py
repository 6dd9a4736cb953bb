"""Did-you-mean over a Whoosh index: candidates from the body's stems, shown as real words.

Candidates come from the deletion index of ``near_terms`` (a bounded set per word, the
index built once per reader), ranked as Whoosh's ``ReaderCorrector.suggest`` ranks them;
Whoosh's corrector ran its Levenshtein automaton over the term list, 1-3 s per unknown word
on 3,000 articles and seconds more for a long one.
"""

from __future__ import annotations

from heapq import heappush, heapreplace
from typing import Any

from whoosh.reading import TermNotFound

from ...search.fields import WORD_FIELDS
from ...search.limits import Deadline
from ...search.suggestions import edits, max_edits
from .near_terms import terms_within


def corrections_for(searcher: Any, words: list[str], deadline: Deadline | None = None) -> dict[str, str]:
    """For each of ``words`` no word field holds, the closest indexed word (lower case), if
    one is within the edits allowed for it (what the pipeline's did-you-mean asks).

    The body is stemmed, so candidates are found among stems and then shown as a real
    word: the form that stem has in a document holding it.
    """
    analyzer = searcher.schema["body"].analyzer
    chosen: dict[str, str] = {}
    for word in words:
        if deadline is not None:
            deadline.check("looking for a spelling suggestion")
        stems = [t.text for t in analyzer(word, mode="query")]
        if len(stems) != 1:
            continue
        stem = stems[0]
        if any(searcher.doc_frequency(f, stem) for f in WORD_FIELDS):
            continue
        # The five best of the terms within two edits (a swap counting as one), then those
        # within the edits allowed for this word ("bahai" -> "bahia").
        allowed = max_edits(word)
        candidates = [c for c in corrections(searcher.reader(), stem, deadline=deadline) if edits(stem, c) <= allowed]
        if not candidates:
            continue
        real = _surface_form(searcher, candidates[0], analyzer)
        if real:
            chosen[word] = real
    return chosen


def _surface_form(searcher: Any, stem: str, analyzer: Any) -> str | None:
    """How ``stem`` is written in the first document that holds it (lower case)."""
    try:  # the reader's postings: no scorer to set up (a term lookup per segment less)
        m = searcher.reader().postings("body", stem)
    except TermNotFound:
        return None
    if not m.is_active():
        return None
    body = searcher.stored_fields(m.id()).get("body", "")
    for token in analyzer(body, chars=True, mode="index"):
        if token.text == stem:
            return body[token.startchar:token.endchar].lower()
    return None


def corrections(reader: Any, text: str, limit: int = 5, maxdist: int = 2, *,
                deadline: Deadline | None = None) -> list[str]:
    """The ``limit`` best terms of the body within ``maxdist`` edits of ``text`` (a swap
    counting as one): the nearest first, then the most frequent, then by the term.

    Nearest first, as Whoosh's corrector (``ReaderCorrector.suggest``) meant by asking one
    edit before two: one slip of the keys is far likelier than two, so "kiners" means
    "miners" (one edit) before the commoner "general" (two). Ranked by frequency alone, one
    suggestion in four on typing slips of Reuters headline words was another word
    (``benchmarks/spelling.py``).
    """
    heap: list[tuple[float, str]] = []
    for term in terms_within(reader, "body", text, maxdist, swaps=True, deadline=deadline):
        if term == text:
            continue
        f = reader.frequency("body", term) or 1
        item = (0 - (edits(text, term) + (1.0 / f * 0.5)), term)
        if len(heap) < limit:
            heappush(heap, item)
        elif item > heap[0]:
            heapreplace(heap, item)
    return [term for _, term in sorted(heap, key=lambda item: (0 - item[0], item[1]))]
