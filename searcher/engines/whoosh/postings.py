"""Posting lists as numpy arrays (document numbers, term frequencies), decoded once per
segment and term and cached by segment id.

The word path scores every match of a query's words; decoding a posting list costs a
pickle load per block of 128 postings and a Python step per posting, the same work at
every query for the same common words. Segment files never change once written
(deletions are kept apart and masked per reader), so the decoded arrays of a segment
stay right for every reader that lists it, until the segment is merged away.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from whoosh.reading import TermNotFound

from .internals import is_block_matcher, remaining_blocks, segment_key
from .segment_cache import SegmentCache

#: Postings kept decoded, over every segment and term (8 bytes each: about 64 MB).
POSTINGS_KEPT = 8_000_000

_EMPTY = (np.zeros(0, dtype=np.int32), np.zeros(0, dtype=np.float32))
_CACHE: SegmentCache[tuple[Any, Any]] = SegmentCache(POSTINGS_KEPT, weight=lambda postings: len(postings[0]))


def _decode(stats: Any, leaf: Any, fieldname: str, text: str) -> tuple[Any, Any]:
    """(local docnums int32, term frequencies float32) of one term in one segment, every
    posting (deleted documents included: the reader masks them)."""
    index = stats.term_index(leaf)
    try:
        m = index.postings(fieldname, text)
    except (TermNotFound, KeyError):
        return _EMPTY
    ids: list[Any] = []
    weights: list[Any] = []
    if is_block_matcher(m):
        for block_ids, block_weights in remaining_blocks(m, 0):
            ids.append(np.asarray(block_ids, dtype=np.int32))
            weights.append(np.asarray(block_weights, dtype=np.float32))
    else:
        one_ids, one_weights = [], []
        while m.is_active():
            one_ids.append(m.id())
            one_weights.append(m.weight())
            m.next()
        ids.append(np.asarray(one_ids, dtype=np.int32))
        weights.append(np.asarray(one_weights, dtype=np.float32))
    if not ids:
        return _EMPTY
    return np.concatenate(ids), np.concatenate(weights)


def segment_postings(stats: Any, leaf: Any, fieldname: str, text: str) -> tuple[Any, Any]:
    """One term's postings in one segment (cached by segment id, field and term)."""
    seg = segment_key(leaf)
    if seg is None:
        return _decode(stats, leaf, fieldname, text)
    return _CACHE.get((seg, fieldname, text), lambda: _decode(stats, leaf, fieldname, text))


def term_postings(stats: Any, fieldname: str, text: str) -> tuple[Any, Any]:
    """(global docnums int64 ascending, term frequencies float64) of one term in one field,
    over the searcher's segments; deleted documents are left out."""
    ids, weights = [], []
    for leaf, offset in stats.field_leaves(fieldname):
        local, tfs = segment_postings(stats, leaf, fieldname, text)
        if len(local):
            ids.append(local.astype(np.int64) + offset)
            weights.append(tfs)
    if not ids:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float64)
    docs = np.concatenate(ids) if len(ids) > 1 else ids[0]
    tfs = (np.concatenate(weights) if len(weights) > 1 else weights[0]).astype(np.float64)
    live = stats.live
    if live is not None:
        keep = live[docs]
        docs, tfs = docs[keep], tfs[keep]
    return docs, tfs
