"""Did-you-mean, the engine-neutral part: how far a correction may go, and how it is written in.

Engines find the candidate words (they know the vocabulary); these rules decide which
candidates count and put the chosen one into the user's query.
"""

from __future__ import annotations

import re

from .query_text import query_words

#: Below this many hits a query with an unknown word gets a did-you-mean suggestion.
SUGGEST_BELOW = 3

#: A query of more words than this gets no did-you-mean: it is pasted text, not a typed
#: query, and correcting each of its unknown words would cost a lookup apiece (a
#: 1,000-word query of unknown words took 1.4 s).
SUGGEST_MAX_WORDS = 32


def max_edits(word: str) -> int:
    """Edits allowed to correct ``word``: two edits turn most short words into others
    ("crop" -> "troop"), so 1 up to five letters and 2 beyond (as Elasticsearch's AUTO)."""
    return 1 if len(word) <= 5 else 2


def edits(a: str, b: str, limit: int | None = None) -> int:
    """Edit distance where a swap of two neighbouring letters is one edit (optimal string
    alignment); with ``limit``, ``limit + 1`` as soon as it must exceed ``limit``."""
    if limit is not None and abs(len(a) - len(b)) > limit:
        return limit + 1
    rows = [list(range(len(b) + 1))]
    for i, ca in enumerate(a, 1):
        row = [i]
        for j, cb in enumerate(b, 1):
            cost = min(rows[-1][j] + 1, row[j - 1] + 1, rows[-1][j - 1] + (ca != cb))
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                cost = min(cost, rows[-2][j - 2] + 1)
            row.append(cost)
        if limit is not None and min(row) > limit and (i < 2 or min(rows[-1]) > limit):
            return limit + 1
        rows.append(row)
    return rows[-1][-1]


def replace_word(text: str, word: str, new: str) -> str:
    """``text`` with every whole-word ``word`` replaced by ``new``."""
    return re.sub(rf"(?<!\w){re.escape(word)}(?!\w)", new.replace("\\", "\\\\"), text)


def same_words(a: str, b: str) -> bool:
    """True if two queries have the same words once case and repeated words are folded
    ("Taliban taliban" and "taliban"): suggesting one for the other would change nothing."""
    return list(dict.fromkeys(a.lower().split())) == list(dict.fromkeys(b.lower().split()))


def corrected_query(query: str, corrections: dict[str, str]) -> str | None:
    """``query`` with each word replaced by its correction (``{word: lower-case correction}``),
    in the word's capitalisation; None when nothing changes. A correction the query already
    holds ("taliban talibn") is skipped: suggesting it would only repeat a word."""
    have = {w.lower() for w in query_words(query)}
    out = query
    changed = False
    for word, real in corrections.items():
        if real.lower() in have:
            continue
        if word[:1].isupper():
            real = real[:1].upper() + real[1:]
        out = replace_word(out, word, real)
        changed = True
    if not changed or same_words(out, query):
        return None
    return out
