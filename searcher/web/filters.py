"""The search page's filters as links that work without a script: each source toggles in
or out of the sources searched (any of them), each month widens or narrows a range of
months, and the date presets reach back from the archive's newest article.

Every link is the current search with one thing changed (:meth:`SearchParams.changed`),
so the page needs no state of its own and any filtered page can be bookmarked.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from .params import SearchParams

MONTH_NAMES = tuple(calendar.month_name)[1:]  # English whatever the locale: calendar's are the C locale's
#: Months listed before the month facet shows years instead.
MONTHS_SHOWN = 24
_MONTH = re.compile(r"(\d{4})-(\d{2})")
_YEAR = re.compile(r"\d{4}")


@dataclass(frozen=True)
class Choice:
    """One value a filter offers: its words, its hit count, whether it is chosen, and the
    search with it toggled."""

    label: str
    params: SearchParams
    chosen: bool = False
    count: int | None = None

    @property
    def href(self) -> str:
        return "/search?" + self.params.query_string()


def source_choices(params: SearchParams, counts: dict[str, int], shown: int) -> list[Choice]:
    """The biggest ``shown`` sources and every chosen one, each toggling itself in or out."""
    chosen = {name.casefold() for name in params.source}
    top = list(counts)[:shown]
    names = top + [n for n in counts if n not in top and n.casefold() in chosen]
    known = {n.casefold() for n in counts}
    names += [n for n in params.source if n.casefold() not in known]  # chosen, with no hits now
    choices = []
    for name in names:
        on = name.casefold() in chosen
        kept = tuple(s for s in params.source if s.casefold() != name.casefold()) if on else params.source + (name,)
        choices.append(Choice(name, params.changed(source=kept), on, counts.get(name, 0)))
    return choices


def month_words(key: str) -> str:
    """``1987-03`` as ``March 1987`` (a year stays as it is)."""
    match = _MONTH.fullmatch(key)
    return f"{MONTH_NAMES[int(match.group(2)) - 1]} {match.group(1)}" if match else key


def _span(params: SearchParams) -> tuple[str, str] | None:
    """The chosen range as (first, last) month or year keys, when since/until are whole months or years."""
    since, until = params.since or "", params.until or ""
    for pattern in (_MONTH, _YEAR):
        if pattern.fullmatch(since) and pattern.fullmatch(until):
            return since, until
    return None


def month_choices(params: SearchParams, counts: dict[str, int]) -> list[Choice]:
    """The months with hits, oldest first (years when there are many), each widening the
    chosen range to take it in, or narrowing the range to it."""
    keys = sorted(counts)
    if len(keys) > MONTHS_SHOWN:
        years: dict[str, int] = {}
        for key in keys:
            years[key[:4]] = years.get(key[:4], 0) + counts[key]
        counts, keys = years, sorted(years)
    span = _span(params)
    if span and len(span[0]) != len(keys[0] if keys else span[0]):
        span = None  # a range of years among months, or of months among years
    choices = []
    for key in keys:
        since: str | None = key
        until: str | None = key
        inside = span is not None and span[0] <= key <= span[1]
        if span is not None and span[0] == span[1] == key:
            since = until = None  # the only month chosen: unchoose it
        elif span is not None and not inside:
            since, until = min(span[0], key), max(span[1], key)  # widen the range to take it in
        choices.append(Choice(month_words(key), params.changed(since=since, until=until), inside, counts[key]))
    return choices


#: The presets: words, and how far back from the archive's newest article.
PRESETS = (("Past week", timedelta(days=7)), ("Past month", timedelta(days=31)), ("Past year", timedelta(days=366)))


def date_presets(params: SearchParams, newest: datetime | None) -> list[Choice]:
    """Past week, month and year, counted back from the archive's newest article (an archive
    of 1987 has no "past week" of today)."""
    if newest is None:
        return []
    choices = []
    for label, back in PRESETS:
        since = (newest - back + timedelta(days=1)).date().isoformat()
        on = params.since == since and not params.until
        choices.append(Choice(label, params.changed(since=None if on else since, until=None), on))
    return choices


def active_filters(params: SearchParams, presets: list[Choice]) -> list[Choice]:
    """What narrows the hits now, each as a choice whose link removes it."""
    found = [Choice(f"Source: {name}", params.changed(source=tuple(s for s in params.source if s != name)), True)
             for name in params.source]
    if params.since or params.until:
        preset = next((p.label for p in presets if p.chosen), None)
        span = _span(params)
        if preset:
            label = preset
        elif span and span[0] == span[1]:
            label = month_words(span[0])
        elif span:
            label = f"{month_words(span[0])} to {month_words(span[1])}"
        else:
            label = " ".join(part for part in (f"since {params.since}" if params.since else "",
                                               f"until {params.until}" if params.until else "") if part)
        found.append(Choice(f"Published: {label}", params.changed(since=None, until=None), True))
    return found
