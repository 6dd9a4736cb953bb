"""The bundled OpenSearch test cluster (tools/opensearch/): the one .ci/run starts has what the
OpenSearch engine asks of it (the analysis filters, phrase, fuzzy and prefix queries, date
aggregations, aliases, _reindex), and the `cluster` script starts, kills and stops nodes."""

from __future__ import annotations

import json
import subprocess
import sys
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from conftest import OPENSEARCH_VERSIONS, REPO, opensearch_url

pytestmark = pytest.mark.cluster

CLUSTER = REPO / "tools" / "opensearch" / "cluster"


def call(method: str, url: str, body: dict | None = None) -> dict:
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, method=method, headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=60) as response:
        return json.load(response)


def tokens(url: str, text: str, **analysis: object) -> list[str]:
    return [token["token"] for token in call("POST", f"{url}/_analyze", {"text": text, **analysis})["tokens"]]


def cluster(*args: str, timeout: float = 240) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(CLUSTER), *args], capture_output=True, text=True, timeout=timeout)


@pytest.fixture(scope="module", params=OPENSEARCH_VERSIONS, ids=lambda v: f"opensearch{v}")
def url(request: pytest.FixtureRequest) -> str:
    return opensearch_url(request.param)


@pytest.fixture
def index_name(url: str) -> Iterator[str]:
    """A fresh name; every index that starts with it is deleted afterwards."""
    name = f"test-cluster-{uuid.uuid4().hex[:12]}"
    yield name
    call("DELETE", f"{url}/{name}*")


def test_cluster_is_healthy_and_of_its_version(url: str, request: pytest.FixtureRequest) -> None:
    health = call("GET", f"{url}/_cluster/health")
    assert health["status"] in ("green", "yellow"), health
    version = call("GET", url)["version"]["number"]
    assert version.startswith("2.19." if "opensearch2" in request.node.name else "3."), version
    plugins = {plugin["name"].replace("ModulePlugin", "Plugin")  # 3.0 renamed the module plugins
               for node in call("GET", f"{url}/_nodes/plugins")["nodes"].values() for plugin in node["plugins"]}
    assert {"org.opensearch.transport.Netty4Plugin", "org.opensearch.analysis.common.CommonAnalysisPlugin",
            "org.opensearch.index.mapper.MapperExtrasPlugin", "org.opensearch.index.reindex.ReindexPlugin"} <= plugins


def test_the_analysis_the_engine_uses(url: str) -> None:
    # The Whoosh schema's chain: lower case, accents folded, stop words out, Porter stems.
    chain = {"tokenizer": "standard", "filter": ["lowercase", "asciifolding",
                                                 {"type": "stop", "stopwords": ["the", "were"]}, "porter_stem"]}
    assert tokens(url, "The Cafés were Running", **chain) == ["cafe", "run"]
    stemmer = {"tokenizer": "standard", "filter": ["lowercase", "stop", {"type": "stemmer", "language": "english"}]}
    assert tokens(url, "the harbours of Vienna", **stemmer) == ["harbour", "vienna"]
    assert tokens(url, "The ministers were meeting", analyzer="english") == ["minist", "were", "meet"]


def test_queries_aggregations_and_an_alias_swap(url: str, index_name: str) -> None:
    nodes = call("GET", f"{url}/_cluster/health")["number_of_nodes"]
    old, new, alias = f"{index_name}-1", f"{index_name}-2", index_name
    settings = {"number_of_shards": 2, "number_of_replicas": 1 if nodes > 1 else 0}
    mappings = {"properties": {"body": {"type": "text", "analyzer": "english"}, "date": {"type": "date"},
                               "site": {"type": "keyword"}}}
    for name in (old, new):
        call("PUT", f"{url}/{name}", {"settings": settings, "mappings": mappings})
    call("POST", f"{url}/_aliases", {"actions": [{"add": {"index": old, "alias": alias}}]})
    docs = [("1", "Oil ministers met in Vienna to talk about crude prices", "2024-03-01", "a"),
            ("2", "Traffic in the harbour rose in the third quarter", "2024-05-11", "b"),
            ("3", "Ministers of oil said prices would fall", "2024-05-20", "a")]
    for doc_id, body, date, site in docs:
        call("PUT", f"{url}/{alias}/_doc/{doc_id}", {"body": body, "date": date, "site": site})
    call("POST", f"{url}/{alias}/_refresh")

    def ids(query: dict) -> set[str]:
        return {hit["_id"] for hit in call("POST", f"{url}/{alias}/_search", {"query": query})["hits"]["hits"]}

    assert ids({"match_phrase": {"body": {"query": "oil ministers", "slop": 0}}}) == {"1"}
    assert ids({"match_phrase": {"body": {"query": "ministers oil", "slop": 2}}}) == {"1", "3"}
    assert ids({"fuzzy": {"body": {"value": "harbuor"}}}) == {"2"}
    assert ids({"prefix": {"body": "vien"}}) == {"1"}
    assert ids({"bool": {"must": [{"match": {"body": "prices"}}], "filter": [{"range": {"date": {"gte": "2024-05-01"}}}]}}) == {"3"}
    aggregations = call("POST", f"{url}/{alias}/_search", {"size": 0, "aggs": {
        "months": {"date_histogram": {"field": "date", "calendar_interval": "month", "min_doc_count": 1}},
        "sites": {"terms": {"field": "site"}}}})["aggregations"]
    assert [bucket["doc_count"] for bucket in aggregations["months"]["buckets"]] == [1, 2]
    assert {bucket["key"]: bucket["doc_count"] for bucket in aggregations["sites"]["buckets"]} == {"a": 2, "b": 1}

    # A rebuild: copy into the new index, swap the alias in one step, the old one goes.
    assert call("POST", f"{url}/_reindex?refresh=true", {"source": {"index": old}, "dest": {"index": new}})["created"] == 3
    call("POST", f"{url}/_aliases", {"actions": [{"remove": {"index": old, "alias": alias}},
                                                  {"add": {"index": new, "alias": alias}}]})
    call("DELETE", f"{url}/{old}")
    assert list(call("GET", f"{url}/_alias/{alias}")) == [new]
    assert call("GET", f"{url}/{alias}/_count")["count"] == 3


def test_cluster_script_errors_are_one_line(tmp_path: Path) -> None:
    """No Java needed: a folder without a cluster, a bad port."""
    stopped = cluster("stop", "--dir", str(tmp_path))
    assert stopped.returncode == 2
    assert stopped.stderr.strip().count("\n") == 0 and "no cluster was started" in stopped.stderr
    bad_port = cluster("start", "--port", "ninety", "--dir", str(tmp_path))
    assert bad_port.returncode == 2 and "not a port number" in bad_port.stderr


def test_cluster_script_starts_kills_and_stops_a_node(url: str, tmp_path: Path) -> None:
    """A one-node cluster of its own (only where a test cluster runs: the launcher is built there)."""
    folder = tmp_path / "cluster"
    version = call("GET", url)["version"]["number"]
    started = cluster("start", "--nodes", "1", "--port", "auto", "--quick-jit", "--dir", str(folder),
                      "--version", version)
    try:
        assert started.returncode == 0, started.stderr
        own_url = started.stdout.strip()
        assert own_url != url and (folder / "URL").read_text().strip() == own_url
        assert call("GET", f"{own_url}/_cluster/health")["number_of_nodes"] == 1
        assert call("GET", own_url)["version"]["number"] == version
        assert cluster("kill-node", "--dir", str(folder), "--node", "1").returncode == 0
        down = cluster("status", "--dir", str(folder))
        assert down.returncode == 2 and "node-1" in down.stdout and "down" in down.stdout
        with pytest.raises(urllib.error.URLError):
            call("GET", f"{own_url}/_cluster/health")
    finally:
        cluster("stop", "--dir", str(folder))
