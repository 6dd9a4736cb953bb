"""What a word is, for both engines: one rule, written out for Python's ``re`` and for Java's regex.

A word is a run of word characters (``\\w``, Unicode-aware) with inner periods kept, so that
"U.S.", "3.5", "H2A.Z", "e.g.", "Ph.D.", "ClinicalTrials.gov" and "www.x.com" stay whole,
except where a period ends a sentence glued to the next one without a space, as scraped
text often has it ("with disabilities.A line of"): **two lower-case letters, a period, then
an upper-case letter** is a sentence end, and the period splits the two words there. Why
that holds: abbreviations are short or upper-case ("e.g.", "Ph.D", "Mr.Smith", "U.S.A": at
most one lower-case letter before the period), and domains, numbers and identifiers keep
one case pattern across their periods ("ClinicalTrials.gov", "www.x.com", "H2A.Z", "3.5").
What it splits wrongly is a mixed-case dotted name ("java.util.List"), which then matches
its parts, as it would written with spaces. Text is split before it is lower-cased, so the
case is there to see. "Lower-case" and "upper-case" are the Unicode categories Ll and Lu
(accented and non-Latin letters count: "café.Le" splits).

Java's regex names the categories (``\\p{Ll}``); Python's ``re`` cannot, so its classes are
spelled out from :mod:`unicodedata`. Both patterns are made here from one template; tests
check that the cluster's tokenizer and Python's agree on a table of cases and random text.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache

#: The categories the rule reads: lower case before the period, upper case after it.
LOWER, UPPER = "Ll", "Lu"
#: Cased letters all lie below the third plane (planes 2-16 hold ideographs, tags and
#: private use, none of which has a case): the classes need not scan the rest.
_CASED_BELOW = 0x20000

#: After a period: it ended a sentence glued to the next ("disabilities.A").
_GLUED_END = r"(?<={lower}{lower}\.){upper}"
#: A period inside a word: between word characters, and not a glued sentence end.
_JOINING_DOT = r"\.(?!" + _GLUED_END + ")"
_WORD = r"\w+(?:" + _JOINING_DOT + r"\w+)*"
_INSIDE = r"\w|(?<=\w)" + _JOINING_DOT + r"(?=\w)"


@cache
def _categories() -> list[str]:
    """The Unicode category of every code point below ``_CASED_BELOW``, by code point."""
    return list(map(unicodedata.category, map(chr, range(_CASED_BELOW))))


def python_class(category: str) -> str:
    """A ``re`` character class of every character in a Unicode ``category`` (runs as ranges)."""
    codes = [code for code, found in enumerate(_categories()) if found == category]
    parts = []
    start = prev = codes[0]
    for code in codes[1:] + [-1]:
        if code == prev + 1:
            prev = code
            continue
        parts.append(chr(start) if start == prev else f"{chr(start)}-{chr(prev)}")
        start = prev = code
    return "[" + "".join(parts) + "]"


def _python(template: str) -> str:
    return template.format(lower=python_class(LOWER), upper=python_class(UPPER))


def _java(template: str) -> str:
    return template.format(lower=rf"\p{{{LOWER}}}", upper=rf"\p{{{UPPER}}}")


#: A word, for Python's ``re`` (the Whoosh engine's tokenizer, every fast path, snippets).
WORD_PATTERN = _python(_WORD)
WORD_RE = re.compile(WORD_PATTERN)
#: The same word for Java's regex with UNICODE_CHARACTER_CLASS (the cluster's tokenizer).
JAVA_WORD_PATTERN = _java(_WORD)
#: Matches at a position (``match(text, pos)``) whose character belongs to the word of a
#: word character beside it: a word character, or a period joining two (see the rule).
INSIDE_WORD = re.compile(_python(_INSIDE))
_categories.cache_clear()  # 130,000 strings, needed only to make the classes

