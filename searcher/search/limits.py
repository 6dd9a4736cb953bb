"""What no query may exceed, whatever engine runs it: bounds that keep one query from taking
the machine (issue 16). Each limit says why it is where it is; a query past one is a
:class:`QueryError` saying which, at once, before any index work.
"""

from __future__ import annotations

import re
import time

from ..core.errors import QueryError

#: Longest word a query may hold. Real words (even German compounds, chemical names, URLs
#: split into words) stay far below; the longest term of Reuters-21578 has 20 letters.
#: A pasted run of 5,000 letters matches nothing and only costs time (fuzzy and
#: did-you-mean work grows with the word's length).
MAX_WORD_CHARS = 100

#: Longest query, in characters and in words: a pasted page is not a query. 1,000 words
#: is already Lucene's default clause limit (1,024) and ranks in well under a second.
MAX_QUERY_CHARS = 10_000
MAX_QUERY_WORDS = 1_000

#: Most words a phrase may hold: each is one more posting list whose positions are read
#: for every document holding the others (a 900-word phrase ran past 5 s). Quotations
#: people search for are far shorter.
MAX_PHRASE_WORDS = 64

#: Largest ``~N`` a fuzzy word may ask for. Two edits already turn most short words into
#: others ("crop" -> "troop"); beyond that a fuzzy word matches most of the vocabulary
#: and its automaton grows exponentially (``oil~9`` ran for minutes).
MAX_EDITS = 2

#: Deepest nesting of parentheses a query may have: parsing and compiling a query recurse
#: once a level, and 400 levels ran into Python's recursion limit (a crash, not an answer).
#: People nest a few levels; 32 leaves room to spare on any stack.
MAX_NESTING = 32

#: Most index terms a wildcard, prefix, fuzzy word or text range may stand for in one
#: field. Each term is one more posting list to read and score, in each of the three text
#: fields an unqualified word searches: at 512, ``a*`` on 3,000 Reuters articles (512 terms
#: a field) takes about 0.5 s, at 1,024 (Lucene's default clause limit) over 1 s. A query past it is refused (QueryError naming the
#: word and the count) rather than silently searched on an arbitrary part of its terms:
#: the user can give more letters.
MAX_EXPANSION = 512

#: Time budget of one search, in seconds. The limits above keep a hostile query far below
#: it; the budget is the backstop for what they do not foresee, so it is set well above the
#: slowest normal query: a search sorted by date on Reuters-21578 (21,577 articles) takes
#: 10-12 s on a busy 2-core machine. Work done once per index reader
#: (the deletion index of fuzzy words and did-you-mean) is not counted. A search past it stops and raises
#: QueryError (it does not return a partial page, which would look like a complete one).
QUERY_SECONDS = 30.0

#: Characters of a document read for its key words when looking for articles like it
#: (``similar``): a news article is a few thousand, a long one a few tens of thousands, and
#: the first part of a very long one says what it is about. Reading all of a 10 MB document
#: took 5 s; this keeps the cost of ``similar`` that of an ordinary article.
SIMILAR_SAMPLE_CHARS = 50_000

_WORD = re.compile(r"\w+")


def check_query(text: str) -> None:
    """QueryError for an empty query, or one past the size limits below (the one check of
    a query's text, made by the search pipeline before anything else)."""
    if not text or not text.strip():
        raise QueryError("empty query: give at least one word to search for")
    check_query_size(text)


def check_query_size(text: str) -> None:
    """QueryError if ``text`` is longer than a query may be, has too many words, or a word
    too long to be one."""
    if len(text) > MAX_QUERY_CHARS:
        raise QueryError(f"query too long: {len(text):,} characters, at most {MAX_QUERY_CHARS:,}")
    count = 0
    for m in _WORD.finditer(text):
        count += 1
        if m.end() - m.start() > MAX_WORD_CHARS:
            raise QueryError(f"a word of {m.end() - m.start():,} characters in the query: "
                             f"words are at most {MAX_WORD_CHARS} (no longer word is searched for)")
    if count > MAX_QUERY_WORDS:
        raise QueryError(f"query too long: {count:,} words, at most {MAX_QUERY_WORDS:,}")


def check_nesting(text: str) -> None:
    """QueryError if ``text`` nests parentheses (outside quotes) deeper than MAX_NESTING."""
    if text.count("(") <= MAX_NESTING:
        return
    depth = deepest = 0
    quoted = False
    for char in text:
        if char == '"':
            quoted = not quoted
        elif quoted:
            continue
        elif char == "(":
            depth += 1
            deepest = max(deepest, depth)
        elif char == ")":
            depth = max(0, depth - 1)
    if deepest > MAX_NESTING:
        raise QueryError(f"query nested too deeply: {deepest:,} levels of parentheses, at most {MAX_NESTING}")


def check_edits(text: str, edits: int) -> None:
    """QueryError if a fuzzy word asks for more than MAX_EDITS edits."""
    if edits > MAX_EDITS:
        raise QueryError(f"{text}~{edits}: a fuzzy word allows at most {MAX_EDITS} edits (~1 or ~2)")


def check_phrase(words: int) -> None:
    """QueryError if a phrase has more than MAX_PHRASE_WORDS words."""
    if words > MAX_PHRASE_WORDS:
        raise QueryError(f"a phrase of {words:,} words: phrases are at most {MAX_PHRASE_WORDS} words")


def too_many_terms(text: str, count: int) -> QueryError:
    """The error for a wildcard, prefix or fuzzy word standing for more than MAX_EXPANSION terms."""
    return QueryError(f"{text!r} stands for more than {MAX_EXPANSION:,} words of the index (at most "
                      f"{MAX_EXPANSION:,}): give more letters")


class Deadline:
    """A search's time budget: :meth:`check` raises QueryError once it is spent."""

    __slots__ = ("end", "seconds")

    def __init__(self, seconds: float | None = QUERY_SECONDS) -> None:
        self.seconds = seconds
        self.end = None if seconds is None else time.perf_counter() + seconds

    def left(self) -> float | None:
        """Seconds left (never below a millisecond), or None for no budget."""
        return None if self.end is None else max(0.001, self.end - time.perf_counter())

    def extend(self, seconds: float) -> None:
        """Give the search ``seconds`` more: work done once per index reader (building a
        lookup table a later search reuses) is not this search's cost."""
        if self.end is not None:
            self.end += seconds

    def expired(self) -> bool:
        return self.end is not None and time.perf_counter() > self.end

    def check(self) -> None:
        if self.expired():
            raise self.error()

    def error(self) -> QueryError:
        return QueryError(f"the search took more than its {self.seconds:g} s budget: "
                          "use fewer wildcards, fuzzy words or words")
