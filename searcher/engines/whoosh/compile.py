"""The project's query tree -> Whoosh query objects.

Here the engine does its part of reading a query: each leaf's text is analysed by the
field it searches (stems, stop words; dates parsed by the DATETIME field), unqualified
leaves become an OR over the default fields weighted by ``field_boosts``, side-by-side
clauses an OR with a coordination ``scale``; then Whoosh's own ``normalize`` (flattening,
duplicates, empty clauses) and our rewrite (prefix stems, OR-ed negations). The objects
are the ones Whoosh's query parser made from the same text, class for class and boost for
boost (tests compare them), so hits and scores are unchanged.
"""

from __future__ import annotations

import copy
import re
from typing import Any

import whoosh
from whoosh import query as wq
from whoosh.analysis.tokenizers import IDTokenizer
from whoosh.fields import DATETIME
from whoosh.util.times import datetime_to_long

from ...core.errors import QueryError
from ...search import query_tree as qt
from ...search.dates import date_span
from ...search.fields import DEFAULT_FIELDS, WORD_FIELDS
from ...search.query_parser import WHOOSH3, WHOOSH_2_7, Dialect, ParsedQuery
from ...search.query_text import HYPHEN_JOIN, joined
from ...search.settings import DEFAULT_SETTINGS

#: Coordination bonus of side-by-side clauses (Whoosh's ``OrGroup.factory(0.9)``).
IMPLICIT_OR_SCALE = 0.9

_WHOOSH3 = tuple(whoosh.__version__) >= (3,)
#: How this Whoosh's own query parser read the language (see query_parser.Dialect).
DIALECT: Dialect = WHOOSH3 if _WHOOSH3 else WHOOSH_2_7
_WORDS = re.compile(r"\S+")


def compile_query(parsed: ParsedQuery, schema: Any, *, reader: Any = None,
                  field_boosts: dict[str, float] | None = None) -> wq.Query:
    """The Whoosh query for ``parsed``: its structured reading, or else its plain words.

    ``field_boosts``: the weight of a word searched in each default field (the ranking
    settings' field weights; their defaults when None).

    A structured reading that finds nothing to look for (only stop words, or a part Whoosh
    cannot build) falls back to the plain words, unless the query only excludes things.
    """
    return compile_reading(parsed, schema, reader=reader, field_boosts=field_boosts)[0]


def compile_reading(parsed: ParsedQuery, schema: Any, *, reader: Any = None,
                    field_boosts: dict[str, float] | None = None) -> tuple[wq.Query, str | None]:
    """:func:`compile_query`, and why the query was searched as plain words (None if it was not)."""
    builder = _Builder(schema, DEFAULT_SETTINGS.field_weights() if field_boosts is None else field_boosts)
    why = parsed.broken_reason or None
    if parsed.tree is not None:
        try:
            q = rewrite(builder.top(parsed.tree), reader)
        except Exception as e:  # as Whoosh's parser did: a query it cannot build is searched as words
            builder.errors.append(str(e))
            q = wq.NullQuery
        if not is_empty(q):
            return q, None
        why = builder.errors[0] if builder.errors else "its operators and fields leave nothing to search for"
    elif parsed.words is not None and why is None and parsed.syntax:
        why = "the query language cannot read it"
    if parsed.has_exclusions:
        return wq.NullQuery, None  # only exclusions ("-iraq"): nothing to look for
    if parsed.words is None:
        return wq.NullQuery, None
    return builder.top(parsed.words), why


class _Builder:
    """Tree -> Whoosh objects, the way Whoosh's parser built them (before normalizing)."""

    def __init__(self, schema: Any, field_boosts: dict[str, float]) -> None:
        self.schema = schema
        self.field_boosts = field_boosts
        #: what could not be built (a bad date): said when the query falls back to words
        self.errors: list[str] = []

    def top(self, tree: qt.Node) -> wq.Query:
        q = self.build(tree)
        if not q:
            q = wq.NullQuery
        return q.normalize()

    def build(self, node: qt.Node) -> wq.Query | None:
        if isinstance(node, qt.LEAVES):
            if node.field is None:
                return self.any_field(node)
            return self.leaf(node, node.field, node.boost)
        if isinstance(node, qt.Or):
            kwargs = {"scale": IMPLICIT_OR_SCALE} if node.implicit else {}
            return wq.Or(self.subs(node.children), boost=node.boost, **kwargs)
        if isinstance(node, qt.And):
            return wq.And(self.subs(node.children), boost=node.boost)
        if isinstance(node, qt.Not):
            inner = self.build(node.child)
            return wq.Not(inner) if inner else None
        if isinstance(node, qt.AndNot):
            return self.binary(wq.AndNot, node.positive, node.negative)
        if isinstance(node, qt.AndMaybe):
            return self.binary(wq.AndMaybe, node.required, node.optional)
        if isinstance(node, qt.Require):
            return self.binary(wq.Require, node.query, node.condition)
        if isinstance(node, qt.Stray):
            return wq.Term(None, node.text, boost=node.boost)  # as Whoosh's parser left it
        if isinstance(node, qt.MatchAll):
            return wq.Every()
        if isinstance(node, qt.Empty):
            return None
        raise TypeError(f"not a query node: {node!r}")

    def subs(self, children: tuple[qt.Node, ...]) -> list[wq.Query]:
        return [q for q in map(self.build, children) if q is not None]

    def binary(self, cls: type, a: qt.Node, b: qt.Node) -> wq.Query:
        qa, qb = self.build(a), self.build(b)
        if qa is None and qb is None:
            return wq.NullQuery
        if qa is None or qb is None:
            return qa if qb is None else qb
        return cls(qa, qb)

    def any_field(self, leaf: qt.Leaf) -> wq.Query:
        """An unqualified leaf: an OR over the default fields, each with its boost."""
        boosted = _WHOOSH3 or not isinstance(leaf, qt.Range)  # Whoosh 2.7 did not boost ranges here
        subs = []
        for name in DEFAULT_FIELDS:
            q = self.leaf(leaf, name, self.field_boosts.get(name, 1.0) if boosted else 1.0)
            if q is not None:
                subs.append(q)
        return wq.Or(subs, boost=leaf.boost)

    def leaf(self, leaf: qt.Leaf, fieldname: str, boost: float) -> wq.Query | None:
        if isinstance(leaf, qt.Term):
            if HYPHEN_JOIN.search(leaf.text):
                compound = self.compound(fieldname, leaf.text, boost)
                if compound is not None:
                    return compound
            return self.term(fieldname, leaf.text, wq.Term, boost, tokenize=True, removestops=True)
        if isinstance(leaf, qt.Prefix):
            return self.term(fieldname, leaf.text, wq.Prefix, boost)
        if isinstance(leaf, qt.Wildcard):
            return self.term(fieldname, leaf.text, wq.Wildcard, boost)
        if isinstance(leaf, qt.Fuzzy):
            q = self.term(fieldname, leaf.text, wq.FuzzyTerm, boost)
            q.maxdist = leaf.max_edits  # type: ignore[union-attr]  (None raises, as Whoosh's did)
            q.prefixlength = leaf.prefix_length  # type: ignore[union-attr]
            return q
        if isinstance(leaf, qt.Phrase):
            return self.phrase(fieldname, leaf, boost)
        return self.range(fieldname, leaf, boost)

    def term(self, fieldname: str, text: str, termclass: type, boost: float, *, tokenize: bool = False,
             removestops: bool = False) -> wq.Query | None:
        schema = self.schema
        if schema and fieldname in schema:
            field = schema[fieldname]
            if isinstance(field, DATETIME):
                return self.date(fieldname, text, boost)
            if field.self_parsing():
                try:
                    return field.parse_query(fieldname, text, boost=boost)
                except Exception as e:
                    return wq.error_query(e)
            texts = list(field.process_text(text, mode="query", tokenize=tokenize, removestops=removestops))
            if len(texts) > 1:
                return _multitoken(field.multitoken_query, texts, fieldname, termclass, boost)
            if not texts:
                return None
            text = texts[0]
        return termclass(fieldname, text, boost=boost)

    def phrase(self, fieldname: str, leaf: qt.Phrase, boost: float) -> wq.Query:
        schema = self.schema
        if schema and fieldname in schema:
            field = schema[fieldname]
            if _WHOOSH3 and field.self_parsing() and (field.analyzer is None or isinstance(field.analyzer, IDTokenizer)):
                if isinstance(field, DATETIME):
                    return self.date(fieldname, leaf.text, boost)
                return field.parse_query(fieldname, leaf.text, boost=boost)  # a date, a number: one value
            if field.analyzer:
                words = [t.text for t in field.tokenize(leaf.text, mode="query", chars=True)]
            else:
                words = list(field.process_text(leaf.text, mode="query"))
        else:
            words = _WORDS.findall(leaf.text)
        return wq.Phrase(fieldname, words, slop=leaf.slop, boost=boost)

    def range(self, fieldname: str, leaf: qt.Range, boost: float) -> wq.Query:
        from whoosh.qparser.common import QueryParserError  # the error DATETIME raises, not the parser

        start, end = leaf.start, leaf.end
        schema = self.schema
        if schema and fieldname in schema:
            field = schema[fieldname]
            if isinstance(field, DATETIME):
                return self.date_range(fieldname, leaf, boost)
            if field.self_parsing():
                try:
                    q = field.parse_range(fieldname, start, end, leaf.start_excluded, leaf.end_excluded, boost=boost)
                    if q is not None:
                        return q
                except QueryParserError as e:
                    return wq.error_query(e)
            if start:
                start = _first_token(field, start)
            if end:
                end = _first_token(field, end)
        return wq.TermRange(fieldname, start, end, leaf.start_excluded, leaf.end_excluded, boost=boost)

    def compound(self, fieldname: str, text: str, boost: float) -> wq.Query | None:
        """A hyphenated word ("re-set", "al-Qaeda", "COVID-19") as one thing: its parts as a
        phrase, or the parts written as one word ("reset"); None where the field cannot
        hold a phrase or the word analyses into one term."""
        field = self.schema[fieldname] if self.schema and fieldname in self.schema else None
        if field is None or field.self_parsing() or not field.format.supports("positions"):
            return None
        parts = list(field.process_text(text, mode="query", tokenize=True, removestops=True))
        if len(parts) < 2:
            return None
        phrase = wq.Phrase(fieldname, parts, boost=boost)
        whole = list(field.process_text(joined(text), mode="query", tokenize=True, removestops=True))
        if len(whole) != 1 or whole[0] in parts:
            return phrase
        return wq.Or([phrase, wq.Term(fieldname, whole[0], boost=boost)])

    def date(self, fieldname: str, text: str, boost: float) -> wq.Query:
        """A date or a part of one (``2019``, ``2019-11-18T23``): every instant it names."""
        try:
            first, last = date_span(text)
        except QueryError as e:
            self.errors.append(str(e))
            return wq.error_query(str(e))
        if first == last:
            return wq.Term(fieldname, first, boost=boost)
        return wq.NumericRange(fieldname, datetime_to_long(first), datetime_to_long(last), boost=boost)

    def date_range(self, fieldname: str, leaf: qt.Range, boost: float) -> wq.Query:
        """Dates from the start of ``leaf.start``'s span to the end of ``leaf.end``'s; an
        excluded bound excludes its whole span (``published:>2019``: from 2020 on)."""
        if leaf.start is None and leaf.end is None:
            return wq.Every(fieldname, boost=boost)
        try:
            start = end = None
            if leaf.start is not None:
                start = datetime_to_long(date_span(leaf.start)[1 if leaf.start_excluded else 0])
            if leaf.end is not None:
                end = datetime_to_long(date_span(leaf.end)[0 if leaf.end_excluded else 1])
        except QueryError as e:
            self.errors.append(str(e))
            return wq.error_query(str(e))
        if leaf.start_excluded or leaf.end_excluded:
            return wq.NumericRange(fieldname, start, end, leaf.start_excluded and start is not None,
                                   leaf.end_excluded and end is not None, boost=boost)
        return wq.NumericRange(fieldname, start, end, boost=boost)


def _first_token(field: Any, text: str) -> str | None:
    for token in field.process_text(text, mode="query", tokenize=False, removestops=False):
        return token
    return None


def _multitoken(spec: str, texts: list[str], fieldname: str, termclass: type, boost: float) -> wq.Query:
    """A leaf that analysed into several terms, joined as the field asks (an OR by default)."""
    spec = spec.lower()
    if spec == "first":
        return termclass(fieldname, texts[0], boost=boost)
    if spec == "phrase":
        return wq.Phrase(fieldname, texts, boost=boost)
    qclass = {"default": wq.Or, "and": wq.And, "or": wq.Or}.get(spec)
    if qclass is None:
        raise ValueError(f"unknown multitoken_query value {spec!r}")
    return qclass([termclass(fieldname, t, boost=boost) for t in texts])


def rewrite(q: wq.Query, reader: Any = None) -> wq.Query:
    """Fix what the plain reading leaves odd for our language.

    * In an OR group, ``NOT x`` would match every document without x: the negations of
      an OR become an AND NOT over its other words ("taliban NOT iraq").
    * A prefix also matches stems it extends: the index holds stems, so "negotiat*" must
      find "negotiators", indexed as "negoti" (stems of up to 3 fewer letters, 4 or more).
    """
    if isinstance(q, wq.Prefix):
        extra: set[str] = set()
        if reader is not None and q.fieldname in WORD_FIELDS:
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
        return wq.Not(rewrite(q.query, reader), boost=q.boost)
    if isinstance(q, wq.BinaryQuery):
        q = copy.copy(q)
        q.a, q.b = rewrite(q.a, reader), rewrite(q.b, reader)
        q.subqueries = (q.a, q.b)
        return q
    if isinstance(q, wq.CompoundQuery):
        subs = [rewrite(sub, reader) for sub in q.subqueries]
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


def is_empty(q: wq.Query) -> bool:
    """True for a query with nothing to look for."""
    return q is wq.NullQuery or isinstance(q, wq.NullQuery.__class__) or (
        isinstance(q, wq.CompoundQuery) and not q.subqueries
    )
