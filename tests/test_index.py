"""The library API of SearchIndex: writing, reading, incremental updates."""

from __future__ import annotations

import shutil
from datetime import datetime
from pathlib import Path

import pytest

import searcher
from searcher import Document, SearchIndex
from conftest import GOLD_ID


def make_docs() -> list[Document]:
    return [
        Document(doc_id="a", title="Kabul peace talks resume", body="Negotiators met in Doha.", source="Wire",
                 published=datetime(2020, 10, 1)),
        Document(doc_id="b", title="Harvest report", body="Cocoa arrivals rose in Bahia.", source="Farm News",
                 published=datetime(2019, 5, 2), authors=["Ann Lee"]),
        Document(doc_id="c", title="Undated note", body="Peace in our time, said nobody."),
    ]


def test_add_get_len_contains_delete(tmp_path):
    with SearchIndex(tmp_path / "ix") as ix:
        assert ix.add(make_docs()) == 3
        assert len(ix) == 3 and "a" in ix and "zzz" not in ix
        doc = ix.get("b")
        assert doc.title == "Harvest report" and doc.authors == ["Ann Lee"] and doc.published == datetime(2019, 5, 2)
        assert ix.delete("b") is True and ix.delete("b") is False
        assert len(ix) == 2
        with pytest.raises(searcher.DocumentNotFoundError):
            ix.get("b")


def test_add_upserts_by_doc_id(tmp_path):
    with SearchIndex(tmp_path / "ix") as ix:
        ix.add(make_docs())
        ix.add(Document(doc_id="a", title="Replaced", body="Entirely new text about tulips."))
        assert len(ix) == 3 and ix.get("a").title == "Replaced"
        assert [h.doc_id for h in ix.search("tulips")] == ["a"]
        assert ix.search("Doha").total == 0


def test_add_rejects_non_documents(tmp_path):
    with pytest.raises(searcher.SearcherError):
        SearchIndex(tmp_path / "ix").add([{"doc_id": "x"}])  # type: ignore[list-item]


def test_search_returns_plain_records(tmp_path):
    with SearchIndex(tmp_path / "ix") as ix:
        ix.add(make_docs())
        results = ix.search("peace talks")
        assert isinstance(results, searcher.Results)
        assert results.total == 2 and results.hits[0].doc_id == "a"
        hit = results.hits[0]
        assert isinstance(hit, searcher.Hit) and hit.rank == 1 and hit.score > 0
        assert hit.source == "Wire" and hit.published == datetime(2020, 10, 1)
        assert type(hit.snippet) is str


def test_search_filters_and_paging(tmp_path):
    with SearchIndex(tmp_path / "ix") as ix:
        ix.add(make_docs())
        assert [h.doc_id for h in ix.search("peace OR cocoa", source="farm news")] == ["b"]
        assert [h.doc_id for h in ix.search("peace OR cocoa", since="2020-01-01")] == ["a"]
        assert [h.doc_id for h in ix.search("peace OR cocoa", until="2019-12-31")] == ["b"]
        page2 = ix.search("peace OR cocoa OR note", limit=2, page=2)
        assert page2.total == 3 and len(page2) == 1 and page2.hits[0].rank == 3
        with pytest.raises(searcher.QueryError):
            ix.search("peace", since="not a date")


def test_update_is_incremental(tmp_path, seeds_dir):
    ix = SearchIndex(tmp_path / "ix")
    first = ix.update(seeds_dir)
    assert first.added == [GOLD_ID] and first.ok
    again = ix.update(seeds_dir)
    assert (again.added, again.changed, again.removed, again.unchanged) == ([], [], [], 1)

    (seeds_dir / "new.txt").write_text("A new headline\n\nA paragraph about tulip markets in Amsterdam, long enough.\n")
    added = ix.update(seeds_dir)
    assert added.added == ["new"] and added.unchanged == 1

    (seeds_dir / "new.txt").write_text("A new headline\n\nThe tulip market collapsed, traders said on Monday.\n")
    changed = ix.update(seeds_dir)
    assert changed.changed == ["new"] and changed.added == []

    (seeds_dir / "new.txt").rename(seeds_dir / "renamed.txt")
    renamed = ix.update(seeds_dir)
    assert renamed.renamed == [("new", "renamed")] and not renamed.added and not renamed.removed
    assert "renamed" in ix and "new" not in ix

    (seeds_dir / "renamed.txt").unlink()
    removed = ix.update(seeds_dir)
    assert removed.removed == ["renamed"] and len(ix) == 1
    ix.close()


def test_update_keeps_documents_added_from_code(tmp_path, seeds_dir):
    with SearchIndex(tmp_path / "ix") as ix:
        ix.update(seeds_dir)
        ix.add(make_docs())
        # The manifest lists seed documents only (it is rewritten on every write).
        from searcher.engines.whoosh.storage import read_manifest

        generation, docs = read_manifest(next((tmp_path / "ix").glob("gen-*")))
        assert generation >= 0 and list(docs) == [GOLD_ID] and docs[GOLD_ID].path
        report = ix.update(seeds_dir)
        assert report.removed == [] and report.added == [] and report.unchanged == 1 and len(ix) == 4
        ix.add(Document(doc_id="a", title="Replaced", body="New text."))  # known from the index, not the manifest
        assert len(ix) == 4 and ix.get("a").title == "Replaced"
        ix.rebuild(seeds_dir)
        assert len(ix) == 4 and "a" in ix


def test_rebuild_swaps_generation(tmp_path, seeds_dir):
    index_dir = tmp_path / "ix"
    with SearchIndex(index_dir) as ix:
        ix.update(seeds_dir)
        before = sorted(p.name for p in index_dir.glob("gen-*"))
        report = ix.rebuild(seeds_dir)
        assert report.rebuilt and report.added == [GOLD_ID]
        after = sorted(p.name for p in index_dir.glob("gen-*"))
        assert after[-1] > before[-1]
        assert ix.search("Khalilzad").total == 1


def test_subfolders_and_odd_names_are_seeds(tmp_path, seeds_dir):
    sub = seeds_dir / "2020" / "oct"
    sub.mkdir(parents=True)
    shutil.copy(seeds_dir / f"{GOLD_ID}.txt", sub / "copy of ça va\nnewline.txt")
    with SearchIndex(tmp_path / "ix") as ix:
        report = ix.update(seeds_dir)
        assert report.ok and "2020/oct/copy of ça va\nnewline" in report.added


def test_overlapping_index_and_seeds_are_refused(tmp_path, seeds_dir):
    with pytest.raises(searcher.SearcherError, match="overlap"):
        SearchIndex(seeds_dir / "index").update(seeds_dir)


def test_stats(tmp_path):
    with SearchIndex(tmp_path / "ix") as ix:
        ix.add(make_docs())
        stats = ix.stats()
        assert stats.documents == 3 and stats.sources == {"Farm News": 1, "Wire": 1}  # as the documents write them (issue 11)
        assert stats.oldest == datetime(2019, 5, 2) and stats.newest == datetime(2020, 10, 1)


def test_library_example_in_readme_runs(tmp_path, seeds_dir, monkeypatch):
    """The README's library example, run as written from a folder holding seeds/."""
    import re

    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    code = re.search(r"## Library\n\n```python\n(.*?)```", readme, re.S).group(1)
    monkeypatch.chdir(tmp_path)
    exec(compile(code, "README.md", "exec"), {})
    assert (tmp_path / "index").is_dir()


def test_touched_seed_is_unchanged_and_same_size_edit_is_seen(tmp_path, seeds_dir):
    import os

    seed = seeds_dir / f"{GOLD_ID}.txt"
    with SearchIndex(tmp_path / "ix") as ix:
        ix.update(seeds_dir)
        os.utime(seed, ns=(10**18, 10**18))  # touched: new mtime, same content
        assert ix.update(seeds_dir).unchanged == 1
        text = seed.read_text(encoding="utf-8")
        seed.write_text(text.replace("Khalilzad", "Khalilzaq"), encoding="utf-8")  # same size
        report = ix.update(seeds_dir)
        assert report.changed == [GOLD_ID]
        assert ix.search("Khalilzaq").total == 1


def test_a_long_lived_index_sees_other_writers_changes(tmp_path):
    reader, writer = SearchIndex(tmp_path / "ix"), SearchIndex(tmp_path / "ix")
    reader.add(Document(doc_id="x", title="alpha", body="alpha text"))
    assert reader.search("alpha").total == 1
    writer.add(Document(doc_id="x", title="beta", body="beta text"))
    assert (reader.search("alpha").total, reader.search("beta").total, len(reader)) == (0, 1, 1)
    writer.delete("x")
    assert len(reader) == 0 and "x" not in reader
    reader.close()
    writer.close()


def test_rebuild_for_a_new_schema_keeps_documents_added_from_code(tmp_path, seeds_dir):
    """An index of an older schema is rebuilt from its seeds; imported articles must survive it."""
    import json

    index_dir = tmp_path / "ix"
    with SearchIndex(index_dir) as ix:
        ix.update(seeds_dir)
        ix.add(make_docs())
    marker = index_dir / "searcher-index.json"
    data = json.loads(marker.read_text())
    data["schema_version"] = 0  # as if written by an older searcher
    marker.write_text(json.dumps(data))
    with SearchIndex(index_dir) as ix:
        report = ix.update(seeds_dir)
        assert report.rebuilt and len(ix) == 4 and ix.get("b").authors == ["Ann Lee"]
        assert [h.doc_id for h in ix.search("Bahia arrivals")][:1] == ["b"]
