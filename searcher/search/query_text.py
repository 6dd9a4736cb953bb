"""Checks on the raw query text, before any parsing: fields, broken syntax, plain words.

These decide how a query is read (with syntax, or as plain words) and which words a
did-you-mean looks at; they need no engine.
"""

from __future__ import annotations

import re

from ..core.errors import QueryError
from ..core.words import WORD_PATTERN
from .fields import QUERY_FIELDS, SHOWN_FIELDS

# `name:` at the start of a word, outside quotes; URLs ("https://") are not fields.
_FIELD_REF = re.compile(r"(?:(?<=^)|(?<=[\s(+-]))([^\W\d]\w*):(?!//)")
QUOTED = re.compile(r'"[^"]*"')
_OPERATOR = r"(?:AND|OR|NOT|ANDNOT|ANDMAYBE)"
_DANGLING = re.compile(rf"(^\s*(AND|OR|ANDNOT|ANDMAYBE)\b)|(\b{_OPERATOR}\s*$)|(\b{_OPERATOR}\s+{_OPERATOR}\b)|(\b{_OPERATOR}\s*\))|(\(\s*(AND|OR)\b)")
_EMPTY_FIELD = re.compile(r"(^|[\s(])[^\W\d]\w*:(\s|$|\))")
_WORD = re.compile(r"\w+")
#: A hyphen between two word characters: "re-set", "al-Qaeda", "COVID-19" (also U+2010/2011).
HYPHEN_JOIN = re.compile(r"(?<=\w)[-\u2010\u2011](?=\w)")
#: A hyphenated word: word characters (and inner dots, "U.S.-led") joined by hyphens.
HYPHENATED = re.compile(f"{WORD_PATTERN}(?:[-\u2010\u2011]{WORD_PATTERN})+")
_NEGATION = re.compile(r"(?<![^\s(])-\w|\bNOT\b")
#: Characters and words that make a typed query more than a list of words.
_SYNTAX = re.compile(r'\?(?=\w)|["()*~^:\[\]{}]|(?:^|\s)[-+]\S|\b(?:AND|OR|NOT|ANDNOT|ANDMAYBE|TO)\b')


def check_fields(text: str) -> None:
    """Raise QueryError naming the known fields if the query names an unknown one."""
    for match in _FIELD_REF.finditer(QUOTED.sub(" ", text)):
        name = match.group(1)
        if name.lower() not in QUERY_FIELDS:
            raise QueryError(f"unknown field {name!r}: fields are {', '.join(SHOWN_FIELDS)}")


def broken_syntax(text: str) -> str | None:
    """What makes ``text`` unreadable as a query (said to the user), or None if it reads."""
    if text.count('"') % 2:
        return "a quote is not closed"
    depth = 0
    for ch in QUOTED.sub(" ", text):
        depth += {"(": 1, ")": -1}.get(ch, 0)
        if depth < 0:
            return "a parenthesis is closed that was not opened"
    if depth:
        return "a parenthesis is not closed"
    # A quoted phrase stands for one word: glued to what is before it, so that a field
    # name in front of a phrase (section:"mixed messages") is not taken as empty.
    unquoted = QUOTED.sub("x ", text)
    if _DANGLING.search(unquoted):
        return "an operator (AND, OR, NOT) has nothing on one side"
    if _EMPTY_FIELD.search(unquoted):
        return "a field name has nothing after it"
    return None


def has_exclusions(text: str) -> bool:
    """True if the query excludes something (``-word``, ``NOT``) outside quotes."""
    return bool(_NEGATION.search(QUOTED.sub(" ", text)))


def is_plain(text: str) -> bool:
    """True when a query typed with syntax on uses none of it: it is ranked as words."""
    return not _SYNTAX.search(text)


def plain_words(text: str) -> str:
    """Only the words of ``text``: every operator, quote and field marker becomes a space."""
    return " ".join(_WORD.findall(text))


def joined(word: str) -> str:
    """A hyphenated word written as one ("re-set" -> "reset")."""
    return HYPHEN_JOIN.sub("", word)


def word_units(text: str) -> list[tuple[str, bool]]:
    """``text`` cut into runs of plain words and hyphenated words, in order: (text, hyphenated).

    A hyphenated word is one thing to the user: engines match it as a phrase of its parts
    or as the joined word, never as its parts apart.
    """
    units: list[tuple[str, bool]] = []
    at = 0
    for match in HYPHENATED.finditer(text):
        if match.start() > at:
            units.append((text[at:match.start()], False))
        units.append((match.group(0), True))
        at = match.end()
    if at < len(text):
        units.append((text[at:], False))
    return units


#: What did-you-mean leaves alone: a value of a field that holds no words (``url:``, ``id:``,
#: a date), and a word the user asked to match loosely (``khalilzd~``, ``negotiat*``): its
#: hits are what was asked for, and a "correction" would only narrow them.
_NOT_CORRECTED = re.compile(
    r"(?<![\w:])(?:url|id|doc_id|lang|language|published|date):\S*|\S*[*?~]\S*", re.IGNORECASE)


_SLOP = re.compile(r'"~\d*')


def query_words(text: str) -> list[str]:
    """The plain words a user typed, as did-you-mean may correct them."""
    text = _NOT_CORRECTED.sub(" ", _SLOP.sub('" ', text))
    return [w for w in _WORD.findall(_FIELD_REF.sub(" ", text)) if w not in {"AND", "OR", "NOT"}]
