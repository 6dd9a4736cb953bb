"""Checks on the raw query text, before any parsing: fields, broken syntax, plain words.

These decide how a query is read (with syntax, or as plain words) and which words a
did-you-mean looks at; they need no engine.
"""

from __future__ import annotations

import re

from ..core.errors import QueryError
from .fields import QUERY_FIELDS, SHOWN_FIELDS

# `name:` at the start of a word, outside quotes; URLs ("https://") are not fields.
_FIELD_REF = re.compile(r"(?:(?<=^)|(?<=[\s(+-]))([^\W\d]\w*):(?!//)")
QUOTED = re.compile(r'"[^"]*"')
_OPERATOR = r"(?:AND|OR|NOT|ANDNOT|ANDMAYBE)"
_DANGLING = re.compile(rf"(^\s*(AND|OR|ANDNOT|ANDMAYBE)\b)|(\b{_OPERATOR}\s*$)|(\b{_OPERATOR}\s+{_OPERATOR}\b)|(\b{_OPERATOR}\s*\))|(\(\s*(AND|OR)\b)")
_EMPTY_FIELD = re.compile(r"(^|[\s(])[^\W\d]\w*:(\s|$|\))")
_WORD = re.compile(r"\w+")
_NEGATION = re.compile(r"(?<![^\s(])-\w|\bNOT\b")
#: Characters and words that make a typed query more than a list of words.
_SYNTAX = re.compile(r'\?(?=\w)|["()*~^:\[\]{}]|(?:^|\s)[-+]\S|\b(?:AND|OR|NOT|ANDNOT|ANDMAYBE|TO)\b')


def check_fields(text: str) -> None:
    """Raise QueryError naming the known fields if the query names an unknown one."""
    for match in _FIELD_REF.finditer(QUOTED.sub(" ", text)):
        name = match.group(1)
        if name.lower() not in QUERY_FIELDS:
            raise QueryError(f"unknown field {name!r}: fields are {', '.join(SHOWN_FIELDS)}")


def syntax_is_broken(text: str) -> bool:
    """True for queries the parser would misread: search those as plain words instead."""
    if text.count('"') % 2:
        return True
    depth = 0
    for ch in QUOTED.sub(" ", text):
        depth += {"(": 1, ")": -1}.get(ch, 0)
        if depth < 0:
            return True
    if depth:
        return True
    unquoted = QUOTED.sub(" x ", text)
    return bool(_DANGLING.search(unquoted) or _EMPTY_FIELD.search(unquoted))


def has_exclusions(text: str) -> bool:
    """True if the query excludes something (``-word``, ``NOT``) outside quotes."""
    return bool(_NEGATION.search(QUOTED.sub(" ", text)))


def is_plain(text: str) -> bool:
    """True when a query typed with syntax on uses none of it: it is ranked as words."""
    return not _SYNTAX.search(text)


def plain_words(text: str) -> str:
    """Only the words of ``text``: every operator, quote and field marker becomes a space."""
    return " ".join(_WORD.findall(text))


def query_words(text: str) -> list[str]:
    """The plain words a user typed (for did-you-mean)."""
    return [w for w in _WORD.findall(_FIELD_REF.sub(" ", text)) if w not in {"AND", "OR", "NOT"}]
