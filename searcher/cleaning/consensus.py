"""The article of an HTML page where two extractors agree: trafilatura's main text, trimmed at
its edges to where our structure pass (:mod:`searcher.cleaning.html`) agrees.

Why two: trafilatura finds the article on pages it has never seen better than our structure
pass does (0.959 F1 against 0.925 on pages neither was tuned on), but what it gets wrong is
mostly *extra* text at the article's edges: a teaser above the headline, a "more stories" list
or a sign-up box below the last paragraph. Our structure pass makes the opposite mistake (it
misses part of an article more often than it adds chrome). So trafilatura's lines are kept, and
only a run of them at the start or the end that our pass does not have is cut: the article
starts at the first line both extractors hold and ends at the last. Lines in the middle are
never cut, and when the two disagree on most of the page (our pass found some other part of it)
trafilatura's text is kept whole.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from ..core.records import RemovedLine

logger = logging.getLogger(__name__)

_WORDS = re.compile(r"\w+")


@dataclass(frozen=True, slots=True)
class AgreementSettings:
    """How far the two extractors must agree before trafilatura's edges are cut.

    The defaults are the values ``benchmarks/cleaner_eval.py`` picks by leave-one-site-out
    cross-validation on the development pages (it prints the figures beside them).
    """

    #: Our main content must hold at least this share of trafilatura's words for its edges to
    #: say anything: below it our pass found another part of the page.
    min_share: float = 0.3
    #: At most this share of trafilatura's words is cut at the edges; a larger disagreement
    #: is our pass missing part of the article, not trafilatura adding chrome.
    max_trim: float = 0.5
    #: A line counts as held by our pass when it is one of our lines, or, this many words or
    #: more, when it lies inside our text (the two split paragraphs differently); a short line
    #: ("Photo", "Share") is inside any text by chance.
    min_words: int = 4


DEFAULT_SETTINGS = AgreementSettings()

# trafilatura's options: no readers' comments (the article only); favor_recall and fast because
# the edges are trimmed here anyway and the fallback extractors (readability, jusText) cost
# half the time for no gain on the development pages.
_TRAFILATURA_OPTIONS: dict[str, Any] = {"include_comments": False, "favor_recall": True, "fast": True}


@dataclass(slots=True)
class MainText:
    """Trafilatura's lines after the edge check, and the lines cut at its edges."""

    lines: list[str]
    trimmed: list[RemovedLine] = field(default_factory=list)


# trafilatura's time grows with the page's elements (about 20 us each) and much faster than
# that with their nesting (1,000 nested <article>s: 1.4 s; 2,000: 13 s). Real pages stay far
# below both (the development pages: at most 1,643 elements, 33 deep); a page past either
# limit is hostile or broken, and gets our structure pass alone, which is linear.
_MAX_ELEMENTS = 20_000
_MAX_DEPTH = 200


def _small_enough(tree: Any) -> bool:
    from lxml import etree

    depth = count = 0
    for event, _ in etree.iterwalk(tree, events=("start", "end")):
        if event == "start":
            depth += 1
            count += 1
            if depth > _MAX_DEPTH or count > _MAX_ELEMENTS:
                return False
        else:
            depth -= 1
    return True


def trafilatura_lines(tree: Any) -> list[str] | None:
    """trafilatura's main text of a parsed page (:func:`searcher.cleaning.html.parse_html`) as
    lines; None when it finds none, or when the page is too large or too deeply nested for it
    to finish in good time.

    trafilatura works on a copy: ``tree`` is left as it was. The tree must hold no comment
    nodes (parse_html's parser drops them, as trafilatura's own does): on a tree with them
    trafilatura's cleaning lost a third of one development page.
    """
    import trafilatura

    if not _small_enough(tree):
        logger.debug("page too large or too deep for trafilatura: structure pass only")
        return None
    try:
        text = trafilatura.extract(tree, **_TRAFILATURA_OPTIONS)
    except (ValueError, TypeError, RecursionError) as exc:  # pragma: no cover - trafilatura catches its own
        logger.debug("trafilatura failed on the page: %s", exc)
        return None
    lines = [" ".join(line.split()) for line in (text or "").split("\n")]
    lines = [line for line in lines if line]
    return lines or None


# One clean looks at each line's words three or four times (both indexes, both directions).
@lru_cache(maxsize=8192)
def _key(text: str) -> str:
    return " ".join(_WORDS.findall(text.lower()))


def _grams(words: list[str]) -> set[tuple[str, ...]]:
    return set(zip(*(words[k:] for k in range(_GRAM))))


# A line lies inside a text when nearly all its runs of _GRAM words do (the two extractors split
# and space paragraphs differently, so whole-line matches miss). Sets of word runs keep the check
# linear in the page; a substring search per line costs the square of it.
_GRAM = 4
_INSIDE_SHARE = 0.9


class TextIndex:
    """The lines of a text, and its runs of words, for 'does this line lie inside it' checks."""

    def __init__(self, lines: list[str]):
        self._keys = [_key(line) for line in lines]  # in page order: runs may cross a line break
        self.lines = set(self._keys)
        self._grams: set[tuple[str, ...]] | None = None  # built on the first line not found whole

    @property
    def grams(self) -> set[tuple[str, ...]]:
        if self._grams is None:
            # From the lines in their order, not from the set: a set's order changes with the
            # hash seed, and so did the runs that cross a line break (and a page's cleaning).
            self._grams = _grams(" ".join(self._keys).split())
        return self._grams

    def holds(self, line: str, min_words: int = _GRAM) -> bool:
        key = _key(line)
        if not key:
            return False
        if key in self.lines:
            return True
        words = key.split()
        if len(words) < max(min_words, _GRAM):
            return False
        grams = _grams(words)
        return sum(1 for g in grams if g in self.grams) >= _INSIDE_SHARE * len(grams)


def agree(lines: list[str], ours: list[str], settings: AgreementSettings = DEFAULT_SETTINGS) -> MainText:
    """Cut the runs at the start and end of ``lines`` (trafilatura's) that ``ours`` does not hold."""
    index = TextIndex(ours)
    sizes = [len(_key(line).split()) for line in lines]
    total = sum(sizes) or 1
    agreed = [index.holds(line, settings.min_words) for line in lines]
    if not any(agreed) or sum(s for s, a in zip(sizes, agreed) if a) < settings.min_share * total:
        return MainText(list(lines))
    start = agreed.index(True)
    end = len(agreed) - agreed[::-1].index(True)
    if sum(sizes[:start]) + sum(sizes[end:]) > settings.max_trim * total:
        return MainText(list(lines))
    reason = ("at the edge of trafilatura's main text, outside the main content our structure "
              "pass found: the article starts and ends where both extractors agree")
    trimmed = [RemovedLine(line, "navigation" if i < start else "footer", reason)
               for i, line in enumerate(lines) if i < start or i >= end]
    return MainText(lines[start:end], trimmed)
