"""Long texts in overlapping windows; a document scores by its best window."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from searcher import EmbeddingModel
from searcher.semantic.chunking import windows


def test_short_text_is_one_window():
    assert windows([1, 2, 3], 5, 2, 10) == [[1, 2, 3]]
    assert windows([], 5, 2, 10) == [[]]


def test_windows_overlap_and_the_last_ends_at_the_end():
    ids = list(range(10))
    assert windows(ids, 4, 1, 10) == [[0, 1, 2, 3], [3, 4, 5, 6], [6, 7, 8, 9]]
    assert windows(list(range(11)), 4, 1, 10)[-1] == [7, 8, 9, 10]


def test_a_text_a_little_longer_than_a_window_is_two_shorter_windows_not_two_full_ones():
    # (a last window moved back to end at the end repeated 7 of 9 tokens: 16 run for 9)
    assert windows(list(range(9)), 8, 2, 10) == [[0, 1, 2, 3, 4, 5], [3, 4, 5, 6, 7, 8]]


@settings(max_examples=50)
@given(st.integers(1, 400), st.integers(2, 40), st.integers(0, 50))
def test_windows_are_of_one_length_and_repeat_little_more_than_the_overlap(length, size, overlap):
    got = windows(list(range(length)), size, overlap, 10_000)
    assert len({len(w) for w in got}) == 1
    shared = min(overlap, size - 1)
    assert sum(map(len, got)) <= length + (len(got) - 1) * shared + len(got)  # + rounding, one a window


def test_window_count_is_limited_to_the_first_ones():
    assert windows(list(range(100)), 10, 0, 3) == [list(range(0, 10)), list(range(10, 20)), list(range(20, 30))]


@settings(max_examples=50)
@given(st.integers(0, 300), st.integers(1, 40), st.integers(0, 50))
def test_windows_cover_every_token_in_order(length, size, overlap):
    ids = list(range(length))
    got = windows(ids, size, overlap, 10_000)
    assert all(len(w) <= size for w in got)
    assert sorted(set().union(*map(set, got))) == ids  # every token in some window
    assert all(w == list(range(w[0], w[0] + len(w))) for w in got if w)  # contiguous runs
    starts = [w[0] for w in got if w]
    assert starts == sorted(set(starts))
    for left, right in zip(got, got[1:]):  # neighbours share at least the overlap asked for (size allowing)
        assert left[-1] - right[0] + 1 >= min(overlap, size - 1)


def test_long_passage_has_several_windows_and_its_best_one_scores(tiny_model):
    model = EmbeddingModel(tiny_model)  # max_tokens 32: 30 tokens of text per window
    long = "rain wind storm " * 30 + "dog puppy kitten cat"  # the pet words only at the very end
    passages = model.encode_passages(["stock market", long, "snow"])
    assert list(passages.owners[:1]) == [0] and passages.owners[-1] == 2
    windows_of_long = passages.vectors[passages.owners == 1]
    assert len(windows_of_long) >= 3
    query = model.encode_queries(["dog"])[0]
    scores = windows_of_long @ query
    assert scores.argmax() == len(scores) - 1 and scores.max() > 5 * scores[0]


def test_max_chunks_limits_a_long_passage(tmp_path):
    from conftest import make_tiny_model

    model = EmbeddingModel(make_tiny_model(tmp_path / "m", max_chunks=2))
    passages = model.encode_passages(["rain " * 500])
    assert len(passages.owners) == 2 and np.all(passages.owners == 0)
