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

#: The fields an unqualified word is searched in.
DEFAULT_FIELDS = ("title", "body", "sections")

#: The field names an unknown-field error lists.
SHOWN_FIELDS = ("author", "body", "published", "section", "source", "title")
