"""Indexing with a model: every document's vectors kept in step with its text, incrementally,
and never used for text the index no longer holds (a tiny model built by the test)."""

from __future__ import annotations

import pytest
from conftest import make_tiny_model

from searcher import Document, QueryError, SearchIndex
from searcher.indexing import vectors as upkeep
from searcher.semantic.fetch import CACHE_ENV
from searcher.semantic.store import StoredVectors, passage_text, text_key


def pets_and_markets() -> list[Document]:
    return [Document("p1", "Pets", "the cat and the kitten", source="A"),
            Document("m1", "Markets", "the stock market and the bank", source="B"),
            Document("w1", "Weather", "rain and storm and flood", source="A"),
            Document("p2", "Dogs", "a puppy at the vet", source="B")]


@pytest.fixture
def model(tmp_path, monkeypatch):
    """The tiny model, in the user's model cache (where a search without a model looks by name)."""
    monkeypatch.setenv(CACHE_ENV, str(tmp_path / "cache"))
    return make_tiny_model(tmp_path / "cache" / "tiny")


def vectors_of(ix: SearchIndex) -> StoredVectors:
    found = StoredVectors.load(ix.path / "vectors.npz")
    assert found is not None
    return found


def in_step(ix: SearchIndex) -> None:
    """The vector file names the live commit and holds each live document once, keyed to its text."""
    found = vectors_of(ix)
    with ix.engine.writing():
        assert found.commit == ix.engine.commit_id()
        texts = {doc_id: passage_text(title, body) for doc_id, title, body in ix.engine.texts()}
    assert sorted(found.ids) == sorted(texts)
    assert all(found.keys[n] == text_key(texts[doc_id]) for n, doc_id in enumerate(found.ids))


def semantic(ix: SearchIndex, query: str, **changes) -> list[str]:
    return [h.doc_id for h in ix.search(query, mode="semantic", fragments=0, **changes).hits]


def test_adding_with_a_model_embeds_every_document_and_ranks_by_meaning(tmp_path, model):
    ix = SearchIndex(tmp_path / "ix", model=str(model))
    ix.add(pets_and_markets())
    in_step(ix)
    # "dog" is in no text of the pets article p1, yet it is near: meaning, not words
    assert semantic(ix, "dog")[:2] == ["p2", "p1"] or semantic(ix, "dog")[:2] == ["p1", "p2"]
    assert ix.search("kitten", fragments=0).hits[0].doc_id == "p1"  # hybrid by default


def test_an_update_from_seeds_embeds_only_what_changed(tmp_path, model):
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    for name, text in (("a", "Pets\n\nthe cat and the kitten"), ("b", "Markets\n\nthe stock market and the bank"),
                       ("c", "Weather\n\nrain and storm"), ("d", "Sport\n\nthe football match")):
        (seeds / f"{name}.txt").write_text(text + "\n")
    ix = SearchIndex(tmp_path / "ix", model=str(model))
    assert ix.update(seeds).embedded == 4
    in_step(ix)
    (seeds / "a.txt").write_text("Pets\n\nthe puppy and the dog at the vet\n")  # changed
    (seeds / "e.txt").write_text("Shares\n\nshares price trader\n")             # added
    (seeds / "b.txt").unlink()                                                  # removed
    (seeds / "c.txt").rename(seeds / "c2.txt")                                  # renamed
    report = SearchIndex(tmp_path / "ix").update(seeds)  # no model given: the vectors' own
    assert report.embedded == 3 and report.renamed == [("c.txt", "c2.txt")]
    in_step(ix)
    assert "b.txt" not in vectors_of(ix).ids
    assert semantic(ix, "bank", limit=1) == ["e.txt"]  # b.txt, the other markets article, is gone
    assert SearchIndex(tmp_path / "ix").update(seeds).embedded == 0


def test_a_crash_between_the_keyword_commit_and_the_vectors_never_uses_stale_vectors(tmp_path, model, monkeypatch):
    ix = SearchIndex(tmp_path / "ix", model=str(model))
    ix.add(pets_and_markets())

    def crash(self, *args, **kwargs):
        raise RuntimeError("power cut")

    with monkeypatch.context() as patched:
        patched.setattr(upkeep.VectorUpkeep, "finish", crash)
        with pytest.raises(RuntimeError, match="power cut"):
            ix.add(Document("p1", "Markets now", "the stock market and the trader"))  # p1's text changed
    assert ix.get("p1").title == "Markets now"  # the keyword commit happened
    with pytest.raises(QueryError, match="behind the index's documents$") as raised:
        ix.search("cat", mode="semantic")
    assert raised.value.remedy == "update"
    hits = ix.search("kitten", fragments=0, explain=True).hits  # the default falls back to keywords
    assert all("hybrid" not in line for h in hits for line in h.explanation)
    ix.add([])  # the next write repairs them
    in_step(ix)
    assert set(semantic(ix, "shares trader")[:2]) == {"p1", "m1"}


def test_the_repair_embeds_only_documents_whose_text_changed(tmp_path, model, monkeypatch):
    ix = SearchIndex(tmp_path / "ix", model=str(model))
    ix.add(pets_and_markets())
    with monkeypatch.context() as patched:
        patched.setattr(upkeep.VectorUpkeep, "finish", lambda self, *a, **k: 0)
        ix.add(Document("w1", "Weather", "snow and wind"))
    embedded: list[int] = []
    original = upkeep.VectorUpkeep._embed

    def counting(self, texts, *args, **kwargs):
        embedded.append(len(texts))
        return original(self, texts, *args, **kwargs)

    monkeypatch.setattr(upkeep.VectorUpkeep, "_embed", counting)
    ix.add([])
    assert sum(embedded) == 1
    in_step(ix)


def test_a_model_added_later_embeds_what_is_missing(tmp_path, model):
    plain = SearchIndex(tmp_path / "ix")
    plain.add(pets_and_markets())
    assert not (tmp_path / "ix" / "vectors.npz").exists()
    with pytest.raises(QueryError, match="semantic ranking needs the index's vectors: the index has none"):
        plain.search("cat", mode="semantic")
    assert plain.search("cat", fragments=0).hits[0].doc_id == "p1"  # keyword, as before
    SearchIndex(tmp_path / "ix", model=str(model)).add([Document("s1", "Sport", "the football match")])
    ix = SearchIndex(tmp_path / "ix")
    in_step(ix)
    assert semantic(ix, "goal league", limit=1) == ["s1"]


def test_deleting_and_rebuilding_keep_the_vectors_in_step(tmp_path, model):
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    (seeds / "a.txt").write_text("Pets\n\nthe cat and the kitten\n")
    (seeds / "b.txt").write_text("Markets\n\nthe stock market\n")
    ix = SearchIndex(tmp_path / "ix", model=str(model))
    ix.update(seeds)
    ix.add(Document("x", "Rain", "rain and flood"))
    ix.delete("b.txt")
    in_step(ix)
    report = ix.rebuild(seeds)  # a new generation: every text checked again, none changed
    assert report.embedded == 1  # b.txt comes back; a.txt and x (carried over) are reused
    in_step(ix)
    assert semantic(ix, "storm", limit=1) == ["x"]


def test_the_dense_side_respects_fields_phrases_dates_and_not(tmp_path, model):
    ix = SearchIndex(tmp_path / "ix", model=str(model))
    ix.add(pets_and_markets())
    assert semantic(ix, "dog source:A") == ["p1", "w1"]
    assert semantic(ix, "dog", source="B")[0] == "p2" and "p1" not in semantic(ix, "dog", source="B")
    assert "p2" not in semantic(ix, "dog -puppy")
    assert semantic(ix, '"stock market" dog') == ["m1"]


def test_a_long_document_is_found_by_its_best_window(tmp_path):
    model = make_tiny_model(tmp_path / "model", max_tokens=12, chunk_overlap=2)
    ix = SearchIndex(tmp_path / "ix", model=str(model))
    filler = " ".join(["the stock market and the bank"] * 6)
    ix.add([Document("long", "Report", filler + " and then a puppy and a kitten at the vet"),
            Document("rain", "Weather", "rain and wind")])
    assert len(vectors_of(ix).vectors.owners) > 3  # the long one is in several windows
    assert semantic(ix, "dog", limit=1) == ["long"]


def test_explain_shows_the_keyword_part_the_semantic_part_and_the_mix(tmp_path, model):
    ix = SearchIndex(tmp_path / "ix", model=str(model))
    ix.add(pets_and_markets())
    hit = ix.search("puppy", explain=True, fragments=0).hits[0]
    assert hit.doc_id == "p2"
    text = "\n".join(hit.explanation)
    assert "hybrid = 0.6 x keyword + 0.4 x semantic" in text
    assert "keyword part" in text and "semantic part" in text and "'puppi'" in text
    assert sum(p.contribution for p in hit.score_parts) == pytest.approx(hit.score)


def test_another_model_replaces_the_vectors_and_a_search_with_it_says_which_was_used(tmp_path, model):
    ix = SearchIndex(tmp_path / "ix", model=str(model))
    ix.add(pets_and_markets())
    other = make_tiny_model(tmp_path / "other", name="tiny-2")
    with pytest.raises(QueryError, match=r"made with another model \(tiny [0-9a-f]{16}\) than the one given \(tiny-2 "):
        SearchIndex(tmp_path / "ix", model=str(other)).search("cat", mode="semantic")
    again = SearchIndex(tmp_path / "ix", model=str(other))
    again.add([])
    assert vectors_of(again).model == "tiny-2"
    in_step(again)


def test_a_damaged_vector_file_is_made_again_and_never_breaks_a_keyword_search(tmp_path, model):
    ix = SearchIndex(tmp_path / "ix", model=str(model))
    ix.add(pets_and_markets())
    (tmp_path / "ix" / "vectors.npz").write_bytes(b"damaged")
    reopened = SearchIndex(tmp_path / "ix")
    assert reopened.search("kitten", fragments=0).hits[0].doc_id == "p1"
    with pytest.raises(QueryError, match="is not a vector file"):
        reopened.search("kitten", mode="semantic")
    SearchIndex(tmp_path / "ix", model=str(model)).add([])
    in_step(reopened)


def test_an_import_embeds_what_it_adds_without_reading_every_text_back(tmp_path, model, monkeypatch):
    ix = SearchIndex(tmp_path / "ix", model=str(model))
    ix.add(pets_and_markets())
    read_back: list[int] = []
    original = type(ix.engine).texts

    def texts(self):
        read_back.append(1)
        return original(self)

    monkeypatch.setattr(type(ix.engine), "texts", texts)
    ix.add([Document("s1", "Sport", "the football match"), Document("p1", "Pets", "a puppy now")])
    assert read_back == []
    in_step(ix)
    read_back.clear()
    monkeypatch.setattr(upkeep, "NOTED_MAX", 1)  # a big import: every text is read back instead
    ix.add([Document("s2", "Sport", "goal"), Document("s3", "Sport", "league")])
    assert read_back == [1]
    in_step(ix)


def rewrite_meta(path, **meta) -> None:
    """Replace the vector file's meta record (what an old searcher, or a crafted index, wrote)."""
    import json

    import numpy as np

    with np.load(path) as data:
        arrays = {name: data[name] for name in data.files}
    arrays["meta"] = np.array(json.dumps(meta))
    with path.open("wb") as handle:
        np.savez(handle, **arrays)


def test_the_vector_file_names_no_path_and_a_search_loads_no_file_the_index_names(tmp_path, model, caplog):
    ix = SearchIndex(tmp_path / "ix", model=str(model))
    ix.add(pets_and_markets())
    import json

    import numpy as np

    with np.load(tmp_path / "ix" / "vectors.npz") as data:
        meta = json.loads(str(data["meta"]))
    assert set(meta) == {"model", "digest", "commit"} and meta["model"] == "tiny"
    # An index from elsewhere naming a model file (the old format) and a model no cache holds
    planted = tmp_path / "planted"
    planted.mkdir()
    (planted / "model.onnx").write_bytes(b"not a model")
    rewrite_meta(tmp_path / "ix" / "vectors.npz", model="planted", folder=str(planted), commit=meta["commit"])
    shared = SearchIndex(tmp_path / "ix")
    with caplog.at_level("WARNING"):
        hits = shared.search("kitten", fragments=0, explain=True).hits  # keyword-only, with a notice
    assert hits[0].doc_id == "p1" and all("hybrid" not in line for h in hits for line in h.explanation)
    assert [r.getMessage() for r in caplog.records if "semantic ranking is off" in r.getMessage()] == [
        f"semantic ranking is off: the index's vectors were made with planted, which is not in the model cache "
        f"({tmp_path / 'cache'}): give that model to rank by meaning"]
    with pytest.raises(QueryError, match="planted, which is not in the model cache") as raised:
        shared.search("kitten", mode="semantic")
    assert "cannot be loaded" not in str(raised.value)  # the planted file was never opened
    rewrite_meta(tmp_path / "ix" / "vectors.npz", model="../planted", digest="", commit=meta["commit"])
    with pytest.raises(QueryError, match="not in the model cache"):
        SearchIndex(tmp_path / "ix").search("kitten", mode="semantic")


def test_a_model_of_the_same_name_with_other_files_is_refused_in_one_line(tmp_path, model):
    ix = SearchIndex(tmp_path / "ix", model=str(model))
    ix.add(pets_and_markets())
    namesake = make_tiny_model(tmp_path / "namesake", chunk_overlap=2)  # also "tiny"
    other = SearchIndex(tmp_path / "ix", model=str(namesake))
    with pytest.raises(QueryError, match=r"made with another model \(tiny [0-9a-f]{16}\) than the one given") as raised:
        other.search("kitten", mode="semantic")
    assert "\n" not in str(raised.value)
    assert other.search("kitten", fragments=0).hits[0].doc_id == "p1"  # the default: keyword-only
    assert semantic(SearchIndex(tmp_path / "ix", model=str(model)), "dog", limit=1) == ["p2"]


def test_an_old_vector_file_is_read_by_its_models_name_and_gets_a_digest(tmp_path, model):
    ix = SearchIndex(tmp_path / "ix", model=str(model))
    ix.add(pets_and_markets())
    before = vectors_of(ix)
    rewrite_meta(tmp_path / "ix" / "vectors.npz", model="tiny", folder="/nowhere/tiny", commit=before.commit)
    old = SearchIndex(tmp_path / "ix")  # no model given: "tiny" from the user's model cache
    assert vectors_of(old).digest == "" and semantic(old, "dog", limit=1) == ["p2"]
    SearchIndex(tmp_path / "ix", model=str(model)).add([])
    after = vectors_of(old)
    assert after.digest == before.digest and after.vectors is not before.vectors
    assert (after.vectors.codes == before.vectors.codes).all()  # kept, not embedded again
    in_step(old)


def test_readers_of_an_index_share_one_model_and_search_with_it_at_once(tmp_path, model, monkeypatch):
    import threading

    from searcher.semantic import encoder

    SearchIndex(tmp_path / "ix", model=str(model)).add(pets_and_markets())
    loaded = []
    real_init = encoder.EmbeddingModel.__init__

    def counting(self, *args, **kwargs):
        loaded.append(args[0])
        real_init(self, *args, **kwargs)

    monkeypatch.setattr(encoder.EmbeddingModel, "__init__", counting)
    readers = [SearchIndex(tmp_path / "ix", model=str(model)) for _ in range(4)]  # a web server's handles
    alone = {q: semantic(readers[0], q) for q in ("dog", "bank", "storm", "kitten")}
    found: dict[str, list[str]] = {}
    start = threading.Barrier(4)

    def search(ix: SearchIndex, query: str) -> None:
        start.wait()
        found[query] = semantic(ix, query)

    threads = [threading.Thread(target=search, args=(ix, q)) for ix, q in zip(readers, alone)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert found == alone
    assert len(loaded) == 1  # one model for the process, not one per reader


@pytest.mark.slow
def test_documents_are_encoded_while_indexed_and_a_failed_write_stops_the_workers(tmp_path, model, monkeypatch):
    from searcher.semantic import parallel

    monkeypatch.setattr(parallel, "TASK_PASSAGES", 4)
    monkeypatch.setattr(parallel, "PARALLEL_MIN_PASSAGES", 8)
    words = "cat dog stock market rain wind football goal bank vet".split()
    docs = [Document(f"d{i}", words[i % 10], " ".join(words[(i * k) % 10] for k in range(1, 12)) + f" {i}")
            for i in range(40)]
    submitted, closed = [], []
    real_encode, real_close = parallel.EncodingAhead.encode, parallel.EncodingAhead.close

    def encode(self, texts, progress=None):
        submitted.append(self.submitted)  # what the workers had been given before the write asked
        return real_encode(self, texts, progress)

    def close(self):
        closed.append(self.submitted)
        real_close(self)

    monkeypatch.setattr(parallel.EncodingAhead, "encode", encode)
    monkeypatch.setattr(parallel.EncodingAhead, "close", close)
    ix = SearchIndex(tmp_path / "ix", model=str(model))
    ix.add(docs, jobs=2)
    assert submitted[0] == 40 and closed  # all of them given to the workers while they were indexed
    in_step(ix)
    alone = SearchIndex(tmp_path / "alone", model=str(model))
    alone.add(docs, jobs=1)
    assert semantic(ix, "dog") == semantic(alone, "dog")

    def failing():
        yield from (Document(f"e{i}", "Extra", f"the cat number {i}") for i in range(20))
        raise RuntimeError("the source broke")

    closed.clear()
    with pytest.raises(RuntimeError, match="the source broke"):
        ix.add(failing(), jobs=2)
    assert closed and closed[-1] >= 8  # workers had started, and were stopped
    in_step(ix)


def test_a_write_lets_its_model_go_when_it_ends(tmp_path, model, monkeypatch):
    # An ONNX Runtime session still alive when the process forks the keyword writer's workers
    # makes a worker hang at exit, freeing threads it does not have: the write frees it at once.
    import gc
    import weakref

    from searcher.semantic import encoder

    made = []
    real_init = encoder.EmbeddingModel.__init__

    def recording(self, *args, **kwargs):
        real_init(self, *args, **kwargs)
        made.append(weakref.ref(self))

    monkeypatch.setattr(encoder.EmbeddingModel, "__init__", recording)
    gc.disable()  # freed by reference counting, not by a collection that may come late
    try:
        SearchIndex(tmp_path / "ix", model=str(model)).add(pets_and_markets())
        assert made and all(ref() is None for ref in made)
    finally:
        gc.enable()
