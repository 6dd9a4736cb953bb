"""A compiled query checked against the limits of ``search/limits.py`` before it runs.

Wildcards, prefixes, fuzzy words, text ranges and a field's ``*`` stand for every index
term they match: each becomes one more posting list to read and score (``*`` read every
term of three fields; ``?*`` ran every term through a regular expression). Here each
such leaf is counted against MAX_EXPANSION (stopping at the first term past it), and a
fuzzy word is given its terms from the deletion index of ``near_terms`` instead of
Whoosh's automaton, which is what made ``oil~2`` take seconds and ``oil~9`` minutes.
"""

from __future__ import annotations

import re
from itertools import islice
from typing import Any

from whoosh import query as wq

from ...core.errors import QueryError
from ...search.limits import MAX_EXPANSION, MAX_WORD_CHARS, Deadline, check_edits, check_phrase, too_many_terms
from .near_terms import lexicon, terms_within

#: Terms counted between two looks at the clock.
_CLOCK_EVERY = 256


def check_expansions(q: wq.Query, reader: Any, deadline: Deadline) -> None:
    """QueryError if a leaf of ``q`` asks for too many edits, is a phrase too long, stands for more than
    MAX_EXPANSION terms of its field, or the budget runs out while counting them. Fuzzy
    leaves get their terms here (see the module's doc); ``q`` is changed in place."""
    for leaf in q.leaves():
        if isinstance(leaf, wq.FuzzyTerm):
            _bound_fuzzy(leaf, reader, deadline)
        elif isinstance(leaf, wq.Phrase):
            check_phrase(len(leaf.words))
        elif isinstance(leaf, wq.Every):
            if leaf.fieldname:  # ``*``, ``title:*``: every term of the field
                _count(reader.lexicon(leaf.fieldname), "*", deadline)
        elif isinstance(leaf, wq.MultiTerm):
            _bound_terms(leaf, reader, deadline)
        deadline.check("expanding wildcards and fuzzy words")


def _bound_terms(leaf: Any, reader: Any, deadline: Deadline) -> None:
    """A wildcard, prefix or range: QueryError if it stands for more than MAX_EXPANSION terms.
    A wildcard without a literal start (``*oleum``) scans every term of the field: it reads
    the reader's cached lexicon instead of the term file, once, and keeps what it found for
    Whoosh's matcher and the highlighter (each read the term file again)."""
    if isinstance(leaf, wq.Wildcard) and not leaf._find_prefix(leaf.text) and leaf.fieldname in reader.schema:
        fieldobj = reader.schema[leaf.fieldname]
        match = re.compile(leaf._get_pattern()).match
        found = _count((fieldobj.to_bytes(t) for t in lexicon(reader, leaf.fieldname) if match(t)),
                       _shown(leaf), deadline)
        leaf._btexts = lambda _reader, found=found: iter(found)
    else:
        _count(leaf._btexts(reader), _shown(leaf), deadline)


def _bound_fuzzy(leaf: Any, reader: Any, deadline: Deadline) -> None:
    check_edits(leaf.text, leaf.maxdist)
    if len(leaf.text) > MAX_WORD_CHARS:
        raise QueryError(f"a fuzzy word of {len(leaf.text):,} characters: words are at most {MAX_WORD_CHARS}")
    found = terms_within(reader, leaf.fieldname, leaf.text, leaf.maxdist, leaf.prefixlength or 0,
                         deadline=deadline)
    if len(found) > MAX_EXPANSION:
        raise too_many_terms(f"{leaf.text}~{leaf.maxdist}", len(found))
    # The same FuzzyTerm, matched the same way (an Or of its terms, in term order), only
    # its terms come from the deletion index: Whoosh reads them through this method.
    leaf._btexts = lambda _reader, found=found: iter(found)


def _count(terms: Any, shown: str, deadline: Deadline) -> list[Any]:
    found = []
    for term in islice(terms, MAX_EXPANSION + 1):
        found.append(term)
        if len(found) % _CLOCK_EVERY == 0:
            deadline.check("expanding wildcards and fuzzy words")
    if len(found) > MAX_EXPANSION:
        raise too_many_terms(shown, len(found))
    return found


def _shown(leaf: Any) -> str:
    if isinstance(leaf, wq.Prefix):
        return f"{leaf.text}*"
    return str(getattr(leaf, "text", leaf))

