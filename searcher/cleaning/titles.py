"""The headline of a text capture: which line, if any, is the page's own title.

A capture keeps every headline the page showed: the article's, the teasers' above and beside it,
gallery counters, share prompts. The article's headline is told apart by where it sits and what
surrounds it, not by what it says: it stands a few lines above the article (with only the byline,
the date, share buttons or a lead photo's caption between), a byline or date line usually follows
it, its words come back in the article, it is often shown twice (the page's heading and a
breadcrumb or share text), and it is shaped like a headline (a handful to a few dozen words, not
a sentence with a full stop, no chrome rule fires on it).

Each candidate line gets the :data:`TITLE_FEATURES` below; a conditional logit (weights learned
and cross-validated by site by ``benchmarks/cleaner_eval.py``, stored in
:mod:`searcher.cleaning.title_weights`) scores them against a "no headline" choice that scores 0.
When no line beats that choice the page has no confident title: the Document's ``title`` stays
empty and ``title_guessed`` is set, rather than showing a menu entry or a gallery counter.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from typing import Sequence

from .languages import STOPWORDS
from .lines import BODY, GOOD, HEADING, NEAR_GOOD, Line

TITLE_FEATURES = (
    "bias", "log_words", "two_words_or_fewer", "over_25_words", "full_stop", "question_or_exclamation",
    "dangling_end", "chrome_rule", "byline_or_date_rule", "context_chrome", "above_article",
    "log_lines_to_article", "header_follows", "header_precedes", "article_overlap", "repeated",
    "title_case", "upper_case", "stop_words", "digits", "alone_in_block", "longest_nearby", "prose",
    "in_article", "first_above_header", "header_next", "header_after_one", "headline_above", "headline_below",
    "top_of_header",
)

# Candidates: lines this far above the article's first line, and a few into it (a page whose
# first paragraph the line model took with its headline).
_ABOVE = 60
_INTO = 3
# A byline or date this many lines below (above) a headline belongs to it.
_HEADER_REACH = 4
_HEADER_BACK = 3
# The article's first words the headline's words are looked up in.
_ARTICLE_WORDS = 400
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
_CJK = re.compile("[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]")


def _keys(text: str, stop: frozenset[str]) -> set[str]:
    """The words that carry meaning (lower case, three letters or more, no stop word); CJK text,
    which has no spaces, as pairs of characters."""
    keys: set[str] = set()
    for word in _WORDS.findall(text.lower()):
        if _CJK.search(word):
            keys.update(word[k:k + 2] for k in range(max(1, len(word) - 1)))
        elif len(word) >= 3 and word not in stop and not word.isdigit():
            keys.add(word)
    return keys


def article_start(lines: list[Line]) -> int:
    """The index of the article's first kept line (``len(lines)`` when nothing is kept)."""
    return next((i for i, line in enumerate(lines) if line.label == BODY or line.label == HEADING), len(lines))


def candidates(lines: list[Line], start: int) -> range:
    return range(max(0, start - _ABOVE), min(len(lines), start + _INTO))


def title_features(lines: list[Line], language: str | None, start: int | None = None
                   ) -> tuple[list[int], list[tuple[float, ...]]]:
    """The candidate lines' indexes and one row of :data:`TITLE_FEATURES` each."""
    if start is None:
        start = article_start(lines)
    stop = STOPWORDS.get(language or "", frozenset())
    # How many of the article's first lines hold each word (a line of the article is not
    # evidence for itself).
    article_keys: Counter[str] = Counter()
    in_article: dict[int, set[str]] = {}
    article_words = 0
    for k in range(start, len(lines)):
        if lines[k].label == BODY:
            in_article[k] = _keys(lines[k].text, stop)
            article_keys.update(in_article[k])
            article_words += lines[k].words
            if article_words >= _ARTICLE_WORDS:
                break
    counts = Counter(line.text for line in lines)
    block_sizes = Counter(line.block for line in lines)
    header = [line.label in _HEADER_LABELS for line in lines]
    n = len(lines)
    indexes = list(candidates(lines, start))
    first_header_above = next((i for i in range(start - 1, max(-1, start - _ABOVE), -1)
                               if any(header[i + 1:i + 1 + _HEADER_REACH]) and not header[i]
                               and lines[i].words >= 2), None)
    rows = []
    content = [line.rule is None and line.label not in _CONTEXT_CHROME for line in lines]
    for i in indexes:
        line = lines[i]
        text, words = line.text, line.words
        rule = line.rule.label if line.rule is not None else None
        keys = in_article.get(i) or _keys(text, stop)
        own = 1 if i in in_article else 0
        letters = [w for w in text.split()[1:] if w[:1].isalpha()]
        capitals = sum(1 for w in letters if w[0].isupper()) / len(letters) if letters else 0.0
        tokens = _WORDS.findall(text)
        nearby = [lines[k].words for k in range(max(0, i - _NEARBY), min(n, i + _NEARBY + 1))
                  if lines[k].words <= 30]
        last = text[-1]
        gap = _header_gap(lines, header, content, i)
        above = _headline_near(lines, content, i, -1)
        rows.append((
            1.0,
            math.log1p(words),
            float(words <= 2),
            float(words > 25),
            float(last == "." or last == "。"),
            float(last in "?!？！"),
            float(last in ":,;»›>|/-–"),
            float(rule is not None and rule not in _HEADER_LABELS),
            float(rule in _HEADER_LABELS or line.label in _HEADER_LABELS),
            float(rule is None and line.label in _CONTEXT_CHROME),
            float(i < start),
            math.log1p(abs(start - i)),
            float(any(header[i + 1:i + 1 + _HEADER_REACH])),
            float(any(header[max(0, i - _HEADER_BACK):i])),
            sum(1 for key in keys if article_keys[key] > own) / len(keys) if keys else 0.0,
            float(counts[text] > 1),
            capitals,
            float(text.isupper()),
            line.stop or 0.0,
            sum(1 for t in tokens if any(c.isdigit() for c in t)) / len(tokens) if tokens else 0.0,
            float(block_sizes[line.block] == 1),
            float(bool(nearby) and words >= max(nearby)),
            float(line.kind in (GOOD, NEAR_GOOD)),
            float(i >= start),
            float(i == first_header_above),
            *gap,
            float(above),
            float(_headline_near(lines, content, i, 1)),
            float(any(gap) and not above),
        ))
    return indexes, rows


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


def title_scores(rows: list[tuple[float, ...]], weights: Sequence[float]) -> list[float]:
    return [sum(w * x for w, x in zip(weights, row)) for row in rows]


def pick_headline(lines: list[Line], language: str | None, weights: Sequence[float]) -> Line | None:
    """The headline line, or None when no line scores above the "no headline" choice (0)."""
    indexes, rows = title_features(lines, language)
    best, best_score = None, 0.0
    for i, score in zip(indexes, title_scores(rows, weights)):
        if score > best_score:
            best, best_score = lines[i], score
    return best
