"""Stats, date sorting and facets read columns (engines/whoosh/columns.py): each must equal
what counting or sorting every document gives, after adds, deletes and rebuilds, and no
reader may be served what it cached before another commit."""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta

from searcher import Document, SearchIndex
from searcher.core.records import SeedState

SOURCES = ["CBS News", "cbs news", "Reuters", "AP", ""]


def _docs(start: int, count: int) -> list[Document]:
    base = datetime(2019, 11, 18, 9, 30)
    return [Document(doc_id=f"d{i}", title=f"Cocoa report {i}", body=f"cocoa exporters talks number {i} " * (1 + i % 4),
                     source=SOURCES[i % len(SOURCES)] or None,
                     published=None if i % 7 == 3 else base + timedelta(days=(i * 37) % 400, hours=i % 5))
            for i in range(start, start + count)]


def _every(ix: SearchIndex) -> list[Document]:
    results = ix.search("cocoa", limit=100, collapse=False, fragments=0)
    assert results.total == len(results.hits) == len(ix)
    return [ix.get(hit.doc_id) for hit in results.hits]


def _expected_stats(docs: list[Document]) -> tuple[int, dict[str, int], datetime | None, datetime | None]:
    by_key: Counter[str] = Counter(d.source.strip().lower() for d in docs if d.source)
    dates = [d.published for d in docs if d.published]
    return len(docs), dict(by_key), min(dates, default=None), max(dates, default=None)


def _check_stats(ix: SearchIndex) -> None:
    stats = ix.stats()
    count, by_key, oldest, newest = _expected_stats(_every(ix))
    assert stats.documents == count
    assert {name.strip().lower(): n for name, n in stats.sources.items()} == by_key
    assert (stats.oldest, stats.newest) == (oldest, newest)


def test_stats_equal_a_full_count_after_add_delete_and_rebuild(tmp_path):
    ix = SearchIndex(tmp_path / "ix")
    ix.add(_docs(0, 40))
    _check_stats(ix)
    ix.add(_docs(40, 9))  # a second segment
    ix.delete_many([f"d{i}" for i in range(0, 49, 3)])
    _check_stats(ix)
    ix.engine.rebuild(((d, SeedState.of(d)) for d in _docs(5, 20)), jobs=1)
    _check_stats(ix)
    ix.close()


def test_date_sort_equals_sorting_every_hit_by_date(tmp_path):
    ix = SearchIndex(tmp_path / "ix")
    ix.add(_docs(0, 30))
    ix.add(_docs(30, 12))
    ix.delete_many(["d4", "d33"])
    every = {d.doc_id: d.published for d in _every(ix)}
    for query in ("cocoa", "exporters talks", "title:cocoa"):
        got = ix.search(query, sort="date", limit=100, collapse=False, fragments=0)
        assert got.total == len(every)
        dates = [hit.published for hit in got.hits]
        dated = [d for d in dates if d is not None]
        assert dated == sorted(every[i] for i in every if every[i] is not None)[::-1]
        assert dates[len(dated):] == [None] * (len(dates) - len(dated))  # undated last
        assert {hit.doc_id for hit in got.hits} == set(every)
        first = ix.search(query, sort="date", limit=5, page=2, collapse=False, fragments=0)
        assert [h.doc_id for h in first.hits] == [h.doc_id for h in got.hits[5:10]]
    ix.close()


def test_facets_equal_counting_every_hit(tmp_path):
    ix = SearchIndex(tmp_path / "ix")
    ix.add(_docs(0, 35))
    ix.add(_docs(35, 10))
    ix.delete("d6")
    for query, kwargs in (("cocoa", {}), ("number 3", {}), ("cocoa", {"sort": "date"}), ("title:report", {}),
                          ("cocoa", {"source": "cbs news"})):
        got = ix.search(query, facets=True, limit=100, collapse=False, fragments=0, **kwargs)
        hits = [ix.get(h.doc_id) for h in got.hits]
        assert len(hits) == got.total
        months = Counter(d.published.strftime("%Y-%m") for d in hits if d.published)
        sources = Counter(d.source.strip().lower() for d in hits if d.source)
        assert got.facets["month"] == dict(months)
        assert {k.strip().lower(): v for k, v in got.facets["source"].items()} == dict(sources)
        assert list(got.facets["month"].values()) == sorted(got.facets["month"].values(), reverse=True)
    ix.close()


def test_no_cache_is_served_across_a_commit_or_a_rebuild(tmp_path):
    reader = SearchIndex(tmp_path / "ix")
    writer = SearchIndex(tmp_path / "ix")
    writer.add(_docs(0, 20))
    before = reader.search("cocoa", facets=True, fragments=0)
    assert reader.stats().documents == 20 and before.total == 20
    writer.add([Document(doc_id="new", title="Cocoa", body="cocoa harvest", source="Newcomer",
                         published=datetime(2030, 1, 2))])
    writer.delete("d1")
    after = reader.search("cocoa", facets=True, fragments=0)
    stats = reader.stats()
    assert after.total == 20 and stats.documents == 20
    assert stats.newest == datetime(2030, 1, 2) and "Newcomer" in stats.sources
    assert after.facets["source"]["Newcomer"] == 1 and after.facets["month"]["2030-01"] == 1
    assert reader.search("cocoa", sort="date", fragments=0).hits[0].doc_id == "new"
    assert "d1" not in {h.doc_id for h in reader.search("cocoa", limit=50, collapse=False, fragments=0).hits}
    writer.engine.rebuild(((d, SeedState.of(d)) for d in _docs(100, 3)), jobs=1)
    assert reader.stats().documents == 3
    assert {h.doc_id for h in reader.search("cocoa", limit=50, fragments=0).hits} == {"d100", "d101", "d102"}
    assert set(reader.search("cocoa", facets=True, fragments=0).facets["source"]) <= {"AP", "Reuters", "CBS News",
                                                                                       "cbs news"}
    reader.close()
    writer.close()


def test_folding_reads_each_documents_id_from_its_column(tmp_path):
    from searcher.engines.whoosh.columns import value_column

    ix = SearchIndex(tmp_path / "ix")
    ix.add(_docs(0, 12))
    ix.add(_docs(12, 5))
    ix.delete("d2")
    searcher = ix.engine.searcher()
    ids = value_column(searcher, "doc_id")
    for docnum in searcher.reader().all_doc_ids():
        assert ids[docnum].decode("utf-8") == searcher.stored_fields(docnum)["doc_id"]
    copy = Document(doc_id="d3-copy", title="Cocoa report 3", body=_docs(3, 1)[0].body)
    ix.add([copy])
    hits = ix.search("cocoa number 3", fragments=0).hits
    assert any("d3-copy" in h.duplicates or (h.doc_id == "d3-copy" and "d3" in h.duplicates) for h in hits)
    ix.close()


def test_stats_files_written_at_commit_give_what_the_columns_give(tmp_path):
    from searcher.engines.whoosh import segment_stats
    from searcher.engines.whoosh.columns import columns_for

    ix = SearchIndex(tmp_path / "ix")
    ix.add(_docs(0, 23))
    ix.add(_docs(23, 11))  # a second segment, its own first documents per source
    searcher = ix.engine.searcher()
    found = segment_stats.totals(searcher)
    assert found is not None  # every segment has its file and no deletions
    columns = columns_for(searcher)
    assert found.sources == columns.source_counts(columns.live)
    assert (found.oldest, found.newest) == columns.date_range()
    _check_stats(ix)
    ix.delete("d1")  # a segment with deletions: the columns answer
    assert segment_stats.totals(ix.engine.searcher()) is None
    _check_stats(ix)
    ix.close()


def test_a_damaged_stats_file_leaves_stats_to_the_columns(tmp_path):
    from searcher.engines.whoosh import segment_stats

    ix = SearchIndex(tmp_path / "ix")
    ix.add(_docs(0, 15))
    damaged = list((tmp_path / "ix").rglob("*.stats"))
    assert damaged
    for path in damaged:
        path.write_text("{not json")
    assert segment_stats.totals(ix.engine.searcher()) is None
    _check_stats(ix)
    ix.close()


def test_a_word_querys_filter_lets_through_what_the_filter_query_matches(tmp_path):
    """A word query's --since/--until and --source read the date and source columns; they must
    let through exactly what the Whoosh filter query matches (deletions, undated documents,
    several segments, a source's words in order, case and accents aside)."""
    from datetime import datetime

    from searcher.engines.whoosh.searching import compile_filter
    from searcher.search.filters import make_filter

    sources = ["Reuters", "Agence France-Presse", "Le Monde Économie", None, "France 24"]
    docs = [Document(doc_id=f"d{i}", title="t", body=f"oil report {i} " + " ".join(f"w{i}x{j}" for j in range(30)),
                     source=sources[i % 5], published=datetime(2020, 1 + i % 12, 1 + i % 27, i % 24) if i % 7 else None)
            for i in range(80)]
    ix = SearchIndex(tmp_path / "ix")
    ix.add(docs[:50])
    ix.add(docs[50:])
    ix.delete("d3")
    searcher = ix.engine.searcher()
    for source, since, until in [(None, "2020-03", None), (None, None, "2020-06-15"), (None, "2020-02-02", "2020-02-02"),
                                 ("france", None, None), ("economie", "2020-05", None), ("presse agence", None, None),
                                 ("france presse", None, "2020-08"), ("monde", "2020-01", "2020-12"),
                                 (["reuters", "24"], "2020-04", None), ("no such source", None, None)]:
        filt = make_filter(source, since, until)
        expected = {searcher.stored_fields(n)["doc_id"] for n in searcher.docs_for_query(compile_filter(filt, searcher.schema))}
        for query in ("oil", '"oil report"'):  # a word query, and one Whoosh ranks itself
            found = ix.search(query, limit=100, source=source, since=since, until=until)
            assert {hit.doc_id for hit in found.hits} == expected, (query, source, since, until)
            assert found.total == len(expected)
    ix.close()
