"""The project's own query tree: what a parsed query means, for any engine to run.

Leaves keep the text the user typed ("Talks", "negotiat", "2019-01-01"): analysis
(lower case, stop words, stems) and date parsing are the engine's job when it compiles the
tree, since they depend on how its fields were indexed. A leaf's ``field`` is a real field
name (aliases already resolved) or None for "the default fields" (``fields.DEFAULT_FIELDS``,
weighted by the engine's field boosts).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Union


@dataclass(frozen=True)
class Term:
    """A word (or words typed as one, e.g. in single quotes); analysed by the engine."""

    field: str | None
    text: str
    boost: float = 1.0


@dataclass(frozen=True)
class Phrase:
    """Words in order; ``slop`` 1 means adjacent, n allows n-1 words between each pair."""

    field: str | None
    text: str
    slop: int = 1
    boost: float = 1.0


@dataclass(frozen=True)
class Prefix:
    """Terms starting with ``text`` ("negotiat*")."""

    field: str | None
    text: str
    boost: float = 1.0


@dataclass(frozen=True)
class Wildcard:
    """A pattern with ``*`` (any run) and ``?`` (one character)."""

    field: str | None
    text: str
    boost: float = 1.0


@dataclass(frozen=True)
class Fuzzy:
    """Terms within ``max_edits`` edits of ``text`` whose first ``prefix_length`` characters match."""

    field: str | None
    text: str
    boost: float = 1.0
    max_edits: int = 1
    prefix_length: int = 0


@dataclass(frozen=True)
class Range:
    """Values between ``start`` and ``end`` (either may be None: open), as typed (dates too)."""

    field: str | None
    start: str | None
    end: str | None
    start_excluded: bool = False
    end_excluded: bool = False
    boost: float = 1.0


@dataclass(frozen=True)
class Stray:
    """Syntax that applied to nothing, left as text after fields were assigned (``^2`` alone
    inside parentheses): it names no field and is not analysed, so it matches nothing."""

    text: str
    boost: float = 1.0


@dataclass(frozen=True)
class MatchAll:
    """Every document (``*:*``)."""


@dataclass(frozen=True)
class Empty:
    """A clause with nothing in it (``NOT`` left without an operand): engines skip it."""


@dataclass(frozen=True)
class And:
    children: tuple[Node, ...]
    boost: float = 1.0


@dataclass(frozen=True)
class Or:
    """Any of the children. ``implicit``: clauses side by side with no operator between
    them (engines may reward documents matching more of them); False for ``OR``."""

    children: tuple[Node, ...]
    boost: float = 1.0
    implicit: bool = False


@dataclass(frozen=True)
class Not:
    child: Node


@dataclass(frozen=True)
class AndNot:
    """``positive`` without ``negative`` (``-word``, ``ANDNOT``)."""

    positive: Node
    negative: Node


@dataclass(frozen=True)
class AndMaybe:
    """``required`` must match; ``optional`` only adds to the score (``+word``, ``ANDMAYBE``)."""

    required: Node
    optional: Node


@dataclass(frozen=True)
class Require:
    """``query`` scored, restricted to documents matching ``condition`` (``REQUIRE``)."""

    query: Node
    condition: Node


Leaf = Union[Term, Phrase, Prefix, Wildcard, Fuzzy, Range]
Node = Union[Term, Phrase, Prefix, Wildcard, Fuzzy, Range, Stray, MatchAll, Empty, And, Or, Not, AndNot, AndMaybe, Require]
LEAVES = (Term, Phrase, Prefix, Wildcard, Fuzzy, Range)


def positive_leaves(node: Node) -> list[Node]:
    """The leaves a query looks for, in order: what it excludes (NOT, ANDNOT's right side)
    left out. Read by the empty-result reason and by the semantic side's query text."""
    if isinstance(node, (And, Or)):
        return [leaf for child in node.children for leaf in positive_leaves(child)]
    if isinstance(node, (Not, Empty)):
        return []
    if isinstance(node, AndNot):
        return positive_leaves(node.positive)
    if isinstance(node, AndMaybe):
        return positive_leaves(node.required) + positive_leaves(node.optional)
    if isinstance(node, Require):
        return positive_leaves(node.query) + positive_leaves(node.condition)
    return [node]
