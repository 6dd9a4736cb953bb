"""Unicode normalisation shared by the cleaner and the query side, so both see the same text."""

from __future__ import annotations

import re
import unicodedata

# Spaces that look like a space to a reader but not to a tokenizer or a phrase query
# ("Mr.\u00a0Trump" must match "Mr. Trump").
_ODD_SPACES = re.compile("[\u00a0\u2000-\u200a\u202f\u205f\u3000\u1680]")
# Zero-width characters split words invisibly; soft hyphens hide inside words.
_INVISIBLE = re.compile("[\u200b\u200c\u200d\u2060\ufeff\u00ad]")
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# Both are dropped: one pass over the text for the two.
_DROPPED = re.compile(f"{_INVISIBLE.pattern[:-1]}{_CONTROL.pattern[1:-1]}]")
# A surrogate code point is not a character: it cannot be encoded (printing or storing the
# text fails with UnicodeEncodeError). JSON's "\\ud800" and code's strings can hold one.
_SURROGATE = re.compile("[\ud800-\udfff]")
#: C0 and C1 control characters and DEL (Unicode category Cc).
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")


def has_surrogates(text: str) -> bool:
    """True if ``text`` holds a surrogate code point (lone, or half of a pair split in two)."""
    if text.isascii():
        return False
    try:  # strict UTF-8 fails on a surrogate and on nothing else, and is quicker than the regex
        text.encode("utf-8")
    except UnicodeEncodeError:
        return _SURROGATE.search(text) is not None
    return False


def first_control(text: str) -> str | None:
    """The first control character (C0, DEL, C1) in ``text``, or None."""
    found = _CONTROL.search(text)
    return found.group() if found else None


def repair_surrogates(text: str) -> str:
    """``text`` as valid Unicode: a pair of surrogates joined into its character, a lone one
    replaced by U+FFFD. Text without surrogates is returned as it is."""
    if not has_surrogates(text):
        return text
    return text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")


def normalize_text(text: str) -> str:
    """NFC, odd spaces to plain spaces, invisible and control characters dropped, CRLF to LF,
    lone surrogates replaced by U+FFFD."""
    text = repair_surrogates(text)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _DROPPED.sub("", text)
    text = _ODD_SPACES.sub(" ", text)
    return unicodedata.normalize("NFC", text)
