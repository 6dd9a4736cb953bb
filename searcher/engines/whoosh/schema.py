"""The Whoosh schema and analyzers: the one place field names and text analysis are defined.

Writers and the query parser both read the schema stored in the index, so a query is
analysed exactly like the text it is matched against.
"""

from __future__ import annotations

import pickle
from collections import Counter
from collections.abc import Callable
from typing import Any

from whoosh.columns import RefBytesColumn, VarBytesColumn
from whoosh.analysis import STOP_WORDS, CharsetFilter, Filter, LowercaseFilter, RegexTokenizer
from whoosh.fields import DATETIME, ID, STORED, TEXT, Schema
from whoosh.lang import stemmer_for_language
from whoosh.lang.stopwords import stoplists
from whoosh.support.charset import accent_map

from ...core.words import INSIDE_WORD, WORD_PATTERN, WORD_RE
from .unpickling import loads

#: Bumped whenever fields or analysis change: an index with another version must be rebuilt.
SCHEMA_VERSION = 7  # 3: the stored ``terms`` field (feedback's forward index); 4: ``signature``;
# 5: ``source`` keeps a column (stats and facets read it), ``terms`` and ``signature`` are
# columns instead of stored fields (a ranking reads them for 30-40 documents a query: issue 21);
# 6: ``doc_id`` keeps a column too (folding names a window's documents without their stored text);
# 7: a sentence end glued to the next sentence splits two words ("disabilities.A": core/words.py)

# Words, keeping dotted abbreviations ("U.S.") and decimals together but splitting a glued
# sentence end ("disabilities.A"): the rule both engines share (core/words.py); apostrophes
# split ("Taliban's" -> "taliban", "s"), which the stemmer and stop list then absorb.
TOKEN_PATTERN = WORD_PATTERN

#: Words too common to say what a document is about: Whoosh's short default list plus
#: its 127-word English list (pronouns, auxiliaries, "what", "which", "about", "there").
#: Measured (nDCG@10, Porter, no feedback): the short list alone 0.716 / 0.393 / 0.373,
#: this list 0.712 / 0.419 / 0.379 (TIME / CISI / Cranfield). Natural-language
#: queries ("what are the problems of ...") otherwise rank by their question words.
STOP_WORDS_EN = frozenset(STOP_WORDS) | frozenset(stoplists["en"])

#: The stemmer (a whoosh.lang name): "en_porter" is Porter's original algorithm.
#: Measured against Snowball English ("en"), nDCG@10 TIME / CISI / Cranfield with
#: feedback: Porter 0.720 / 0.429 / 0.400, Snowball 0.720 / 0.423 / 0.400; without:
#: 0.712 / 0.418 / 0.379 vs 0.710 / 0.415 / 0.383. No gain, and Porter is faster.
STEMMER = "en_porter"
_STEM = [stemmer_for_language(STEMMER)]


def text_analyzer():
    """English text: tokens, lower case, accents folded, stop words out, Porter stems."""
    return RegexTokenizer(TOKEN_PATTERN) | TermFilter()


class TermFilter(Filter):
    """Lower case, accent folding, stop words and stemming in one step, cached per word.

    The same terms, positions and flags as Whoosh's LowercaseFilter | CharsetFilter |
    StopFilter | StemFilter chain (tests compare the two), at a fraction of the cost: the
    chain runs four generator steps per token; here a word seen before is one dict look-up.
    Stop words are dropped at index and query time, and positions are renumbered over
    them, so a phrase query still matches across a stop word ("re-set as"). ``lang=""``
    keeps words unstemmed (for benchmarks/relevance.py's ablation).
    """

    is_morph = True  # it stems: Whoosh keeps unstemmed words apart for spelling

    def __init__(self, stoplist: frozenset[str] = STOP_WORDS_EN, lang: str = STEMMER) -> None:
        self.stops = frozenset(stoplist)
        self.lang = lang
        self._terms: dict[str, tuple[str, str | None]] = {}

    def __getstate__(self) -> dict:
        # The schema is pickled into the index: keep the settings, not the cache.
        return {"stops": self.stops, "lang": self.lang}

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)
        self._terms = {}

    def __eq__(self, other: object) -> bool:
        return isinstance(other, TermFilter) and (self.stops, self.lang) == (other.stops, other.lang)

    def _lookup(self, raw: str) -> tuple[str, str | None]:
        """(folded word, its stem or None for a stop word), cached."""
        found = self._terms.get(raw)
        if found is None:
            folded = raw.lower().translate(accent_map)
            if folded in self.stops:
                stem = None
            else:
                stem = stemmer_for_language(self.lang)(folded) if self.lang else folded
            found = (folded, stem)
            if len(self._terms) > 200_000:
                self._terms.clear()
            self._terms[raw] = found
        return found

    def __call__(self, tokens):  # type: ignore[no-untyped-def]
        lookup = self._terms.get
        pos = None
        for t in tokens:
            found = lookup(t.text) or self._lookup(t.text)
            if found[1] is not None:
                if t.positions:
                    if pos is None:
                        pos = t.pos
                    else:
                        pos += 1
                        t.pos = pos
                t.stopped = False
                t.text = found[1]
                yield t
            elif not t.removestops:
                t.stopped = True
                t.text = found[0]
                yield t


# The tokens of TOKEN_PATTERN, for the fast paths here, in ranking and in segments (no
# capturing group: findall returns whole tokens). Tests compare them with the analyzer's.
TOKEN_RE = WORD_RE
#: Raw token -> its indexed term, or "" for a stop word (bounded: cleared when large).
_TERMS: dict[str, str] = {}


def _term(token: str) -> str:
    word = token.lower().translate(accent_map)
    return "" if word in STOP_WORDS_EN else _STEM[0](word)


def index_terms(text: str) -> list[str]:
    """The terms ``text_analyzer`` indexes for ``text``, in order, many times faster.

    For feedback, which reads whole top documents at query time: Whoosh's filter chain
    costs a generator step per token per filter, here it is one dict look-up per token.
    Tests check it matches the analyzer.
    """
    tokens = TOKEN_RE.findall(text)
    terms = _TERMS
    if len(terms) > 200_000:
        terms.clear()
    for token in set(tokens).difference(terms):
        terms[token] = _term(token)
    return [t for t in map(terms.__getitem__, tokens) if t]


def word_counts(texts: dict[str, str]) -> dict[str, dict[str, int]]:
    """Per non-empty text, its indexed terms and their counts, in order of first use.

    What the stored ``terms`` field holds for a document's word fields; equal to
    ``Counter(index_terms(text))`` key for key and in the same order.
    """
    out = {}
    for name, text in texts.items():
        counts = Counter(index_terms(text)) if text else None
        if counts:
            out[name] = dict(counts)
    return out


def matching_spans(text: str, terms: frozenset[str]) -> list[tuple[int, int]]:
    """(start, end) of each token of ``text`` whose indexed term is in ``terms``, in order.

    The spans the analyzer's tokens give (tests compare them), for less work: each
    distinct word is analysed once (a cached look-up), and only the few that match are
    searched for, an occurrence counting where the tokenizer would start and end a token
    (the characters beside it do not belong to its word: see core/words.py).
    """
    cache = _TERMS
    if len(cache) > 200_000:
        cache.clear()
    wanted = []
    for token in set(TOKEN_RE.findall(text)):
        term = cache.get(token)
        if term is None:
            term = cache[token] = _term(token)
        if term in terms:
            wanted.append(token)
    spans = []
    inside = INSIDE_WORD.match
    for token in wanted:
        width = len(token)
        at = text.find(token)
        while at >= 0:
            end = at + width
            if not (at and inside(text, at - 1)) and not inside(text, end):
                spans.append((at, end))
            at = text.find(token, at + 1)
    spans.sort()
    return spans


_TEXT_ANALYZER = None


def span_finder(analyzer: Any) -> Callable[[str, frozenset[str]], list[tuple[int, int]]]:
    """Finds (start, end) of the tokens of a text whose ``analyzer`` term is in a set (for snippets)."""
    if is_text_analyzer(analyzer):  # the usual case: the same spans from a shared cache
        return matching_spans

    def find(text: str, terms: frozenset[str]) -> list[tuple[int, int]]:
        return [(token.startchar, token.endchar) for token in analyzer(text, chars=True, mode="index")
                if token.text in terms]

    return find


def is_text_analyzer(analyzer: object) -> bool:
    """True if ``analyzer`` (say, one unpickled from an index) analyses like :func:`text_analyzer`."""
    global _TEXT_ANALYZER
    if _TEXT_ANALYZER is None:
        _TEXT_ANALYZER = text_analyzer()
    return analyzer == _TEXT_ANALYZER


def name_analyzer():
    """Names (sources, authors): lower case and accent folding, no stemming, no stop words."""
    return RegexTokenizer(TOKEN_PATTERN) | LowercaseFilter() | CharsetFilter(accent_map)


class BytesColumn(STORED):
    """A value kept in a column of its own (one read per document, apart from the stored
    fields), neither indexed nor stored: bytes as given."""

    stored = False

    def __init__(self) -> None:
        self.column_type = VarBytesColumn()

    def to_column_value(self, value: Any) -> bytes:
        return bytes(value)

    def from_column_value(self, value: Any) -> Any:
        return value


class PickledColumn(BytesColumn):
    """A :class:`BytesColumn` holding any picklable value (None where a document has none)."""

    def to_column_value(self, value: Any) -> bytes:
        return pickle.dumps(value, protocol=4)

    def from_column_value(self, value: Any) -> Any:
        return loads(value) if value else None  # restricted: an index's pickle may not run code


def build_schema() -> Schema:
    """A fresh Schema for a new index."""
    text = text_analyzer()
    names = name_analyzer()
    return Schema(
        # The column: a ranked window's ids for folding, read without the stored text.
        doc_id=ID(stored=True, unique=True, sortable=VarBytesColumn()),
        title=TEXT(analyzer=text, stored=True, phrase=True),
        body=TEXT(analyzer=text, stored=True, phrase=True),
        sections=TEXT(analyzer=text, stored=True, phrase=True),
        # The column: each document's source as written, for stats and facets by source
        # (one read per segment; a few distinct names, so references into a list of them).
        source=TEXT(analyzer=names, stored=True, phrase=True, sortable=RefBytesColumn()),
        authors=TEXT(analyzer=names, stored=True, phrase=True),
        # Exact, lower-cased copies for --source filters and facets.
        source_key=ID(stored=False),
        month=ID(stored=False),
        published=DATETIME(stored=True, sortable=True),
        url=ID(stored=True),
        path=STORED(),
        language=ID(stored=True),
        content_hash=STORED(),
        removed=STORED(),
        # Each word field's terms and counts ({field: {term: count}}, see word_counts): a
        # forward index, so pseudo-relevance feedback reads the top hits' terms instead of
        # re-analysing their text at query time (that was half a Reuters query's time). A
        # column: read alone, not with the document's whole stored text.
        terms=PickledColumn(),
        # The body's near-duplicate signature (search/duplicates.py), read for each ranked
        # candidate to fold copies; made once at index time, not per query.
        signature=BytesColumn(),
    )

