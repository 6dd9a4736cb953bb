"""Loading a model folder and encoding with it (a tiny model built by the test, no download)."""

from __future__ import annotations

import json

import numpy as np
import pytest
from conftest import make_tiny_model, tiny_embeddings, tiny_vocab

from searcher import EmbeddingModel, ModelError
from searcher.semantic import MODEL_ENV


def mean_vector(words: list[str]) -> np.ndarray:
    """What mean pooling of the tiny model gives for these words, with [CLS] and [SEP], normalised."""
    vocab, table = tiny_vocab(), tiny_embeddings()
    rows = [vocab.index("[CLS]")] + [vocab.index(w) for w in words] + [vocab.index("[SEP]")]
    vector = table[rows].mean(axis=0)
    return vector / np.linalg.norm(vector)


def test_query_vector_is_the_pooled_normalised_token_vectors(tiny_model):
    model = EmbeddingModel(tiny_model)
    assert model.dimensions == 8
    got = model.encode_queries(["Dog puppy", "stock"])
    assert got.shape == (2, 8) and got.dtype == np.float32
    assert np.allclose(got[0], mean_vector(["dog", "puppy"]), atol=1e-6)
    assert np.allclose(np.linalg.norm(got, axis=1), 1.0, atol=1e-6)


def test_nearest_passage_is_the_one_on_the_same_topic(tiny_model):
    model = EmbeddingModel(tiny_model)
    passages = model.encode_passages(["the stock market and the bank", "a cat and a kitten", "rain and wind"])
    query = model.encode_queries(["puppy"])[0]
    assert int(np.argmax(passages.vectors @ query)) == 1


def test_cls_pooling_takes_the_first_token(tmp_path):
    model = EmbeddingModel(make_tiny_model(tmp_path / "m", pooling="cls", normalize=False))
    got = model.encode_queries(["dog", "stock market"])
    cls_row = tiny_embeddings()[tiny_vocab().index("[CLS]")]
    assert np.allclose(got, [cls_row, cls_row])


def test_prefixes_go_before_queries_and_passages(tmp_path):
    model = EmbeddingModel(make_tiny_model(tmp_path / "m", query_prefix="query:", passage_prefix="passage:"))
    assert np.allclose(model.encode_queries(["dog"])[0], _with_unknown(["query", "dog"]), atol=1e-6)
    assert np.allclose(model.encode_passages(["dog"]).vectors[0], _with_unknown(["passage", "dog"]), atol=1e-6)


def _with_unknown(words: list[str]) -> np.ndarray:
    """mean_vector of ``words`` with the colon after the first one (an unknown token)."""
    vocab, table = tiny_vocab(), tiny_embeddings()
    ids = [vocab.index("[CLS]"), vocab.index(words[0]), vocab.index("[UNK]")]
    ids += [vocab.index(w) for w in words[1:]] + [vocab.index("[SEP]")]
    vector = table[ids].mean(axis=0)
    return vector / np.linalg.norm(vector)


def test_long_query_is_cut_at_max_tokens(tiny_model):
    model = EmbeddingModel(tiny_model)  # max_tokens 32
    long = "dog " * 29 + "stock " * 50
    assert np.allclose(model.encode_queries([long])[0], model.encode_queries(["dog " * 29 + "stock"])[0])


def test_model_folder_from_the_environment(tiny_model, monkeypatch):
    monkeypatch.setenv(MODEL_ENV, str(tiny_model))
    assert EmbeddingModel.from_env().folder == tiny_model
    monkeypatch.delenv(MODEL_ENV)
    with pytest.raises(ModelError, match=MODEL_ENV):
        EmbeddingModel.from_env()


@pytest.mark.parametrize("damage, message", [
    (lambda f: (f / "model.onnx").unlink(), "no model.onnx"),
    (lambda f: (f / "tokenizer.json").unlink(), "no tokenizer.json"),
    (lambda f: (f / "searcher-model.json").unlink(), "no searcher-model.json"),
    (lambda f: (f / "searcher-model.json").write_text('{"polling": "mean"}'), "unknown setting 'polling'"),
    (lambda f: (f / "searcher-model.json").write_text('{"pooling": "max"}'), "unknown pooling 'max'"),
    (lambda f: (f / "searcher-model.json").write_text('{"max_tokens": "many"}'), "max_tokens must be a int"),
    (lambda f: (f / "searcher-model.json").write_text("[1, 2"), "cannot be read"),
    (lambda f: (f / "tokenizer.json").write_text("{}"), "not a tokenizer file"),
    (lambda f: (f / "model.onnx").write_bytes(b"not a model"), "cannot be loaded"),
    (lambda f: (f / "searcher-model.json").write_text(json.dumps({"max_tokens": 8, "query_prefix": "a b c d e f"})),
     "leaves no room"),
])
def test_a_bad_model_folder_is_one_clear_error(tiny_model, damage, message):
    damage(tiny_model)
    with pytest.raises(ModelError, match=message):
        EmbeddingModel(tiny_model)


def test_missing_folder_says_how_to_get_a_model(tmp_path):
    with pytest.raises(ModelError, match="searcher model fetch"):
        EmbeddingModel(tmp_path / "nothing")
