"""Encoding in worker processes gives what encoding in this process gives, in order."""

from __future__ import annotations

import numpy as np
import pytest

from searcher import EmbeddingModel
from searcher.semantic import parallel


def small_tasks(monkeypatch) -> list[str]:
    """Tasks of 7 passages, workers from 10 of them; 40 passages of 1-60 words, each its own."""
    monkeypatch.setattr(parallel, "TASK_PASSAGES", 7)
    monkeypatch.setattr(parallel, "PARALLEL_MIN_PASSAGES", 10)
    words = "cat dog stock market rain wind football goal the of".split()
    return [" ".join(words[(i * k) % len(words)] for k in range(1 + i % 60)) + f" {i}" for i in range(40)]


@pytest.mark.slow
def test_workers_encode_the_same_vectors_in_the_same_order(tiny_model, monkeypatch):
    texts = small_tasks(monkeypatch)
    model = EmbeddingModel(tiny_model)
    seen = []
    spread = parallel.encode_passages_parallel(model, texts, workers=2, progress=lambda d, t: seen.append((d, t)))
    alone = model.encode_passages(texts)
    assert np.array_equal(spread.owners, alone.owners)
    assert np.allclose(spread.vectors, alone.vectors, atol=1e-6)
    assert seen[-1] == (40, 40) and [d for d, _ in seen] == sorted(d for d, _ in seen)


def test_few_passages_are_encoded_in_this_process(tiny_model):
    model = EmbeddingModel(tiny_model)
    got = parallel.encode_passages_parallel(model, ["cat", "stock"], workers=2)
    assert np.allclose(got.vectors, model.encode_passages(["cat", "stock"]).vectors)


@pytest.mark.slow
def test_texts_offered_ahead_are_encoded_by_workers_and_taken_when_asked(tiny_model, monkeypatch):
    texts = small_tasks(monkeypatch)
    model = EmbeddingModel(tiny_model)
    ahead = parallel.EncodingAhead(lambda: model, str(tiny_model), 2)
    try:
        for text in texts[:9]:
            ahead.offer(text)
        assert ahead.submitted == 0  # a small write starts no workers
        for text in texts[9:]:
            ahead.offer(text)
        assert ahead.submitted == 38  # in tasks of 7 once 10 were offered; 2 wait for more
        # Asked: some offered, one changed since (never offered), in another order
        asked = texts[30:] + ["the cat changed its text"] + texts[:5]
        got = ahead.encode(asked)
        assert ahead.submitted == 38 + 3  # only the ones not encoded ahead
    finally:
        ahead.close()
    alone = model.encode_passages(asked)
    assert np.array_equal(got.owners, alone.owners)
    assert np.allclose(got.vectors, alone.vectors, atol=1e-6)
