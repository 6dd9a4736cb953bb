"""The project's query tree -> OpenSearch's query DSL (plain dicts, JSON-ready).

The tree comes from our own parser (``searcher.search.query_parser``), so the language is
the Whoosh engine's to the letter; here each node becomes its DSL counterpart:

* a word: ``match`` (the cluster analyses it as it analysed the text); a hyphenated word:
  its parts as a ``match_phrase`` or the joined word; a word of stop words only: nothing
  (dropped from its group, as Whoosh drops it);
* a phrase: ``match_phrase`` with ``slop`` (ours counts adjacent as 1, Lucene's as 0);
* ``negotiat*``: ``match_bool_prefix`` (the typed start stemmed, then a prefix, as Whoosh
  stems it); ``a?c*``: ``wildcard``; ``word~2``: ``match`` with ``fuzziness``;
* a date or part of one, and date ranges: ``range`` over the whole span it names;
* AND / OR / NOT / ANDNOT / ANDMAYBE / REQUIRE: ``bool`` must / should / must_not / filter;
  an unqualified leaf: a ``bool`` should over the default fields, each with its field
  boost from the ranking settings; ``^2``: ``boost``.

The fallback to plain words is the Whoosh engine's: a query whose structured reading finds
nothing to search for is searched as its words, and says why.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from ...core.errors import QueryError
from ...core.words import WORD_RE
from ...search import query_tree as qt
from ...search.dates import date_span
from ...search.fields import DEFAULT_FIELDS, WORD_FIELDS
from ...search.query_parser import ParsedQuery
from ...search.query_text import HYPHEN_JOIN, joined
from .mapping import DATE_FIELDS, KEYWORD_FIELDS, NAME_FIELDS, STOP_WORDS

Query = dict[str, Any]
#: Every field a query may name, as the index has it.
INDEX_FIELDS = DEFAULT_FIELDS + NAME_FIELDS + KEYWORD_FIELDS + DATE_FIELDS
_STOPS = frozenset(STOP_WORDS)
MATCH_NONE: Query = {"match_none": {}}


def compile_reading(parsed: ParsedQuery, field_boosts: dict[str, float]) -> tuple[Query | None, str | None]:
    """The DSL query for ``parsed`` (None: nothing to search for), and why it was searched as
    plain words (None if its syntax was used), as the Whoosh engine's compile_reading."""
    builder = _Builder(field_boosts)
    why = parsed.broken_reason or None
    if parsed.tree is not None:
        q = builder.top(parsed.tree)
        if q is not None:
            return q, None
        why = builder.errors[0] if builder.errors else "its operators and fields leave nothing to search for"
    elif parsed.words is not None and why is None and parsed.syntax:
        why = "the query language cannot read it"
    if parsed.has_exclusions or parsed.words is None:
        return None, None  # only exclusions ("-iraq"): nothing to look for
    return builder.top(parsed.words), why


def has_words(text: str, fieldname: str) -> bool:
    """True if ``text`` leaves a term in ``fieldname`` once analysed (not only stop words)."""
    words = [fold(w) for w in WORD_RE.findall(text)]
    if fieldname in WORD_FIELDS:
        words = [w for w in words if w not in _STOPS]
    return bool(words)


def fold(word: str) -> str:
    """Lower case, accents off (what the analyzers do before stop words and stems)."""
    if word.isascii():
        return word.lower()
    decomposed = unicodedata.normalize("NFKD", word.lower())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def epoch_millis(value: datetime) -> int:
    """A naive UTC datetime as OpenSearch's epoch milliseconds (rounded down)."""
    from calendar import timegm

    return timegm(value.timetuple()) * 1000 + value.microsecond // 1000


class _Builder:
    def __init__(self, field_boosts: dict[str, float]) -> None:
        self.field_boosts = field_boosts
        #: what could not be built (a bad date): said when the query falls back to words
        self.errors: list[str] = []

    def top(self, node: qt.Node) -> Query | None:
        return _query(self.build(node))

    def build(self, node: qt.Node) -> Query | _Negation | None:
        if isinstance(node, qt.LEAVES):
            if node.field is None:
                return self.any_field(node)
            return self.leaf(node, node.field, node.boost)
        if isinstance(node, qt.Or):
            subs = [s for s in map(self.build, node.children) if s is not None]
            if len(subs) == 1 and node.boost == 1.0:
                return subs[0]  # a group of one is its member ("NOT iraq" alone: all but iraq, as Whoosh)
            negs = [q for s in subs if isinstance(s, _Negation) for q in s.queries]
            pos = [s for s in subs if not isinstance(s, _Negation)]
            if not pos:
                return None
            # "taliban NOT iraq": the negations of an OR exclude (as the Whoosh engine rewrites it).
            return _bool(should=pos, minimum_should_match=1, must_not=negs, boost=node.boost)
        if isinstance(node, qt.And):
            subs = [s for s in map(self.build, node.children) if s is not None]
            if not subs:
                return None
            must = [s for s in subs if not isinstance(s, _Negation)]
            must_not = [q for s in subs if isinstance(s, _Negation) for q in s.queries]
            if not must:
                return _Negation(must_not)
            return _bool(must=must, must_not=must_not, boost=node.boost)
        if isinstance(node, qt.Not):
            inner = _query(self.build(node.child))
            return _Negation([inner]) if inner is not None else None
        if isinstance(node, qt.AndNot):
            keep, drop = _query(self.build(node.positive)), _query(self.build(node.negative))
            if keep is None or drop is None:
                return keep  # nothing to keep ("-iraq" alone) is nothing; nothing to drop keeps all
            return _bool(must=[keep], must_not=[drop])
        if isinstance(node, qt.AndMaybe):
            req, opt = _query(self.build(node.required)), _query(self.build(node.optional))
            if req is None or opt is None:
                return req
            return _bool(must=[req], should=[opt])
        if isinstance(node, qt.Require):
            q, cond = _query(self.build(node.query)), _query(self.build(node.condition))
            if q is None or cond is None:
                return q
            return _bool(must=[q], filter=[cond])
        if isinstance(node, qt.Stray):
            return MATCH_NONE  # syntax that applied to nothing matches nothing, as in Whoosh
        if isinstance(node, qt.MatchAll):
            return {"match_all": {}}
        if isinstance(node, qt.Empty):
            return None
        raise TypeError(f"not a query node: {node!r}")

    def any_field(self, leaf: qt.Leaf) -> Query | None:
        """An unqualified leaf: any of the default fields, each with its boost."""
        subs = [q for name in DEFAULT_FIELDS
                if (q := self.leaf(leaf, name, self.field_boosts.get(name, 1.0))) is not None]
        if not subs:
            return None
        return _bool(should=subs, minimum_should_match=1, boost=leaf.boost)

    def leaf(self, leaf: qt.Leaf, fieldname: str, boost: float) -> Query | None:
        if fieldname in DATE_FIELDS:
            if isinstance(leaf, qt.Range):
                return self.date_range(fieldname, leaf, boost)
            return self.date(fieldname, leaf.text, boost)
        keyword = fieldname in KEYWORD_FIELDS
        if isinstance(leaf, qt.Term):
            if keyword:
                return {"term": {fieldname: {"value": leaf.text, "boost": boost}}}
            if fieldname in WORD_FIELDS and HYPHEN_JOIN.search(leaf.text):
                compound = self.compound(fieldname, leaf.text, boost)
                if compound is not None:
                    return compound
            if not has_words(leaf.text, fieldname):
                return None
            return {"match": {fieldname: {"query": leaf.text, "boost": boost}}}
        if isinstance(leaf, qt.Phrase):
            if keyword:
                return {"term": {fieldname: {"value": leaf.text, "boost": boost}}}
            if not has_words(leaf.text, fieldname):
                return None
            return {"match_phrase": {fieldname: {"query": leaf.text, "slop": max(leaf.slop - 1, 0), "boost": boost}}}
        if isinstance(leaf, qt.Prefix):
            if keyword:
                return {"prefix": {fieldname: {"value": leaf.text, "boost": boost}}}
            if not WORD_RE.search(leaf.text):
                return None
            prefix = {"match_bool_prefix": {fieldname: {"query": leaf.text, "boost": boost}}}
            if fieldname not in WORD_FIELDS:
                return prefix
            # The index holds stems: "negotiat*" must find "negotiators", indexed as "negoti".
            # Stems up to 3 letters shorter (of 4 or more) count too, as the Whoosh engine
            # rewrites a prefix (a stem no document has matches nothing).
            typed = fold(leaf.text)
            cuts = [typed[:-cut] for cut in range(1, 4) if len(typed) - cut >= 4]
            if not cuts:
                return prefix
            return _bool(should=[prefix] + [{"term": {fieldname: {"value": c, "boost": boost}}} for c in cuts],
                         minimum_should_match=1)
        if isinstance(leaf, qt.Wildcard):
            value = leaf.text if keyword else fold(leaf.text)
            return {"wildcard": {fieldname: {"value": value, "boost": boost}}}
        if isinstance(leaf, qt.Fuzzy):
            if keyword:
                return {"fuzzy": {fieldname: {"value": leaf.text, "fuzziness": leaf.max_edits,
                                              "prefix_length": leaf.prefix_length, "transpositions": False,
                                              "boost": boost}}}
            if not has_words(leaf.text, fieldname):
                return None
            return {"match": {fieldname: {"query": leaf.text, "fuzziness": leaf.max_edits,
                                          "prefix_length": leaf.prefix_length, "fuzzy_transpositions": False,
                                          "boost": boost}}}
        return self.term_range(fieldname, leaf, boost)

    def compound(self, fieldname: str, text: str, boost: float) -> Query | None:
        """A hyphenated word as one thing: its parts side by side, or written as one word."""
        if not has_words(text, fieldname) or len([w for w in WORD_RE.findall(text) if fold(w) not in _STOPS]) < 2:
            return None
        phrase = {"match_phrase": {fieldname: {"query": text, "boost": boost}}}
        whole = joined(text)
        if not has_words(whole, fieldname):
            return phrase
        return _bool(should=[phrase, {"match": {fieldname: {"query": whole, "boost": boost}}}], minimum_should_match=1)

    def date(self, fieldname: str, text: str, boost: float) -> Query | None:
        """A date or a part of one (``2019``, ``2019-11-18T23``): every instant it names."""
        try:
            first, last = date_span(text)
        except QueryError as e:
            self.errors.append(str(e))
            return None
        return {"range": {fieldname: {"gte": epoch_millis(first), "lte": epoch_millis(last),
                                      "format": "epoch_millis", "boost": boost}}}

    def date_range(self, fieldname: str, leaf: qt.Range, boost: float) -> Query | None:
        """From the start of ``leaf.start``'s span to the end of ``leaf.end``'s; an excluded
        bound excludes its whole span (``published:>2019``: from 2020 on)."""
        bounds: dict[str, Any] = {"format": "epoch_millis", "boost": boost}
        try:
            if leaf.start is not None:
                first, last = date_span(leaf.start)
                bounds["gt" if leaf.start_excluded else "gte"] = epoch_millis(last if leaf.start_excluded else first)
            if leaf.end is not None:
                first, last = date_span(leaf.end)
                bounds["lt" if leaf.end_excluded else "lte"] = epoch_millis(first if leaf.end_excluded else last)
        except QueryError as e:
            self.errors.append(str(e))
            return None
        if leaf.start is None and leaf.end is None:
            return {"exists": {"field": fieldname, "boost": boost}}
        return {"range": {fieldname: bounds}}

    def term_range(self, fieldname: str, leaf: qt.Range, boost: float) -> Query:
        """A range of terms in a text or keyword field (its bounds lower-cased for text)."""
        keyword = fieldname in KEYWORD_FIELDS
        bounds: dict[str, Any] = {"boost": boost}
        if leaf.start is not None:
            bounds["gt" if leaf.start_excluded else "gte"] = leaf.start if keyword else fold(leaf.start)
        if leaf.end is not None:
            bounds["lt" if leaf.end_excluded else "lte"] = leaf.end if keyword else fold(leaf.end)
        return {"range": {fieldname: bounds}}


@dataclass(frozen=True)
class _Negation:
    """Documents matching none of ``queries`` (a NOT), kept apart so a parent AND or OR
    can fold it into its own ``bool`` as ``must_not``."""

    queries: list[Query]


def _query(built: Query | _Negation | None) -> Query | None:
    """A node's DSL on its own: a negation alone is every document but what it excludes."""
    if isinstance(built, _Negation):
        return _bool(must=[{"match_all": {}}], must_not=built.queries)
    return built


def _bool(boost: float = 1.0, **clauses: Any) -> Query:
    """A ``bool`` query of the non-empty clauses; one clause alone (``should`` or ``must``)
    is that clause itself, as Whoosh's normalize flattens a group of one."""
    body: dict[str, Any] = {k: v for k, v in clauses.items() if v not in ([], None)}
    kinds = [k for k in body if k != "minimum_should_match"]
    if boost == 1.0 and len(kinds) == 1 and kinds[0] in ("should", "must") and len(body[kinds[0]]) == 1:
        return dict(body[kinds[0]][0])
    if "should" not in body:
        body.pop("minimum_should_match", None)
    if boost != 1.0:
        body["boost"] = boost
    return {"bool": body}
