"""The OpenSearch engine's parts that need no cluster: locations, the mapping's analysis
settings, and the query DSL our query tree compiles to (checked as JSON)."""

from __future__ import annotations

import pytest

from searcher import SearcherError
from searcher.engines.opensearch.compile import INDEX_FIELDS, compile_reading
from searcher.engines.opensearch.location import is_cluster_url, parse_location
from searcher.engines.opensearch.mapping import STOP_WORDS, doc_key, index_body, to_document, to_source
from searcher.search.query_parser import parse_query
from searcher.search.settings import DEFAULT_SETTINGS

BOOSTS = {"title": 2.0, "body": 1.0, "sections": 1.5}


def dsl(text: str, syntax: bool = True):
    return compile_reading(parse_query(text, syntax=syntax, index_fields=INDEX_FIELDS), BOOSTS)


def any_field(kind: str, text: str, **extra) -> dict:
    return {"bool": {"should": [{kind: {f: {"query": text, **extra, "boost": b}}} for f, b in
                                (("title", 2.0), ("body", 1.0), ("sections", 1.5))], "minimum_should_match": 1}}


def test_locations():
    assert is_cluster_url("http://127.0.0.1:9200/news") and is_cluster_url("HTTPS://h/x")
    assert not is_cluster_url("index") and not is_cluster_url("./http/x")
    where = parse_location("http://127.0.0.1:9200/news")
    assert (where.url, where.name, str(where)) == ("http://127.0.0.1:9200", "news", "http://127.0.0.1:9200/news")
    # The credentials are taken out: the URL messages show never holds them.
    where = parse_location("https://user:p%40ss@h:9200/prefix/news/")
    assert (where.url, where.user, where.password) == ("https://h:9200/prefix", "user", "p@ss")
    assert "p@ss" not in repr(where) and "p%40ss" not in str(where)
    # Several hosts, each tried in turn; a host without a port gets the scheme's.
    where = parse_location("https://h1:9200,H2:9201,[::1]:9202,h4/news")
    assert [str(h) for h in where.hosts] == ["h1:9200", "h2:9201", "[::1]:9202", "h4:443"]
    assert (where.url, where.name) == ("https://h1:9200,h2:9201,[::1]:9202,h4:443", "news")
    for bad in ("http://127.0.0.1:9200", "http://127.0.0.1:9200/", "http://h/News", "http://h/_x", "http://h/a--b",
                "http://h1:9200,/news", "http://h1:99999/news", "http://h 1/news"):
        with pytest.raises(SearcherError):
            parse_location(bad)
    with pytest.raises(SearcherError) as caught:
        parse_location("http://user:secret@h1:x/news")
    assert "secret" not in str(caught.value)


def test_stop_words_are_the_whoosh_engines():
    from searcher.engines.whoosh.schema import STOP_WORDS_EN

    assert set(STOP_WORDS) == set(STOP_WORDS_EN)


def test_mapping_analysis_and_similarity_follow_the_settings():
    body = index_body(DEFAULT_SETTINGS, shards=2, replicas=1)
    analysis = body["settings"]["analysis"]
    assert analysis["analyzer"]["searcher_text"]["filter"] == ["lowercase", "asciifolding", "searcher_stop",
                                                                 "porter_stem"]
    assert analysis["tokenizer"]["searcher_words"]["flags"] == "UNICODE_CHARACTER_CLASS"
    sim = body["settings"]["similarity"]
    assert sim["searcher_body"] == {"type": "BM25", "k1": 1.4, "b": 0.75}
    assert sim["searcher_short"]["b"] == DEFAULT_SETTINGS.title_b
    props = body["mappings"]["properties"]
    assert props["title"]["similarity"] == "searcher_short" and props["body"]["similarity"] == "searcher_body"
    assert body["settings"]["index"] == {"number_of_shards": 2, "number_of_replicas": 1}


def test_documents_round_trip_through_the_source():
    from datetime import datetime, timedelta, timezone

    from searcher import Document, RemovedLine
    from searcher.core.records import SeedState

    doc = Document(doc_id="a/b.txt", title="T", body="B", source="CBS News", sections=["S"],
                   published=datetime(2020, 1, 2, 3, 4, 5, 6000, tzinfo=timezone(timedelta(hours=1))),
                   authors=["X"], url="http://u", path="a/b.txt", language="en",
                   removed=[RemovedLine("menu", "nav", "why")], content_hash="h")
    source = to_source(doc, SeedState("h", "a/b.txt", 1, 2, 3, 4))
    assert source["source_key"] == "cbs news" and source["month"] == "2020-01"
    back = to_document(source)
    assert back.published == datetime(2020, 1, 2, 2, 4, 5, 6000)  # naive UTC
    assert (back.title, back.sections, back.removed, back.content_hash) == ("T", ["S"], doc.removed, "h")
    long_id = "x" * 600
    assert doc_key("short") == "short" and doc_key(long_id).startswith("sha256:") and len(doc_key(long_id)) < 100


def test_words_and_phrases():
    q, why = dsl("peace talks")
    assert why is None
    assert q == {"bool": {"should": [any_field("match", "peace"), any_field("match", "talks")],
                          "minimum_should_match": 1}}
    q, _ = dsl('"peace talks"~3')
    assert q == any_field("match_phrase", "peace talks", slop=2)  # ours: within 3 positions; Lucene's: 2 moves
    q, _ = dsl('title:"macbook pro"')
    assert q == {"match_phrase": {"title": {"query": "macbook pro", "slop": 0, "boost": 1.0}}}


def test_exclusions_and_boolean_logic():
    q, _ = dsl("taliban -iraq")
    assert q == {"bool": {"must": [any_field("match", "taliban")], "must_not": [any_field("match", "iraq")]}}
    q, _ = dsl("taliban NOT iraq")
    assert q == {"bool": {"should": [any_field("match", "taliban")], "minimum_should_match": 1,
                          "must_not": [any_field("match", "iraq")]}}
    q, _ = dsl("kabul AND (taliban OR militants)")
    assert q == {"bool": {"must": [any_field("match", "kabul"), {"bool": {"should": [
        any_field("match", "taliban"), any_field("match", "militants")], "minimum_should_match": 1}}]}}
    q, _ = dsl("+taliban kabul")
    assert q == {"bool": {"must": [any_field("match", "taliban")], "should": [any_field("match", "kabul")]}}
    assert dsl("-iraq") == (None, None)  # only exclusions: nothing to look for, no fallback


def test_hyphenated_words_are_one_thing():
    q, _ = dsl("title:re-set")
    assert q == {"bool": {"should": [{"match_phrase": {"title": {"query": "re-set", "boost": 1.0}}},
                                     {"match": {"title": {"query": "reset", "boost": 1.0}}}],
                          "minimum_should_match": 1}}


def test_prefix_wildcard_fuzzy():
    assert dsl("title:negotiat*")[0] == {"bool": {"should": [
        {"match_bool_prefix": {"title": {"query": "negotiat", "boost": 1.0}}},
        *({"term": {"title": {"value": stem, "boost": 1.0}}} for stem in ("negotia", "negoti", "negot"))],
        "minimum_should_match": 1}}
    assert dsl("source:cb*")[0] == {"match_bool_prefix": {"source": {"query": "cb", "boost": 1.0}}}
    assert dsl("title:neg?tiat*")[0] == {"wildcard": {"title": {"value": "neg?tiat*", "boost": 1.0}}}
    assert dsl("title:khalilzd~")[0] == {"match": {"title": {"query": "khalilzd", "fuzziness": 1, "prefix_length": 0,
                                                             "fuzzy_transpositions": False, "boost": 1.0}}}
    assert dsl("title:khalilzd~2")[0]["match"]["title"]["fuzziness"] == 2
    assert dsl("id:000_d8f*")[0] == {"prefix": {"doc_id": {"value": "000_d8f", "boost": 1.0}}}


def test_fields_and_boosts():
    assert dsl("title:taliban^2")[0] == {"match": {"title": {"query": "taliban", "boost": 2.0}}}
    assert dsl('source:"cbs news"')[0] == {"match_phrase": {"source": {"query": "cbs news", "slop": 0, "boost": 1.0}}}
    assert dsl("author:martin")[0] == {"match": {"authors": {"query": "martin", "boost": 1.0}}}
    assert dsl("lang:en")[0] == {"term": {"language": {"value": "en", "boost": 1.0}}}
    q, _ = dsl("title:(taliban OR kabul)")
    assert q == {"bool": {"should": [{"match": {"title": {"query": "taliban", "boost": 1.0}}},
                                     {"match": {"title": {"query": "kabul", "boost": 1.0}}}], "minimum_should_match": 1}}


def test_dates_name_their_whole_span():
    q, _ = dsl("published:[2020-01-01 TO 2020-12-31]")
    assert q == {"range": {"published": {"format": "epoch_millis", "boost": 1.0, "gte": 1577836800000,
                                         "lte": 1609459199999}}}
    assert dsl("date:2019-11")[0]["range"]["published"] == {"gte": 1572566400000, "lte": 1575158399999,
                                                           "format": "epoch_millis", "boost": 1.0}
    assert dsl("published:>2019")[0]["range"]["published"]["gt"] == 1577836799999  # from 2020 on
    assert dsl("published:<=2019-11-18T12")[0]["range"]["published"]["lte"] == 1574081999999


def test_fallback_to_plain_words_is_the_whoosh_engines():
    q, why = dsl("published:yesterday")
    assert why.startswith("bad date 'yesterday'")
    assert q == {"bool": {"should": [any_field("match", "published"), any_field("match", "yesterday")],
                          "minimum_should_match": 1}}
    q, why = dsl('"peace talks')
    assert why == "a quote is not closed" and q["bool"]["should"][0] == any_field("match", "peace")
    q, why = dsl("the AND of")  # stop words only: nothing to search for, then nothing as words either
    assert q is None
    assert dsl("the AND taliban")[0] == any_field("match", "taliban")  # a stop word drops out of its group


def test_a_lone_negation_is_every_document_but():
    q, why = dsl("NOT iraq")  # as the Whoosh engine runs it: Not(...) over the default fields
    assert why is None
    assert q == {"bool": {"must": [{"match_all": {}}], "must_not": [any_field("match", "iraq")]}}


def test_the_index_option_and_its_environment_variable(tmp_path, monkeypatch):
    from click.testing import CliRunner

    from searcher.cli.app import cli

    runner = CliRunner()
    folder = tmp_path / "ix"
    made = runner.invoke(cli, ["--index", str(folder), "--index-dir", str(tmp_path / "other"), "import", "-q",
                               str(_records(tmp_path))])
    assert made.exit_code == 0 and folder.is_dir() and not (tmp_path / "other").exists()  # --index wins
    monkeypatch.setenv("SEARCHER_INDEX", "http://127.0.0.1:9/news")
    down = runner.invoke(cli, ["stats"])
    assert down.exit_code == 2
    assert down.stderr.strip() == ("searcher: error: cannot reach the OpenSearch cluster at http://127.0.0.1:9 "
                                   "(connection refused or lost): start it, or check --index")


def _records(tmp_path):
    path = tmp_path / "a.jsonl"
    path.write_text('{"id": "a", "title": "T", "text": "Wheat."}\n')
    return path
