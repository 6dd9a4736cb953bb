"""Why a structured query (run by Whoosh) gave a document its score: parts that add up.

Whoosh scores a document by walking its matcher tree: leaves score a term in a field
(BM25), unions and intersections add their children, boosts multiply, and an OR of
side-by-side clauses applies its coordination bonus (an affine map: ``(s + c) x k``).
:func:`structured_parts` walks the same tree for one document and gives each leaf its
share of the total after every multiplier above it, plus the coordination bonuses, so the
parts add up to the score. A node it does not know how to take apart (a phrase, a span)
is one part of its own.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from whoosh.matching import binary, wrappers

from ...core.records import ScorePart

#: Nodes whose score is the sum of the children positioned on the document.
_ADDITIVE = (binary.UnionMatcher, binary.IntersectionMatcher, binary.AndMaybeMatcher)


def structured_parts(searcher: Any, query: Any, docnum: int, score: float) -> list[ScorePart]:
    """The parts of ``score``, the score ``query`` gave document ``docnum`` in ``searcher``.

    Anything the walk could not attribute (it should be nothing) is one ``other`` part,
    so the parts always add up to ``score``.
    """
    parts: list[ScorePart] = []
    for sub, offset in searcher.leaf_searchers():
        local = docnum - offset
        if not 0 <= local < sub.doc_count_all():
            continue
        matcher = query.matcher(sub, searcher.context(needs_current=True))
        if matcher.is_active() and matcher.id() < local:
            matcher.skip_to(local)
        if matcher.is_active() and matcher.id() == local:
            _walk(matcher, 1.0, parts, lambda fieldname, text: _term_text(searcher.schema, fieldname, text))
        break
    rest = score - sum(p.contribution for p in parts)
    if abs(rest) > 1e-9 * max(1.0, abs(score)):
        parts.append(ScorePart("other", "", rest))
    return parts


def _at(matcher: Any, docid: int) -> bool:
    return bool(matcher.is_active() and matcher.id() == docid)


#: ``shown(fieldname, text)``: an index term as a part shows it.
Shown = Callable[[str, Any], str]


def _term_text(schema: Any, fieldname: str, text: Any) -> str:
    """A term as people read it: a word, or the date a ``published`` term encodes."""
    if not isinstance(text, bytes):
        return str(text)
    try:
        value = schema[fieldname].from_bytes(text)
    except Exception:  # a term the field cannot decode: show what can be shown
        return text.decode("utf-8", "replace")
    return value.isoformat() if isinstance(value, datetime) else str(value)


def _walk(m: Any, factor: float, parts: list[ScorePart], shown: Shown) -> None:
    """Add the parts of ``m``'s score at its current document, each times ``factor``."""
    docid = m.id()
    if isinstance(m, wrappers.CoordMatcher):
        matching = sum(1 for _ in m.child.matching_terms(docid))
        offset = m._sqr(0.0, matching)
        scale = m._sqr(1.0, matching) - offset
        _walk(m.child, factor * scale, parts, shown)
        if offset:
            parts.append(ScorePart("coordination", "", factor * offset, boost=factor))
        return
    if isinstance(m, wrappers.RequireMatcher):
        _walk(m.a, factor, parts, shown)
        return
    if isinstance(m, binary.AndNotMatcher):
        _walk(m.a, factor, parts, shown)
        return
    if isinstance(m, _ADDITIVE) and not isinstance(m, binary.DisjunctionMaxMatcher):
        for child in (m.a, m.b):
            if _at(child, docid):
                _walk(child, factor, parts, shown)
        return
    if isinstance(m, wrappers.WrappingMatcher) and type(m).score is wrappers.WrappingMatcher.score:
        _walk(m.child, factor * m.boost, parts, shown)
        return
    parts.append(_leaf(m, factor, shown))


def _leaf(m: Any, factor: float, shown: Shown) -> ScorePart:
    """A part for a term in a field, or for a node scored as a whole (a phrase: its words)."""
    term = m.term() if not list(m.children()) else None
    if term is not None:
        fieldname, text = term
        return ScorePart("word", shown(fieldname, text), factor * m.score(), {fieldname: m.weight()}, boost=factor)
    words, fieldnames = [], []
    for leaf in m.term_matchers():
        fieldname, text = leaf.term()
        words.append(shown(fieldname, text))
        fieldnames.append(fieldname)
    fields = {name: m.weight() for name in dict.fromkeys(fieldnames)}
    return ScorePart("word", " ".join(words), factor * m.score(), fields, boost=factor)
