"""The all-words tier in the scores: a hit's shown score never rises as its rank falls.

A short word query ranks the documents holding all of its words first
(``RankingSettings.tiers``), whatever their BM25 scores; shown bare, a rank-2 hit could
outscore rank 1. So each document of the tier gets a round bonus, one more part of its
score (``coordination``), large enough to lift the tier above every other hit.
"""

from __future__ import annotations

import math
from collections.abc import Collection
from typing import TypeVar

from ..core.records import ScorePart

#: The tier's bonus is a multiple of this (100 unless a hit outside the tier scores more).
TIER_STEP = 100.0
#: The term of the bonus's score part.
TIER_TERM = "all words"

K = TypeVar("K")


def tier_bonus(order: list[tuple[float, K]], full: Collection[K]) -> float:
    """The bonus that puts every document of ``full`` above the others in ``order``."""
    inside = [s for s, k in order if k in full]
    outside = [s for s, k in order if k not in full]
    if not inside or not outside:
        return TIER_STEP
    gap = max(outside) - min(inside)
    return max(TIER_STEP, math.ceil(gap / TIER_STEP + 1e-9) * TIER_STEP)


def with_tier_bonus(order: list[tuple[float, K]], full: Collection[K],
                    why: dict[K, list[ScorePart]] | None = None) -> list[tuple[float, K]]:
    """``order`` (the tier first) with the bonus added to the tier's scores, and to their
    parts in ``why`` when explained."""
    bonus = tier_bonus(order, full)
    shown = []
    for score, key in order:
        if key in full:
            score += bonus
            if why is not None:
                why.setdefault(key, []).append(ScorePart("coordination", TIER_TERM, bonus))
        shown.append((score, key))
    return shown
