"""Adding one dict of numbers into another in C, with the key order a Python loop gives.

Scores and term counts are accumulated this way (word ranking, feedback's term model):
equal scores rank in key order, so the order is part of the result. Engine-neutral.
"""

from __future__ import annotations

from typing import Any


def fold(acc: dict[Any, Any], new: dict[Any, Any]) -> None:
    """``acc[k] += new[k]`` for every key of ``new`` (missing keys counting 0), in place.

    The same values and key order as that loop (``acc``'s keys, then ``new``'s other keys
    in their order), with the per-key Python work only on the keys both hold: posting
    lists of a word in its title and body overlap little compared with the body's length.
    Key order matters: equal scores rank in it, as ``heapq.nlargest`` keeps ties in order.
    """
    if not acc:
        dict.update(acc, new)
        return
    shared = acc.keys() & new.keys()
    fix = {k: acc[k] + new[k] for k in shared}
    dict.update(acc, new)
    dict.update(acc, fix)
