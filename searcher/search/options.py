"""How a search is to be run and shown: one typed record instead of a dozen keyword arguments.

The CLI, the library and (later) the web page build a SearchOptions once; SearchIndex
hands it to the engine unchanged, and :meth:`SearchOptions.checked` is the one place its
values are validated.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, fields, replace
from datetime import date, datetime
from typing import Any, ClassVar

from ..core.errors import QueryError
from .limits import QUERY_SECONDS
from .snippets import FORMATS

#: The rankings a search can use (``mode``): by words, by meaning, or the two mixed.
MODES = ("keyword", "semantic", "hybrid")
#: Orders a search can return its hits in: ``date`` is newest first, ``oldest`` oldest first
#: (undated documents last in both).
SORTS = ("relevance", "date", "oldest")


@dataclass(frozen=True, slots=True)
class SearchOptions:
    """Everything about a search but the query text.

    :param limit: hits per page; :param page: 1-based page number.
    :param sort: ``relevance``, ``date`` (newest first) or ``oldest`` (oldest first); undated
        documents come last by date, counted in ``Results.undated``.
    :param source: only hits from this source (case-insensitive), or from any of several.
    :param since, until: only hits published in this range (dates or ISO 8601 strings).
    :param syntax: False treats the query as plain words (no operators or fields).
    :param fragments, context: snippet passages per hit, and words of context around a match.
    :param highlight: snippet markup: ``plain`` (``**word**``), ``ansi``, ``html`` or ``none``.
    :param facets: count hits by source and by month.
    :param explain: fill each ``Hit.explanation`` with why it scored what it did.
    :param expand: pseudo-relevance feedback for word queries: None follows the ranking
        settings (on), False turns it off, True forces it.
    :param collapse: fold near-duplicate hits (the same article saved twice, syndicated
        copies) into the best-ranked one, listed in its ``Hit.duplicates``; False shows
        every copy (see :mod:`searcher.search.duplicates`).
    :param mode: ``keyword``, ``semantic`` (by meaning, with the index's vectors) or ``hybrid``
        (the two mixed, ``RankingSettings.semantic_weight``); None: hybrid when the index has
        vectors and the hits are sorted by relevance, else keyword.
    :param seconds: the search's time budget (``limits.QUERY_SECONDS``); past it the search
        stops with QueryError. None: no budget.
    """

    #: The values ``sort`` and ``highlight`` take.
    SORTS: ClassVar[tuple[str, ...]] = SORTS
    HIGHLIGHTS: ClassVar[tuple[str, ...]] = tuple(FORMATS)
    MODES: ClassVar[tuple[str, ...]] = MODES

    limit: int = 10
    page: int = 1
    sort: str = "relevance"
    source: str | Sequence[str] | None = None
    since: date | datetime | str | None = None
    until: date | datetime | str | None = None
    syntax: bool = True
    fragments: int = 3
    context: int = 12
    highlight: str = "plain"
    facets: bool = False
    explain: bool = False
    expand: bool | None = None
    collapse: bool = True
    mode: str | None = None
    seconds: float | None = QUERY_SECONDS

    def checked(self) -> "SearchOptions":
        """These options, or QueryError naming the first value that cannot be used."""
        if self.limit < 1 or self.page < 1:
            raise QueryError("limit and page must be 1 or more")
        if self.sort not in SORTS:
            raise QueryError(f"unknown sort {self.sort!r}: use {', '.join(SORTS)}")
        if self.highlight not in FORMATS:
            raise QueryError(f"unknown highlight format {self.highlight!r}: use {', '.join(FORMATS)}")
        if self.mode is not None and self.mode not in MODES:
            raise QueryError(f"unknown mode {self.mode!r}: use {', '.join(MODES)}")
        if self.seconds is not None and not self.seconds > 0:
            raise QueryError("seconds (the time budget) must be more than 0, or None")
        return self

    @property
    def by_date(self) -> bool:
        """True when hits come in date order (unscored)."""
        return self.sort != "relevance"

    @property
    def wanted(self) -> int:
        """How many hits must be ranked to show this page."""
        return self.page * self.limit

    @property
    def first(self) -> int:
        """The 0-based position of this page's first hit."""
        return (self.page - 1) * self.limit


_NAMES = frozenset(f.name for f in fields(SearchOptions))


def with_changes(options: "SearchOptions | None", changes: dict[str, Any]) -> SearchOptions:
    """``options`` (default: every default) with some fields changed by name, as
    :func:`dataclasses.replace` takes them: what ``SearchIndex.search(query, options,
    **changes)`` searches with. TypeError for something that is not a SearchOptions or
    a name that is not one of its fields (checking the values is the pipeline's)."""
    if options is None:
        options = SearchOptions()
    elif not isinstance(options, SearchOptions):
        raise TypeError(f"options must be a SearchOptions, not {type(options).__name__} "
                        "(give the others by name: limit=20)")
    unknown = sorted(set(changes) - _NAMES)
    if unknown:
        raise TypeError(f"no search option {', '.join(map(repr, unknown))}: the options are {', '.join(sorted(_NAMES))}")
    return replace(options, **changes) if changes else options
