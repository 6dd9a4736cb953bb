"""Hyphenated words in word queries: "re-set", "al-Qaeda", "COVID-19" as one term each.

To a user a hyphenated word is one thing; split into its parts and OR-ed ("re" OR "set")
it ranks pages that only say "they're" and "sets". The word path ranks it as one term
instead: a document holds it where the parts stand next to each other, in order, or
where the joined word ("reset") stands. Its term frequency is how often that happens, its
document frequency how many documents it happens in, and BM25F scores it like any word.
"""

from __future__ import annotations

from typing import Any

from whoosh.reading import TermNotFound

from ...search.query_text import HYPHEN_JOIN, joined, word_units


class Compound(str):
    """A query term for a hyphenated word: equal to its parts' terms joined by a space
    ("re set", which no single indexed term can be), with ``parts`` and the ``whole``
    word's term ("reset", or None when that is one of the parts or not one term)."""

    parts: tuple[str, ...]
    whole: str | None

    def __new__(cls, parts: list[str], whole: str | None) -> "Compound":
        made = super().__new__(cls, " ".join(parts))
        made.parts = tuple(parts)
        made.whole = whole
        made._postings = {}
        return made

    def __reduce__(self) -> Any:
        return (Compound, (list(self.parts), self.whole))


def analyze_query(text: str, analyzer: Any) -> list[str]:
    """A word query's terms in order (as ``analyzer`` makes them), each hyphenated word a
    :class:`Compound` when it has two or more parts."""
    if not HYPHEN_JOIN.search(text):
        return [t.text for t in analyzer(text, mode="query")]
    terms: list[str] = []
    for unit, hyphenated in word_units(text):
        parts = [t.text for t in analyzer(unit, mode="query")]
        if not hyphenated or len(parts) < 2:
            terms.extend(parts)
            continue
        whole = [t.text for t in analyzer(joined(unit), mode="query")]
        terms.append(Compound(parts, whole[0] if len(whole) == 1 and whole[0] not in parts else None))
    return terms


def plain_terms(terms: list[str]) -> list[str]:
    """The terms with every compound replaced by its parts (for proximity)."""
    out: list[str] = []
    for term in terms:
        out.extend(term.parts if isinstance(term, Compound) else (term,))
    return out


def highlight_terms(terms: list[str]) -> set[str]:
    """The indexed terms to mark in snippets: plain terms, compounds' parts and whole words."""
    out: set[str] = set()
    for term in terms:
        if isinstance(term, Compound):
            out.update(term.parts)
            if term.whole:
                out.add(term.whole)
        else:
            out.add(term)
    return out


def compound_postings(stats: Any, fieldname: str, compound: Compound) -> dict[int, float]:
    """Global docnum -> how often ``compound`` occurs in ``fieldname`` (its parts adjacent and
    in order, or its whole word), by docnum; cached on the compound (one query's life)."""
    found = compound._postings.get(fieldname)  # type: ignore[attr-defined]
    if found is not None:
        return found
    out: dict[int, float] = {}
    for leaf, offset in stats.field_leaves(fieldname):
        _phrase_counts(leaf, fieldname, compound.parts, offset, out)
        if compound.whole:
            try:
                m = leaf.postings(fieldname, compound.whole)
            except (TermNotFound, KeyError):
                continue
            while m.is_active():
                d = offset + m.id()
                out[d] = out.get(d, 0.0) + m.weight()
                m.next()
    found = dict(sorted(out.items()))
    compound._postings[fieldname] = found  # type: ignore[attr-defined]
    return found


def _phrase_counts(leaf: Any, fieldname: str, parts: tuple[str, ...], offset: int, out: dict[int, float]) -> None:
    """Add to ``out`` the occurrences of ``parts`` side by side in each document of one segment."""
    try:
        matchers = [leaf.postings(fieldname, part) for part in parts]
    except (TermNotFound, KeyError):
        return
    lead, rest = matchers[0], matchers[1:]
    while lead.is_active():
        d = lead.id()
        ahead = None
        for m in rest:
            if m.is_active() and m.id() < d:
                m.skip_to(d)
            if not m.is_active():
                return
            if m.id() != d:
                ahead = m.id()
                break
        if ahead is not None:
            lead.skip_to(ahead)
            continue
        starts = set(lead.value_as("positions"))
        for i, m in enumerate(rest, 1):
            starts.intersection_update(p - i for p in m.value_as("positions"))
            if not starts:
                break
        if starts:
            out[offset + d] = float(len(starts))
        lead.next()
