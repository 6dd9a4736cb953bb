"""Encoding in worker processes gives what encoding in this process gives, in order."""

from __future__ import annotations

import numpy as np
import pytest

from searcher import EmbeddingModel
from searcher.semantic import parallel


@pytest.mark.slow
def test_workers_encode_the_same_vectors_in_the_same_order(tiny_model, monkeypatch):
    monkeypatch.setattr(parallel, "TASK_PASSAGES", 7)
    monkeypatch.setattr(parallel, "PARALLEL_MIN_PASSAGES", 10)
    model = EmbeddingModel(tiny_model)
    words = "cat dog stock market rain wind football goal the of".split()
    texts = [" ".join(words[(i * k) % len(words)] for k in range(1 + i % 60)) for i in range(40)]
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
