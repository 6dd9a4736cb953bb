"""The headline of a text capture: which line, if any, is the page's own title.

A capture keeps every headline the page showed: the article's, the teasers' above and beside it,
gallery counters, share prompts. The article's headline is told apart by where it sits and what
surrounds it, not by what it says: it stands a few lines above the article (with only the byline,
the date, share buttons or a lead photo's caption between), a byline or date line usually follows
it and it tops that header (a standfirst sits between it and the byline), its words come back in
the article, and it is shaped like a headline (a handful to a few dozen words, not a sentence
with a full stop, no chrome rule fires on it, longer than the lines around it).

Each candidate line gets the :data:`TITLE_FEATURES` below; a conditional logit (weights learned
and cross-validated by site by ``benchmarks/cleaner_eval.py``, stored in
:mod:`searcher.cleaning.title_weights`) scores them against a "no headline" choice that scores 0.
(The features are what a backward elimination by leave-one-site-out accuracy kept of 30; the
ones dropped, e.g. "shown twice", "a byline right below", stop-word density, added nothing.)
When no line beats that choice the page has no confident title: the Document's ``title`` stays
empty and ``title_guessed`` is set, rather than showing a menu entry or a gallery counter.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from functools import lru_cache
from operator import attrgetter, mul
from typing import Sequence

from .languages import STOPWORDS
from .metadata import is_name_line
from .rules import CACHE_LINES
from .lines import BODY, GOOD, HEADING, NEAR_GOOD, Line

TITLE_FEATURES = (
    "bias", "log_words", "full_stop", "dangling_end", "chrome_rule", "above_article", "header_follows",
    "article_overlap", "title_case", "upper_case", "digits", "alone_in_block", "longest_nearby", "prose",
    "in_article", "first_above_header", "header_after_one", "headline_above", "top_of_header", "name_shaped",
    "header_precedes",
)

# Candidates: lines this far above the article's first line, and a few into it (a page whose
# first paragraph the line model took with its headline), of two to forty words.
_ABOVE = 60
_INTO = 3
_MIN_WORDS = 2
_MAX_WORDS = 40
# A byline or date this many lines below (above) a headline belongs to it.
_HEADER_REACH = 4
_HEADER_BACK = 3
# The article's first words the headline's words are looked up in.
_ARTICLE_WORDS = 250
# "Nearby" for the longest-line feature.
_NEARBY = 8
_HEADER_LABELS = ("byline", "dateline")
# Labels that only a rule gives: on a line no single-line rule matched, a context rule's (a
# caption beside a credit, a teaser above a running time, a headline under "Related").
_CONTEXT_CHROME = frozenset(("photo", "video", "related", "comments"))
# How far (in lines of any kind) a header line is looked for below a candidate, and how far a
# neighbouring headline-shaped line (a standfirst under the headline) is looked for.
_HEADER_LOOK = 12
_NEIGHBOUR = 2
_HEADLINE_WORDS = 5
# Lines this short between a headline and its byline do not part them ("Breaking News Emails").
_GAP_WORDS = 4
_WORDS = re.compile(r"\w+")
_BLOCK = attrgetter("block")
_LONG_WORDS = re.compile(r"\w{3,}")
_DIGIT_WORDS = re.compile(r"\w*\d\w*")
_CJK = re.compile("[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]")


def _words_of(text: str, language: str | None) -> set[str]:
    """The words that carry meaning (lower case, three letters or more, no stop word, no
    number); CJK text, which has no spaces, as pairs of characters."""
    words = set(_LONG_WORDS.findall(text.lower()))
    words -= STOPWORDS.get(language or "", frozenset())
    keys = {w for w in words if not w.isdigit()}
    if not text.isascii():
        for word in [w for w in keys if _CJK.search(w)]:
            keys.discard(word)
            keys.update(word[k:k + 2] for k in range(len(word) - 1))
    return keys


@lru_cache(maxsize=CACHE_LINES)
def _keys(text: str, language: str | None) -> frozenset[str]:
    """:func:`_words_of` a candidate line, remembered: menus and headlines recur across a
    site's pages."""
    return frozenset(_words_of(text, language))


def clear_cache() -> None:
    """Forget the words remembered for lines (benchmarks clear it between passes)."""
    _keys.cache_clear()


def article_start(lines: list[Line]) -> int:
    """The index of the article's first kept line (``len(lines)`` when nothing is kept)."""
    return next((i for i, line in enumerate(lines) if line.label == BODY or line.label == HEADING), len(lines))


def candidates(lines: list[Line], start: int) -> list[int]:
    """The lines that may be the headline: near the article's start, two to forty words."""
    return [i for i in range(max(0, start - _ABOVE), min(len(lines), start + _INTO))
            if _MIN_WORDS <= lines[i].words <= _MAX_WORDS]


class _ArticleWords:
    """The words of the article's first lines (read on first use), for the share of a
    candidate's words found there; a candidate that is itself one of those lines is looked up
    in the others."""

    def __init__(self, lines: list[Line], language: str | None, start: int):
        self.lines, self.language, self.start = lines, language, start
        self._rows: list[int] | None = None
        self._words: set[str] = set()

    def _read(self) -> list[int]:
        rows, words = [], 0
        for k in range(self.start, len(self.lines)):
            if self.lines[k].label == BODY:
                rows.append(k)
                words += self.lines[k].words
                if words >= _ARTICLE_WORDS:
                    break
        self._words = _words_of(" ".join(self.lines[k].text for k in rows), self.language)
        self._rows = rows
        return rows

    def overlap(self, i: int) -> float:
        """The share of line ``i``'s words found in the article's first lines."""
        rows = self._rows if self._rows is not None else self._read()
        keys = _keys(self.lines[i].text, self.language)
        if not keys:
            return 0.0
        words = self._words
        if i in rows:
            words = _words_of(" ".join(self.lines[k].text for k in rows if k != i), self.language)
        return len(keys & words) / len(keys)


# The features of a row, in two parts: the cheap ones, computed for every candidate, and the
# dear ones (the article's words, the line's letters, its neighbours), computed only for the
# candidates that could still win (:func:`pick_headline`).
_CHEAP = ("bias", "log_words", "full_stop", "dangling_end", "chrome_rule", "above_article", "header_follows",
          "alone_in_block", "longest_nearby", "prose", "in_article", "first_above_header", "header_precedes",
          "title_case")
_DEAR = ("article_overlap",) + tuple(name for name in TITLE_FEATURES if name not in _CHEAP + ("article_overlap",))
_ORDER = [(_CHEAP + _DEAR).index(name) for name in TITLE_FEATURES]


class _Page:
    """One page's candidates and what their features are computed from."""

    def __init__(self, lines: list[Line], language: str | None, start: int | None):
        self.lines = lines
        self.start = article_start(lines) if start is None else start
        self.article = _ArticleWords(lines, language, self.start)
        self.indexes = candidates(lines, self.start)
        # What the features look at, for the lines around the candidates only.
        n = len(lines)
        lo = max(0, self.start - _ABOVE - max(_NEIGHBOUR, _HEADER_BACK))
        hi = min(n, self.start + _INTO + _HEADER_LOOK + 1)
        self.header = header = [False] * n
        self.content = content = [False] * n
        self.header_below = below = [False] * n  # a byline or date line within _HEADER_REACH below
        self.last_header = -1
        for k in range(lo, hi):
            line = lines[k]
            label = line.label
            if label == "byline" or label == "dateline":
                header[k] = True
                below[max(0, k - _HEADER_REACH):k] = [True] * (k - max(0, k - _HEADER_REACH))
                self.last_header = k
            content[k] = line.rule is None and label not in _CONTEXT_CHROME

    def cheap(self) -> list[tuple[float, ...]]:
        lines, start, header, below = self.lines, self.start, self.header, self.header_below
        block_sizes = Counter(map(_BLOCK, lines))
        first_header_above = next((i for i in range(start - 1, max(-1, start - _ABOVE), -1)
                                   if below[i] and not header[i] and lines[i].words >= 2), None)
        lo = max(0, start - _ABOVE - _NEARBY)
        capped = [0] * lo + [line.words if line.words <= 30 else 0 for line in lines[lo:start + _INTO + _NEARBY]]
        rows = []
        for i in self.indexes:
            line = lines[i]
            words, last = line.words, line.text[-1]
            rule = line.rule.label if line.rule is not None else None
            initials = [w[0] for w in line.text.split()[1:] if w[0].isalpha()]
            rows.append((
                1.0,
                math.log1p(words),
                float(last == "." or last == "。"),
                float(last in ":,;»›>|/-–"),
                float(rule is not None and rule not in _HEADER_LABELS),
                float(i < start),
                float(below[i]),
                float(block_sizes[line.block] == 1),
                float(words >= max(capped[max(0, i - _NEARBY):i + _NEARBY + 1])),
                float(line.kind in (GOOD, NEAR_GOOD)),
                float(i >= start),
                float(i == first_header_above),
                float(any(header[max(0, i - _HEADER_BACK):i])),
                sum(1 for c in initials if c.isupper()) / len(initials) if initials else 0.0,
            ))
        return rows

    def dear(self, i: int) -> tuple[float, ...]:
        return (self.article.overlap(i),) + self.dearer(i)

    def dearer(self, i: int) -> tuple[float, ...]:
        """The dear features after the article overlap (the first of them)."""
        text = self.lines[i].text
        tokens = len(_WORDS.findall(text))
        gap = _header_gap(self.lines, self.header, self.content, i)
        above = _headline_near(self.lines, self.content, i, -1)
        return (
            float(text.isupper()),
            len(_DIGIT_WORDS.findall(text)) / tokens if tokens else 0.0,
            gap[1],
            float(above),
            float(any(gap) and not above),
            float(is_name_line(text)),
        )


def title_features(lines: list[Line], language: str | None, start: int | None = None
                   ) -> tuple[list[int], list[tuple[float, ...]]]:
    """The candidate lines' indexes and one row of :data:`TITLE_FEATURES` each."""
    page = _Page(lines, language, start)
    rows = []
    for i, cheap in zip(page.indexes, page.cheap()):
        both = cheap + page.dear(i)
        rows.append(tuple(both[k] for k in _ORDER))
    return page.indexes, rows


def _header_gap(lines: list[Line], header: list[bool], content: list[bool], i: int) -> tuple[float, float]:
    """(a byline or date line is the next line of content below line ``i``, it is the one after
    a single line of content): chrome (share bars, captions, prompts) and repeats of the line
    itself may sit between."""
    gap = 0
    text = lines[i].text
    for k in range(i + 1, min(len(lines), i + 1 + _HEADER_LOOK)):
        if header[k]:
            return float(gap == 0), float(gap == 1)
        if content[k] and lines[k].text != text and lines[k].words >= _GAP_WORDS:
            gap += 1
            if gap > 1:
                break
    return 0.0, 0.0


def _headline_near(lines: list[Line], content: list[bool], i: int, step: int) -> bool:
    """A headline-shaped line of content (no chrome, not a byline or date, not a sentence that
    ends in a full stop) within :data:`_NEIGHBOUR` lines above (``step`` -1) or below (+1),
    skipping repeats of line ``i``."""
    text = lines[i].text
    k, seen = i + step, 0
    while 0 <= k < len(lines) and seen < _NEIGHBOUR:
        other = lines[k]
        if other.text != text:
            seen += 1
            if content[k] and other.words >= _HEADLINE_WORDS and not other.text.endswith((".", "。")):
                return True
        k += step
    return False


def pick_headline(lines: list[Line], language: str | None, weights: Sequence[float]) -> int | None:
    """The headline's index in ``lines``, or None when no line scores above the "no headline"
    choice (0).

    The same choice as scoring every candidate's full row, cheaper: candidates are taken best
    first by their cheap features plus the most the dear ones could add (each lies in [0, 1]),
    and a candidate's dear features are only computed while that bound beats the best so far.
    """
    if not weights:
        return None
    page = _Page(lines, language, None)
    by_name = dict(zip(TITLE_FEATURES, weights))
    cheap_w = [by_name[name] for name in _CHEAP]
    w_overlap, *dearer_w = [by_name[name] for name in _DEAR]  # _DEAR starts with the overlap
    # The most the dearer features (each in [0, 1]) can add; the two about a byline below only
    # when there is one below the line at all.
    headed = {"header_after_one", "top_of_header"}
    slack = sum(max(0.0, by_name[name]) for name in _DEAR[1:] if name not in headed)
    slack_headed = slack + sum(max(0.0, by_name[name]) for name in headed)
    ranked = sorted(zip((sum(map(mul, cheap_w, row)) for row in page.cheap()), page.indexes),
                    key=lambda p: (-p[0], p[1]))
    best, best_score = None, 0.0
    for score, i in ranked:
        if score + max(0.0, w_overlap) + slack_headed <= best_score:
            break
        rest = slack_headed if i < page.last_header else slack
        if score + max(0.0, w_overlap) + rest <= best_score:
            continue
        score += w_overlap * page.article.overlap(i)
        if score + rest <= best_score:
            continue
        score += sum(map(mul, dearer_w, page.dearer(i)))
        if score > best_score or score == best_score and best is not None and i < best:
            best, best_score = i, score
    return best
