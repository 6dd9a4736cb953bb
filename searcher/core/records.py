"""The records that cross every stage (cleaner -> index -> search results): plain dataclasses,
so no engine object ever reaches a caller. Imports nothing else of searcher."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from typing import Any, NamedTuple, overload

from .errors import DocumentError
from .textnorm import has_surrogates, repair_surrogates


@dataclass(frozen=True, slots=True)
class RemovedLine:
    """A line the cleaner took out of a page, and why (its label, e.g. ``video``)."""

    text: str
    label: str
    reason: str = ""


# How many of the body's first words stand in for a missing headline in lists.
GUESSED_TITLE_WORDS = 12


def guessed_title(body: str, words: int = GUESSED_TITLE_WORDS) -> str:
    """What lists show for an article with no confident headline: its first words ("..." when
    cut short), rather than a menu entry or a gallery counter passed off as its title."""
    first = (body or "").strip().split("\n", 1)[0].split()
    return " ".join(first[:words]) + (" …" if len(first) > words else "")


class _PublishedDate:
    """``Document.published``: given as a datetime, a date or an ISO 8601 string, kept (and
    read back) as a datetime, and typed so: a type checker accepts
    ``Document(published="2020-01-01")`` and sees ``doc.published`` as ``datetime | None``."""

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name
        self.slot = f"_{name}"

    @overload
    def __get__(self, obj: None, objtype: type | None = None) -> None: ...

    @overload
    def __get__(self, obj: object, objtype: type | None = None) -> datetime | None: ...

    def __get__(self, obj: object | None, objtype: type | None = None) -> datetime | None:
        # On the class (obj None) it is the dataclass field's default: no date.
        return None if obj is None else getattr(obj, self.slot, None)

    def __set__(self, obj: object, value: datetime | date | str | None) -> None:
        setattr(obj, self.slot, as_datetime(value, self.name))


@dataclass
class Document:
    """One article: its cleaned text and the metadata the cleaner found.

    ``body`` holds paragraphs separated by a blank line; section headings are
    paragraphs of their own and are also listed in ``sections``. ``published`` may be
    given as a datetime, a date or an ISO 8601 string; it is kept as a datetime.
    ``title_guessed`` is set whenever ``title`` is empty (the cleaner found no line it could
    trust as the page's headline): lists then show :attr:`display_title`, the body's first words.
    """

    doc_id: str
    title: str = ""
    body: str = ""
    source: str | None = None
    sections: list[str] = field(default_factory=list)
    published: _PublishedDate = _PublishedDate()
    authors: list[str] = field(default_factory=list)
    url: str | None = None
    path: str | None = None
    language: str | None = None
    removed: list[RemovedLine] = field(default_factory=list)
    content_hash: str | None = None
    title_guessed: bool = False

    def __post_init__(self) -> None:
        # Derived, so a document read back from an index (which stores no flag) says the same.
        if not self.title or isinstance(self.title, str) and not self.title.strip():
            self.title_guessed = True

    @property
    def display_title(self) -> str:
        """The title, or, with none, the body's first words (the id for an empty document)."""
        return self.title or guessed_title(self.body) or self.doc_id

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
        values["removed"] = [
            r if isinstance(r, RemovedLine) else RemovedLine(**r) for r in values.get("removed") or []
        ]
        return cls(**values)


@dataclass(frozen=True, slots=True)
class ScorePart:
    """One additive part of a hit's score: the parts of a hit add up to its score.

    ``kind``: ``word`` (a word of the query), ``feedback`` (a word pseudo-relevance feedback
    added), ``proximity`` (two query words found near each other: ``term`` is "a b"),
    ``phrase`` (two consecutive query words found side by side, in order: "a b"),
    ``coordination`` (the bonus a structured query gives a document for matching more of
    its clauses) or ``other`` (what a structured query's scoring added that has no term).
    ``fields``: the word's frequency in each field it was found in; word queries score a
    word over all its fields at once (BM25F), a structured query per field (one entry).
    ``idf`` and ``query_weight`` are those of ``word`` and ``feedback`` parts; ``boost``:
    what the structured query multiplied this part by (field weights, ``^``, coordination).
    """

    kind: str
    term: str
    contribution: float
    fields: dict[str, float] = field(default_factory=dict)
    idf: float | None = None
    query_weight: float | None = None
    boost: float | None = None

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (floats rounded to 6 places; absent details left out)."""
        data: dict[str, Any] = {"kind": self.kind, "term": self.term, "contribution": round(self.contribution, 6),
                                "fields": dict(self.fields)}
        for name in ("idf", "query_weight", "boost"):
            value = getattr(self, name)
            if value is not None:
                data[name] = round(value, 6)
        return data


def as_datetime(value: object, name: str = "published") -> datetime | None:
    """A datetime from a datetime, a date (midnight) or an ISO 8601 string; None for None or "".

    ``2020-01-01``, ``2020-01-01T09:30``, ``2020-01-01 09:30:00+02:00`` and a trailing ``Z``
    are read; anything else is a DocumentError that says what to pass.
    """
    if value is None:
        return value
    if isinstance(value, datetime):
        return _in_range(value, name)
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day)
    if isinstance(value, str):
        text = value.strip()
        if not text:
            return None
        try:
            parsed = datetime.fromisoformat(text[:-1] + "+00:00" if text[-1] in "Zz" else text)
        except ValueError:
            pass
        else:
            return _in_range(parsed, name)
    raise DocumentError(f"{name} must be a datetime, a date or an ISO 8601 string such as '2020-01-01' "
                        f"or '2020-01-01T09:30:00', not {value!r}")


def _in_range(value: datetime, name: str) -> datetime:
    """``value`` if it has a UTC time (the index keeps UTC): ``9999-12-31T23:00:00-05:00`` has none."""
    if value.tzinfo is not None:
        try:
            value.astimezone(timezone.utc)
        except (OverflowError, ValueError):
            raise DocumentError(f"{name} {value.isoformat()} is out of range: in UTC it falls outside "
                                "the years 1 to 9999") from None
    return value


_TEXT_FIELDS = ("title", "body", "source", "url", "path", "language", "content_hash")


def checked_document(doc: Document) -> Document:
    """``doc`` as it may be indexed, checked field by field at the door (``SearchIndex.add``).

    Text fields hold valid Unicode: a lone surrogate (JSON's ``"\\ud800"``, a bad string from
    code) would make every search that shows the document fail, so it becomes U+FFFD
    (a copy is returned; ``doc`` is not changed). An id with one is refused, as is an id
    holding U+0000 and a field of the wrong type: :class:`DocumentError` names the field.
    """
    if not isinstance(doc, Document):
        return doc  # the writer refuses it, with its own message
    if not isinstance(doc.doc_id, str) or has_surrogates(doc.doc_id):
        raise DocumentError(f"doc_id must be a string of valid Unicode (no lone surrogate), not {doc.doc_id!r}")
    if "\x00" in doc.doc_id:
        raise DocumentError(f"doc_id {doc.doc_id!r} holds U+0000, which no command line can pass (to show or "
                            "delete it): give an id without it")
    changes: dict[str, Any] = {}
    for name in _TEXT_FIELDS:
        value = getattr(doc, name)
        if value is None and name != "title" and name != "body":
            continue
        if not isinstance(value, str):
            raise DocumentError(f"{name} of document {doc.doc_id!r} must be a string, not {type(value).__name__}")
        if has_surrogates(value):
            changes[name] = repair_surrogates(value)
    for name in ("sections", "authors"):
        values = getattr(doc, name)
        if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
            raise DocumentError(f"{name} of document {doc.doc_id!r} must be a list of strings")
        if any(has_surrogates(v) for v in values):
            changes[name] = [repair_surrogates(v) for v in values]
    published = as_datetime(doc.published, "published")  # it may have been set after the Document was made
    if published is not doc.published:
        changes["published"] = published
    return dataclasses.replace(doc, **changes) if changes else doc


@dataclass(slots=True)
class Hit:
    """One ranked result.

    ``snippet`` is marked up in the format the search asked for (``highlight``);
    ``snippet_text`` is the same snippet as plain text and ``matches`` the (start, end)
    character offsets of the matched words in it. With ``explain``, ``explanation`` holds
    readable lines and ``score_parts`` the parts that add up to ``score``. ``duplicates``:
    the ids of near-duplicate hits (the same article saved again, syndicated copies) folded
    into this one, best-ranked first; empty when none were, or when collapsing was off.
    """

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
    snippet_text: str = ""
    matches: list[tuple[int, int]] = field(default_factory=list)
    score_parts: list[ScorePart] = field(default_factory=list)
    duplicates: list[str] = field(default_factory=list)
    #: The document has no confident headline: ``title`` holds its first words
    #: (:func:`guessed_title`).
    title_guessed: bool = False

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (dates as ISO 8601); the snippet as plain text plus match offsets.

        ``explanation`` (only when explained): ``{"score": ..., "parts": [ScorePart.as_dict()...]}``.
        """
        return {
            "rank": self.rank,
            "doc_id": self.doc_id,
            "title": self.title,
            "score": round(self.score, 6),
            "source": self.source,
            "published": self.published.isoformat() if self.published else None,
            "path": self.path,
            "url": self.url,
            "snippet": self.snippet_text,
            "matches": [[start, end] for start, end in self.matches],
            "duplicates": list(self.duplicates),
            "title_guessed": self.title_guessed,
            **({"explanation": {"score": round(self.score, 6), "parts": [p.as_dict() for p in self.score_parts]}}
               if self.explanation else {}),
        }


@dataclass(slots=True)
class Results:
    """A page of hits plus what the caller needs to show around them.

    ``total`` counts every matching document, copies included; ``copies`` how many of them
    were folded into a better-ranked near-duplicate (counted among the hits ranked to fill
    the pages up to this one and a look-ahead past it, so further down more may fold), and
    ``distinct`` the hits left after folding: ``total - copies``.
    """

    query: str
    hits: list[Hit]
    total: int
    page: int = 1
    limit: int = 10
    suggestion: str | None = None
    facets: dict[str, dict[str, int]] = field(default_factory=dict)
    seconds: float = 0.0
    #: Why a query typed with syntax was searched as plain words instead ("a quote is not
    #: closed"), or None when its syntax was used (or it had none).
    searched_as_words: str | None = None
    copies: int = 0
    #: Sorted by date: how many of the matches have no date (they come after the dated ones).
    undated: int = 0
    #: Why a query found nothing although it ran, when the query itself is the reason (it
    #: only excludes words, its words are all too common to be indexed); None otherwise.
    empty_reason: str | None = None

    def __iter__(self) -> Iterator[Hit]:
        return iter(self.hits)

    def __len__(self) -> int:
        return len(self.hits)

    def __getitem__(self, index: int) -> Hit:
        return self.hits[index]

    @property
    def distinct(self) -> int:
        """The matching documents once copies are folded (``total - copies``)."""
        return self.total - self.copies

    @property
    def pages(self) -> int:
        """How many pages of ``limit`` hits there are in all (copies folded)."""
        return max(1, -(-self.distinct // self.limit)) if self.limit else 1

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready dict of the whole page."""
        return {
            "query": self.query,
            "total": self.total,
            "distinct": self.distinct,
            "copies": self.copies,
            "page": self.page,
            "limit": self.limit,
            "suggestion": self.suggestion,
            "searched_as_words": self.searched_as_words,
            "undated": self.undated,
            "empty_reason": self.empty_reason,
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


@dataclass(frozen=True, slots=True)
class SeedFile:
    """A seed found on disk: where it is, the id its document gets, and its stat."""

    path: str
    doc_id: str
    kind: str
    size: int = 0
    mtime_ns: int = 0
    ctime_ns: int = 0
    inode: int = 0


@dataclass(frozen=True, slots=True)
class SkippedSeed:
    """A file in the seeds folder that was not indexed, and why."""

    path: str
    reason: str


class SeedState(NamedTuple):
    """What the manifest remembers of an indexed document's seed file.

    ``size``, ``mtime_ns``, ``ctime_ns`` and ``inode`` only let an update skip re-hashing a
    file whose stat has not changed (what git compares: an edit in place that keeps the size
    and puts the mtime back still changes the ctime, which no one can set); the content hash
    is what decides whether a seed changed. A manifest written before the last two were
    recorded loads with -1 for them: each seed is hashed once more.
    Documents not from a seed file have an empty ``path``.
    """

    hash: str
    path: str
    size: int = -1
    mtime_ns: int = -1
    ctime_ns: int = -1
    inode: int = -1

    @classmethod
    def of(cls, doc: Document, seed: SeedFile | None = None) -> "SeedState":
        """What is remembered of ``doc``: its seed's hash and path, and the file's stat if known."""
        if seed is None:
            return cls(doc.content_hash or "", doc.path or "")
        return cls(doc.content_hash or "", doc.path or "", seed.size, seed.mtime_ns, seed.ctime_ns, seed.inode)


#: progress(done, total, stage): ``total`` is 0 when unknown; ``stage`` is "indexing",
#: "committing" (a commit of a bulk add can take a while) or "done".
Progress = Callable[[int, int, str], None]


@dataclass(slots=True)
class UpdateReport:
    """What an update or rebuild did, seed by seed."""

    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    renamed: list[tuple[str, str]] = field(default_factory=list)
    unchanged: int = 0
    failed: list[SkippedSeed] = field(default_factory=list)
    seconds: float = 0.0
    scan_seconds: float = 0.0
    rebuilt: bool = False
    #: Documents whose vectors were made (an index with a model: searcher.semantic).
    embedded: int = 0
    #: What could not be kept (documents a damaged index could not give back), one line each.
    warnings: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when every seed was indexed."""
        return not self.failed

    def summary(self) -> str:
        """One line: '3 added, 1 changed, 0 removed, 40 unchanged, 1 skipped in 0.4 s' ("skipped",
        as each seed in ``failed`` is named: it was left out, the rest went on)."""
        parts = [f"{len(self.added)} added", f"{len(self.changed)} changed", f"{len(self.removed)} removed"]
        if self.renamed:
            parts.append(f"{len(self.renamed)} renamed")
        parts += [f"{self.unchanged} unchanged", f"{len(self.failed)} skipped"]
        if self.embedded:
            parts.append(f"{self.embedded} embedded")
        return ", ".join(parts) + f" in {self.seconds:.1f} s"

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (``searcher index --json``): the ids, and each skipped seed with why."""
        return {
            "added": list(self.added),
            "changed": list(self.changed),
            "removed": list(self.removed),
            "renamed": [{"from": old, "to": new} for old, new in self.renamed],
            "unchanged": self.unchanged,
            "skipped": [{"path": seed.path, "reason": seed.reason} for seed in self.failed],
            "warnings": list(self.warnings),
            "rebuilt": self.rebuilt,
            "seconds": round(self.seconds, 3),
            "scan_seconds": round(self.scan_seconds, 3),
        }
