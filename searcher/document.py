"""The record that crosses every stage: cleaner -> indexer -> search results."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


@dataclass(frozen=True, slots=True)
class RemovedLine:
    """A line the cleaner took out of a page, and why (its label, e.g. ``video``)."""

    text: str
    label: str
    reason: str = ""


@dataclass(slots=True)
class Document:
    """One article: its cleaned text and the metadata the cleaner found.

    ``body`` holds paragraphs separated by a blank line; section headings are
    paragraphs of their own and are also listed in ``sections``.
    """

    doc_id: str
    title: str = ""
    body: str = ""
    source: str | None = None
    sections: list[str] = field(default_factory=list)
    published: datetime | None = None
    authors: list[str] = field(default_factory=list)
    url: str | None = None
    path: str | None = None
    language: str | None = None
    removed: list[RemovedLine] = field(default_factory=list)
    content_hash: str | None = None

    @property
    def paragraphs(self) -> list[str]:
        """The body split into its paragraphs."""
        return [p for p in self.body.split("\n\n") if p.strip()]

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready dict: dates as ISO 8601 strings, removed lines as dicts."""
        data = dataclasses.asdict(self)
        data["published"] = self.published.isoformat() if self.published else None
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "Document":
        """The inverse of :meth:`as_dict`; unknown keys are ignored."""
        names = {f.name for f in dataclasses.fields(cls)}
        values = {k: v for k, v in data.items() if k in names}
        published = values.get("published")
        if isinstance(published, str):
            values["published"] = datetime.fromisoformat(published)
        values["removed"] = [
            r if isinstance(r, RemovedLine) else RemovedLine(**r) for r in values.get("removed") or []
        ]
        return cls(**values)
