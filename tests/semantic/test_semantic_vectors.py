"""int8 vectors: quantisation error, exact best-window scores, top k with filters, safe files."""

from __future__ import annotations

import numpy as np
import pytest

from searcher import ModelError
from searcher.semantic import Int8Vectors


def unit_rows(count: int, dims: int = 32, seed: int = 0) -> np.ndarray:
    rows = np.random.default_rng(seed).normal(size=(count, dims)).astype(np.float32)
    return rows / np.linalg.norm(rows, axis=1, keepdims=True)


def test_int8_codes_are_within_half_a_step_of_the_vectors():
    rows = unit_rows(200)
    vectors = Int8Vectors.quantize(rows, np.arange(200, dtype=np.int32))
    assert vectors.codes.dtype == np.int8 and np.abs(vectors.codes).max() == 127
    error = np.abs(vectors.dequantized() - rows)
    assert np.all(error <= vectors.scales[:, None] / 2 + 1e-7)
    assert vectors.nbytes == 200 * (32 + 4 + 4)


def test_scores_over_int8_match_float_scores_closely():
    rows, query = unit_rows(1000), unit_rows(1, seed=1)[0]
    vectors = Int8Vectors.quantize(rows, np.arange(1000, dtype=np.int32))
    exact = rows @ query
    assert np.abs(vectors.window_scores(query) - exact).max() < 0.01
    top = [i for i, _ in vectors.top(query, 10)]
    assert len(set(top) & set(np.argsort(-exact)[:10])) >= 9


def test_scan_in_blocks_is_the_same_as_one_product(monkeypatch):
    rows, query = unit_rows(50), unit_rows(1, seed=2)[0]
    vectors = Int8Vectors.quantize(rows, np.arange(50, dtype=np.int32))
    whole = vectors.window_scores(query)
    monkeypatch.setattr("searcher.semantic.vectors.SCAN_BLOCK", 7)
    assert np.allclose(vectors.window_scores(query), whole)


def test_a_document_scores_by_its_best_window():
    rows = unit_rows(6)
    owners = np.array([0, 0, 0, 1, 2, 2], dtype=np.int32)
    vectors = Int8Vectors.quantize(rows, owners)
    query = rows[4]  # document 2's first window
    windows = vectors.window_scores(query)
    expected = [windows[0:3].max(), windows[3], windows[4:6].max()]
    assert np.allclose(vectors.document_scores(query), expected)
    assert vectors.top(query, 1)[0][0] == 2
    assert vectors.documents == 3


def test_top_is_best_first_respects_allowed_and_k():
    rows = unit_rows(20)
    vectors = Int8Vectors.quantize(rows, np.arange(20, dtype=np.int32))
    query = rows[5]
    top = vectors.top(query, 5)
    assert top[0][0] == 5 and [s for _, s in top] == sorted((s for _, s in top), reverse=True)
    allowed = np.zeros(20, dtype=bool)
    allowed[[3, 7]] = True
    assert sorted(i for i, _ in vectors.top(query, 5, allowed)) == [3, 7]
    assert len(vectors.top(query, 100)) == 20
    assert vectors.top(query, 5, np.zeros(20, dtype=bool)) == []


def test_owners_must_number_documents_in_order():
    rows = unit_rows(3)
    for owners in ([1, 1, 2], [0, 2, 2], [0, 1, 0], [0, 1]):
        with pytest.raises(ValueError):
            Int8Vectors.quantize(rows, np.array(owners, dtype=np.int32))


def test_query_of_another_size_is_a_model_error():
    vectors = Int8Vectors.quantize(unit_rows(3), np.arange(3, dtype=np.int32))
    with pytest.raises(ModelError, match="another model"):
        vectors.top(np.ones(5, dtype=np.float32), 1)


def test_save_and_load_round_trip(tmp_path):
    vectors = Int8Vectors.quantize(unit_rows(10), np.array([0, 0, 1, 2, 2, 2, 3, 4, 5, 6], dtype=np.int32))
    path = tmp_path / "vectors.npz"
    vectors.save(path)
    loaded = Int8Vectors.load(path)
    for name in ("codes", "scales", "owners"):
        assert np.array_equal(getattr(loaded, name), getattr(vectors, name))
    assert [p.name for p in tmp_path.iterdir()] == ["vectors.npz"]


def test_a_failed_save_leaves_the_old_file_whole(tmp_path, monkeypatch):
    path = tmp_path / "vectors.npz"
    old = Int8Vectors.quantize(unit_rows(4), np.arange(4, dtype=np.int32))
    old.save(path)

    def crash(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(np, "savez", crash)
    with pytest.raises(OSError):
        Int8Vectors.quantize(unit_rows(9), np.arange(9, dtype=np.int32)).save(path)
    assert np.array_equal(Int8Vectors.load(path).codes, old.codes)


@pytest.mark.parametrize("content", [b"", b"garbage", None])
def test_a_bad_vector_file_is_a_model_error(tmp_path, content):
    path = tmp_path / "vectors.npz"
    if content is None:
        np.savez(path, codes=np.zeros((2, 3), dtype=np.float32), scales=np.ones(2), owners=np.arange(2))
    else:
        path.write_bytes(content)
    with pytest.raises(ModelError, match="not a vector file"):
        Int8Vectors.load(path)
