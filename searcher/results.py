"""What a search returns: plain dataclasses, so no Whoosh object reaches the caller."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


@dataclass(slots=True)
class Hit:
    """One ranked result."""

    rank: int
    doc_id: str
    title: str
    score: float
    source: str | None = None
    published: datetime | None = None
    path: str | None = None
    url: str | None = None
    snippet: str = ""
    explanation: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (dates as ISO 8601)."""
        return {
            "rank": self.rank,
            "doc_id": self.doc_id,
            "title": self.title,
            "score": round(self.score, 6),
            "source": self.source,
            "published": self.published.isoformat() if self.published else None,
            "path": self.path,
            "url": self.url,
            "snippet": self.snippet,
            **({"explanation": self.explanation} if self.explanation else {}),
        }


@dataclass(slots=True)
class Results:
    """A page of hits plus what the caller needs to show around them."""

    query: str
    hits: list[Hit]
    total: int
    page: int = 1
    limit: int = 10
    suggestion: str | None = None
    facets: dict[str, dict[str, int]] = field(default_factory=dict)
    seconds: float = 0.0

    def __iter__(self) -> Iterator[Hit]:
        return iter(self.hits)

    def __len__(self) -> int:
        return len(self.hits)

    def __getitem__(self, index: int) -> Hit:
        return self.hits[index]

    @property
    def pages(self) -> int:
        """How many pages of ``limit`` hits there are in all."""
        return max(1, -(-self.total // self.limit)) if self.limit else 1

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready dict of the whole page."""
        return {
            "query": self.query,
            "total": self.total,
            "page": self.page,
            "limit": self.limit,
            "suggestion": self.suggestion,
            "facets": self.facets,
            "hits": [hit.as_dict() for hit in self.hits],
        }


@dataclass(frozen=True, slots=True)
class IndexStats:
    """A summary of an index for `searcher stats`."""

    path: str
    documents: int
    sources: dict[str, int]
    oldest: datetime | None
    newest: datetime | None
    size_bytes: int
    segments: int
    schema_version: int
    searcher_version: str

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        return {
            "path": self.path,
            "documents": self.documents,
            "sources": self.sources,
            "oldest": self.oldest.isoformat() if self.oldest else None,
            "newest": self.newest.isoformat() if self.newest else None,
            "size_bytes": self.size_bytes,
            "segments": self.segments,
            "schema_version": self.schema_version,
            "searcher_version": self.searcher_version,
        }
