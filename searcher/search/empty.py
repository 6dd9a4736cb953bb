"""Why a query found nothing, when the reason is the query itself (``Results.empty_reason``).

"Nothing found" for ``-oil`` or ``the`` is true but unhelpful: the first only says what to
leave out, the second's words are too common to be indexed at all. The pipeline calls
:func:`empty_reason` when a search found nothing, with the backend's analysis (which words
are stop words is the engine's to say).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from . import query_tree as qt
from .fields import DEFAULT_FIELDS
from .query_text import plain_words

if TYPE_CHECKING:
    from .query_parser import ParsedQuery


def empty_reason(query: str, reading: "ParsedQuery | None", analyse: Callable[[str], list[str]]) -> str | None:
    """The reason ``query`` can find nothing, or None when it could have.

    ``reading``: the parse the engine searched with (None when it searched plain words: it is
    not parsed again); ``analyse(text)``: the terms the engine searches for ``text`` (stop
    words dropped).
    """
    looked_for = plain_words(query)
    tree = reading.tree if reading is not None else None
    if tree is not None:
        if isinstance(tree, qt.AndNot):
            leaves = qt.positive_leaves(tree.positive)
            if not leaves:
                return (f"the query only says what to leave out ({' '.join(query.split())}): "
                        "give a word to look for too")
            if not all(map(_is_words, leaves)):
                return None
            looked_for = " ".join(plain_words(leaf.text) for leaf in leaves)  # type: ignore[union-attr]
        elif not all(map(_is_words, qt.positive_leaves(tree))):
            return None
    words = list(dict.fromkeys(looked_for.split()))
    if not words or analyse(" ".join(words)):
        return None
    listed = ", ".join(f"'{w}'" for w in words[:5]) + (", ..." if len(words) > 5 else "")
    if len(words) == 1:
        return f"{listed} is too common a word to be indexed: search for a less common word with it"
    return f"{listed} are too common to be indexed: search for a less common word with them"


def _is_words(leaf: qt.Node) -> bool:
    """True for words or a phrase searched in the text (where stop words are dropped)."""
    return isinstance(leaf, (qt.Term, qt.Phrase)) and (leaf.field is None or leaf.field in DEFAULT_FIELDS)
