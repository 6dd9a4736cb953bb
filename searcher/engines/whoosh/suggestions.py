"""Did-you-mean over a Whoosh index: candidates from the body's stems, shown as real words."""

from __future__ import annotations

from typing import Any

from ...search.query_text import query_words
from ...search.suggestions import edits, max_edits, replace_word, same_words
from .word_stats import WORD_FIELDS


def suggest(searcher: Any, query: str) -> str | None:
    """The query with unknown words replaced by the closest indexed word, or None.

    The body is stemmed, so candidates are found among stems and then shown as a real
    word: the form that stem has in a document holding it.
    """
    schema = searcher.schema
    analyzer = schema["body"].analyzer
    changed = False
    out = query
    corrector = None
    words = query_words(query)
    have = {w.lower() for w in words}
    for word in dict.fromkeys(words):
        stems = [t.text for t in analyzer(word, mode="query")]
        if len(stems) != 1 or len(word) < 3 or word.isdigit():
            continue
        stem = stems[0]
        if any(searcher.doc_frequency(f, stem) for f in WORD_FIELDS):
            continue
        corrector = corrector or searcher.corrector("body")
        # Whoosh counts a swap of two letters as two edits: ask for up to two, then keep
        # those within the allowed edits when a swap counts as one ("bahai" -> "bahia").
        allowed = max_edits(word)
        candidates = [c for c in corrector.suggest(stem, limit=5, maxdist=2) if edits(stem, c) <= allowed]
        if not candidates:
            continue
        real = _surface_form(searcher, candidates[0], analyzer)
        if not real:
            continue
        if real.lower() in have:
            continue  # "taliban talibn": the correction is a word the query already has
        if word[:1].isupper():
            real = real[:1].upper() + real[1:]
        out = replace_word(out, word, real)
        changed = True
    if not changed or same_words(out, query):
        return None
    return out


def _surface_form(searcher: Any, stem: str, analyzer: Any) -> str | None:
    """How ``stem`` is written in the first document that holds it (lower case)."""
    m = searcher.postings("body", stem)
    if not m.is_active():
        return None
    body = searcher.stored_fields(m.id()).get("body", "")
    for token in analyzer(body, chars=True, mode="index"):
        if token.text == stem:
            return body[token.startchar:token.endchar].lower()
    return None
