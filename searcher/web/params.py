"""The search parameters every page and API call shares, read and bounded once.

FastAPI checks each against its declared type and bounds, so a bad one is a 422 before
any index work; what only the library can judge (a date it cannot read, a query past the
query-cost limits) is its QueryError, a 400.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Annotated, Any, Literal
from urllib.parse import urlencode

from fastapi import Query

from .. import SearchOptions

#: Most hits one request may ask for: a page of 100 is already more than anyone reads,
#: and each hit costs a snippet.
MAX_LIMIT = 100
#: Deepest page: ranking page x limit hits is the cost of a deep page (at most 100,000).
MAX_PAGE = 1000
#: Hits on a page of the search page.
PAGE_HITS = 10
#: The orders a search may ask for (``SearchOptions.sort``).
Sort = Literal["relevance", "date", "oldest"]


def _blank_is_none(value: str | None) -> str | None:
    """A form sends empty fields (``source=``): they mean no filter."""
    return value if value is not None and value.strip() else None


@dataclass(frozen=True)
class SearchParams:
    """What to search for and how: the CLI's ``search`` options, as a URL carries them."""

    q: str = ""
    #: hits from any of these sources (none: every source)
    source: tuple[str, ...] = ()
    since: str | None = None
    until: str | None = None
    sort: str = "relevance"
    page: int = 1
    limit: int = PAGE_HITS
    words: bool = False
    #: (the search page) search the query as typed, even when it finds nothing and a correction would
    typed: bool = False
    #: keyword, semantic or hybrid; None: the library's default (hybrid when the index has vectors)
    mode: str | None = None

    def changed(self, **changes: object) -> "SearchParams":
        """These parameters with some changed (a new filter starts again at page 1)."""
        if "page" not in changes:
            changes["page"] = 1
        return replace(self, **changes)  # type: ignore[arg-type]

    def options(self, **changes: Any) -> SearchOptions:
        """The library's SearchOptions for these parameters, with the page's or the API's
        own (``facets=True``): the one place a request becomes a search."""
        return replace(SearchOptions(limit=self.limit, page=self.page, sort=self.sort, source=self.source or None,
                                     since=self.since, until=self.until, syntax=not self.words,
                                     mode=self.mode), **changes)

    def query_string(self) -> str:
        """The URL query that gives these parameters back (defaults left out)."""
        pairs: list[tuple[str, str]] = [("q", self.q)]
        pairs += [("source", name) for name in self.source]
        for name in ("since", "until"):
            value = getattr(self, name)
            if value:
                pairs.append((name, value))
        if self.sort != "relevance":
            pairs.append(("sort", self.sort))
        if self.page != 1:
            pairs.append(("page", str(self.page)))
        if self.limit != PAGE_HITS:
            pairs.append(("limit", str(self.limit)))
        if self.words:
            pairs.append(("words", "true"))
        if self.typed:
            pairs.append(("typed", "true"))
        if self.mode:
            pairs.append(("mode", self.mode))
        return urlencode(pairs)


def search_params(
    q: Annotated[str, Query(description="The query (see docs/queries.md: the query language).")] = "",
    source: Annotated[list[str] | None, Query(description="Only hits from this source (its words, in order); "
                                                          "given several times, from any of them.")] = None,
    since: Annotated[str | None, Query(description="Only hits published on or after this date "
                                                   "(YYYY, YYYY-MM, YYYY-MM-DD[THH:MM]).")] = None,
    until: Annotated[str | None, Query(description="Only hits published on or before this date "
                                                   "(YYYY-MM: to the end of that month).")] = None,
    sort: Annotated[Sort, Query(description="Order: relevance, date (newest first) or oldest (oldest first).")]
    = "relevance",
    page: Annotated[int, Query(ge=1, le=MAX_PAGE, description="Page of hits (1-based).")] = 1,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT, description="Hits per page.")] = PAGE_HITS,
    words: Annotated[bool, Query(description="Treat the query as plain words: no operators, fields or quotes.")]
    = False,
    mode: Annotated[Literal["keyword", "semantic", "hybrid"] | None,
                    Query(description="Rank by keywords, by meaning (the index's vectors) or both mixed; "
                                      "default: hybrid when the index has vectors.")] = None,
) -> SearchParams:
    """The search parameters of a request (a FastAPI dependency)."""
    sources = tuple(dict.fromkeys(name.strip() for name in source or () if name.strip()))
    return SearchParams(q=q, source=sources, since=_blank_is_none(since), until=_blank_is_none(until),
                        sort=sort, page=page, limit=limit, words=words, mode=mode)
