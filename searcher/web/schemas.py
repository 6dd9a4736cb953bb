"""The JSON records of the API, described for /openapi.json.

Responses are the library records' own ``as_dict()`` (the shape `searcher search --json`
prints), not these models: they only tell the OpenAPI document what comes back, and
tests/web/test_web_api.py validates real responses against them (no extra field allowed), so
the description cannot drift from the records.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class _Record(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ScorePartRecord(_Record):
    kind: str
    term: str
    contribution: float
    fields: dict[str, float]
    idf: float | None = None
    query_weight: float | None = None
    boost: float | None = None


class ExplanationRecord(_Record):
    score: float
    parts: list[ScorePartRecord]


class HitRecord(_Record):
    """One ranked hit: ``snippet`` is plain text, ``matches`` the [start, end) offsets of the matches in it
    (the record of `searcher search --json`, without the seed's path)."""

    rank: int
    doc_id: str
    title: str
    score: float
    source: str | None
    published: str | None
    url: str | None
    snippet: str
    matches: list[tuple[int, int]]
    #: the ids of near-duplicate copies folded into this hit
    duplicates: list[str]
    #: no confident headline was found: ``title`` is the article's first words
    title_guessed: bool = False
    explanation: ExplanationRecord | None = None


class ResultsRecord(_Record):
    """A page of hits, as `searcher search --json` prints it."""

    query: str
    total: int
    #: the matching documents once copies are folded (``total - copies``)
    distinct: int
    copies: int
    page: int
    limit: int
    suggestion: str | None
    searched_as_words: str | None
    facets: dict[str, dict[str, int]]
    hits: list[HitRecord]


class RemovedLineRecord(_Record):
    text: str
    label: str
    reason: str


class DocumentRecord(_Record):
    """One indexed document, as `searcher show --json` prints it (without its seed's path)."""

    doc_id: str
    title: str
    body: str
    source: str | None
    sections: list[str]
    published: str | None
    authors: list[str]
    url: str | None
    language: str | None
    removed: list[RemovedLineRecord]
    content_hash: str | None
    #: no confident headline was found: ``title`` is empty (lists show the first words)
    title_guessed: bool = False


class StatsRecord(_Record):
    """What the index holds, as `searcher stats --json` prints it (without where it is)."""

    documents: int
    sources: dict[str, int]
    oldest: str | None
    newest: str | None
    size_bytes: int
    segments: int
    schema_version: int
    searcher_version: str


class ErrorRecord(_Record):
    """An error: its one-line message and HTTP status (``candidates``: ids an ambiguous prefix starts)."""

    error: str
    status: int
    candidates: list[str] | None = None
