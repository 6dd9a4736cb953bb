"""The search options, shared by every command that searches: one decorator adds them and
hands the command one :class:`~searcher.SearchOptions` (as sqlite-utils shares its
``@output_options``), so a new option is one line here and one field there.

Defaults come from SearchOptions itself. What depends on the output a command prints
(``--highlight`` after ``--color``, no snippets for ``--count``) the command settles with
``dataclasses.replace``.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

import click

from .. import SearchOptions

F = TypeVar("F", bound=Callable[..., Any])
_DEFAULT = SearchOptions()

#: Per SearchOptions field: its click parameter's name and the option itself (help text
#: as ``searcher search -h`` shows it; ``help=`` of :func:`search_options` may reword one).
_OPTIONS: dict[str, tuple[str, Callable[[str], Callable[[F], F]]]] = {
    "limit": ("limit", lambda help: click.option(
        "--limit", "-n", type=click.IntRange(min=1), default=_DEFAULT.limit, show_default=True,
        help=help or "Hits per page.")),
    "page": ("page", lambda help: click.option(
        "--page", "-p", type=click.IntRange(min=1), default=_DEFAULT.page, show_default=True,
        help=help or "Page of hits.")),
    "sort": ("sort", lambda help: click.option(
        "--sort", type=click.Choice(SearchOptions.SORTS), default=_DEFAULT.sort, show_default=True,
        help=help or "Order: relevance, date (newest first) or oldest (oldest first); undated hits come last by date.")),
    "source": ("source", lambda help: click.option(
        "--source", help=help or "Only hits from this source (e.g. \"CBS News\").")),
    "since": ("since", lambda help: click.option(
        "--since", help=help or "Only hits published on or after this date (YYYY, YYYY-MM, YYYY-MM-DD[THH:MM]).")),
    "until": ("until", lambda help: click.option(
        "--until", help=help or "Only hits published on or before this date (YYYY-MM: to the end of that month).")),
    "syntax": ("words", lambda help: click.option(
        "--words", is_flag=True, help=help or "Treat the query as plain words: no operators, fields or quotes.")),
    "fragments": ("fragments", lambda help: click.option(
        "--fragments", type=click.IntRange(min=0), default=_DEFAULT.fragments, show_default=True,
        help=help or "Snippet fragments per hit.")),
    "context": ("context", lambda help: click.option(
        "--context", type=click.IntRange(min=1), default=_DEFAULT.context, show_default=True,
        help=help or "Words of context around a match.")),
    "facets": ("facets", lambda help: click.option(
        "--facets", is_flag=True, help=help or "Also print hit counts by source and by month.")),
    "explain": ("explain", lambda help: click.option(
        "--explain", is_flag=True, help=help or "Show why each hit scored what it did (per field and word).")),
    "expand": ("expand", lambda help: click.option(
        "--expand/--no-expand", default=None,
        help=help or "Also search words typical of the top hits [default: on for word queries].")),
    "collapse": ("collapse", lambda help: click.option(
        "--collapse/--no-collapse", default=_DEFAULT.collapse, show_default=True,
        help=help or "Fold near-duplicate hits (the same article saved twice, syndicated copies) into the "
                     "best-ranked one.")),
    "mode": ("mode", lambda help: click.option(
        "--mode", type=click.Choice(SearchOptions.MODES), default=None,
        help=help or "Rank by keywords, by meaning (semantic, with the index's vectors) or both mixed "
                     "[default: hybrid when the index has vectors, else keyword].")),
}

#: Every option ``searcher search`` takes, in the order its help lists them.
SEARCH = ("limit", "page", "sort", "source", "since", "until", "syntax", "fragments", "context", "facets",
          "explain", "expand", "collapse", "mode")


def search_options(*fields: str, help: dict[str, str] | None = None) -> Callable[[F], F]:
    """Add the options for these SearchOptions ``fields`` (default: all of SEARCH) to a
    click command, which is called with ``options=SearchOptions(...)`` instead of them."""
    chosen = fields or SEARCH
    unknown = [name for name in chosen if name not in _OPTIONS]
    if unknown:
        raise ValueError(f"no command-line option for {unknown}")

    def decorate(command: F) -> F:
        @functools.wraps(command)
        def run(*args: Any, **kwargs: Any) -> Any:
            values = {name: kwargs.pop(_OPTIONS[name][0]) for name in chosen}
            if "syntax" in values:
                values["syntax"] = not values["syntax"]  # the flag is --words
            return command(*args, options=SearchOptions(**values), **kwargs)

        wrapped: Any = run
        for name in reversed(chosen):
            wrapped = _OPTIONS[name][1]((help or {}).get(name, ""))(wrapped)
        return wrapped  # type: ignore[no-any-return]

    return decorate
