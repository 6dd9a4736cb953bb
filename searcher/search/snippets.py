"""Highlighted snippets: the best passages of an article around its matches, as text, ANSI or HTML.

Passages come from one window of the article (SNIPPET_WINDOW characters, the first with a
match in its first SNIPPET_SCAN: see there why). A passage is about ``context``
words either side of a cluster of matches; its edges move to a sentence start or end
when one is near, and otherwise fall between words, never inside one.

Matches are first marked with two control characters that the cleaner never lets into a
document (normalize_text strips them, and they are removed here too), then the text is
escaped for the target format and the marks become that format's markup: a seed can
never inject HTML into a snippet.
"""

from __future__ import annotations

import bisect
import html
import re
from operator import itemgetter
from collections.abc import Callable, Iterable

#: Finds the (start, end) character spans of the words of a text whose analysed form is
#: one of the given terms: the engine's analysis, which a snippet must agree with.
SpanFinder = Callable[[str, frozenset[str]], list[tuple[int, int]]]

MARK_START = "\x02"
MARK_END = "\x03"

#: Output formats and the markup each puts around a match.
FORMATS = {
    "plain": ("**", "**"),
    "ansi": ("\x1b[1;31m", "\x1b[0m"),
    "html": ("<mark>", "</mark>"),
    "none": ("", ""),
}
ELLIPSIS = "…"
_SPACES = re.compile(r"\s+")
_WORDS = re.compile(r"\S+")
_SENTENCE_END = re.compile(r"[.!?…][\"'”’)\]]*$")
#: How far (in words) an edge may move to reach a sentence boundary.
_SENTENCE_SLACK = 6
#: A snippet's passages come from one window of at most this many characters of the body
#: (cut at spaces): the first that holds a match, searched for in steps of this size up to
#: SNIPPET_SCAN characters. Finding matches means analysing the text the engine's way (about
#: 0.25 s per MB here), and every match was a candidate passage compared with the others: a
#: stored body of 24 MB made every search that hit it take 12 s (3.7 MB of one repeated
#: word: 179 s). A whole news article fits one window (Reuters' longest is about 9,000
#: characters); a long report is searched in steps; past SNIPPET_SCAN (1 MB) a hit shows its
#: title or its lead, so a hit costs at most about 0.25 s however big its body.
SNIPPET_WINDOW = 65_536
SNIPPET_SCAN = 1_000_000


def window(text: str, start: int = 0, size: int | None = None) -> tuple[int, str]:
    """At most ``size`` (default SNIPPET_WINDOW) characters of ``text`` from ``start``, both
    ends between words: (where it starts, the text)."""
    size = SNIPPET_WINDOW if size is None else size
    if start > 0:
        space = text.find(" ", start, start + size // 2)
        start = space + 1 if space >= 0 else start
    if len(text) - start <= size:
        return start, text[start:]
    cut = text.rfind(" ", start + size // 2, start + size + 1)
    return start, text[start:cut if cut > 0 else start + size]


def _passage_window(body: str, terms: frozenset[str], find_spans: SpanFinder) -> tuple[str, list[tuple[int, int]]]:
    """The window of ``body`` whose passages a snippet shows, and the spans of its matches."""
    def unmarked(text: str) -> str:  # our marks never come from the article
        return text.replace(MARK_START, "").replace(MARK_END, "")

    start = 0
    while start < min(len(body), SNIPPET_SCAN):
        begin, text = window(body, start)
        if not text:
            break
        spans = find_spans(unmarked(text), terms)
        if spans:
            if begin > 0:  # start the window a little before the first match, for its context
                begin, text = window(body, max(begin + spans[0][0] - 2_000, begin))
            text = unmarked(text)
            return text, find_spans(text, terms) if begin > 0 else spans
        start = begin + len(text)
    return "", []


def marked_passages(text: str, spans: list[tuple[int, int]], *, fragments: int = 3, context: int = 12) -> str:
    """Up to ``fragments`` passages of ``text`` around ``spans``, matches wrapped in marks."""
    text = text.replace(MARK_START, "").replace(MARK_END, "")
    if not spans or fragments < 1:
        return ""
    # (start, end) of every word, by C-level maps: a long article has thousands.
    words = list(map(re.Match.span, _WORDS.finditer(text)))
    if not words:
        return ""
    starts = list(map(itemgetter(0), words))

    def word_of(char: int) -> int:
        return max(0, bisect.bisect_right(starts, char) - 1)

    hit_words = sorted({word_of(s) for s, _ in spans})
    # Candidate windows: each match with `context` words either side; score = matches
    # inside, with distinct matched words counting extra.
    windows = []
    for w in hit_words:
        lo, hi = max(0, w - context), min(len(words) - 1, w + context)
        inside = hit_words[bisect.bisect_left(hit_words, lo):bisect.bisect_right(hit_words, hi)]  # not a scan
        distinct = {text[words[h][0]:words[h][1]].lower() for h in inside}
        windows.append((len(distinct) * 2 + len(inside), -lo, lo, hi))
    windows.sort(reverse=True)
    chosen: list[tuple[int, int]] = []
    for _, _, lo, hi in windows:
        if all(hi < c_lo or lo > c_hi for c_lo, c_hi in chosen):
            chosen.append((lo, hi))
        if len(chosen) == fragments:
            break
    chosen.sort()
    pieces = []
    for lo, hi in chosen:
        lo, hi = _sentence_edges(text, words, lo, hi)
        piece = _mark(text, words[lo][0], words[hi][1], spans)
        if lo > 0 and not _is_sentence_start(text, words, lo):
            piece = ELLIPSIS + " " + piece
        if hi < len(words) - 1 and not _SENTENCE_END.search(text[words[hi][0]:words[hi][1]]):
            piece = piece + " " + ELLIPSIS
        pieces.append(_SPACES.sub(" ", piece).strip())
    joined = " ".join(pieces)
    return joined.replace(f"{ELLIPSIS} {ELLIPSIS}", ELLIPSIS)


def _is_sentence_start(text: str, words: list[tuple[int, int]], i: int) -> bool:
    if i == 0:
        return True
    prev = text[words[i - 1][0]:words[i - 1][1]]
    gap = text[words[i - 1][1]:words[i][0]]
    return bool(_SENTENCE_END.search(prev)) or "\n" in gap


def _sentence_edges(text: str, words: list[tuple[int, int]], lo: int, hi: int) -> tuple[int, int]:
    """Move ``lo`` back (or forward) to a nearby sentence start, ``hi`` to a nearby sentence end."""
    for delta in range(_SENTENCE_SLACK + 1):
        if lo - delta >= 0 and _is_sentence_start(text, words, lo - delta):
            lo -= delta
            break
    last = len(words) - 1
    for delta in range(_SENTENCE_SLACK + 1):
        j = hi + delta
        if j > last:
            hi = last
            break
        if j == last or _SENTENCE_END.search(text[words[j][0]:words[j][1]]) or "\n" in text[words[j][1]:words[j + 1][0]]:
            hi = j
            break
    return lo, hi


def _mark(text: str, start: int, end: int, spans: list[tuple[int, int]]) -> str:
    out, pos = [], start
    for s, e in spans:
        if s < start or e > end or s < pos:
            continue
        out.append(text[pos:s])
        out.append(MARK_START + text[s:e] + MARK_END)
        pos = e
    out.append(text[pos:end])
    return "".join(out)


def lead(body: str, words: int = 30) -> str:
    """The opening words of the body, for hits that matched only in metadata."""
    parts = window(body, 0, 20 * words)[1].replace(MARK_START, "").replace(MARK_END, "").split()
    return " ".join(parts[:words]) + (" " + ELLIPSIS if len(parts) > words else "")


def make_snippet(
    body: str, title: str, terms: Iterable[str], find_spans: SpanFinder, *, fragments: int = 3, context: int = 12
) -> str:
    """The marked snippet of one hit: passages of the body, else the marked title, else the lead.

    At most SNIPPET_SCAN characters of the body are read (see there), so a huge body costs no more.
    """
    terms = frozenset(terms)
    # Our marks never come from the article: drop any before finding match offsets.
    title = window(title)[1].replace(MARK_START, "").replace(MARK_END, "")
    passages, spans = _passage_window(body, terms, find_spans) if terms and body else ("", [])
    text = marked_passages(passages, spans, fragments=fragments, context=context)
    if not text and title:
        spans = find_spans(title, terms) if terms else []
        if spans:
            text = _mark(title, 0, len(title), spans) + (" — " + lead(body, 20) if body.strip() else "")
    return text or lead(body)


def split_marks(marked: str) -> tuple[str, list[tuple[int, int]]]:
    """A marked snippet as its plain text and the (start, end) character offsets of its
    matches in that text (Python string indices: code points)."""
    text: list[str] = []
    spans: list[tuple[int, int]] = []
    pos = 0
    start = None
    for piece in re.split(f"([{MARK_START}{MARK_END}])", marked):
        if piece == MARK_START:
            start = pos
        elif piece == MARK_END:
            if start is not None and pos > start:
                spans.append((start, pos))
            start = None
        else:
            text.append(piece)
            pos += len(piece)
    return "".join(text), spans


def render(marked: str, fmt: str = "plain") -> str:
    """Turn a marked snippet into ``plain``, ``ansi``, ``html`` or ``none`` markup."""
    start, end = FORMATS[fmt]
    text = html.escape(marked, quote=True) if fmt == "html" else marked
    return text.replace(MARK_START, start).replace(MARK_END, end)
