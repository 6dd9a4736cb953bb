"""Find the article in a list of lines: label every line body, heading, title or chrome.

The method, in the spirit of jusText and boilerpipe, for pages where only the lines are left:

1. single-line rules (:mod:`searcher.cleaning.rules`) label the lines that look like chrome;
2. context rules label what only the neighbours give away: the teaser line just before a running
   time, the caption beside a credit line, headlines listed under a "Related" heading, a
   teaser card whose headline ran into its summary;
3. every other line is *good* (prose: long, full of stop words, ends like a sentence),
   *near-good*, *short* or *bad*; readers' comments after a comment marker are cut;
4. the article is the densest run of prose: the span with the highest sum of line scores
   (prose adds its length, chrome and short lines cost a little), so menus, related links and
   footers outside it are cut however long the page is; lists of teasers (prose lines that
   stand alone between headlines and names) are then trimmed off its ends;
5. inside that span short lines take their neighbours' side: a short line before prose is a
   section heading, a short line between two paragraphs stays, the rest go.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from . import rules
from .rules import (CACHE_LINES, CACHED_LINE_CHARS, CJK_RUN, COMMENT_HEADER_REASON, SENTENCE_END_CHARS, LineRule,
                    match_lower, match_rule, word_count)
from .languages import STOPWORDS, stopword_density

logger = logging.getLogger(__name__)

GOOD, NEAR_GOOD, SHORT, BAD = "good", "near-good", "short", "bad"
BODY, HEADING, TITLE = "body", "heading", "title"

# Prose in the languages we have lists for runs at 25-50% stop words (jusText uses 30%; our
# lists are shorter, so the bar is lower); a long line under 12% is a list of names or links.
_STOP_GOOD = 0.20
_STOP_NEAR = 0.12
# Words for a line to count as a paragraph by length alone / as a sentence.
_GOOD_WORDS = 15
_NEAR_WORDS = 7
# Chrome that ends an article: crossing it costs as much as a short paragraph of prose.
_BARRIER_LABELS = {"comments", "related", "footer", "cookie"}
# Chrome that always ends (or precedes) the article: readers' comments are prose, but not the article.
_HARD_BARRIERS = {"comments"}
# Prose words above a comment marker for it to end an article (a sidebar can hold some prose);
# above a reader's comment header, a brief's first paragraph is enough.
_ARTICLE_WORDS = 80
_BRIEF_WORDS = 15


_NOT_LOOKED_UP: Any = object()


@dataclass(slots=True)
class Line:
    """One line of a page with the features the classifier uses and the label it gets."""

    text: str
    block: int
    words: int = 0
    sentence: bool = False
    stop: float | None = None
    kind: str = ""        # good / near-good / short / bad
    label: str = ""       # body / heading / title, or the chrome label
    reason: str = ""
    rule: LineRule | None = None
    #: The first single-line rule that fits the text, looked up by make_lines with the features
    #: (apply_line_rules labels by it); _NOT_LOOKED_UP for a line made some other way.
    matched: LineRule | None = _NOT_LOOKED_UP

    @property
    def chrome(self) -> bool:
        return self.label not in ("", BODY, HEADING)


def make_lines(blocks: list[list[str]], language: str | None) -> list[Line]:
    """Lines with their features, from blocks (paragraphs) of lines."""
    lines: list[Line] = []
    append = lines.append
    for b, block in enumerate(blocks):
        for text in block:
            text = " ".join(text.split())
            if not text:
                continue
            features = (_analyse_cached(text, language) if len(text) <= CACHED_LINE_CHARS
                        else _analyse(text, language))
            if features is not None:
                n, sentence, stop, matched = features
                append(Line(text, b, n, sentence, stop, matched=matched))
    return lines


def _analyse(text: str, language: str | None) -> tuple[int, bool, float | None, LineRule | None] | None:
    """(words, ends like a sentence, stop-word density, the first rule that fits) of a line;
    None for a line of symbols. Features and rule share one look at the line (one lower-casing,
    one cache entry).

    ``text`` is whitespace-normalised (stripped, single spaces), so outside CJK text its words
    are its spaces plus one and its last character tells whether it ends like a sentence.
    """
    if not _HAS_WORD.search(text):
        return None
    n = text.count(" ") + 1 if text.isascii() or not CJK_RUN.search(text) else word_count(text)
    lower = text.lower()
    # Stop words only matter for lines long enough to be list items or prose.
    if n >= 4:
        stop = stopword_density(text, language, lower=lower)
    else:  # the density of no words: 0.0 where there is a list (or kana), None where not
        stop = 0.0 if language == "ja" or (language or "") in STOPWORDS else None
    return n, text[-1] in SENTENCE_END_CHARS, stop, match_lower(lower, n)


_HAS_WORD = re.compile(r"\w")
# Menus and footers repeat inside a page and across a site's pages: short lines' features are kept.
_analyse_cached = lru_cache(maxsize=CACHE_LINES)(_analyse)


def clear_cache() -> None:
    """Forget remembered line features and rule matches (benchmarks call it between passes)."""
    _analyse_cached.cache_clear()
    rules.clear_cache()


def _label(line: Line, label: str, reason: str) -> None:
    line.label, line.reason = label, reason


# ---- 1. single-line rules -----------------------------------------------------------------
def apply_line_rules(lines: list[Line]) -> None:
    for line in lines:
        rule = line.matched if line.matched is not _NOT_LOOKED_UP else match_rule(line.text, line.words)
        if rule is not None:
            line.rule = rule
            _label(line, rule.label, rule.reason)


# ---- 2. context rules ---------------------------------------------------------------------
_RUNNING_TIME = re.compile(r"\d{1,2}:\d{2}(?::\d{2})?\s*$")
_CREDIT = re.compile(r"^[^.!?]{2,80}$")


# A Title Case headline run straight into its summary ("...Student-AthleteA 24-year-old woman"):
# the page showed a teaser card, and the capture lost the break between its two parts.
_GLUE = re.compile(r"[a-z?!’'][A-Z][a-z]")
# A headline is short: the glue is looked for in the first characters only.
_GLUE_WITHIN = 200
# Title Case capitalises short function words; a sentence does not (after its first word).
_TITLE_CASE_SMALL_WORDS = frozenset("In Of To For At On With The A An And After About During From By Is Are".split())


def _glued_teaser(text: str) -> bool:
    for match in _GLUE.finditer(text, 0, _GLUE_WITHIN):
        head, tail = text[:match.start() + 1].split(), text[match.start() + 1:].split()
        if len(head) < 4 or len(tail) < 6:
            continue
        lower_tail = sum(1 for w in tail if w[0].islower())
        if all(not w[0].isalpha() or w[0].isupper() for w in head) and 2 * lower_tail >= len(tail) and \
                any(w in _TITLE_CASE_SMALL_WORDS for w in head[1:]):
            return True
    return False


# A line this long with fewer sentence ends than one per this many words is a run of headlines
# (a news ticker the capture flattened into one line), not a paragraph (which ends a sentence
# every 10-30 words).
_TICKER_WORDS = 300
_WORDS_PER_SENTENCE_AT_MOST = 50
_SENTENCE_ENDS = re.compile(r"[.!?。！？](?:\s|$)")


def apply_context_rules(lines: list[Line]) -> None:
    _label_related_lists(lines)
    for line in lines:
        if not line.label and line.words >= 10 and _glued_teaser(line.text):
            _label(line, "related", "a headline glued to its summary: a teaser card")
        elif not line.label and line.words >= _TICKER_WORDS and len(_SENTENCE_ENDS.findall(line.text)) \
                < line.words / _WORDS_PER_SENTENCE_AT_MOST:
            _label(line, "related", "hundreds of words on one line with hardly a sentence end: a news ticker")
    for i, line in enumerate(lines):
        if line.label != "video" and line.label != "photo":  # the only lines these rules start from
            continue
        prev = lines[i - 1] if i else None
        nxt = lines[i + 1] if i + 1 < len(lines) else None
        if line.label == "video" and _RUNNING_TIME.search(line.text):
            # A teaser title sits right above its running-time caption, in the same block.
            if prev and prev.block == line.block and not prev.label and not prev.sentence \
                    and prev.words <= 20:
                _label(prev, "video", "teaser title just before a line with a running time")
        if line.label == "photo" and line.words <= 10 and _CREDIT.match(line.text):
            for other in (prev, nxt):
                if other and other.block == line.block and not other.label and other.words >= 4:
                    _label(other, "photo", "caption in the same block as a credit line")
            credit = line.text.lower()
            for other in lines[max(0, i - 3):i + 4]:
                if other is not line and not other.chrome and other.text.lower().endswith(credit):
                    _label(other, "photo", "ends with the photo credit: a caption")


# A "Related" heading is followed by a short list of headlines.
_RELATED_LIST_MAX = 8


def _label_related_lists(lines: list[Line]) -> None:
    """Headline-shaped lines right under a 'Related articles' / 'Don't miss' heading are links."""
    for i, line in enumerate(lines):
        if line.label != "related" or line.words > 4:
            continue
        for other in lines[i + 1:i + 1 + _RELATED_LIST_MAX]:
            if other.label or other.sentence or other.words > 25:
                break
            _label(other, "related", "headline listed under a 'related' heading")


# ---- 3. good / near-good / short / bad ---------------------------------------------------------
def classify(line: Line) -> str:
    stop = line.stop
    if stop is None:  # no stop-word list for this language: length and punctuation only
        if line.words >= _GOOD_WORDS and line.sentence or line.words >= 2 * _GOOD_WORDS:
            return GOOD
        return NEAR_GOOD if line.words >= _NEAR_WORDS and line.sentence else SHORT
    # Paragraphs end like sentences; a long line that does not is a headline, a teaser or a
    # list item, so it only counts as prose when it is very long.
    if line.words >= _GOOD_WORDS and stop >= _STOP_GOOD and (line.sentence or line.words >= 2 * _GOOD_WORDS):
        return GOOD
    if line.words >= _NEAR_WORDS and stop >= _STOP_NEAR and line.sentence:
        return NEAR_GOOD
    if line.words >= _GOOD_WORDS:
        return BAD
    return SHORT


def _cut_after_comments(lines: list[Line]) -> None:
    """Readers' comments are prose too: everything after a comment-section marker that
    follows some prose is labelled comments. A "Comments" heading can sit in a sidebar, so it
    needs an article's worth of prose above it; a reader's comment header ("NAME on DATE
    said:") ends even a brief's few lines."""
    prose_words = 0
    for i, line in enumerate(lines):
        if line.kind == GOOD and not line.chrome:
            prose_words += line.words
        elif line.label in _HARD_BARRIERS and prose_words >= (
                _BRIEF_WORDS if line.rule is not None and line.rule.reason == COMMENT_HEADER_REASON
                else _ARTICLE_WORDS):
            for rest in lines[i + 1:]:
                if not rest.chrome:
                    _label(rest, "comments", "after the start of the comment section")
            return


def _score(line: Line) -> float:
    if line.chrome:
        return -10.0 if line.label in _BARRIER_LABELS else -3.0
    kind = line.kind
    if kind == GOOD:
        return float(line.words)
    if kind == NEAR_GOOD:
        return line.words / 2
    if kind == SHORT:
        return -1.0
    if kind == BAD:
        return -2.0
    raise KeyError(kind)


# ---- 4. the densest run of prose ----------------------------------------------------------
def densest_span(lines: list[Line]) -> tuple[int, int]:
    """``(start, end)`` (end exclusive) of the run of lines with the highest total score."""
    best, best_span = 0.0, (0, 0)
    total, start = 0.0, 0
    for i, line in enumerate(lines):
        if total <= 0:
            total, start = 0.0, i
        total += _score(line)
        if total > best:
            best, best_span = total, (start, i + 1)
    return best_span


def _is_prose(line: Line) -> bool:
    return not line.chrome and line.kind in (GOOD, NEAR_GOOD)


# Lines that may sit inside an article without breaking it: media and ad slots.
_INLINE_CHROME = {"video", "photo", "advertisement", "share"}
# This many non-prose lines in a row split the page into separate runs of prose.
_GAP_LINES = 3
# A paragraph this long is article text on its own; teaser summaries are shorter.
_LONG_PARAGRAPH = 60
# Runs of prose further apart than this many non-prose lines are not joined.
_MAX_JOIN_GAP = 15


def _gap_line(line: Line) -> bool:
    """A line that separates runs of prose: chrome, or a short line that does not read like
    a sentence fragment (list items of an article are short but full of stop words)."""
    if line.chrome:
        return line.label not in _INLINE_CHROME
    return line.words < 4 or line.stop is None or line.stop < _STOP_GOOD + 0.1


def trim_span(lines: list[Line], start: int, end: int) -> tuple[int, int]:
    """Cut teaser lists off the densest run.

    A list of related stories (headline, author, one-sentence summary) scores like prose when
    summed, but its prose lines stand alone between short lines. Split the run at gaps of
    ``_GAP_LINES`` non-prose lines, keep the segment with the most prose, and add neighbouring
    segments only while they read like article text: paragraphs next to paragraphs.
    """
    segments: list[tuple[int, int]] = []
    gaps: list[int] = []  # gaps[k]: non-prose lines between segments k and k+1
    seg_start, gap = start, 0
    for i in range(start, end):
        line = lines[i]
        if _is_prose(line):
            if gap >= _GAP_LINES and i - gap > seg_start:
                segments.append((seg_start, i - gap))
                gaps.append(gap)
                seg_start = i
            gap = 0
        elif _gap_line(line):
            gap += 1
    segments.append((seg_start, end))
    if len(segments) == 1:
        return start, end

    def prose_words(seg: tuple[int, int]) -> float:
        return sum(ln.words for ln in lines[seg[0]:seg[1]] if _is_prose(ln))

    def article_like(seg: tuple[int, int]) -> bool:
        # Article paragraphs come in runs (at most one heading or caption between two of
        # them); teaser summaries stand alone between a headline and a name.
        prose = [i for i in range(*seg) if _is_prose(lines[i])]
        if any(lines[i].words >= _LONG_PARAGRAPH for i in prose):
            return True
        paired = sum(1 for a, b in zip(prose, prose[1:]) if b - a <= 2)
        return bool(prose) and 2 * paired >= len(prose)

    main = max(range(len(segments)), key=lambda k: prose_words(segments[k]))
    lo = hi = main
    # A whole menu between two runs of prose means the far one is another part of the page
    # (a footer disclaimer, a sidebar), however article-like it reads.
    while lo > 0 and gaps[lo - 1] <= _MAX_JOIN_GAP and article_like(segments[lo - 1]):
        lo -= 1
    while hi + 1 < len(segments) and gaps[hi] <= _MAX_JOIN_GAP and article_like(segments[hi + 1]):
        hi += 1
    return segments[lo][0], segments[hi][1]


def _heading_like(line: Line) -> bool:
    text = line.text
    if line.words > 15 or line.words == 0:
        return False
    if text.endswith("?") or text.endswith(":"):
        return True
    return not line.sentence and not text.endswith(",")


# ---- 5. the lines inside the span ---------------------------------------------------------
def label_lines(lines: list[Line], *, structured: bool = False) -> tuple[int, int]:
    """Give every line a label: body, heading, title, or a chrome label with a reason.

    ``structured``: the lines come from an HTML extractor that already cut the page down to its
    main content, so the lines outside the densest run are not cut as menus.
    Returns the main run of prose, ``(start, end)`` (end exclusive).
    """
    apply_line_rules(lines)
    apply_context_rules(lines)
    for line in lines:
        line.kind = classify(line)
    _cut_after_comments(lines)
    start, end = (0, len(lines)) if structured else trim_span(lines, *densest_span(lines))
    if start == end:  # no prose at all: keep what no rule calls chrome
        start, end = 0, len(lines)
    for i, line in enumerate(lines):
        if line.chrome:
            continue
        if i < start:
            _label(line, "navigation", "above the main run of prose (menus, teasers)")
        elif i >= end:
            _label(line, "footer", "below the main run of prose (related links, footer)")
    inside = lines[start:end]
    if structured and not any(ln.kind in (GOOD, NEAR_GOOD) and not ln.chrome for ln in inside):
        # The structure pass vouched for these lines and the stop words cannot judge them
        # (an unknown language, a list): keep what no rule calls chrome.
        for line in inside:
            if not line.chrome:
                _label(line, BODY, "in the main content; no prose test applies")
        return start, end
    before_kinds = _neighbour_kinds(inside, reverse=False)
    after_kinds = _neighbour_kinds(inside, reverse=True)
    for i, line in enumerate(inside):
        if not line.chrome and _shouted_headline(line):
            _label(line, "related", "a long headline in capitals inside the article: a link to another story")
            continue
        if line.chrome or line.kind in (GOOD, NEAR_GOOD):
            if not line.chrome:
                _label(line, BODY, "prose")
            continue
        before, after = before_kinds[i], after_kinds[i]
        if after in (GOOD, NEAR_GOOD) and _heading_like(line):
            _label(line, HEADING, "short line introducing prose")
        elif before in (GOOD, NEAR_GOOD) and after in (GOOD, NEAR_GOOD):
            _label(line, BODY, "short line between paragraphs")
        elif structured and line.kind == SHORT and (before or after) in (GOOD, NEAR_GOOD):
            _label(line, BODY, "short line next to prose in the main content")
        else:
            _label(line, "short", "short line without prose on both sides")
    return start, end


def _shouted_headline(line: Line) -> bool:
    """A headline in capitals, too long for a section heading ("KEY POINTS" is one)."""
    return line.words >= _SHOUTED_WORDS and not line.sentence and line.text.isupper()


# Section headings in capitals are short; a capitalised line this long is a link.
_SHOUTED_WORDS = 9


def _neighbour_kinds(lines: list[Line], *, reverse: bool) -> list[str | None]:
    """For each line, the kind of the nearest line before it (after it, when ``reverse``) that
    is not short, skipping inline chrome; a barrier (comments, footer) counts as bad.

    Looking back, a bad line does not count: it has already been judged (and mostly cut), so
    the line after it takes its cue from the prose beyond; looking ahead it still counts.
    """
    kinds: list[str | None] = [None] * len(lines)
    current: str | None = None
    order = range(len(lines) - 1, -1, -1) if reverse else range(len(lines))
    for i in order:
        kinds[i] = current
        line = lines[i]
        if line.chrome:
            if line.label in _BARRIER_LABELS:
                current = BAD
        elif line.kind != SHORT and (reverse or line.kind != BAD):
            current = line.kind
    return kinds


def pick_title(lines: list[Line]) -> Line | None:
    """The headline: a headline-shaped line close above the first paragraph of the body.

    Headline-shaped: 3 to 30 words, no rule calls it chrome, it does not end like a clause
    (full stop, comma, colon), and a long one holds some stop words (a run of menu entries
    glued together holds none). Longer lines and lines nearer the body score higher.
    """
    first_body = next((i for i, ln in enumerate(lines) if ln.label == BODY), len(lines))
    best, best_score = None, float("-inf")
    for i in range(max(0, first_body - _TITLE_WINDOW), first_body):
        line = lines[i]
        if line.rule is not None or line.label not in ("", "navigation", "short", HEADING):
            continue
        if not 3 <= line.words <= 30 or line.text.endswith((".", ",", ":")):
            continue
        if line.words >= 8 and line.stop == 0.0:
            continue
        if line.text.endswith("?") and line.words <= 5:  # "Got a news tip?"
            continue
        score = min(line.words, 20) - 0.5 * (first_body - i)
        if score > best_score:
            best, best_score = line, score
    return best


# How many lines above the body the headline may be (bylines, dates, share bars, a lead photo).
_TITLE_WINDOW = 25
