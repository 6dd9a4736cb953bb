"""Where a text capture's article starts, once its headline is known.

The line model finds the article as the run of lines that read like prose. An article that opens
with a list, a table or a few short paragraphs (a race's standings under two lines of
introduction, a product list, a post that starts with bullet points) has its first prose further
down, and the run starts there: what lies between the headline and that run was cut as
"navigation". The headline says where the article begins: right after it and its header (the
byline, the date, share buttons, a lead photo's caption; a standfirst under the headline is not
article text either). So the lines between the header and the run are the article's when nothing
there says otherwise: no chrome rule fires on them (single-line or context), and they are not a
list of links (several headline-shaped lines in a row: a "watch next" playlist, a teaser list).

The settings are chosen by leave-one-site-out cross-validation in ``benchmarks/cleaner_eval.py``.
"""

from __future__ import annotations

from dataclasses import dataclass

from .lines import BODY, HEADING, TITLE, Line

_HEADER = frozenset(("byline", "dateline"))
# Labels only rules give; a line with one of them (or with a single-line rule) is chrome.
_CONTEXT_CHROME = frozenset(("photo", "video", "related", "comments"))
# Chrome that ends an article: the region is not the article's when one of these sits in it.
_BARRIERS = frozenset(("related", "comments", "footer", "cookie"))
_REASON = "between the headline's byline and the article's first paragraphs (a list, a table, a short opening)"


@dataclass(frozen=True, slots=True)
class BoundsSettings:
    """How far the article's start moves up to its headline."""

    #: False: the line model's run decides alone.
    from_headline: bool = True
    #: This many headline-shaped lines in a row (4-15 words, not a sentence, few numbers) are a
    #: list of links, and the lines above the run are not the article.
    link_run: int = 4
    #: A headline further above the run than this belongs to some other part of the page.
    max_lines: int = 60
    #: Lines of this many words or fewer (a section name, a URL, an @handle) are not taken.
    max_junk_words: int = 1


def _content(line: Line) -> bool:
    return line.rule is None and line.label not in _CONTEXT_CHROME and line.label not in _HEADER \
        and line.label != TITLE


def _barrier(line: Line) -> bool:
    return line.label in _BARRIERS and (line.rule is not None or line.label in _CONTEXT_CHROME)


def _link_shaped(line: Line) -> bool:
    """A headline-shaped line: 4-15 words, not a sentence, under a third of its words numbers
    (a table's row is mostly numbers)."""
    if not 4 <= line.words <= 15 or line.sentence:
        return False
    words = line.text.split()
    return sum(1 for w in words if any(c.isdigit() for c in w)) < len(words) / 3


def extend_to_headline(lines: list[Line], title: int | None, run: tuple[int, int],
                       settings: BoundsSettings) -> None:
    """Label BODY the lines between the headline's header and the line model's run (``run``:
    its ``(start, end)``), unless a barrier or a list of links sits there."""
    if title is None or not settings.from_headline:
        return
    start = next((i for i in range(*run) if lines[i].label == BODY or lines[i].label == HEADING), None)
    if start is None or not title < start <= title + settings.max_lines:
        return
    first = _after_header(lines, title, start)
    in_a_row = 0
    for line in lines[first:start]:
        if _barrier(line):
            return
        if _content(line) and _link_shaped(line):
            in_a_row += 1
            if in_a_row >= settings.link_run:
                return
        elif _content(line):
            in_a_row = 0
    for line in lines[first:start]:
        if _content(line) and line.words > settings.max_junk_words:
            line.label, line.reason = BODY, _REASON


def _after_header(lines: list[Line], title: int, start: int) -> int:
    """The first line of content after the headline's header: after its last byline or date
    line; with none, after a standfirst (the first line of content right under the headline)."""
    headers = [k for k in range(title + 1, start) if lines[k].label in _HEADER]
    if headers:
        first = headers[-1] + 1
    else:
        first = title + 1
        while first < start and (not _content(lines[first]) or lines[first].text == lines[title].text
                                 or lines[first].words <= 3):
            first += 1
        if first < start and first <= title + 3 and lines[first].words <= 40:
            first += 1  # the standfirst
    while first < start and not _content(lines[first]):
        first += 1
    return first
