"""Keyword, semantic and hybrid ranking of one search, for every engine that keeps vectors.

The keyword side is the backend's own ranking; the semantic side is the index's vectors
(:class:`~.backend.DenseSide`), searched with the query's positive words. What a query
says besides words (fields, phrases, date ranges, NOT, ``--source``/``--since``/``--until``)
is a filter the semantic side respects: its candidates are checked against it through the
backend. The two top lists are mixed by :func:`.fusion.fuse` at ``semantic_weight``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..core.errors import NoVectors, QueryError, VectorsUnavailableError
from . import query_tree as qt
from .backend import DenseSide, Plan, Window
from .fields import WORD_FIELDS
from .fusion import Fused, fuse
from .limits import Deadline

#: Documents each side contributes to the mix (the depth the weight was chosen at).
DEPTH = 100
#: How much deeper the dense scan looks each time its candidates fail a filter.
WIDEN = 4

Rank = Callable[[Any, int, Deadline], Window[Any]]


def resolved_mode(mode: str | None, dense: DenseSide | None, why_not: NoVectors, sort: str) -> str:
    """The mode a search runs in; QueryError when semantic ranking was asked for and cannot run
    (in the library's words: the command line adds what to type, ``cli/advice.py``)."""
    if mode is None:
        return "hybrid" if dense is not None and sort == "relevance" else "keyword"
    if mode != "keyword":
        if dense is None:
            raise VectorsUnavailableError(f"{mode} ranking needs the index's vectors: {why_not.reason}",
                                          remedy=why_not.remedy)
        if sort != "relevance":
            raise QueryError(f"{mode} ranking orders by meaning, not by date: sort by date in keyword mode")
    return mode


def filter_tree(node: qt.Node | None) -> qt.Node | None:
    """What of a structured query restricts the matching set rather than ranking it: fielded
    words, phrases, ranges, exclusions. Bare words (the default fields) are dropped; clauses
    side by side are read as all applying (``dog source:Wire``: the Wire's documents), an
    ``OR`` of restricting clauses only as a whole."""
    if node is None or isinstance(node, (qt.MatchAll, qt.Empty, qt.Stray)):
        return None
    if isinstance(node, (qt.Term, qt.Prefix, qt.Wildcard, qt.Fuzzy)):
        return node if node.field is not None else None
    if isinstance(node, (qt.Phrase, qt.Range, qt.Not)):
        return node
    if isinstance(node, qt.Or) and all(filter_tree(c) is not None for c in node.children):
        return node  # every alternative restricts: the whole OR does
    if isinstance(node, (qt.And, qt.Or)):
        kept = tuple(k for k in map(filter_tree, node.children) if k is not None)
        return None if not kept else kept[0] if len(kept) == 1 else qt.And(kept)
    if isinstance(node, qt.AndNot):
        return qt.AndNot(filter_tree(node.positive) or qt.MatchAll(), node.negative)
    if isinstance(node, qt.AndMaybe):
        return filter_tree(node.required)
    if isinstance(node, qt.Require):
        kept = tuple(k for k in (filter_tree(node.query), node.condition) if k is not None)
        return kept[0] if len(kept) == 1 else qt.And(kept)
    return None


def positive_words(node: qt.Node | None) -> list[str]:
    """The words a query looks for (not those it excludes): the semantic side's query text."""
    if node is None:
        return []
    return [leaf.text.rstrip("*?") for leaf in qt.positive_leaves(node)
            if isinstance(leaf, (qt.Term, qt.Phrase, qt.Prefix, qt.Wildcard, qt.Fuzzy))
            and (leaf.field is None or leaf.field in WORD_FIELDS)]


class HybridRanking:
    """A backend's ``rank`` for one search in ``mode`` semantic or hybrid (see the module
    docstring); the mix of the hits it ranked is kept for their explanations."""

    def __init__(self, backend: Any, dense: DenseSide, text: str, filter_plan: Plan | None, mode: str,
                 weight: float) -> None:
        self.backend, self.dense, self.text = backend, dense, text
        self.filter_plan, self.mode, self.weight = filter_plan, mode, weight
        self.mix: dict[Any, Fused] = {}
        #: how many documents the keyword side matched (the did-you-mean asks; in semantic
        #: mode the semantic side's count)
        self.keyword_total = 0
        self._dense: tuple[int, dict[Any, float]] | None = None

    def rank(self, plan: Plan, limit: int, deadline: Deadline) -> Window[Any]:
        depth = max(DEPTH, limit)
        dense = self._dense_top(depth, deadline)
        if self.mode == "semantic":
            order = [(score, key) for key, score in dense.items()]
            self.mix = {key: Fused(key, score, 0.0, score, None, score) for score, key in order}
            self.keyword_total = len(order)  # by meaning only: no keyword to correct
            return Window(order[:limit], len(order))
        keyword = self.backend.rank(plan, depth, deadline)
        self.keyword_total = keyword.total
        fused = fuse({key: score for score, key in keyword.order}, dense, self.weight)
        self.mix = {f.doc_id: f for f in fused}
        extra = sum(1 for f in fused if f.keyword_score is None)
        return Window([(f.score, f.doc_id) for f in fused[:limit]], keyword.total + extra, keyword.why)

    def _dense_top(self, depth: int, deadline: Deadline) -> dict[Any, float]:
        """The dense side's best ``depth`` keys that pass the filter -> cosine, best first."""
        if self._dense is not None and self._dense[0] >= depth:
            return dict(list(self._dense[1].items())[:depth])
        k = depth
        while True:
            deadline.check()
            found = self.dense.top(self.text, k)
            keys = self.backend.keys_of([doc_id for doc_id, _ in found])
            scored = [(keys[doc_id], score) for doc_id, score in found if doc_id in keys]
            if self.filter_plan is not None and scored:
                passing = self.backend.matching(self.filter_plan, [key for key, _ in scored])
                scored = [(key, score) for key, score in scored if key in passing]
            if len(scored) >= depth or len(found) < k:
                top = dict(scored[:depth])
                self._dense = (depth, top)
                return top
            k *= WIDEN


def mix_lines(mixed: Fused, weight: float, mode: str) -> list[str]:
    """How a hit's score was mixed, for its explanation (the keyword part's lines follow)."""
    if mode == "semantic":
        return [f"{mixed.score:7.3f}  total: semantic (best passage's cosine with the query)"]
    raw_kw = "not in the keyword top" if mixed.keyword_score is None else f"score {mixed.keyword_score:.3f}"
    raw_sem = "not in the semantic top" if mixed.semantic_score is None else f"cosine {mixed.semantic_score:.3f}"
    return [f"{mixed.score:7.3f}  total: hybrid = {1 - weight:g} x keyword + {weight:g} x semantic",
            f"{(1 - weight) * mixed.keyword:7.3f}  keyword part: {mixed.keyword:.3f} of its top ({raw_kw})",
            f"{weight * mixed.semantic:7.3f}  semantic part: {mixed.semantic:.3f} of its top ({raw_sem})"]
