"""An index's vector file: documents keyed to their text, the file to a commit; saved whole."""

from __future__ import annotations

import numpy as np
import pytest

from searcher import ModelError
from searcher.semantic.store import StoredVectors, passage_text, quantized, text_key


def stored(ids: list[str], windows: list[int], seed: int = 0) -> StoredVectors:
    rng = np.random.default_rng(seed)
    owners = np.repeat(np.arange(len(ids), dtype=np.int32), windows)
    vectors = rng.normal(size=(len(owners), 8)).astype(np.float32)
    return quantized(ids, [text_key(i) for i in ids], vectors, owners, "m", "0123456789abcdef")


def rows_of(vectors: StoredVectors, doc_id: str) -> np.ndarray:
    n = vectors.ids.index(doc_id)
    return vectors.vectors.codes[vectors.vectors.owners == n]


def test_without_and_plus_keep_each_documents_own_windows():
    a = stored(["a", "b", "c"], [1, 3, 2])
    d = stored(["d"], [2], seed=1)
    got = a.without({"b", "zzz"}).plus(d)
    assert got.ids == ["a", "c", "d"] and len(got.keys) == 3
    assert list(got.vectors.owners) == [0, 1, 1, 2, 2]
    for doc_id, source in (("a", a), ("c", a), ("d", d)):
        assert np.array_equal(rows_of(got, doc_id), rows_of(source, doc_id))
    assert got.keys[got.ids.index("c")] == text_key("c")
    assert a.without(set()) is a and len(a.without({"a", "b", "c"})) == 0


def test_save_and_load_keep_ids_keys_vectors_and_commit(tmp_path):
    path = tmp_path / "vectors.npz"
    original = stored(["é", "b"], [2, 1]).at_commit("gen-000001:3")
    original.save(path)
    back = StoredVectors.load(path)
    assert back is not None
    assert (back.ids, back.keys, back.commit, back.model, back.digest) == \
        (original.ids, original.keys, "gen-000001:3", "m", "0123456789abcdef")
    assert np.array_equal(back.vectors.codes, original.vectors.codes)
    assert StoredVectors.load(tmp_path / "none.npz") is None
    empty = StoredVectors.empty("m", "", 8).at_commit("x")
    empty.save(path)
    assert len(StoredVectors.load(path)) == 0


def test_a_save_that_fails_midway_leaves_the_old_file_and_no_temporary(tmp_path, monkeypatch):
    path = tmp_path / "vectors.npz"
    stored(["a"], [1]).at_commit("gen-000001:1").save(path)
    before = path.read_bytes()

    def half_then_fail(handle, **arrays):
        handle.write(b"PK half a zip")
        raise OSError("disk full")

    monkeypatch.setattr(np, "savez", half_then_fail)
    with pytest.raises(OSError, match="disk full"):
        stored(["a", "b"], [1, 1]).at_commit("gen-000001:2").save(path)
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["vectors.npz"]
    monkeypatch.undo()
    assert StoredVectors.load(path).commit == "gen-000001:1"


def test_a_damaged_file_is_a_model_error_naming_it(tmp_path):
    path = tmp_path / "vectors.npz"
    path.write_bytes(b"PK\x03\x04 not really")
    with pytest.raises(ModelError, match="vectors.npz is not a vector file"):
        StoredVectors.load(path)


def test_a_documents_key_is_its_embedded_text():
    assert passage_text("Title", "Body") == "Title\nBody" and passage_text("", "Body") == "Body"
    assert text_key("a\nb") == text_key("a\nb") != text_key("a\nb ")
    assert len(text_key("x")) == 8
