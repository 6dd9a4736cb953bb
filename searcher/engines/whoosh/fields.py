"""Conversion between Document records and the fields Whoosh stores: the one mapping."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from ...core.records import Document, RemovedLine
from ...search.duplicates import body_signature
from ...search.fields import WORD_FIELDS
from .schema import word_counts


def utc_naive(value: datetime | None) -> datetime | None:
    """Whoosh stores naive datetimes: aware ones are converted to UTC first."""
    if value is None or value.tzinfo is None:
        return value
    return value.astimezone(timezone.utc).replace(tzinfo=None)


def document_to_fields(doc: Document) -> dict[str, Any]:
    """The Whoosh field values for one Document (empty values left out)."""
    published = utc_naive(doc.published)
    fields: dict[str, Any] = {
        "doc_id": doc.doc_id,
        "title": doc.title or "",
        "body": doc.body or "",
        "sections": "\n".join(doc.sections),
        "source": doc.source or "",
        "authors": "; ".join(doc.authors),
        "path": doc.path,
        "content_hash": doc.content_hash,
    }
    fields["terms"] = word_counts({name: fields[name] for name in WORD_FIELDS})
    fields["signature"] = body_signature(doc)
    if doc.source:
        fields["source_key"] = doc.source.strip().lower()
    if published is not None:
        fields["published"] = published
        fields["month"] = published.strftime("%Y-%m")
    if doc.url:
        fields["url"] = doc.url
    if doc.language:
        fields["language"] = doc.language
    if doc.removed:
        fields["removed"] = [(r.text, r.label, r.reason) for r in doc.removed]
    return fields


def fields_to_document(stored: dict[str, Any]) -> Document:
    """Rebuild the Document from a hit's stored fields."""
    return Document(
        doc_id=stored["doc_id"],
        title=stored.get("title", ""),
        body=stored.get("body", ""),
        source=stored.get("source") or None,
        sections=[s for s in stored.get("sections", "").split("\n") if s],
        published=stored.get("published"),
        authors=[a for a in stored.get("authors", "").split("; ") if a],
        url=stored.get("url"),
        path=stored.get("path"),
        language=stored.get("language"),
        removed=[RemovedLine(*r) for r in stored.get("removed") or []],
        content_hash=stored.get("content_hash"),
    )
