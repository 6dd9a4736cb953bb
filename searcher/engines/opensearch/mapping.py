"""The index's settings and mapping: the Whoosh schema's fields, analysed as it analyses them.

Text fields (title, sections, body) go through the same steps as the Whoosh engine's
``text_analyzer``: words by the same rule (core/words.py: Unicode-aware, "U.S." one word,
a glued sentence end "disabilities.A" two), lower case, accents folded, the same 131 stop
words, Porter stems. Names (source, authors) are folded but neither stemmed nor stopped.
Where OpenSearch differs:

* accent folding is Lucene's ASCIIFoldingFilter, which folds more than Whoosh's accent map
  (ligatures such as "æ" -> "ae", "ß" -> "ss"): a few more words meet;
* a stop word leaves a gap in positions (Lucene has no way to renumber), where Whoosh
  closes it: a phrase typed with a stop word inside ("talks in kabul") still matches the
  same text, but the phrase without it ("talks kabul") needs a slop of 1 more to match
  text that had one between;
* structured queries are scored by the cluster's BM25 per field (document lengths kept in
  one byte each, Lucene's norms), and k1 and b are fixed when the index is created
  (``--rebuild`` after changing them); word queries are scored by us (word_ranking.py).

``schema_version`` in the mapping's ``_meta`` says which version of all this wrote an index.
The near-duplicate ``signature`` (search/duplicates.py) came later without a new version:
an index made before it gets the field when next written to (:data:`ADDED_FIELDS`), and
its older documents, stored without one, have theirs made from the stored body on reading.
"""

from __future__ import annotations

import base64
import binascii
from datetime import datetime, timezone
from typing import Any

from ...core.records import Document, SeedState
from ...core.version import __version__
from ...core.words import JAVA_WORD_PATTERN
from ...search.duplicates import body_signature
from ...search.settings import RankingSettings

#: Bumped whenever fields or analysis change: an index with another version must be rebuilt.
SCHEMA_VERSION = 2  # 2: a glued sentence end splits two words ("disabilities.A": core/words.py)

#: The Whoosh engine's stop words (Whoosh's short list plus its English list: see
#: engines/whoosh/schema.py for why); tests check the two lists are equal.
STOP_WORDS = (
    "a about above after again against all am an and any are as at be because been before being below between "
    "both but by can did do does doing don down during each few for from further had has have having he her "
    "here hers herself him himself his how i if in into is it its itself just may me more most my myself no nor "
    "not now of off on once only or other our ours ourselves out over own s same she should so some such t tbd "
    "than that the their theirs them themselves then there these they this those through to too under until up "
    "us very was we were what when where which while who whom why will with yet you your yours yourself "
    "yourselves"
).split()

#: Words, as the Whoosh engine's TOKEN_PATTERN: the same rule written for Java's regex.
TOKEN_PATTERN = JAVA_WORD_PATTERN
NAME_FIELDS = ("source", "authors")
KEYWORD_FIELDS = ("doc_id", "url", "language")
DATE_FIELDS = ("published",)
#: The largest _id OpenSearch takes (bytes); longer doc ids are stored under a hash.
MAX_ID_BYTES = 512


#: Fields added to the mapping after schema 1: put on an older index before writing to it
#: (adding a field is a change OpenSearch makes in place; old documents just lack it).
ADDED_FIELDS: dict[str, Any] = {
    # The body's near-duplicate signature, base64 in the source, neither indexed nor searched.
    "signature": {"type": "binary"},
}


def bm25_type(server_version: str) -> str:
    """The similarity type that scores as 2.x's "BM25" does on a server of ``server_version``:
    OpenSearch 3 made "BM25" Lucene's newer form (scores without the constant k1 + 1, which
    the explanations' boosts carry on 2.x) and kept the old one as "LegacyBM25", which 2.x lacks."""
    return "LegacyBM25" if server_version.split(".")[0].isdigit() and int(server_version.split(".")[0]) >= 3 \
        else "BM25"


def index_body(settings: RankingSettings, *, shards: int, replicas: int, bm25: str = "BM25") -> dict[str, Any]:
    """The settings and mapping a new physical index is created with (``bm25``: see :func:`bm25_type`)."""
    # No stored term vectors: a search analyses its candidates' stored texts itself
    # (analysis.py), and the few term vectors still asked for (``similar``'s article, a
    # document holding a word only the cluster analyses) are made from the source on the fly.
    text = {"type": "text", "analyzer": "searcher_text"}
    names = {"type": "text", "analyzer": "searcher_names"}
    return {
        "settings": {
            "index": {"number_of_shards": shards, "number_of_replicas": replicas},
            "similarity": {
                # BM25 with the ranking settings' k1, b for the body and title_b for the short fields.
                "searcher_body": {"type": bm25, "k1": settings.k1, "b": settings.b},
                "searcher_short": {"type": bm25, "k1": settings.k1, "b": settings.title_b},
            },
            "analysis": {
                "tokenizer": {
                    "searcher_words": {"type": "pattern", "pattern": TOKEN_PATTERN, "group": 0,
                                       "flags": "UNICODE_CHARACTER_CLASS"},
                },
                "filter": {"searcher_stop": {"type": "stop", "stopwords": list(STOP_WORDS)}},
                "analyzer": {
                    "searcher_text": {"type": "custom", "tokenizer": "searcher_words",
                                      "filter": ["lowercase", "asciifolding", "searcher_stop", "porter_stem"]},
                    "searcher_names": {"type": "custom", "tokenizer": "searcher_words",
                                       "filter": ["lowercase", "asciifolding"]},
                },
            },
        },
        "mappings": {
            "dynamic": "strict",
            "_meta": {"searcher": {"schema_version": SCHEMA_VERSION, "searcher_version": __version__}},
            "properties": {
                "doc_id": {"type": "keyword"},
                "title": {**text, "similarity": "searcher_short", "copy_to": "spell"},
                "sections": {**text, "similarity": "searcher_short"},
                "body": {**text, "similarity": "searcher_body", "copy_to": "spell"},
                # The words of title and body unstemmed: did-you-mean's vocabulary.
                "spell": {"type": "text", "analyzer": "searcher_names", "index_options": "docs", "norms": False},
                "source": names,
                "authors": names,
                # Exact, lower-cased copies for --source facets (as the Whoosh schema's).
                "source_key": {"type": "keyword"},
                "month": {"type": "keyword"},
                "published": {"type": "date"},
                "url": {"type": "keyword", "ignore_above": 8000},
                "language": {"type": "keyword"},
                "path": {"type": "keyword", "ignore_above": 8000},
                "content_hash": {"type": "keyword"},
                # What the seed's stat was (SeedState): the update's manifest is read from the
                # documents themselves, so it can never disagree with what was indexed.
                "seed": {"type": "object", "enabled": False},
                "removed": {"type": "object", "enabled": False},
                **ADDED_FIELDS,
            },
        },
    }


def doc_key(doc_id: str) -> str:
    """The ``_id`` a document is stored under: its doc_id, or a hash of one too long for an _id."""
    if len(doc_id.encode("utf-8")) <= MAX_ID_BYTES:
        return doc_id
    import hashlib

    return "sha256:" + hashlib.sha256(doc_id.encode("utf-8")).hexdigest()


def to_source(doc: Document, state: SeedState | None = None) -> dict[str, Any]:
    """A Document as the JSON source the mapping above indexes."""
    published = utc_naive(doc.published)
    source: dict[str, Any] = {
        "doc_id": doc.doc_id,
        "title": doc.title or "",
        "body": doc.body or "",
        "sections": list(doc.sections),
        "source": doc.source,
        "source_key": doc.source.lower() if doc.source else None,
        "authors": list(doc.authors),
        "published": published.isoformat(timespec="microseconds") if published else None,
        "month": published.strftime("%Y-%m") if published else None,
        "url": doc.url,
        "language": doc.language,
        "path": doc.path,
        "content_hash": doc.content_hash,
        "removed": [{"text": r.text, "label": r.label, "reason": r.reason} for r in doc.removed],
        "signature": base64.b64encode(body_signature(doc)).decode("ascii"),
    }
    if state is not None:
        source["seed"] = {"size": state.size, "mtime_ns": state.mtime_ns, "ctime_ns": state.ctime_ns,
                          "inode": state.inode}
    return source


def to_document(source: dict[str, Any]) -> Document:
    """The Document a stored source holds."""
    from ...core.records import RemovedLine

    return Document(
        doc_id=source["doc_id"],
        title=source.get("title") or "",
        body=source.get("body") or "",
        source=source.get("source"),
        sections=list(source.get("sections") or []),
        published=parse_date(source.get("published")),
        authors=list(source.get("authors") or []),
        url=source.get("url"),
        path=source.get("path"),
        language=source.get("language"),
        removed=[RemovedLine(**r) for r in source.get("removed") or []],
        content_hash=source.get("content_hash"),
    )


def stored_signature(source: dict[str, Any]) -> bytes | None:
    """The signature bytes a stored source holds (base64), or None when it has none or a
    damaged one (the reader then makes one from the body)."""
    value = source.get("signature")
    if not isinstance(value, str):
        return None
    try:
        return base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        return None


def seed_state(source: dict[str, Any]) -> SeedState:
    """What the manifest remembers of a document from a seed (its source's ``path``,
    ``content_hash`` and ``seed`` stat)."""
    stat = source.get("seed") or {}
    return SeedState(source.get("content_hash") or "", source.get("path") or "", stat.get("size", -1),
                     stat.get("mtime_ns", -1), stat.get("ctime_ns", -1), stat.get("inode", -1))


def utc_naive(value: datetime | None) -> datetime | None:
    """A datetime as naive UTC (how both engines keep dates)."""
    if value is None or value.tzinfo is None:
        return value
    return value.astimezone(timezone.utc).replace(tzinfo=None)


def parse_date(value: Any) -> datetime | None:
    """A stored date back as a naive UTC datetime."""
    if not value:
        return None
    if isinstance(value, (int, float)):
        return datetime.fromtimestamp(value / 1000, timezone.utc).replace(tzinfo=None)
    text = str(value)
    return utc_naive(datetime.fromisoformat(text[:-1] + "+00:00" if text.endswith("Z") else text))
