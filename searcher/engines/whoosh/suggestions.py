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
    word: the form that stem has in a document holding it. A slip can change how a word
    stems ("revsiions" keeps its ending, "revisions" loses it), which puts the stems further
    apart than the words: so the word's own spellings one letter less or two neighbours
    swapped are tried too, as words one edit away (the nearest still first).
    """
    analyzer = searcher.schema["body"].analyzer
    reader = searcher.reader()
    chosen: dict[str, str] = {}
    for word in words:
        if deadline is not None:
            deadline.check("looking for a spelling suggestion")
        stem = _stem(analyzer, word)
        if stem is None or any(searcher.doc_frequency(f, stem) for f in WORD_FIELDS):
            continue
        # The five best of the terms within two edits (a swap counting as one), then those
        # within the edits allowed for this word ("bahai" -> "bahia"); then the words one
        # slip away. The nearest wins, then the most frequent; (distance, -frequency,
        # stem, word as shown or None).
        allowed = max_edits(word)
        near = [(d, -f, c, None) for d, f, c in corrections(reader, stem, deadline=deadline) if d <= allowed]
        for spelling in _one_slip_undone(word.lower()):
            found = _stem(analyzer, spelling)
            if found is not None and found != stem and (frequency := reader.frequency("body", found)):
                near.append((1, -frequency, found, spelling))
        if not near:
            continue
        _, _, best, spelling = min(near, key=lambda c: (*c[:3], c[3] is None))
        real = _surface_form(searcher, best, analyzer, spelling)
        if real:
            chosen[word] = real
    return chosen


def _stem(analyzer: Any, word: str) -> str | None:
    """The one term ``word`` is searched as, or None (a stop word, or several words)."""
    stems = [t.text for t in analyzer(word, mode="query")]
    return stems[0] if len(stems) == 1 else None


def _one_slip_undone(word: str) -> set[str]:
    """``word`` with one letter left out, or two neighbouring letters swapped: a key pressed
    twice or in the wrong order undone (a few dozen spellings; letters added or replaced
    would take hundreds, and the stems' deletion index finds most of those)."""
    dropped = {word[:i] + word[i + 1:] for i in range(len(word))}
    swapped = {word[:i] + word[i + 1] + word[i] + word[i + 2:] for i in range(len(word) - 1)}
    return (dropped | swapped) - {word}


def _surface_form(searcher: Any, stem: str, analyzer: Any, spelling: str | None = None) -> str | None:
    """How ``stem`` is written in the first document that holds it (lower case): as
    ``spelling`` if that document writes it so (a slip undone may spell no real word:
    "generel" less its "l" stems as "general" does), else as it first does."""
    try:  # the reader's postings: no scorer to set up (a term lookup per segment less)
        m = searcher.reader().postings("body", stem)
    except TermNotFound:
        return None
    if not m.is_active():
        return None
    body = searcher.stored_fields(m.id()).get("body", "")
    first = None
    for token in analyzer(body, chars=True, mode="index"):
        if token.text == stem:
            written = body[token.startchar:token.endchar].lower()
            if spelling is None or written == spelling:
                return written
            first = first or written
    return first


def corrections(reader: Any, text: str, limit: int = 5, maxdist: int = 2, *,
                deadline: Deadline | None = None) -> list[tuple[int, int, str]]:
    """The ``limit`` best terms of the body within ``maxdist`` edits of ``text`` (a swap
    counting as one), as (edits, frequency, term): the nearest first, then the most frequent,
    then by the term.

    Nearest first, as Whoosh's corrector (``ReaderCorrector.suggest``) meant by asking one
    edit before two: one slip of the keys is far likelier than two, so "kiners" means
    "miners" (one edit) before the commoner "general" (two). Ranked by frequency alone, one
    suggestion in four on typing slips of Reuters headline words was another word
    (``benchmarks/spelling.py``).
    """
    heap: list[tuple[float, str, int, int]] = []
    for term in terms_within(reader, "body", text, maxdist, swaps=True, deadline=deadline):
        if term == text:
            continue
        f = reader.frequency("body", term) or 1
        distance = edits(text, term)
        item = (0 - (distance + (1.0 / f * 0.5)), term, distance, f)
        if len(heap) < limit:
            heappush(heap, item)
        elif item > heap[0]:
            heapreplace(heap, item)
    return [(distance, f, term) for _, term, distance, f in sorted(heap, key=lambda item: (0 - item[0], item[1]))]
