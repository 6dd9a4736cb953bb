"""The field names of the query language: what a user may type before ``:`` and what it means.

Language, not engine: every engine maps these names onto its own fields.
"""

from __future__ import annotations

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

#: The word fields: where an unqualified word is searched, each weighted by the ranking
#: settings' ``<field>_weight`` (``RankingSettings.field_weights``), in the order a word
#: query adds up a word's field frequencies (BM25F: ``word_ranking``, on both engines).
WORD_FIELDS = ("title", "sections", "body")
#: The same fields in the order a structured query lists an unqualified word's clauses
#: (Whoosh's parser's order, which tests/whoosh_query_oracle.py keeps). A sum of floats
#: depends on its order: either order changed moves the last bits of the score of a
#: document holding a word in all three fields (measured), so each path keeps its own.
DEFAULT_FIELDS = ("title", "body", "sections")


def _shown_fields() -> tuple[str, ...]:
    """Every name a query may use, a field's aliases together: ("title", ..., "author/authors", ...)."""
    names: dict[str, list[str]] = {}
    for name, field in QUERY_FIELDS.items():
        names.setdefault(field, []).append(name)
    return tuple("/".join(aliases) for aliases in names.values())


#: The field names an unknown-field error lists: all of them (aliases joined by "/").
SHOWN_FIELDS = _shown_fields()
