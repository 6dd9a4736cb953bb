"""The library API of SearchIndex: writing, reading, incremental updates."""

from __future__ import annotations

import shutil
from datetime import datetime

import pytest

import searcher
from searcher import Document, SearchIndex
from conftest import GOLD_DOC, GOLD_ID, make_docs






def test_add_rejects_non_documents(tmp_path):
    with pytest.raises(searcher.SearcherError):
        SearchIndex(tmp_path / "ix").add([{"doc_id": "x"}])  # type: ignore[list-item]






def test_update_is_incremental(tmp_path, seeds_dir):
    ix = SearchIndex(tmp_path / "ix")
    first = ix.update(seeds_dir)
    assert first.added == [GOLD_DOC] and first.ok
    again = ix.update(seeds_dir)
    assert (again.added, again.changed, again.removed, again.unchanged) == ([], [], [], 1)

    (seeds_dir / "new.txt").write_text("A new headline\n\nA paragraph about tulip markets in Amsterdam, long enough.\n")
    added = ix.update(seeds_dir)
    assert added.added == ["new.txt"] and added.unchanged == 1

    (seeds_dir / "new.txt").write_text("A new headline\n\nThe tulip market collapsed, traders said on Monday.\n")
    changed = ix.update(seeds_dir)
    assert changed.changed == ["new.txt"] and changed.added == []

    (seeds_dir / "new.txt").rename(seeds_dir / "renamed.txt")
    renamed = ix.update(seeds_dir)
    assert renamed.renamed == [("new.txt", "renamed.txt")] and not renamed.added and not renamed.removed
    assert "renamed.txt" in ix and "new.txt" not in ix

    (seeds_dir / "renamed.txt").unlink()
    removed = ix.update(seeds_dir)
    assert removed.removed == ["renamed.txt"] and len(ix) == 1
    ix.close()


def test_update_keeps_documents_added_from_code(tmp_path, seeds_dir):
    with SearchIndex(tmp_path / "ix") as ix:
        ix.update(seeds_dir)
        ix.add(make_docs())
        # The manifest lists seed documents only (it is rewritten on every write).
        from searcher.engines.whoosh.storage import read_manifest

        generation, docs = read_manifest(next((tmp_path / "ix").glob("gen-*")))
        assert generation >= 0 and list(docs) == [GOLD_DOC] and docs[GOLD_DOC].path
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
        assert report.rebuilt and report.added == [GOLD_DOC]
        after = sorted(p.name for p in index_dir.glob("gen-*"))
        assert after[-1] > before[-1]
        assert ix.search("Khalilzad").total == 1


def test_subfolders_and_odd_names_are_seeds(tmp_path, seeds_dir):
    sub = seeds_dir / "2020" / "oct"
    sub.mkdir(parents=True)
    shutil.copy(seeds_dir / f"{GOLD_ID}.txt", sub / "copy of ça va\nnewline.txt")
    with SearchIndex(tmp_path / "ix") as ix:
        report = ix.update(seeds_dir)
        assert report.ok and "2020/oct/copy of ça va\nnewline.txt" in report.added


def test_overlapping_index_and_seeds_are_refused(tmp_path, seeds_dir):
    with pytest.raises(searcher.SearcherError, match="overlap"):
        SearchIndex(seeds_dir / "index").update(seeds_dir)




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
        assert report.changed == [GOLD_DOC]
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



def test_rebuild_reads_a_small_update_segment_without_a_false_warning(tmp_path, seeds_dir):
    """An update of one seed writes a compound segment (.seg); a rebuild reading the live
    generation for imported documents must open it as such, and keep an imported one added after it."""
    from searcher import Document

    index_dir = tmp_path / "ix"
    with SearchIndex(index_dir) as ix:
        ix.update(seeds_dir)
        (seeds_dir / "late.txt").write_text("Late news\n\n" + "The harbour reopened on Monday after repairs. " * 6)
        ix.update(seeds_dir)
        ix.add(Document(doc_id="imported-1", title="Imported note", body="Kept across a rebuild."))
        report = ix.rebuild(seeds_dir)
        assert report.warnings == [] and len(ix) == 3 and ix.get("imported-1").title == "Imported note"


# ------------------------------------------------------------------ seed ids

HTML_CAPTURE = ("<html><head><title>Envoy returns to Doha</title></head><body><article>"
                "<p>The envoy returned to Doha on Monday for another round of talks with the delegation.</p>"
                "<p>Officials said the talks would resume within the week, and both sides sounded hopeful.</p>"
                "</article></body></html>")


def test_one_page_captured_two_ways_is_two_documents(tmp_path, seeds_dir):
    """X.txt and X.html (and another X.txt in a sub-folder) are three documents, every run."""
    shutil.copy(seeds_dir / f"{GOLD_ID}.txt", seeds_dir / "sub-copy.txt")
    (seeds_dir / f"{GOLD_ID}.html").write_text(HTML_CAPTURE, encoding="utf-8")
    (seeds_dir / "2020").mkdir()
    (seeds_dir / "2020" / f"{GOLD_ID}.txt").write_text("Other page\n\nA paragraph about tulip markets in Amsterdam.\n")
    with SearchIndex(tmp_path / "ix") as ix:
        report = ix.update(seeds_dir)
        assert report.ok, report.failed
        assert sorted(report.added) == [f"{GOLD_ID}.html", GOLD_DOC, f"2020/{GOLD_ID}.txt", "sub-copy.txt"]
        again = ix.update(seeds_dir)
        assert again.ok and again.unchanged == 4 and not (again.added or again.changed or again.removed)
        assert ix.get(f"{GOLD_ID}.html").title == "Envoy returns to Doha"
        assert "Khalilzad" in ix.get(GOLD_DOC).body


def test_an_id_prefix_finds_the_one_document_it_starts(tmp_path, seeds_dir):
    (seeds_dir / f"{GOLD_ID}.html").write_text(HTML_CAPTURE, encoding="utf-8")
    with SearchIndex(tmp_path / "ix") as ix:
        ix.update(seeds_dir)
        ix.add([Document(doc_id="note", title="A note", body="Kabul talks resume."),
                Document(doc_id="note-2", title="Another note", body="Doha talks resume."),
                Document(doc_id="gone-1", title="Deleted", body="x")])
        ix.delete("gone-1")
        assert ix.get("000_d8f0162b6785f52f.t").doc_id == GOLD_DOC
        assert ix.get("000_d8f0162b6785f52f.h").doc_id == f"{GOLD_ID}.html"
        assert ix.get("note").title == "A note"  # an exact id wins over the ids it starts
        assert ix.get("note-").doc_id == "note-2"
        with pytest.raises(searcher.AmbiguousIdError) as ambiguous:
            ix.get(GOLD_ID)
        assert ambiguous.value.candidates == [f"{GOLD_ID}.html", GOLD_DOC]
        assert f"'{GOLD_ID}.html', '{GOLD_DOC}'" in str(ambiguous.value) and "give more of the id" in str(ambiguous.value)
        with pytest.raises(searcher.AmbiguousIdError):
            ix.similar("0")
        assert ix.similar("000_d8f0162b6785f52f.t", limit=3).total >= 0
        with pytest.raises(searcher.DocumentNotFoundError, match="no id starts with it"):
            ix.get("gone")  # a deleted document's id is no candidate
        with pytest.raises(searcher.DocumentNotFoundError):
            ix.similar("zzz")
        with pytest.raises(searcher.QueryError):
            ix.get("")
        assert "note-" not in ix and ix.delete("note-") is False  # membership and deletion stay exact


def test_ambiguous_prefix_lists_a_few_candidates(tmp_path):
    with SearchIndex(tmp_path / "ix") as ix:
        ix.add([Document(doc_id=f"doc-{i:02d}", title=f"t{i}", body="b") for i in range(30)])
        with pytest.raises(searcher.AmbiguousIdError) as ambiguous:
            ix.get("doc-")
        assert ambiguous.value.candidates == [f"doc-{i:02d}" for i in range(5)]
        assert "('doc-00', 'doc-01', 'doc-02', 'doc-03', 'doc-04', ...)" in str(ambiguous.value)
        assert ix.get("doc-29").doc_id == "doc-29"



def test_decomposed_file_names_get_ids_as_typed(tmp_path, seeds_dir):
    import unicodedata

    decomposed = unicodedata.normalize("NFD", "café.txt")
    (seeds_dir / decomposed).write_text("Café society\n\nA paragraph about cafés in Zürich and their regulars.\n")
    with SearchIndex(tmp_path / "ix") as ix:
        assert "café.txt" in ix.update(seeds_dir).added  # NFC, as a keyboard types it
        assert ix.get(unicodedata.normalize("NFD", "caf")).doc_id == "café.txt"


def test_an_index_with_the_old_ids_moves_to_the_new_ones_by_renames(tmp_path, seeds_dir, monkeypatch):
    """Ids used to be the path without its suffix: the next update renames, never rebuilds."""
    import searcher.sources.seeds as seeds

    (seeds_dir / "sub").mkdir()
    (seeds_dir / "sub" / "tulips.txt").write_text("Tulips\n\nA paragraph about tulip markets in Amsterdam.\n")

    def old_id(parts):
        return "/".join([*parts[:-1], parts[-1].rsplit(".", 1)[0]])

    with monkeypatch.context() as patch:
        patch.setattr(seeds, "seed_doc_id", old_id)
        with SearchIndex(tmp_path / "ix") as ix:
            assert sorted(ix.update(seeds_dir).added) == [GOLD_ID, "sub/tulips"]
            ix.add(Document(doc_id="note-1", title="My note", body="Kabul talks resume."))
    with SearchIndex(tmp_path / "ix") as ix:
        report = ix.update(seeds_dir)
        assert not report.rebuilt and report.ok
        assert sorted(report.renamed) == [(GOLD_ID, GOLD_DOC), ("sub/tulips", "sub/tulips.txt")]
        assert (report.added, report.changed, report.removed) == ([], [], [])
        assert len(ix) == 3 and GOLD_ID not in ix and GOLD_DOC in ix and "note-1" in ix
        assert ix.get(GOLD_ID).doc_id == GOLD_DOC  # the old id still finds it, as a prefix
        assert ix.search("Khalilzad").hits[0].doc_id == GOLD_DOC
        again = ix.update(seeds_dir)
        assert again.unchanged == 2 and not (again.added or again.renamed or again.removed)


@pytest.mark.parametrize("given, stored", [
    ("2020-01-01", datetime(2020, 1, 1)), ("2020-01-01T09:30:00", datetime(2020, 1, 1, 9, 30)),
    (" 2020-01-01 09:30 ", datetime(2020, 1, 1, 9, 30)), (__import__("datetime").date(2020, 1, 1), datetime(2020, 1, 1)),
])
def test_a_document_takes_its_date_as_an_iso_string_or_a_date(tmp_path, given, stored):
    doc = Document(doc_id="d", title="Dated note", body="Kabul talks resume.", published=given)
    assert doc.published == stored
    with SearchIndex(tmp_path / "ix") as ix:
        ix.add(doc)
        assert ix.get("d").published == stored
        assert [h.doc_id for h in ix.search("kabul", since="2020-01-01")] == ["d"]
        assert Document.from_dict(ix.get("d").as_dict()).published == stored


@pytest.mark.parametrize("given", ["yesterday", "01/02/2020", 20200101])
def test_a_document_with_a_date_that_is_not_one_says_what_to_pass(given):
    with pytest.raises(searcher.DocumentError, match="published must be a datetime, a date or an ISO 8601 string"):
        Document(doc_id="d", title="t", published=given)
