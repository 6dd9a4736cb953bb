"""The library's contract, once per engine (the ``engine_name`` fixture: a Whoosh folder, and
an index on the test cluster): writing and reading documents, search, paging, filters,
folding, facets, date order, explanations, did-you-mean and similar. Engine-only matters
(Whoosh's folders and segments, the cluster's aliases and locks) are tested beside each
engine in tests/engines/."""

from __future__ import annotations

import json
from datetime import datetime

import pytest

import searcher
from searcher import Document, QueryError
from searcher.search.limits import Deadline

from conftest import CHROME, NEWS, article, make_docs


def copies() -> list[Document]:
    """Ten articles that all mention 'harbour', each saved twice (.txt, and .html with other
    chrome), and short notices: two of one template, one item saved twice."""
    docs = []
    for n in range(10):
        body = f"Harbour story {n}. " + article(100 + n)
        docs.append(Document(f"story{n}.txt", title=f"Story {n}", body=body))
        docs.append(Document(f"story{n}.html", title=f"Story {n} | Site", body=f"Menu Home\n\n{body}\n\n{CHROME}"))
    docs.append(Document("short-a", title="Notice A", body="Harbour closed Tuesday."))
    docs.append(Document("short-b", title="Notice B", body="Harbour closed Tuesday."))  # the same template
    docs.append(Document("short-c.txt", title="Notice C", body="Harbour open Wednesday."))
    docs.append(Document("short-c.html", title="Notice C", body="Harbour open Wednesday."))  # the same item
    return docs


@pytest.fixture(scope="module")
def news(module_indexes):
    return module_indexes(NEWS)


@pytest.fixture(scope="module")
def copies_index(module_indexes):
    return module_indexes(copies())


def ids(results) -> list[str]:
    return [h.doc_id for h in results]


def story(doc_id: str) -> str:
    return doc_id.split(".")[0]


# ---------------------------------------------------------------------------- documents


def test_add_get_len_contains_delete(indexes):
    ix = indexes()
    assert ix.add(make_docs()) == 3
    assert len(ix) == 3 and "a" in ix and "zzz" not in ix
    doc = ix.get("b")
    assert doc.title == "Harvest report" and doc.authors == ["Ann Lee"] and doc.published == datetime(2019, 5, 2)
    assert ix.resolve_id("b") == "b" and ix.get("c").published is None
    assert ix.delete("b") is True and ix.delete("b") is False
    assert len(ix) == 2 and "b" not in ix
    with pytest.raises(searcher.DocumentNotFoundError):
        ix.get("b")


def test_add_upserts_by_doc_id(indexes):
    ix = indexes(make_docs())
    ix.add(Document(doc_id="a", title="Replaced", body="Entirely new text about tulips."))
    assert len(ix) == 3 and ix.get("a").title == "Replaced"
    assert ids(ix.search("tulips")) == ["a"]
    assert ix.search("Doha").total == 0


def test_stats_count_sources_as_the_documents_write_them(news):
    stats = news.stats()
    assert stats.documents == len(NEWS) and stats.sources["AppleInsider"] == 2 and stats.sources["CBS News"] == 1
    assert stats.oldest == datetime(2019, 11, 18, 9) and stats.newest == datetime(2020, 3, 1)
    assert stats.size_bytes > 0 and stats.schema_version >= 1


# ---------------------------------------------------------------------------- searching


def test_search_returns_plain_records(indexes):
    results = indexes(make_docs()).search("peace talks")
    assert isinstance(results, searcher.Results)
    assert results.total == 2 and results.hits[0].doc_id == "a"
    hit = results.hits[0]
    assert isinstance(hit, searcher.Hit) and hit.rank == 1 and hit.score > 0
    assert hit.source == "Wire" and hit.published == datetime(2020, 10, 1)
    assert type(hit.snippet) is str


def test_search_filters_and_paging(indexes):
    ix = indexes(make_docs())
    assert ids(ix.search("peace OR cocoa", source="farm news")) == ["b"]
    assert ids(ix.search("peace OR cocoa", since="2020-01-01")) == ["a"]
    assert ids(ix.search("peace OR cocoa", until="2019-12-31")) == ["b"]
    page2 = ix.search("peace OR cocoa OR note", limit=2, page=2)
    assert page2.total == 3 and len(page2) == 1 and page2.hits[0].rank == 3
    assert ix.search("peace OR cocoa OR note", searcher.SearchOptions(limit=2), page=2).hits == page2.hits
    with pytest.raises(QueryError):
        ix.search("peace", since="not a date")
    with pytest.raises(QueryError, match="empty query"):
        ix.search("  ")


def test_word_queries_rank_all_words_first_and_snippets_mark_the_matches(news):
    results = news.search("taliban kabul", limit=10)
    first = ids(results)
    assert set(first[:2]) == {"cbs", "iraq"} and "noise" in first[2:]  # both words before one word
    hit = results[0]
    assert hit.matches and all(hit.snippet_text[s:e].lower() in ("taliban", "kabul") for s, e in hit.matches)
    assert "**" in hit.snippet
    assert "<mark>" in news.search("taliban kabul", highlight="html")[0].snippet
    assert {"iraq"} <= set(ids(news.search("negotiate", expand=False)))  # stemmed: "negotiate" finds its kin


def test_all_words_first_is_for_short_queries_and_explained(news):
    """RankingSettings.tiers: all-words-first only up to all_words_max distinct words."""
    query = "taliban kabul peace talks militants macbook"
    explained = news.search(query, explain=True, expand=False)
    assert not any("rank first" in line for line in explained[0].explanation)
    assert any("rank first" in line for line in news.search("taliban kabul", explain=True)[0].explanation)


def test_filters_facets_and_sort_by_date(news):
    assert ids(news.search("taliban OR reset OR talks", source="cbs")) == ["cbs"]
    assert sorted(ids(news.search("taliban OR reset OR talks", source="appleinsider"))) == ["mac", "noise"]
    assert sorted(ids(news.search("taliban OR reset OR talks", since="2019-11-19", until="2019-12"))) == ["cbs", "mac"]
    faceted = news.search("taliban OR talks", facets=True)
    assert faceted.facets == {"source": {"AppleInsider": 2, "CBS News": 1, "Reuters": 1},
                              "month": {"2019-11": 2, "2019-12": 1}}
    by_date = news.search("talks OR taliban", sort="date", limit=10)
    assert ids(by_date) == ["mac", "cbs", "noise", "iraq"]  # newest first, the undated last
    assert all(h.score == 0 for h in by_date)


def test_tied_facets_are_listed_by_name_case_aside(indexes):
    """Aligned: the cluster listed tied sources by their name case first ("CNN" before "bbc")."""
    ix = indexes([Document(f"d{n}", body="harbour", source=s) for n, s in enumerate(["bbc", "CNN", "AP", "ap news"])])
    assert list(ix.search("harbour", facets=True).facets["source"]) == ["AP", "ap news", "bbc", "CNN"]


def test_explanations_add_up_to_the_score(news):
    for query, expand in (("taliban kabul", False), ("taliban kabul", True), ('"peace talks" OR title:taliban', None)):
        for hit in news.search(query, explain=True, expand=expand):
            assert hit.score_parts and hit.explanation
            assert sum(p.contribution for p in hit.score_parts) == pytest.approx(hit.score, rel=1e-3, abs=1e-4)
    by_date = news.search("taliban", explain=True, sort="date")
    assert by_date[0].explanation[0].endswith("(sorted by date)")


def test_did_you_mean(news):
    assert news.search("khalilzd").suggestion == "khalilzad"
    assert news.search("Talibam").suggestion == "Taliban"
    assert news.search("taliban").suggestion is None


def test_did_you_mean_prefers_one_slip_to_a_commoner_word_two_away(indexes):
    """One slip of the keys is likelier than two: "kiners" means "miners" (one edit), not
    the far commoner "general" (two), on both engines."""
    docs = [Document(doc_id=f"g{n}", title=f"General report {n}", body="The general meeting was general.")
            for n in range(12)]
    docs.append(Document(doc_id="m", title="Coal report", body="The miners went back to work."))
    ix = indexes(docs)
    assert ix.search("kiners").suggestion == "miners"
    assert ix.search("generel").suggestion == "general"  # "genere", one letter less, stems alike
    # A slip that changes how the word stems ("revsiions" keeps its ending) is still one slip.
    ix.add([Document(doc_id="r", title="Budget revisions", body="The revisions were small.")])
    assert ix.search("revsiions").suggestion == "revisions"


def test_did_you_mean_keeps_to_the_searchs_budget(news):
    """Aligned: the cluster's did-you-mean ran without the search's time budget."""
    backend = news.engine.backend()
    spent = Deadline(1.0)
    spent.end = 0.0  # the budget ran out before did-you-mean
    with pytest.raises(QueryError, match="budget"):
        backend.corrections(["khalilzd"], spent)
    assert backend.corrections(["khalilzd"], Deadline(None)) == {"khalilzd": "khalilzad"}


def test_a_hit_deleted_while_its_page_is_read_leaves_no_gap_in_the_ranks(indexes, monkeypatch):
    """Aligned: ranks stay 1, 2, 3 whatever happens between ranking and reading the page. Both
    engines show the hit: Whoosh reads the searcher's own snapshot, and the cluster's ranking
    search read the page's documents along with their ranks (one round trip, one view)."""
    ix = indexes(NEWS)
    writer = indexes.open(ix.location)
    backend = type(ix.engine.backend())
    read = backend.stored

    def stored(self, plan, keys, texts):
        if "noise" in writer:
            writer.delete("noise")  # another writer, meanwhile
        return read(self, plan, keys, texts)

    monkeypatch.setattr(backend, "stored", stored)
    results = ix.search("taliban", limit=10, collapse=False)
    assert [h.rank for h in results] == list(range(1, len(results) + 1)) and len(results) >= 2
    assert "noise" in ids(results)


def test_similar_leaves_out_the_article_itself(news):
    similar = news.similar("cbs")
    assert similar.hits and "cbs" not in ids(similar) and similar.query == "like:cbs"
    assert news.similar(news.resolve_id("cb")).query == "like:cbs"  # an id's start, through resolve_id
    with pytest.raises(searcher.DocumentNotFoundError, match="ids that start with it: 'cbs'"):
        news.similar("cb")  # a whole id, as get() takes it
    with pytest.raises(QueryError, match="similar does not take sort"):
        news.similar("cbs", sort="date")
    with pytest.raises(searcher.DocumentNotFoundError):
        news.similar("nope")


# ---------------------------------------------------------------------------- near-duplicates


def test_copies_fold_into_the_best_ranked_hit(copies_index):
    results = copies_index.search("harbour", limit=20)
    stories = [story(h.doc_id) for h in results]
    assert len(stories) == len(set(stories)) == 13  # ten stories once each, and three short notices
    for hit in results:
        if hit.doc_id.startswith(("story", "short-c")):
            assert [story(d) for d in hit.duplicates] == [story(hit.doc_id)] and hit.duplicates != [hit.doc_id]
        else:
            assert hit.duplicates == []  # the same short template with another title
    assert (results.total, results.distinct, results.copies) == (24, 13, 11)


def test_no_collapse_shows_every_copy(copies_index):
    results = copies_index.search("harbour", limit=30, collapse=False)
    assert len(results) == 24 and all(not h.duplicates for h in results)
    assert (results.total, results.distinct, results.copies) == (24, 24, 0)


def test_json_lists_the_folded_ids_and_both_totals(copies_index):
    data = json.loads(json.dumps(copies_index.search("harbour", limit=3).as_dict()))
    # Copies are counted among the hits ranked for this page and a look-ahead (16 for 3 hits)
    assert data["total"] == 24 and data["distinct"] == 24 - data["copies"]
    assert sum(len(h["duplicates"]) for h in data["hits"]) == 3 and data["copies"] == 8
    hit = data["hits"][0]
    assert hit["duplicates"] == [d for d in hit["duplicates"] if story(d) == story(hit["doc_id"])] != []


@pytest.mark.parametrize("query, sort", [("harbour", "relevance"), ("harbour OR story", "relevance"),
                                         ("harbour", "date"), ("harbour grain tariff", "relevance"),
                                         ("title:story harbour", "relevance")])
def test_paging_never_shows_a_copy_of_an_earlier_page(copies_index, query, sort):
    seen: list[str] = []
    for page in (1, 2, 3):
        results = copies_index.search(query, limit=5, page=page, sort=sort)
        seen += [story(h.doc_id) for h in results]
    assert len(seen) == len(set(seen))
    if query in ("harbour", "harbour OR story"):
        assert len(seen) == 13 and results.pages == 3


def test_similar_leaves_out_copies_of_the_article_itself(copies_index):
    results = copies_index.similar("story3.txt", limit=20)
    assert all(story(d) != "story3" for h in results for d in (h.doc_id, *h.duplicates)) and results.copies >= 1
    stories = [sorted((h.doc_id, *h.duplicates)) for h in results if h.doc_id.startswith("story")]
    assert len(stories) == 9 and all(len(g) == 2 and story(g[0]) == story(g[1]) for g in stories)
    assert results.copies == 1 + sum(len(h.duplicates) for h in results)  # story3.html, and the folded
    every = copies_index.similar("story3.txt", limit=20, collapse=False)
    assert every[0].doc_id == "story3.html" and every.copies == 0  # its own copy is the most similar of all
