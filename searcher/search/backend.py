"""What the search pipeline asks of an engine: the :class:`SearchBackend` Protocol and the
records that cross it.

The pipeline (:mod:`searcher.search.pipeline`) runs every search and ``similar`` the same
way on every engine; a backend does only what needs the engine's own index: compile a
query, analyse words, rank a window of candidates, read stored documents and their near-duplicate
signatures for some keys, count facets, find spelling corrections, pick an article's key
terms. A backend lives for one search (it may cache what it read). A key is the engine's
own handle on a document (a Whoosh docnum, a cluster ``_id``); it never leaves the pipeline.
"""

from __future__ import annotations

from collections.abc import Collection, Hashable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Generic, Protocol, TypeVar

from ..core.errors import NoVectors
from ..core.records import ScorePart
from .duplicates import Signature
from .filters import SearchFilter
from .limits import Deadline
from .options import SearchOptions
from .settings import RankingSettings

if TYPE_CHECKING:
    from .query_parser import Dialect, ParsedQuery

Key = TypeVar("Key", bound=Hashable)


@dataclass(slots=True)
class Plan:
    """One search as a backend prepared it; each backend subclasses it with its compiled query."""

    options: SearchOptions
    #: The query's analysed words when it is ranked as words (an explanation names them
    #: when documents holding all of them rank first), else None.
    words: list[str] | None = None
    #: Why a query typed with syntax was searched as plain words, or None.
    searched_as_words: str | None = None


P = TypeVar("P", bound=Plan)


@dataclass(slots=True)
class Window(Generic[Key]):
    """A backend's best ``limit`` candidates, best first, and how many documents match."""

    order: list[tuple[float, Key]]
    total: int
    #: The score parts of explained candidates, when ranking made them (``options.explain``).
    why: dict[Key, list[ScorePart]] = field(default_factory=dict)
    #: Sorted by date: how many matches have no date (they come last; 0 when not counted).
    undated: int = 0


@dataclass(frozen=True, slots=True)
class Stored:
    """What a hit shows of a stored document, and the words its snippet marks (as the
    backend's ``find_spans`` knows them)."""

    doc_id: str
    title: str = ""
    body: str = ""
    source: str | None = None
    published: datetime | None = None
    path: str | None = None
    url: str | None = None
    marks: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class Copy:
    """A ranked document's id and near-duplicate signature (None: it never folds)."""

    doc_id: str
    signature: Signature | None


@dataclass(slots=True)
class FacetCounts:
    """Matching documents per source (named as the documents write it) and per month (YYYY-MM)."""

    sources: dict[str, int]
    months: dict[str, int]


class DenseSide(Protocol):
    """An index's document vectors and the model that made them, as a search reads them."""

    @property
    def model(self) -> str:
        """The model's name."""
        ...

    def top(self, text: str, k: int) -> list[tuple[str, float]]:
        """The ``k`` documents whose best passage is nearest to ``text``: (doc_id, cosine), best first."""
        ...


class SearchBackend(Protocol[Key, P]):
    """One index, read for one search (see the module docstring)."""

    @property
    def settings(self) -> RankingSettings:
        """The ranking knobs this index searches with."""
        ...

    @property
    def query_fields(self) -> Collection[str]:
        """The fields a query may name in this index."""
        ...

    @property
    def dialect(self) -> "Dialect":
        """How the parser reads the query language for this engine."""
        ...

    def find_spans(self, text: str, marks: frozenset[str]) -> list[tuple[int, int]]:
        """(start, end) of each word of ``text`` that is one of a hit's ``Stored.marks``."""
        ...

    def analyse(self, text: str) -> list[str]:
        """The terms this index searches for ``text``, stop words dropped (an empty search's
        reason: ``search.empty``)."""
        ...

    def structured(self, parsed: "ParsedQuery", options: SearchOptions, filt: SearchFilter | None,
                   deadline: Deadline) -> P:
        """A query with syntax, compiled for this engine (QueryError if it cannot run)."""
        ...

    def words(self, query: str, options: SearchOptions, filt: SearchFilter | None) -> P:
        """A query of plain words, analysed as this index analyses text."""
        ...

    def like(self, doc_id: str, options: SearchOptions) -> tuple[Key, P | None]:
        """The key of ``doc_id`` and a plan that ranks the documents sharing its key terms
        (itself excluded); None when it has none. DocumentNotFoundError if it is not indexed."""
        ...

    def rank(self, plan: P, limit: int, deadline: Deadline) -> Window[Key]:
        """The best ``limit`` matches of ``plan``, in ``plan.options.sort`` order."""
        ...

    def stored(self, plan: P, keys: Sequence[Key], texts: bool) -> dict[Key, Stored]:
        """What the page shows of ``keys`` (a key deleted meanwhile is left out); without
        ``texts`` the body may be left empty (no snippets are made)."""
        ...

    def copies(self, keys: Sequence[Key]) -> dict[Key, Copy]:
        """The doc ids and near-duplicate signatures of ``keys`` (a key deleted meanwhile:
        its key as id, no signature)."""
        ...

    def explain(self, plan: P, key: Key, score: float) -> list[ScorePart]:
        """The parts of a shown hit's score that ranking did not give (Window.why)."""
        ...

    def facet_counts(self, plan: P) -> FacetCounts:
        """How many documents matching ``plan`` each source and month has."""
        ...

    def dense(self) -> DenseSide | None:
        """The index's vectors in step with what this search reads, or None (see ``no_dense``)."""
        ...

    def no_dense(self) -> NoVectors:
        """Why ``dense()`` is None, for the error when semantic ranking was asked for."""
        ...

    def keys_of(self, doc_ids: Sequence[str]) -> dict[str, Key]:
        """The keys of those ``doc_ids`` that are indexed."""
        ...

    def matching(self, plan: P, keys: Sequence[Key]) -> set[Key]:
        """Those of ``keys`` that match ``plan`` (its query and filter)."""
        ...

    def corrections(self, words: list[str], deadline: Deadline) -> dict[str, str]:
        """For each of ``words`` the index does not know, the indexed word (lower case) that
        corrects it within ``suggestions.max_edits``, if one does; QueryError past ``deadline``."""
        ...
