"""Explanations as text: one readable line per part of a hit's score (``Hit.explanation``).

The parts themselves (:class:`searcher.core.records.ScorePart`) come from the engine and add
up to the hit's score; these lines are how a terminal shows them. Engine-neutral.
"""

from __future__ import annotations

from ..core.records import ScorePart


def part_line(part: ScorePart) -> str:
    """One part as a line: its contribution, then what it is."""
    head = f"{part.contribution:7.3f}  "
    if part.kind in ("word", "feedback") and part.idf is not None:
        weight = f"{part.query_weight:.3g} (feedback)" if part.kind == "feedback" else f"{part.query_weight:g}"
        fields = ", ".join(f"{name} tf={tf:g}" for name, tf in part.fields.items())
        return head + f"{part.term!r}: idf {part.idf:.2f} x query {weight}, {fields}"
    if part.kind == "proximity":
        a, _, b = part.term.partition(" ")
        return head + f"{a!r} near {b!r} x{sum(part.fields.values()):g}"
    if part.kind == "phrase":
        a, _, b = part.term.partition(" ")
        return head + f"{a!r} then {b!r} x{sum(part.fields.values()):g}"
    if part.kind == "word":  # a structured query's term in one field
        fields = ", ".join(f"{name}:{part.term!r} tf={tf:g}" for name, tf in part.fields.items()) or repr(part.term)
        boost = f" x {part.boost:.3g}" if part.boost is not None and part.boost != 1 else ""
        return head + fields + boost
    return head + (f"{part.kind} {part.term!r}" if part.term else part.kind)


def explanation_lines(score: float, parts: list[ScorePart], *, sorted_by_date: bool = False,
                      all_words_first: list[str] | None = None) -> list[str]:
    """The lines of ``Hit.explanation``: the total, then a line per part.

    ``all_words_first``: the query's words when documents holding all of them rank first.
    """
    head = [f"{score:7.3f}  total" + (" (sorted by date)" if sorted_by_date else "")]
    if all_words_first:
        head.append(f"         {len(parts)} line(s) below; documents holding all of {all_words_first} rank first")
    return head + [part_line(p) for p in parts]
