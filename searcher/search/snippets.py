"""Highlighted snippets: the best passages of an article around its matches, as text, ANSI or HTML.

The whole article is considered (no character limit). A passage is about ``context``
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
        inside = [h for h in hit_words if lo <= h <= hi]
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
    parts = body.replace(MARK_START, "").replace(MARK_END, "").split()
    return " ".join(parts[:words]) + (" " + ELLIPSIS if len(parts) > words else "")


def make_snippet(
    body: str, title: str, terms: Iterable[str], find_spans: SpanFinder, *, fragments: int = 3, context: int = 12
) -> str:
    """The marked snippet of one hit: passages of the body, else the marked title, else the lead."""
    terms = frozenset(terms)
    # Our marks never come from the article: drop any before finding match offsets.
    body = body.replace(MARK_START, "").replace(MARK_END, "")
    title = title.replace(MARK_START, "").replace(MARK_END, "")
    text = marked_passages(body, find_spans(body, terms) if terms and body else [], fragments=fragments, context=context)
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
