"""Highlighted snippets: Whoosh finds the best fragments, we render them as text, ANSI or HTML.

Matches are first marked with two control characters that the cleaner never lets into a
document (normalize_text strips them), then the text is escaped for the target format
and the marks become that format's markup: a seed can never inject HTML into a snippet.
"""

from __future__ import annotations

import html
import re
from typing import Any

from whoosh import highlight

MARK_START = "\x02"
MARK_END = "\x03"

#: Output formats and the markup each puts around a match.
FORMATS = {
    "plain": ("**", "**"),
    "ansi": ("\x1b[1;31m", "\x1b[0m"),
    "html": ("<mark>", "</mark>"),
    "none": ("", ""),
}
ELLIPSIS = " … "
_SPACES = re.compile(r"\s+")


class _MarkFormatter(highlight.Formatter):
    """Joins fragments with an ellipsis and marks matched tokens with control characters."""

    between = ELLIPSIS

    def format_token(self, text: str, token: Any, replace: bool = False) -> str:
        return MARK_START + highlight.get_text(text, token, replace) + MARK_END


def make_fragmenter(context_words: int = 12) -> highlight.Fragmenter:
    """A fragmenter that keeps about ``context_words`` words either side of a match."""
    chars = max(20, context_words * 6)
    fragmenter = highlight.ContextFragmenter(maxchars=chars * 4, surround=chars)
    # Whoosh only looks at the first 32K characters by default; long articles have their
    # best passage anywhere.
    fragmenter.charlimit = None
    return fragmenter


def configure(hits: Any, *, fragments: int, context_words: int) -> None:
    """Set up a Whoosh Results object so ``marked_snippet`` can ask it for highlights."""
    hits.fragmenter = make_fragmenter(context_words)
    hits.formatter = _MarkFormatter()
    hits.order = highlight.SCORE


def marked_snippet(hit: Any, *, fragments: int, body: str) -> str:
    """The best fragments of a Whoosh hit's body, matches wrapped in MARK_START/MARK_END."""
    text = hit.highlights("body", text=body, top=fragments) if body else ""
    if not text:
        text = hit.highlights("title", top=1) or ""
        text = _lead(body) if not text or text == hit.get("title") else text
    return _SPACES.sub(" ", text).strip()


def _lead(body: str, words: int = 30) -> str:
    """The opening words of the body, for hits that matched only in metadata."""
    parts = body.split()
    return " ".join(parts[:words]) + (" …" if len(parts) > words else "")


def render(marked: str, fmt: str = "plain") -> str:
    """Turn a marked snippet into ``plain``, ``ansi``, ``html`` or ``none`` markup."""
    start, end = FORMATS[fmt]
    text = html.escape(marked, quote=False) if fmt == "html" else marked
    return text.replace(MARK_START, start).replace(MARK_END, end)
