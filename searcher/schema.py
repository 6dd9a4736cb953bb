"""The Whoosh schema and analyzers: the one place field names and text analysis are defined.

Writers and the query parser both read the schema stored in the index, so a query is
analysed exactly like the text it is matched against.
"""

from __future__ import annotations

import re

from whoosh.analysis import STOP_WORDS, CharsetFilter, LowercaseFilter, RegexTokenizer, StemFilter, StopFilter
from whoosh.fields import DATETIME, ID, STORED, TEXT, Schema
from whoosh.lang import stemmer_for_language
from whoosh.lang.stopwords import stoplists
from whoosh.support.charset import accent_map

#: Bumped whenever fields or analysis change: an index with another version must be rebuilt.
SCHEMA_VERSION = 2

# Words, keeping dotted abbreviations ("U.S.") and decimals together; apostrophes split
# ("Taliban's" -> "taliban", "s"), which the stemmer and stop list then absorb.
_TOKEN_PATTERN = r"\w+(\.?\w+)*"

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
    # Stop words are dropped at both index and query time; renumbering keeps phrase
    # positions consistent, so "re-set as" still matches a phrase query across them.
    return (
        RegexTokenizer(_TOKEN_PATTERN)
        | LowercaseFilter()
        | CharsetFilter(accent_map)
        | StopFilter(stoplist=STOP_WORDS_EN, minsize=1)
        | StemFilter(lang=STEMMER, cachesize=50000)
    )


# The same pattern without its capturing group, so findall returns whole tokens.
_TOKEN_RE = re.compile(_TOKEN_PATTERN.replace("(", "(?:"))
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
    tokens = _TOKEN_RE.findall(text)
    terms = _TERMS
    if len(terms) > 200_000:
        terms.clear()
    for token in set(tokens).difference(terms):
        terms[token] = _term(token)
    return [t for t in map(terms.__getitem__, tokens) if t]


def name_analyzer():
    """Names (sources, authors): lower case and accent folding, no stemming, no stop words."""
    return RegexTokenizer(_TOKEN_PATTERN) | LowercaseFilter() | CharsetFilter(accent_map)


def build_schema() -> Schema:
    """A fresh Schema for a new index."""
    text = text_analyzer()
    names = name_analyzer()
    return Schema(
        doc_id=ID(stored=True, unique=True),
        title=TEXT(analyzer=text, stored=True, phrase=True),
        body=TEXT(analyzer=text, stored=True, phrase=True),
        sections=TEXT(analyzer=text, stored=True, phrase=True),
        source=TEXT(analyzer=names, stored=True, phrase=True),
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
    )


#: Fields a query may name, with the aliases users type ("author:", "section:").
QUERY_FIELDS = {
    "title": "title",
    "body": "body",
    "source": "source",
    "author": "authors",
    "authors": "authors",
    "section": "sections",
    "sections": "sections",
    "published": "published",
    "date": "published",
    "url": "url",
    "language": "language",
    "lang": "language",
    "id": "doc_id",
    "doc_id": "doc_id",
}

#: The fields an unqualified word is searched in.
DEFAULT_FIELDS = ("title", "body", "sections")
