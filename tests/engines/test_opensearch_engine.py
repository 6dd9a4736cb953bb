"""The OpenSearch engine against a real cluster (SEARCHER_TEST_OPENSEARCH; skipped without one):
the same CLI and library on an index given as a URL, and the same answers as the Whoosh engine."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import uuid
from datetime import datetime
from pathlib import Path

import pytest
from click.testing import CliRunner

from searcher import ClusterError, Document, IndexLockedError, SearchIndex, read_jsonl
from searcher.cli.app import cli as main

from conftest import GOLD_DOC, REPO, drop_cluster_index, opensearch_url, write_articles

pytestmark = pytest.mark.cluster

DOCS = [
    Document(doc_id="cbs", title="U.S. and Taliban agree to re-set", source="CBS News", authors=["Ann Martin"],
             sections=["Mixed messages"], published=datetime(2019, 11, 19, 22, 30), url="https://cbsnews.com/a",
             language="en",
             body="Khalilzad said the re-set of the talks in Kabul would cut violence. Al-Qaeda was named. "
                  "The peace talks went on; negotiators met militants."),
    Document(doc_id="noise", title="They're selling sets", source="AppleInsider", published=datetime(2019, 11, 18, 9),
             body="They're selling sets of mixed cables and messages about the MacBook Pro and the taliban."),
    Document(doc_id="mac", title="MacBook Pro review", source="AppleInsider", published=datetime(2019, 12, 2),
             body="The new MacBook Pro keyboard. A reset button. Talks with Apple about peace of mind."),
    Document(doc_id="old", title="COVID-19 notes", source="Wired", published=datetime(2020, 3, 1),
             body="COVID-19 spread; covid cases at 19 sites. Iraq and Kabul reported cases."),
    Document(doc_id="iraq", title="Taliban and Iraq", source="Reuters",
             body="The Taliban talks and Iraq: militants in Kabul negotiate a peace deal."),
]

#: Every form of docs/queries.md's table (and the rest of its examples).
QUERIES = [
    "peace talks", '"peace talks"', '"peace talks"~3', "taliban -iraq", "taliban NOT iraq",
    "kabul AND (taliban OR militants)", "re-set", "al-Qaeda", "COVID-19", "negotiat*", "khalilzd~", "title:taliban",
    'title:"macbook pro"', "source:cbs", 'source:"cbs news"', "author:martin", 'section:"mixed messages"',
    "title:negotiat*", "-title:iraq taliban", "+title:taliban kabul", "title:(taliban OR kabul)", "title:taliban^2",
    "published:[2019-01-01 TO 2019-12-31]", "published:[2019-11-18 TO 2019-11-19T23:59]", "published:2019",
    "date:2019-11", "published:>2019", "published:<=2019-11-18T12", "taliban^2 kabul", "+taliban kabul",
    "url:https://cbsnews.com/a", "lang:en", "id:cbs", "id:ma*", "NOT iraq", "published:yesterday", '"peace talks',
]


def ids(results) -> list[str]:
    return sorted(h.doc_id for h in results)


@pytest.fixture
def location():
    url = opensearch_url()
    name = f"t13b-{uuid.uuid4().hex[:10]}"
    yield f"{url}/{name}"
    drop_cluster_index(url, name)


@pytest.fixture(scope="module")
def pair(tmp_path_factory):
    """The same documents in a Whoosh folder and on the cluster."""
    url = opensearch_url()
    name = f"t13b-{uuid.uuid4().hex[:10]}"
    whoosh = SearchIndex(tmp_path_factory.mktemp("w") / "ix")
    whoosh.add(DOCS)
    cluster = SearchIndex(f"{url}/{name}")
    cluster.add(DOCS)
    yield whoosh, cluster
    whoosh.close()
    cluster.close()
    drop_cluster_index(url, name)


# ---------------------------------------------------------------------------- searching


@pytest.mark.parametrize("query", QUERIES)
def test_every_query_form_finds_what_the_whoosh_engine_finds(pair, query):
    whoosh, cluster = pair
    ours, theirs = whoosh.search(query, limit=20), cluster.search(query, limit=20)
    assert ids(theirs) == ids(ours), query
    assert theirs.total == ours.total and theirs.searched_as_words == ours.searched_as_words


def test_word_queries_rank_all_words_first_and_snippets_mark_the_matches(pair):
    _, cluster = pair
    results = cluster.search("taliban kabul", limit=10)
    first = [h.doc_id for h in results]
    assert set(first[:2]) == {"cbs", "iraq"} and "noise" in first[2:]  # both words before one word
    hit = results[0]
    assert hit.matches and all(hit.snippet_text[s:e].lower() in ("taliban", "kabul") for s, e in hit.matches)
    assert "**" in hit.snippet
    stemmed = cluster.search("negotiate", expand=False)
    assert {"iraq"} <= set(ids(stemmed))  # "negotiate" finds "negotiate" and, stemmed, its kin


def test_filters_facets_and_sort_by_date(pair):
    whoosh, cluster = pair
    for kwargs in ({"source": "cbs"}, {"since": "2019-11-19", "until": "2019-12"}, {"source": "appleinsider"}):
        assert ids(cluster.search("taliban OR reset OR talks", **kwargs)) == \
            ids(whoosh.search("taliban OR reset OR talks", **kwargs)), kwargs
    faceted = cluster.search("taliban OR talks", facets=True)
    assert faceted.facets == whoosh.search("taliban OR talks", facets=True).facets
    assert faceted.facets["source"]["CBS News"] == 1  # shown as the documents write it
    by_date = cluster.search("talks OR taliban", sort="date", limit=10)
    assert [h.doc_id for h in by_date] == [h.doc_id for h in whoosh.search("talks OR taliban", sort="date", limit=10)]
    assert by_date[-1].published is None and all(h.score == 0 for h in by_date)


def test_explanations_add_up_to_the_score(pair):
    _, cluster = pair
    for query, expand in (("taliban kabul", False), ("taliban kabul", True), ('"peace talks" OR title:taliban', None)):
        for hit in cluster.search(query, explain=True, expand=expand):
            assert hit.score_parts and hit.explanation
            assert sum(p.contribution for p in hit.score_parts) == pytest.approx(hit.score, rel=1e-3, abs=1e-4)
            assert all(p.kind in ("word", "feedback", "other") for p in hit.score_parts)


def test_did_you_mean_similar_show_and_stats(pair):
    whoosh, cluster = pair
    assert cluster.search("khalilzd").suggestion == "khalilzad"
    assert cluster.search("Talibam").suggestion == "Taliban"
    assert cluster.search("taliban").suggestion is None
    similar = cluster.similar("cbs")
    assert similar.hits and "cbs" not in ids(similar) and ids(similar) == ids(whoosh.similar("cbs"))
    assert cluster.get("mac").title == "MacBook Pro review" and cluster.resolve_id("ma") == "mac"
    stats = cluster.stats()
    assert stats.documents == len(DOCS) and stats.sources["AppleInsider"] == 2
    assert stats.oldest == datetime(2019, 11, 18, 9) and stats.newest == datetime(2020, 3, 1)
    assert stats.size_bytes > 0 and stats.schema_version >= 1


# ---------------------------------------------------------------------------- writing


def test_seeds_index_incrementally_and_rebuild_swaps_an_alias(location, tmp_path):
    seeds = tmp_path / "seeds"
    write_articles(seeds, 12)
    with SearchIndex(location) as ix:
        first = ix.update(seeds)
        assert len(first.added) == 12 and len(ix) == 12
        again = ix.update(seeds)
        assert (again.added, again.changed, again.removed, again.unchanged) == ([], [], [], 12)
        (seeds / "article-00003.txt").rename(seeds / "renamed.txt")
        (seeds / "article-00004.txt").unlink()
        (seeds / "article-00005.txt").write_text("Headline changed\n\nA new body about ferries and ports.\n")
        third = ix.update(seeds)
        assert third.renamed == [("article-00003.txt", "renamed.txt")] and third.removed == ["article-00004.txt"]
        assert third.changed == ["article-00005.txt"] and len(ix) == 11
        assert "renamed.txt" in ix and "article-00003.txt" not in ix
        assert ix.search("ferries")[0].doc_id == "article-00005.txt"
        ix.add(Document(doc_id="note", title="My note", body="Kabul ferries resume."))
        physical = ix.engine._physical()
        report = ix.rebuild(seeds)
        assert report.rebuilt and len(ix) == 12 and "note" in ix  # the imported note carried over
        assert ix.engine._physical() != physical
        from opensearchpy import OpenSearch

        client = OpenSearch(hosts=[location.rsplit("/", 1)[0]])
        assert not client.indices.exists(index=physical)  # the old physical index is gone
        client.close()
        assert ix.update(seeds).unchanged == 11


def test_import_delete_show_through_the_cli(location, tmp_path):
    records = tmp_path / "a.jsonl"
    records.write_text("\n".join(json.dumps({"id": f"r{n}", "title": f"Report {n}", "text": f"Wheat exports {n}.",
                                             "date": "2020-01-0%d" % (n + 1)}) for n in range(5)) + "\n{bad\n")
    runner = CliRunner()
    result = runner.invoke(main, ["--index", location, "import", "-q", str(records)])
    assert result.exit_code == 1 and "5 imported, 1 skipped" in result.stderr
    again = runner.invoke(main, ["--index", location, "import", "-q", str(records)])
    assert "5 imported" in again.stderr
    assert runner.invoke(main, ["--index", location, "stats", "--json"]).stdout.count('"documents": 5') == 1
    shown = runner.invoke(main, ["--index", location, "show", "r3", "--json"])
    assert shown.exit_code == 0 and json.loads(shown.stdout)["title"] == "Report 3"
    deleted = runner.invoke(main, ["--index", location, "delete", "r1", "nope"])
    assert deleted.exit_code == 1 and "nope" in deleted.stderr
    found = runner.invoke(main, ["--index", location, "search", "wheat", "--count"])
    assert found.stdout.strip() == "4"


def test_a_second_writer_waits_then_names_the_first(location):
    first, second = SearchIndex(location), SearchIndex(location, wait=0.5)
    with first.engine.writing():
        with pytest.raises(IndexLockedError, match="another writer"):
            second.add(Document(doc_id="x", body="y"))
    second.add(Document(doc_id="x", body="y"))  # the lock was released
    assert len(second) == 1


def test_a_stale_lock_is_taken_over(location):
    import time

    from opensearchpy import OpenSearch

    url, name = location.rsplit("/", 1)
    client = OpenSearch(hosts=[url])
    client.index(index=f"{name}--lock", id="write", body={"host": "elsewhere", "pid": 1, "since": 0,
                                                        "expires": time.time() - 1}, refresh=True)
    client.close()
    with SearchIndex(location, wait=0.5) as ix:
        ix.add(Document(doc_id="x", body="y"))
        assert len(ix) == 1


def test_a_partial_bulk_failure_names_the_documents_and_writes_the_rest(location):
    from searcher.engines.opensearch.client import Action, bulk_write
    from searcher.engines.opensearch.mapping import to_source

    with SearchIndex(location) as ix:
        ix.add(Document(doc_id="seed", body="first"))
        engine = ix.engine
        good = [Action(f"d{n}", f"d{n}", to_source(Document(doc_id=f"d{n}", body="ok"))) for n in range(3)]
        bad = Action("bad", "bad", {**to_source(Document(doc_id="bad", body="x")), "unknown": 1})
        with pytest.raises(ClusterError, match=r"1 document\(s\) were not written .*'bad'"):
            bulk_write(engine.client, engine.url, engine._live(), [good[0], bad, *good[1:]], pauses=())
        engine.client.indices.refresh(index=engine._live())
        assert len(ix) == 4 and "bad" not in ix


def test_a_cluster_that_is_down_is_one_line_and_exit_2(tmp_path):
    for args in (["search", "taliban"], ["stats"], ["index", str(tmp_path)]):
        run = subprocess.run([sys.executable, "-m", "searcher", "--index", "http://127.0.0.1:9/news", *args],
                             capture_output=True, text=True, timeout=120)
        assert run.returncode == 2, args
        assert run.stderr.strip().count("\n") == 0 and "cannot reach the OpenSearch cluster at http://127.0.0.1:9" \
            in run.stderr and "Traceback" not in run.stderr


def test_the_shipped_seed_searches_the_same_on_both_engines(location, tmp_path):
    seeds = tmp_path / "seeds"
    shutil.copytree(REPO / "seeds", seeds)
    runner = CliRunner()
    built = runner.invoke(main, ["--index", location, "--seeds-dir", str(seeds), "search", "Khalilzad re-set",
                                 "--ids"])
    assert built.exit_code == 0 and built.stdout.split() == [GOLD_DOC]


def test_a_missing_index_is_not_found_and_a_foreign_one_is_never_touched(location):
    from opensearchpy import OpenSearch

    from searcher import IndexNotFoundError, NotAnIndexError

    with pytest.raises(IndexNotFoundError, match="run `searcher index` first"):
        SearchIndex(location).search("taliban")
    url, name = location.rsplit("/", 1)
    client = OpenSearch(hosts=[url])
    client.indices.create(index=f"{name}--foreign")
    client.indices.put_alias(index=f"{name}--foreign", name=f"{name}-x")
    client.indices.create(index=f"{name}-plain")
    try:
        for foreign in (f"{name}-x", f"{name}-plain"):  # an alias of another index; an index of its own
            with pytest.raises(NotAnIndexError, match="never touched"):
                SearchIndex(f"{url}/{foreign}").add(Document(doc_id="a", body="b"))
        assert client.count(index=f"{name}-plain")["count"] == 0
    finally:
        client.indices.delete(index=f"{name}--foreign,{name}-plain")
        client.close()


def test_a_structured_querys_parts_carry_the_querys_boosts(pair):
    _, cluster = pair
    hit = cluster.search("title:taliban^3 OR body:kabul", explain=True)[0]
    boosts = {(p.term, next(iter(p.fields))): p.boost for p in hit.score_parts}
    assert boosts[("taliban", "title")] == pytest.approx(3.0)
    assert boosts.get(("kabul", "body"), 1.0) == pytest.approx(1.0)


def test_the_web_api_serves_a_cluster_index(pair):
    """`searcher serve --index URL`: the web face takes a cluster location as it takes a folder."""
    from fastapi.testclient import TestClient

    from searcher.web.app import create_app

    whoosh, cluster = pair
    with TestClient(create_app(cluster.location), raise_server_exceptions=False) as client:
        found = client.get("/api/search", params={"q": "taliban kabul"}).json()
        stats = client.get("/api/stats").json()
    assert found["total"] == whoosh.search("taliban kabul").total > 0
    assert stats["documents"] == whoosh.stats().documents


# ---------------------------------------------------------------------------- near-duplicates, ranking knobs


@pytest.fixture(scope="module")
def copies_pair(tmp_path_factory):
    """test_duplicates' articles, each saved twice (.txt and .html with chrome), and short
    notices, in a Whoosh folder and on the cluster."""
    from conftest import CHROME, article

    docs = []
    for n in range(10):
        body = f"Harbour story {n}. " + article(100 + n)
        docs.append(Document(f"story{n}.txt", title=f"Story {n}", body=body))
        docs.append(Document(f"story{n}.html", title=f"Story {n} | Site", body=f"Menu Home\n\n{body}\n\n{CHROME}"))
    docs.append(Document("short-a", title="Notice A", body="Harbour closed Tuesday."))
    docs.append(Document("short-b", title="Notice B", body="Harbour closed Tuesday."))  # the same template
    docs.append(Document("short-c.txt", title="Notice C", body="Harbour open Wednesday."))
    docs.append(Document("short-c.html", title="Notice C", body="Harbour open Wednesday."))  # the same item
    url = opensearch_url()
    name = f"t13b-{uuid.uuid4().hex[:10]}"
    whoosh = SearchIndex(tmp_path_factory.mktemp("w") / "ix")
    whoosh.add(docs)
    cluster = SearchIndex(f"{url}/{name}")
    cluster.add(docs)
    yield whoosh, cluster
    whoosh.close()
    cluster.close()
    drop_cluster_index(url, name)


def groups(results) -> list[frozenset[str]]:
    """Each hit with the copies folded into it, as one set of doc ids."""
    return [frozenset([h.doc_id, *h.duplicates]) for h in results]


@pytest.mark.parametrize("query", ["harbour", "harbour grain tariff", "harbour OR tariff", "title:story harbour"])
def test_both_engines_fold_the_same_documents_page_by_page(copies_pair, query):
    whoosh, cluster = copies_pair
    seen: list[frozenset[str]] = []
    for page in (1, 2, 3):
        ours, theirs = whoosh.search(query, limit=5, page=page), cluster.search(query, limit=5, page=page)
        assert sorted(map(sorted, groups(theirs))) == sorted(map(sorted, groups(ours))), (query, page)
        assert (theirs.total, theirs.copies, theirs.pages) == (ours.total, ours.copies, ours.pages), (query, page)
        seen += groups(theirs)
    stories = [d.split(".")[0] for group in seen for d in group]
    assert len(stories) == len(set(stories)) + sum(len(g) - 1 for g in seen)  # a group is one story, shown once
    assert any(len(g) == 2 for g in seen)
    every = cluster.search(query, limit=30, collapse=False)
    assert ids(every) == ids(whoosh.search(query, limit=30, collapse=False))
    assert every.copies == 0 and all(not h.duplicates for h in every) and len(every) == every.total


def test_similar_folds_and_leaves_out_the_articles_own_copies_on_both_engines(copies_pair):
    whoosh, cluster = copies_pair
    ours, theirs = whoosh.similar("story3.txt", limit=20), cluster.similar("story3.txt", limit=20)
    assert all(not d.startswith("story3") for g in groups(theirs) for d in g) and theirs.copies >= 1
    # The engines pick the article's key words a little differently (the cluster's term
    # statistics), so they may match other short notices: the stories fold the same.
    stories = [sorted(g) for g in groups(theirs) if min(g).startswith("story")]
    assert sorted(stories) == sorted(sorted(g) for g in groups(ours) if min(g).startswith("story"))
    assert all(len(g) == 2 for g in stories) and len(stories) == 9
    assert theirs.copies == 1 + sum(len(g) - 1 for g in groups(theirs))  # story3.html, and the folded
    every = cluster.similar("story3.txt", limit=20, collapse=False)
    assert every[0].doc_id == "story3.html" and every.copies == 0


def test_an_index_made_before_signatures_gets_the_field_and_still_folds(location):
    """A cluster index written before signatures (no field in its strict mapping): new
    documents can still be written, and old ones fold by signatures made from their body."""
    from opensearchpy import OpenSearch

    from searcher.engines.opensearch.mapping import index_body, to_source
    from searcher.search.settings import DEFAULT_SETTINGS
    from conftest import CHROME, article

    url, name = location.rsplit("/", 1)
    body = index_body(DEFAULT_SETTINGS, shards=1, replicas=0)
    del body["mappings"]["properties"]["signature"]
    client = OpenSearch(hosts=[url])
    try:
        client.indices.create(index=f"{name}--old", body=body)
        client.indices.put_alias(index=f"{name}--old", name=name)
        text = "Harbour story. " + article(7)
        old = to_source(Document("old.txt", title="Story", body=text))
        del old["signature"]
        client.index(index=f"{name}--old", id="old.txt", body=old, refresh=True)
        with SearchIndex(location) as ix:
            ix.add([Document("new.html", title="Story | Site", body=f"{text}\n\n{CHROME}"),
                    Document("other", title="Other", body="Harbour " + article(8))])
            results = ix.search("harbour", limit=10)
            assert groups(results)[:1] in ([frozenset({"old.txt", "new.html"})], [frozenset({"other"})])
            assert frozenset({"old.txt", "new.html"}) in groups(results) and results.copies == 1
        assert "signature" in client.indices.get_mapping(index=f"{name}--old")[f"{name}--old"]["mappings"]["properties"]
    finally:
        client.close()


def test_long_word_queries_are_not_tiered_and_rank_as_on_whoosh(pair):
    """RankingSettings.tiers: all-words-first only up to all_words_max distinct words."""
    whoosh, cluster = pair
    query = "taliban kabul peace talks militants macbook"
    for expand in (False, True):
        ours, theirs = whoosh.search(query, limit=10, expand=expand), cluster.search(query, limit=10, expand=expand)
        assert [h.doc_id for h in theirs] == [h.doc_id for h in ours], expand
    explained = cluster.search(query, explain=True, expand=False)
    assert not any("rank first" in line for line in explained[0].explanation)
    assert any("rank first" in line for line in cluster.search("taliban kabul", explain=True)[0].explanation)
