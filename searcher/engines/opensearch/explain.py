"""A Lucene explanation (what OpenSearch's ``explain`` returns) as our ScoreParts.

The explanation is a tree whose leaves for matched terms are ``weight(body:talk in 12)``
nodes; their values add up to the hit's score through ``sum of`` nodes (a ``bool``'s
clauses) and ``max of`` nodes (the best clause of a dis_max). Each such leaf becomes one
part: its term, field, term frequency and the boost it carries. What is not a term (a
prefix's constant score, a range) is a part of kind ``other``. Truthful by construction:
the numbers are the cluster's.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from ...core.records import ScorePart

_WEIGHT = re.compile(r'weight\((?P<field>\w+):(?P<term>.+?) in \d+\)', re.S)
#: A part's kind from its term: "word", "feedback" or "proximity".
Kind = Callable[[str], str]


def score_parts(explanation: dict[str, Any], kind: Kind = lambda term: "word", scale: float = 1.0,
                k1: float | None = None) -> list[ScorePart]:
    """The parts of one hit's score, each multiplied by ``scale``; parts for the same term
    and field are merged. ``k1``: OpenSearch's BM25 (Lucene's legacy form) folds the constant
    (k1 + 1) into the boost it reports; given k1, a part's ``boost`` is the query's own (field
    weight times ``^``), as the Whoosh engine reports it."""
    parts: dict[tuple[str, str, str], ScorePart] = {}
    for node in _leaves(explanation):
        value = float(node.get("value", 0.0)) * scale
        match = _WEIGHT.match(node.get("description", ""))
        if match is None:
            key = ("other", node.get("description", "")[:80], "")
            old = parts.get(key)
            parts[key] = ScorePart("other", key[1], value + (old.contribution if old else 0.0))
            continue
        field, term = match.group("field"), match.group("term").strip('"')
        what = kind(term)
        key = (what, term, field)
        old = parts.get(key)
        freq = _detail(node, ("freq", "phraseFreq"))
        idf = _detail(node, ("idf",))
        boost = _detail(node, ("boost",))
        fields = {field: freq if freq is not None else 0.0}
        if old is not None:
            value += old.contribution
            fields = {field: old.fields.get(field, 0.0) + fields[field]}
        # One part per term and field, as a structured query's parts are (its boost: the
        # field weight times the query weight); the idf stays inside the cluster's number.
        del idf
        if boost is not None and k1 is not None:
            boost /= k1 + 1.0
        parts[key] = ScorePart(what, term, value, fields, boost=boost * scale if boost is not None else None)
    return sorted(parts.values(), key=lambda p: -p.contribution)


def _leaves(node: dict[str, Any]) -> list[dict[str, Any]]:
    """The nodes whose values add up to ``node``'s value."""
    description = node.get("description", "")
    details = node.get("details") or []
    if description.startswith("weight(") or not details:
        return [node] if node.get("value", 0.0) else []
    if description.startswith("max of") or description.startswith("max plus"):
        best = max(details, key=lambda d: d.get("value", 0.0))
        return _leaves(best)
    if description.startswith("match on required clause"):
        return []  # a filter: it decides what matches, and adds 0 to the score
    if description.startswith("sum of"):
        return [leaf for d in details for leaf in _leaves(d)]
    return [node] if node.get("value", 0.0) else []


def _detail(node: dict[str, Any], names: tuple[str, ...]) -> float | None:
    """The value of the first detail below ``node`` whose description starts with one of ``names``."""
    for d in node.get("details") or []:
        description = d.get("description", "")
        if any(description.startswith(n) for n in names):
            return float(d.get("value", 0.0))
        found = _detail(d, names)
        if found is not None:
            return found
    return None
