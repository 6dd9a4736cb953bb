"""ORACLE for tests only: searcher/engines/whoosh/query.py as it was at 6032e6b (parsed with Whoosh's qparser).

The equality tests compare the project's own parser and compiler against it. Unchanged
but for the imports. Original docstring follows.

Query strings -> Whoosh queries: the query language, its fallbacks, and filters.

With ``syntax=True`` the full language applies (fields, phrases, boolean operators,
wildcards, fuzzy terms, boosts, date ranges). A query whose syntax is broken (an unbalanced
quote or parenthesis, a dangling operator, a field with nothing after it) is not an error:
it is searched as plain words, which is what the user almost always meant. With
``syntax=False`` the text is always plain words.
"""

from __future__ import annotations

import copy
import re
from datetime import date, datetime
from typing import Any

from whoosh import qparser
from whoosh import query as wq

from searcher.core.errors import QueryError

DEFAULT_FIELDS = ("title", "body", "sections")
QUERY_FIELDS = {
    "title": "title", "body": "body", "source": "source", "author": "authors", "authors": "authors",
    "section": "sections", "sections": "sections", "published": "published", "date": "published",
    "url": "url", "language": "language", "lang": "language", "id": "doc_id", "doc_id": "doc_id",
}

#: How much a match in each field counts, relative to the body.
FIELD_BOOSTS = {"title": 2.0, "sections": 1.5, "body": 1.0}

# `name:` at the start of a word, outside quotes; URLs ("https://") are not fields.
_FIELD_REF = re.compile(r"(?:(?<=^)|(?<=[\s(+-]))([^\W\d]\w*):(?!//)")
_QUOTED = re.compile(r'"[^"]*"')
_OPERATOR = r"(?:AND|OR|NOT|ANDNOT|ANDMAYBE)"
_DANGLING = re.compile(rf"(^\s*(AND|OR|ANDNOT|ANDMAYBE)\b)|(\b{_OPERATOR}\s*$)|(\b{_OPERATOR}\s+{_OPERATOR}\b)|(\b{_OPERATOR}\s*\))|(\(\s*(AND|OR)\b)")
_EMPTY_FIELD = re.compile(r"(^|[\s(])[^\W\d]\w*:(\s|$|\))")
_WORD = re.compile(r"\w+")


def check_fields(text: str) -> None:
    """Raise QueryError naming the known fields if the query names an unknown one."""
    for match in _FIELD_REF.finditer(_QUOTED.sub(" ", text)):
        name = match.group(1)
        if name.lower() not in QUERY_FIELDS:
            known = ", ".join(sorted({"title", "body", "source", "author", "section", "published"}))
            raise QueryError(f"unknown field {name!r}: fields are {known}")


def syntax_is_broken(text: str) -> bool:
    """True for queries the parser would misread: search those as plain words instead."""
    if text.count('"') % 2:
        return True
    depth = 0
    for ch in _QUOTED.sub(" ", text):
        depth += {"(": 1, ")": -1}.get(ch, 0)
        if depth < 0:
            return True
    if depth:
        return True
    unquoted = _QUOTED.sub(" x ", text)
    return bool(_DANGLING.search(unquoted) or _EMPTY_FIELD.search(unquoted))


def make_parser(schema: Any, *, syntax: bool = True, group: Any = None) -> qparser.QueryParser:
    """A parser over the default fields, with the aliases and plugins our language needs."""
    group = group or qparser.OrGroup.factory(0.9)
    fields = list(DEFAULT_FIELDS)
    if not syntax:
        plugins = [qparser.MultifieldPlugin(fields, fieldboosts=FIELD_BOOSTS)]
        return qparser.QueryParser(None, schema, plugins=plugins, group=group)
    parser = qparser.MultifieldParser(fields, schema, fieldboosts=FIELD_BOOSTS, group=group)
    aliases: dict[str, list[str]] = {}
    for alias, real in QUERY_FIELDS.items():
        aliases.setdefault(real, []).append(alias)
    parser.add_plugin(qparser.FieldAliasPlugin(aliases))
    parser.add_plugin(qparser.FuzzyTermPlugin())
    parser.add_plugin(qparser.GtLtPlugin())
    # "-word" excludes a word, "+word" requires it (not on by default in Whoosh).
    parser.add_plugin(qparser.PlusMinusPlugin(plusexpr=r"(?<![^\s(])\+", minusexpr=r"(?<![^\s(])-"))
    return parser


def plain_words(text: str) -> str:
    """Only the words of ``text``: every operator, quote and field marker becomes a space."""
    return " ".join(_WORD.findall(text))


def parse_query(text: str, schema: Any, *, syntax: bool = True, reader: Any = None) -> wq.Query:
    """Parse a user's query; QueryError only for an empty query or an unknown field."""
    if not text or not text.strip():
        raise QueryError("empty query: give at least one word to search for")
    if syntax:
        check_fields(text)
        if not syntax_is_broken(text):
            try:
                parsed = _rewrite(make_parser(schema).parse(text), schema, reader)
            except Exception:  # Whoosh's parser has corners that raise ("<["): plain words then
                parsed = wq.NullQuery
            if not _is_empty(parsed):
                return parsed
            if _NEGATION.search(_QUOTED.sub(" ", text)):
                return wq.NullQuery  # only exclusions ("-iraq"): nothing to look for
    words = plain_words(text)
    if not words:
        return wq.NullQuery
    return make_parser(schema, syntax=False).parse(words)


_NEGATION = re.compile(r"(?<![^\s(])-\w|\bNOT\b")


def _rewrite(q: wq.Query, schema: Any, reader: Any = None) -> wq.Query:
    """Fix what Whoosh's parser leaves odd for our language.

    * In an OR group, ``NOT x`` would match every document without x: the negations of
      an OR become an AND NOT over its other words ("taliban NOT iraq").
    * A prefix also matches stems it extends: the index holds stems, so "negotiat*" must
      find "negotiators", indexed as "negoti" (stems of up to 3 fewer letters, 4 or more).
    """
    if isinstance(q, wq.Prefix):
        extra: set[str] = set()
        if reader is not None and q.fieldname in ("title", "body", "sections"):
            for cut in range(1, 4):
                shorter = q.text[:-cut]
                if len(shorter) < 4:
                    break
                if (q.fieldname, shorter) in reader:
                    extra.add(shorter)
        if extra:
            return wq.Or([q] + [wq.Term(q.fieldname, t, boost=q.boost) for t in sorted(extra)])
        return q
    if isinstance(q, wq.Not):
        return wq.Not(_rewrite(q.query, schema, reader), boost=q.boost)
    if isinstance(q, wq.BinaryQuery):
        q = copy.copy(q)
        q.a, q.b = _rewrite(q.a, schema, reader), _rewrite(q.b, schema, reader)
        q.subqueries = (q.a, q.b)
        return q
    if isinstance(q, wq.CompoundQuery):
        subs = [_rewrite(sub, schema, reader) for sub in q.subqueries]
        if isinstance(q, wq.Or):
            neg = [sub.query for sub in subs if isinstance(sub, wq.Not)]
            pos = [sub for sub in subs if not isinstance(sub, wq.Not)]
            if neg:
                if not pos:
                    return wq.NullQuery
                return wq.AndNot(wq.Or(pos, boost=q.boost), wq.Or(neg))
        q = copy.copy(q)
        q.subqueries = subs
        return q
    return q


def _is_empty(q: wq.Query) -> bool:
    return q is wq.NullQuery or isinstance(q, wq.NullQuery.__class__) or (
        isinstance(q, wq.CompoundQuery) and not q.subqueries
    )


def to_datetime(value: date | datetime | str | None, *, end: bool = False) -> datetime | None:
    """A --since/--until value as a datetime; a date string means the whole day."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value
    if isinstance(value, date):
        value = value.isoformat()
    try:
        parsed = datetime.fromisoformat(str(value).strip())
    except ValueError:
        raise QueryError(f"bad date {value!r}: use YYYY-MM-DD (or a full ISO 8601 time)") from None
    if end and len(str(value).strip()) <= 10:
        parsed = parsed.replace(hour=23, minute=59, second=59, microsecond=999999)
    if parsed.tzinfo is not None:
        from searcher.engines.whoosh.fields import utc_naive

        parsed = utc_naive(parsed)  # type: ignore[assignment]
    return parsed


def make_filter(source: str | None, since: Any, until: Any) -> wq.Query | None:
    """The filter query for --source/--since/--until, or None when there is none."""
    parts: list[wq.Query] = []
    if source:
        parts.append(wq.Term("source_key", source.strip().lower()))
    start, stop = to_datetime(since), to_datetime(until, end=True)
    if start or stop:
        if start and stop and start > stop:
            raise QueryError("--since is after --until: nothing can match")
        parts.append(wq.DateRange("published", start, stop))
    if not parts:
        return None
    return parts[0] if len(parts) == 1 else wq.And(parts)


#: Characters and words that make a typed query more than a list of words.
_SYNTAX = re.compile(r'\?(?=\w)|["()*~^:\[\]{}]|(?:^|\s)[-+]\S|\b(?:AND|OR|NOT|ANDNOT|ANDMAYBE|TO)\b')


def is_plain(text: str) -> bool:
    """True when a query typed with syntax on uses none of it: it is ranked as words."""
    return not _SYNTAX.search(text)


def analyze_words(text: str, schema: Any) -> list[str]:
    """The query's words as the index holds them (lower case, folded, no stop words, stemmed), in order."""
    field = schema["body"]
    return [t.text for t in field.analyzer(text, mode="query")]


def query_words(text: str) -> list[str]:
    """The plain words a user typed (for did-you-mean)."""
    return [w for w in _WORD.findall(_FIELD_REF.sub(" ", text)) if w not in {"AND", "OR", "NOT"}]
