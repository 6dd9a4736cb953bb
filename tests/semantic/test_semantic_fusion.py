"""The hybrid mix: min-max normalised scores of the two top lists, mixed linearly."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from searcher.search.fusion import fuse, min_max


def test_min_max_maps_best_to_one_and_worst_to_zero():
    assert min_max({"a": 10.0, "b": 6.0, "c": 2.0}) == {"a": 1.0, "b": 0.5, "c": 0.0}
    assert min_max({"a": 3.0, "b": 3.0}) == {"a": 1.0, "b": 1.0}
    assert min_max({}) == {}


def test_fuse_arithmetic():
    keyword = {"a": 12.0, "b": 8.0, "c": 4.0}
    semantic = {"c": 0.9, "d": 0.7, "a": 0.5}
    got = {f.doc_id: f for f in fuse(keyword, semantic, 0.25)}
    assert got["a"].score == pytest.approx(0.75 * 1.0 + 0.25 * 0.0)
    assert got["b"].score == pytest.approx(0.75 * 0.5)  # absent from the dense list: 0 there
    assert got["c"].score == pytest.approx(0.75 * 0.0 + 0.25 * 1.0)
    assert got["d"].score == pytest.approx(0.25 * 0.5)
    assert got["b"].semantic_score is None and got["d"].keyword_score is None
    assert got["c"].keyword_score == 4.0 and got["c"].semantic == 1.0
    assert [f.doc_id for f in fuse(keyword, semantic, 0.25)] == ["a", "b", "c", "d"]


def test_weight_zero_keeps_the_keyword_order_and_one_the_semantic_order():
    keyword = {"a": 3.0, "b": 2.0, "c": 1.0}
    semantic = {"c": 0.9, "b": 0.8, "x": 0.1}
    assert [f.doc_id for f in fuse(keyword, semantic, 0.0)][:3] == ["a", "b", "c"]
    by_semantic = fuse(keyword, semantic, 1.0)
    assert [f.doc_id for f in by_semantic][:2] == ["c", "b"]
    assert {f.doc_id: f.score for f in by_semantic[2:]} == {"a": 0.0, "x": 0.0}


def test_each_lists_order_is_kept_even_where_its_scores_are_not_in_order():
    # A tier rule ranked "a" (every query word) before "b" (a higher score, some words).
    keyword = {"a": 5.0, "b": 9.0, "c": 1.0}
    assert [f.doc_id for f in fuse(keyword, {}, 0.0)] == ["a", "b", "c"]
    parts = {f.doc_id: f.keyword for f in fuse(keyword, {"c": 0.5}, 0.5)}
    assert parts == {"a": 1.0, "b": 1.0, "c": 0.0}
    assert fuse(keyword, {"c": 0.5}, 0.5)[0].keyword_score == 5.0  # the raw score is reported as it was


def test_a_weight_outside_zero_to_one_is_refused():
    with pytest.raises(ValueError):
        fuse({"a": 1.0}, {}, 1.5)


scores = st.dictionaries(st.sampled_from("abcdefgh"), st.floats(-50, 50, allow_nan=False), max_size=8)


@settings(max_examples=50)
@given(scores, scores, st.floats(0, 1))
def test_every_fused_score_is_the_weighted_sum_of_its_parts(keyword, semantic, weight):
    fused = fuse(keyword, semantic, weight)
    assert {f.doc_id for f in fused} == set(keyword) | set(semantic)
    for f in fused:
        assert 0.0 <= f.keyword <= 1.0 and 0.0 <= f.semantic <= 1.0
        assert f.score == pytest.approx((1 - weight) * f.keyword + weight * f.semantic)
    assert [f.score for f in fused] == sorted((f.score for f in fused), reverse=True)
    if weight == 0.0:
        assert [f.doc_id for f in fused][:len(keyword)] == list(keyword)
