"""The OpenSearch engine against a real cluster (SEARCHER_TEST_OPENSEARCH; skipped without one):
the same CLI on an index given as a URL, the same answers as the Whoosh engine, and what
only a cluster has (aliases, its lock, bulk writes). The library's contract runs on both
engines in tests/library/test_contract.py."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import uuid

import pytest
from click.testing import CliRunner

from searcher import ClusterError, Document, IndexLockedError, SearchIndex
from searcher.cli.app import cli as main

from conftest import GOLD_DOC, NEWS, OPENSEARCH_VERSIONS, REPO, drop_cluster_index, opensearch_url, write_articles

pytestmark = pytest.mark.cluster

#: Every form of docs/queries.md's table (and the rest of its examples).
QUERIES = [
    "peace talks", '"peace talks"', '"peace talks"~3', "taliban -iraq", "taliban NOT iraq",
    "kabul AND (taliban OR militants)", "re-set", "al-Qaeda", "COVID-19", "negotiat*", "khalilzd~", "title:taliban",
    'title:"macbook pro"', "source:cbs", 'source:"cbs news"', "author:martin", 'section:"mixed messages"',
    "title:negotiat*", "-title:iraq taliban", "+title:taliban kabul", "title:(taliban OR kabul)", "title:taliban^2",
    "published:[2019-01-01 TO 2019-12-31]", "published:[2019-11-18 TO 2019-11-19T23:59]", "published:2019",
    "date:2019-11", "published:>2019", "published:<=2019-11-18T12", "taliban^2 kabul", "+taliban kabul",
    "url:https://cbsnews.com/a", "lang:en", "id:cbs", "id:ma*", "NOT iraq", "published:yesterday", '"peace talks',
    # issue 25: a field name in any case, url: a host or domain, * an open end of a range
    "Title:taliban", "SOURCE:cbs", "url:cbsnews.com", "url:www.cbsnews.com", "url:cbsnews.co",
    "published:{2019-11-19 TO *}", "published:[* TO 2019-11-18T12]",
]


def ids(results) -> list[str]:
    return sorted(h.doc_id for h in results)


@pytest.fixture(params=OPENSEARCH_VERSIONS, ids=lambda v: f"opensearch{v}")
def location(request):
    """A fresh index name on the test cluster of each OpenSearch major version."""
    url = opensearch_url(request.param)
    name = f"t13b-{uuid.uuid4().hex[:10]}"
    yield f"{url}/{name}"
    drop_cluster_index(url, name)


@pytest.fixture(scope="module", params=OPENSEARCH_VERSIONS, ids=lambda v: f"opensearch{v}")
def pair(request, tmp_path_factory):
    """The same documents in a Whoosh folder and on the cluster (of each major version)."""
    url = opensearch_url(request.param)
    name = f"t13b-{uuid.uuid4().hex[:10]}"
    whoosh = SearchIndex(tmp_path_factory.mktemp("w") / "ix")
    whoosh.add(NEWS)
    cluster = SearchIndex(f"{url}/{name}")
    cluster.add(NEWS)
    yield whoosh, cluster
    whoosh.close()
    cluster.close()
    drop_cluster_index(url, name)


# ---------------------------------------------------------------------------- searching


def test_semantic_search_on_a_cluster_says_it_is_an_embedded_index_feature(pair):
    from searcher import QueryError

    _whoosh, cluster = pair
    with pytest.raises(QueryError, match="semantic search is an embedded-index feature for now"):
        cluster.search("peace", mode="semantic")
    assert cluster.search("peace", mode="keyword").total == cluster.search("peace").total


@pytest.mark.parametrize("query", QUERIES)
def test_every_query_form_finds_what_the_whoosh_engine_finds(pair, query):
    whoosh, cluster = pair
    ours, theirs = whoosh.search(query, limit=20), cluster.search(query, limit=20)
    assert ids(theirs) == ids(ours), query
    assert theirs.total == ours.total and theirs.searched_as_words == ours.searched_as_words


def test_oldest_first_sources_at_once_tiers_and_empty_reasons_as_on_whoosh(pair):
    """Issue 25 on the cluster: what the search page asks of either engine."""
    whoosh, cluster = pair
    for sort in ("date", "oldest"):
        ours, theirs = whoosh.search("talks OR taliban", sort=sort), cluster.search("talks OR taliban", sort=sort)
        assert [h.doc_id for h in theirs] == [h.doc_id for h in ours] and theirs.undated == ours.undated == 1
    assert [h.doc_id for h in cluster.search("talks OR taliban", sort="oldest")][:2] == ["noise", "cbs"]
    sources = ["CBS News", "Wired"]
    assert ids(cluster.search("kabul", source=sources)) == ids(whoosh.search("kabul", source=sources)) == ["cbs", "old"]
    tiered = cluster.search("taliban kabul", expand=False, explain=True)
    scores = [h.score for h in tiered]
    assert scores == sorted(scores, reverse=True) and scores[0] >= 100
    assert [p for p in tiered[0].score_parts if p.kind == "coordination"][0].term == "all words"
    for query in ("-kabul", "the"):
        assert cluster.search(query).empty_reason == whoosh.search(query).empty_reason is not None
    assert cluster.search("khalilzd~").suggestion is None
    assert list(cluster) == sorted(d.doc_id for d in NEWS)
    assert [d.title for d in cluster.documents()] == [d.title for d in sorted(NEWS, key=lambda d: d.doc_id)]


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
    from searcher.engines.opensearch.client import Action, BulkOptions, bulk_write
    from searcher.engines.opensearch.mapping import to_source

    with SearchIndex(location) as ix:
        ix.add(Document(doc_id="seed", body="first"))
        engine = ix.engine
        good = [Action(f"d{n}", f"d{n}", to_source(Document(doc_id=f"d{n}", body="ok"))) for n in range(3)]
        bad = Action("bad", "bad", {**to_source(Document(doc_id="bad", body="x")), "unknown": 1})
        with pytest.raises(ClusterError, match=r"1 document\(s\) were not written .*'bad'"):
            bulk_write(engine.client, engine.url, engine._live(), [good[0], bad, *good[1:]],
                       options=BulkOptions(streams=2, retry_for=5))
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
    # A search never makes an index on a cluster (and leaves nothing behind): `index` does.
    missing = runner.invoke(main, ["--index", location, "--seeds-dir", str(seeds), "search", "Khalilzad re-set"])
    assert missing.exit_code == 2 and "run `searcher index`" in missing.stderr
    url, name = location.rsplit("/", 1)
    from opensearchpy import OpenSearch

    client = OpenSearch(hosts=[url])
    assert not client.indices.get(index=f"{name}*", allow_no_indices=True, ignore_unavailable=True)
    client.close()
    assert runner.invoke(main, ["--index", location, "--seeds-dir", str(seeds), "index", "-q"]).exit_code == 0
    built = runner.invoke(main, ["--index", location, "--seeds-dir", str(seeds), "search", "Khalilzad re-set",
                                 "--ids"])
    assert built.exit_code == 0 and built.stdout.split() == [GOLD_DOC]


def test_a_missing_index_is_not_found_and_a_foreign_one_is_never_touched(location):
    from opensearchpy import OpenSearch

    from searcher import IndexNotFoundError, NotAnIndexError

    with pytest.raises(IndexNotFoundError, match=r"^no index at http://\S+$"):  # the CLI adds what to type
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
    with TestClient(create_app(cluster.location), raise_server_exceptions=False, base_url="http://localhost") as client:
        found = client.get("/api/search", params={"q": "taliban kabul"}).json()
        stats = client.get("/api/stats").json()
    assert found["total"] == whoosh.search("taliban kabul").total > 0
    assert stats["documents"] == whoosh.stats().documents


# ---------------------------------------------------------------------------- near-duplicates, ranking knobs


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
            groups = [frozenset([h.doc_id, *h.duplicates]) for h in results]
            assert groups[:1] in ([frozenset({"old.txt", "new.html"})], [frozenset({"other"})])
            assert frozenset({"old.txt", "new.html"}) in groups and results.copies == 1
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


# ---------------------------------------------------------------------------- round trips


@pytest.fixture
def requests_sent(monkeypatch):
    """The paths of the requests every cluster client sends while the test runs (each call
    through opensearch-py's transport; its retries are not counted again)."""
    from opensearchpy.transport import Transport

    sent: list[str] = []
    send = Transport.perform_request

    def counted(transport, method, url, *args, **kwargs):
        sent.append(url.rsplit("/", 1)[-1])
        return send(transport, method, url, *args, **kwargs)

    monkeypatch.setattr(Transport, "perform_request", counted)
    return sent


def test_a_search_with_its_page_snippets_and_facets_takes_few_round_trips(pair, requests_sent):
    """One msearch ranks, reads the page, the copies and the candidates' texts (analysed
    here), counts facets and the query's words; one mtermvectors reads the shards' field
    statistics and the words feedback will look up (and a query of fewer than
    SUGGEST_BELOW hits one more for the did-you-mean). The same hits and facets as the
    Whoosh engine, and for words the same snippets."""
    from searcher.search.suggestions import SUGGEST_BELOW

    whoosh, cluster = pair
    cluster.search("kabul")  # opening the index (version, nodes, alias) is not the search's
    for query, options, most in [("taliban kabul", {}, 2), ("taliban kabul", {"expand": False}, 2),
                                 ("re-set", {}, 2), ('"peace talks"', {}, 1), ("kabul", {"sort": "date"}, 1),
                                 ("zebra quokka", {}, 1)]:
        requests_sent.clear()
        theirs = cluster.search(query, facets=True, **options)
        most += theirs.total < SUGGEST_BELOW
        assert len(requests_sent) <= most and requests_sent[0] == "_msearch", (query, options, requests_sent)
        assert not {"_analyze", "_count"} & set(requests_sent), requests_sent
        ours = whoosh.search(query, facets=True, **options)
        assert [h.doc_id for h in theirs] == [h.doc_id for h in ours], query
        if not query.startswith('"'):  # (a phrase's snippets: each engine's highlighter)
            assert [h.snippet for h in theirs] == [h.snippet for h in ours], query
        assert theirs.facets == ours.facets and theirs.total == ours.total


def test_documents_the_cluster_must_analyse_rank_as_those_analysed_here(pair, requests_sent, monkeypatch):
    """A candidate whose text Python may tokenise otherwise than the index (analysis.py's
    field_terms says None) has its term vectors read with the field statistics: every
    candidate so here, the same hits and scores; feedback's words, which the first request
    could not guess then, cost at most a third (the did-you-mean of few hits one more)."""
    from searcher.engines.opensearch import word_ranking
    from searcher.search.suggestions import SUGGEST_BELOW

    _, cluster = pair
    queries = ("taliban kabul", "peace talks militants", "re-set")
    analysed_here = [cluster.search(query, explain=True) for query in queries]
    monkeypatch.setattr(word_ranking, "field_terms", lambda texts: None)
    for query, ours in zip(queries, analysed_here):
        requests_sent.clear()
        theirs = cluster.search(query, explain=True)
        most = 3 + (theirs.total < SUGGEST_BELOW)
        assert requests_sent[:2] == ["_msearch", "_mtermvectors"] and len(requests_sent) <= most, (query, requests_sent)
        assert [(h.doc_id, h.score) for h in theirs] == [(h.doc_id, h.score) for h in ours], query
        assert ours.total > 1


def test_each_shard_is_reached_by_the_routing_value_worked_out_for_it(pair):
    """routing.py's shard_routings: the cluster itself says each value leads to its shard."""
    from opensearchpy import OpenSearch

    from searcher.engines.opensearch.routing import shard_routings

    _, cluster = pair
    url, name = cluster.location.rsplit("/", 1)
    client = OpenSearch(hosts=[url])
    try:
        shards = int(client.search(index=name, body={"size": 0})["_shards"]["total"])
        reached = [client.search_shards(index=name, routing=r)["shards"][0][0]["shard"] for r in shard_routings(shards)]
    finally:
        client.close()
    assert reached == list(range(shards))


def test_stored_texts_are_analysed_here_as_the_cluster_makes_their_term_vectors(pair):
    """analysis.py's field_terms: each word field's term counts equal the term vectors the
    cluster keeps of the same document."""
    from opensearchpy import OpenSearch

    from collections import Counter

    from searcher.engines.opensearch.analysis import field_terms
    from searcher.search.fields import WORD_FIELDS

    _, cluster = pair
    url, name = cluster.location.rsplit("/", 1)
    client = OpenSearch(hosts=[url])
    try:
        found = client.mtermvectors(index=name, body={"ids": [d.doc_id for d in NEWS], "parameters": {
            "fields": list(WORD_FIELDS), "positions": False, "offsets": False}})["docs"]
        odd = "Add 3½ cups, x² and ¼ of the U.S. talks.Next"
        tokens = client.indices.analyze(index=name, body={"analyzer": "searcher_text", "text": odd})["tokens"]
    finally:
        client.close()
    assert field_terms([odd]) == Counter(t["token"] for t in tokens)
    by_id = {d.doc_id: d for d in NEWS}
    for doc in found:
        article = by_id[doc["_id"]]
        texts = {"title": [article.title], "sections": list(article.sections), "body": [article.body]}
        for field in WORD_FIELDS:
            vector = (doc.get("term_vectors") or {}).get(field, {}).get("terms", {})
            assert field_terms(texts[field]) == {t: v["term_freq"] for t, v in vector.items()}, (doc["_id"], field)


def test_words_are_analysed_here_as_the_cluster_analyses_them(pair):
    """analysis.py's terms (Porter stems as Lucene makes them) equal the index analyzer's."""
    from opensearchpy import OpenSearch

    from searcher.engines.opensearch.analysis import local_terms

    _, cluster = pair
    words = ("generalizations conditional hopping hoped filing relational sensibility agreed feed "
             "happy skies dying lying ties possibly oscillators electrical hopefulness triplicate "
             "formalize analogy archaeology U.S. 1.5 don't re-set COVID-19 Café naïve the of")
    words += " " + " ".join(d.title + " " + d.body for d in NEWS)
    url, name = cluster.location.rsplit("/", 1)
    client = OpenSearch(hosts=[url])
    try:
        found = client.indices.analyze(index=name, body={"analyzer": "searcher_text", "text": words})
    finally:
        client.close()
    assert local_terms(words) == [t["token"] for t in found["tokens"]]


def test_the_clusters_tokenizer_splits_words_as_python_does(pair):
    """core/words.py's rule in its Java form (the index's tokenizer) gives the words its Python
    form gives: on the table of cases and on random text heavy in periods and both cases."""
    from opensearchpy import OpenSearch

    from searcher.core.words import WORD_RE
    from test_words import CASES, random_texts

    _, cluster = pair
    texts = [text for text, _ in CASES] + random_texts(400)
    url, name = cluster.location.rsplit("/", 1)
    client = OpenSearch(hosts=[url])
    try:
        for text in texts[:len(CASES)]:  # one by one: a failure names its case
            found = client.indices.analyze(index=name, body={"tokenizer": "searcher_words", "text": text})
            assert [t["token"] for t in found["tokens"]] == WORD_RE.findall(text), text
        joined = "\n".join(texts)  # the rest in one request (a line break ends every word)
        found = client.indices.analyze(index=name, body={"tokenizer": "searcher_words", "text": joined})
    finally:
        client.close()
    assert [t["token"] for t in found["tokens"]] == WORD_RE.findall(joined)


def test_an_index_of_an_older_schema_says_rebuild_and_update_rebuilds_it(location, tmp_path):
    """Its words were analysed otherwise (schema 1: "disabilities.A" one word): searching or
    adding to it says to rebuild, as for a Whoosh folder; ``update`` rebuilds it."""
    from opensearchpy import OpenSearch

    from searcher import IndexVersionError
    from searcher.engines.opensearch.mapping import SCHEMA_VERSION, index_body, to_source
    from searcher.search.settings import DEFAULT_SETTINGS

    url, name = location.rsplit("/", 1)
    body = index_body(DEFAULT_SETTINGS, shards=1, replicas=0)
    body["mappings"]["_meta"]["searcher"]["schema_version"] = SCHEMA_VERSION - 1
    client = OpenSearch(hosts=[url])
    try:
        client.indices.create(index=f"{name}--old", body=body)
        client.indices.put_alias(index=f"{name}--old", name=name)
        client.index(index=f"{name}--old", id="note", body=to_source(Document("note", title="Note", body="Ferries.")),
                     refresh=True)
    finally:
        client.close()
    seeds = tmp_path / "seeds"
    write_articles(seeds, 3)
    with SearchIndex(location) as ix:
        assert ix.engine.outdated()
        with pytest.raises(IndexVersionError, match=f"schema version {SCHEMA_VERSION - 1} .*: rebuild it$"):
            ix.search("ferries")
    said = CliRunner().invoke(main, ["--index", location, "--seeds-dir", str(tmp_path / "none"), "search", "ferries"])
    assert said.exit_code == 2 and "searcher index --rebuild" in said.output
    with SearchIndex(location) as ix:
        with pytest.raises(IndexVersionError, match="rebuild it$"):
            ix.add(Document("other", title="Other", body="Harbour."))
    # With the seeds at hand, a search rebuilds it first (as a Whoosh folder's).
    said = CliRunner().invoke(main, ["--index", location, "--seeds-dir", str(seeds), "search", "ferries"])
    assert said.exit_code == 0 and "older schema; building it" in said.output and "Note" in said.output
    with SearchIndex(location) as ix:
        assert not ix.engine.outdated() and len(ix) == 4  # the imported note carried over
