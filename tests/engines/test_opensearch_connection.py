"""Reaching a cluster as the official clients do (engines/opensearch/connection.py, client.py):
several hosts, TLS with a private CA or none checked, client certificates, logins, API keys,
AWS SigV4, the server's version, and messages that never show a secret.

A fake server (a thread here) stands for what needs no cluster (which server answers, which
headers we send); the secured cluster is the test cluster behind tools/opensearch/tls_proxy
(HTTPS with its own CA, basic auth, optionally a client certificate)."""

from __future__ import annotations

import base64
import http.server
import json
import os
import subprocess
import sys
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from searcher import ClusterError, ClusterSettings, SearcherError, SearchIndex
from searcher.engines.opensearch.client import connect
from searcher.engines.opensearch.connection import check_server
from searcher.engines.opensearch.location import parse_location

from conftest import REPO, drop_cluster_index, opensearch_url

PROXY = REPO / "tools" / "opensearch" / "tls_proxy"
PASSWORD = "p@ss:w/rd"  # every character a URL would mangle


# ---------------------------------------------------------------------------- a fake server


class _Recorder(http.server.BaseHTTPRequestHandler):
    answer: dict = {}
    seen: list[dict[str, str]] = []

    def log_message(self, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        type(self).seen.append({k.lower(): v for k, v in self.headers.items()})
        body = json.dumps(type(self).answer).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture
def fake_server() -> Iterator[type[_Recorder]]:
    """A server answering every GET with ``answer`` (an OpenSearch 2.19 by default), recording headers."""
    handler = type("Recorder", (_Recorder,), {"answer": {"version": {"distribution": "opensearch", "number": "2.19.6"}},
                                              "seen": []})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    handler.url = f"http://127.0.0.1:{server.server_address[1]}"  # type: ignore[attr-defined]
    yield handler
    server.shutdown()
    server.server_close()


def test_only_opensearch_2_and_3_are_taken():
    def info(number: str, distribution: str | None = "opensearch", tagline: str = "The OpenSearch Project") -> dict:
        version = {"number": number} | ({"distribution": distribution} if distribution else {})
        return {"version": version, "tagline": tagline}

    assert check_server(info("2.19.6"), "http://h:9200") == "2.19.6"
    assert check_server(info("3.9.0"), "http://h:9200") == "3.9.0"
    for answer, expected in ((info("8.11.0", None, "You Know, for Search"), "is Elasticsearch 8.11.0"),
                             (info("1.3.20"), "runs OpenSearch 1.3.20"), (info("4.0.0"), "runs OpenSearch 4.0.0"),
                             ({"hello": "world"}, "is not an OpenSearch cluster")):
        with pytest.raises(ClusterError, match=expected) as caught:
            check_server(answer, "http://h:9200")
        assert "OpenSearch 2.x or 3.x" in str(caught.value)


def test_elasticsearch_is_refused_on_connect(fake_server):
    fake_server.answer = {"version": {"number": "7.10.2", "build_flavor": "default"}, "tagline": "You Know, for Search"}
    with pytest.raises(ClusterError, match=r"is Elasticsearch 7\.10\.2: searcher works with OpenSearch 2\.x or 3\.x"):
        SearchIndex(f"{fake_server.url}/news")


def test_each_host_is_tried_in_turn(fake_server):
    """The first host refuses connections; the second answers."""
    where = parse_location(f"http://127.0.0.1:9,{fake_server.url.removeprefix('http://')}/news")
    cluster = connect(where, ClusterSettings(sniff=False))
    assert cluster.version == "2.19.6" and len(fake_server.seen) == 1
    cluster.client.close()


def test_an_api_key_is_sent_as_the_clients_send_it(fake_server):
    connect(parse_location(f"{fake_server.url}/news"), ClusterSettings(api_key="id1:secret", sniff=False))
    expected = base64.b64encode(b"id1:secret").decode()
    assert fake_server.seen[-1]["authorization"] == f"ApiKey {expected}"
    connect(parse_location(f"{fake_server.url}/news"), ClusterSettings(api_key="ZW5jb2RlZA==", sniff=False))
    assert fake_server.seen[-1]["authorization"] == "ApiKey ZW5jb2RlZA=="


def test_a_user_from_the_environment_and_from_the_location(fake_server, monkeypatch):
    monkeypatch.setenv("SEARCHER_OPENSEARCH_USER", "reader")
    monkeypatch.setenv("SEARCHER_OPENSEARCH_PASSWORD", PASSWORD)
    connect(parse_location(f"{fake_server.url}/news"), ClusterSettings.from_env(sniff=False))
    assert fake_server.seen[-1]["authorization"] == "Basic " + base64.b64encode(f"reader:{PASSWORD}".encode()).decode()
    located = fake_server.url.replace("http://", "http://writer:p%40ss%3Aw%2Frd@")
    connect(parse_location(f"{located}/news"), ClusterSettings.from_env(sniff=False))
    assert fake_server.seen[-1]["authorization"] == "Basic " + base64.b64encode(f"writer:{PASSWORD}".encode()).decode()


def test_aws_sigv4_signs_with_boto3s_credentials(fake_server, monkeypatch):
    pytest.importorskip("boto3", reason="boto3 (the aws extra) is not installed")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY")
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent")
    monkeypatch.setenv("AWS_CONFIG_FILE", "/nonexistent")
    connect(parse_location(f"{fake_server.url}/news"), ClusterSettings(aws_region="eu-west-1"))
    signed = fake_server.seen[-1]
    assert signed["authorization"].startswith("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/")
    assert "/eu-west-1/es/aws4_request" in signed["authorization"] and "x-amz-date" in signed


def test_settings_that_cannot_work_are_one_clear_error(tmp_path, monkeypatch):
    with pytest.raises(SearcherError, match=r"SEARCHER_OPENSEARCH_CA_CERTS \(--ca-certs\): .* is not a file"):
        ClusterSettings(ca_certs=str(tmp_path / "missing.pem")).checked()
    with pytest.raises(SearcherError, match="not a user and password and an API key"):
        ClusterSettings(user="u", password="p", api_key="k").checked()
    monkeypatch.setenv("SEARCHER_OPENSEARCH_VERIFY", "maybe")
    with pytest.raises(SearcherError, match="SEARCHER_OPENSEARCH_VERIFY must be 1 or 0"):
        ClusterSettings.from_env()
    monkeypatch.setenv("SEARCHER_OPENSEARCH_VERIFY", "0")
    monkeypatch.setenv("SEARCHER_OPENSEARCH_PASSWORD", PASSWORD)
    monkeypatch.setenv("SEARCHER_OPENSEARCH_USER", "reader")
    settings = ClusterSettings.from_env()
    assert settings.verify is False and PASSWORD not in repr(settings) and "***" in repr(settings)


# ---------------------------------------------------------------------------- a secured cluster


def searcher_run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("SEARCHER_OPENSEARCH_")}
    for name in ("SEARCHER_OPENSEARCH_SHARDS", "SEARCHER_OPENSEARCH_REPLICAS"):
        if name in os.environ:
            clean[name] = os.environ[name]
    return subprocess.run([sys.executable, "-m", "searcher", *args], capture_output=True, text=True, timeout=120,
                          env={**clean, **(env or {})})


class Front:
    """A TLS proxy process in front of the test cluster."""

    def __init__(self, folder: Path, upstream: str, *extra: str) -> None:
        self.folder = folder
        self.process = subprocess.Popen([sys.executable, str(PROXY), "serve", "--dir", str(folder), "--upstream",
                                         upstream, "--user", "admin", *extra], stdout=subprocess.PIPE,
                                        stderr=subprocess.PIPE, text=True, env={**os.environ,
                                                                                 "TLS_PROXY_PASSWORD": PASSWORD})
        self.url = (self.process.stdout.readline() if self.process.stdout else "").strip()
        assert self.url.startswith("https://"), self.process.stderr.read() if self.process.stderr else ""

    def close(self) -> None:
        self.process.terminate()
        self.process.communicate(timeout=30)  # and close its pipes


@pytest.fixture(scope="module")
def certificates(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("tls")
    made = subprocess.run([sys.executable, str(PROXY), "certs", "--dir", str(folder)], capture_output=True, text=True)
    assert made.returncode == 0, made.stderr
    return folder


@pytest.fixture(scope="module")
def secured(certificates) -> Iterator[Front]:
    """The test cluster behind HTTPS (its own CA) and basic auth as admin."""
    front = Front(certificates, opensearch_url())
    yield front
    front.close()


@pytest.fixture
def name() -> Iterator[str]:
    name = f"t24-{uuid.uuid4().hex[:10]}"
    yield name
    drop_cluster_index(opensearch_url(), name)


@pytest.fixture
def records(tmp_path) -> Path:
    path = tmp_path / "a.jsonl"
    path.write_text('{"id": "a", "title": "Wheat harvest", "text": "The wheat harvest in Kansas was late."}\n'
                    '{"id": "b", "title": "Oil", "text": "Oil prices fell."}\n')
    return path


@pytest.mark.cluster
@pytest.mark.slow
def test_a_private_ca_and_a_login_from_the_environment(secured, certificates, name, records):
    location = f"{secured.url}/{name}"
    login = {"SEARCHER_OPENSEARCH_USER": "admin", "SEARCHER_OPENSEARCH_PASSWORD": PASSWORD}
    # No CA given: a certificate problem, naming the setting that fixes it.
    for trusted in ({}, {"SEARCHER_OPENSEARCH_CA_CERTS": str(certificates / "other-ca.pem")}):
        run = searcher_run("--index", location, "import", "-q", str(records), env={**login, **trusted})
        assert run.returncode == 2 and run.stderr.count("\n") == 1, run.stderr
        assert "certificate problem" in run.stderr and "SEARCHER_OPENSEARCH_CA_CERTS" in run.stderr
    made = searcher_run("--index", location, "import", "-q", str(records),
                        env={**login, "SEARCHER_OPENSEARCH_CA_CERTS": str(certificates / "ca.pem")})
    assert made.returncode == 0, made.stderr
    found = searcher_run("--ca-certs", str(certificates / "ca.pem"), "--user", "admin", "--index", location,
                         "search", "wheat", "--ids", env={"SEARCHER_OPENSEARCH_PASSWORD": PASSWORD})
    assert found.returncode == 0 and found.stdout.split() == ["a"], found.stderr
    # A wrong password: refused, one line, and no password shown.
    wrong = searcher_run("--index", location, "search", "wheat",
                         env={**login, "SEARCHER_OPENSEARCH_PASSWORD": "wrong-secret",
                              "SEARCHER_OPENSEARCH_CA_CERTS": str(certificates / "ca.pem")})
    assert wrong.returncode == 2 and "refused the credentials (401" in wrong.stderr
    assert "wrong-secret" not in wrong.stderr + wrong.stdout


@pytest.mark.cluster
@pytest.mark.slow
def test_the_password_in_the_location_is_never_shown(secured, certificates, name, records):
    host = secured.url.removeprefix("https://")
    location = f"https://admin:p%40ss%3Aw%2Frd@{host}/{name}"
    trust = {"SEARCHER_OPENSEARCH_CA_CERTS": str(certificates / "ca.pem")}
    made = searcher_run("--index", location, "import", "-q", str(records), env=trust)
    assert made.returncode == 0, made.stderr
    for args in (["search", "wheat", "--json"], ["stats"], ["search", "title:("]):
        run = searcher_run("--index", location, *args, env=trust)
        assert PASSWORD not in run.stdout + run.stderr and "p%40ss" not in run.stdout + run.stderr
    missing = searcher_run("--index", f"https://admin:p%40ss%3Aw%2Frd@{host}/{name}-none", "search", "x", env=trust)
    assert missing.returncode == 2 and f"no index at {secured.url}/{name}-none" in missing.stderr
    assert "p%40ss" not in missing.stderr and "admin" not in missing.stderr


@pytest.mark.cluster
@pytest.mark.slow
def test_verify_0_works_and_warns_on_every_run(secured, name, records):
    env = {"SEARCHER_OPENSEARCH_VERIFY": "0", "SEARCHER_OPENSEARCH_USER": "admin",
           "SEARCHER_OPENSEARCH_PASSWORD": PASSWORD}
    for args in (["import", "-q", str(records)], ["search", "oil", "--ids"]):
        run = searcher_run("--index", f"{secured.url}/{name}", *args, env=env)
        assert run.returncode == 0, run.stderr
        assert run.stderr.startswith("searcher: warning: the certificate of the OpenSearch cluster at "
                                     f"{secured.url} is not checked (SEARCHER_OPENSEARCH_VERIFY=0)")


@pytest.mark.cluster
@pytest.mark.slow
def test_a_client_certificate_when_the_cluster_asks_for_one(certificates, name, records):
    front = Front(certificates, opensearch_url(), "--require-client-cert")
    try:
        env = {"SEARCHER_OPENSEARCH_CA_CERTS": str(certificates / "ca.pem"), "SEARCHER_OPENSEARCH_USER": "admin",
               "SEARCHER_OPENSEARCH_PASSWORD": PASSWORD}
        refused = searcher_run("--index", f"{front.url}/{name}", "import", "-q", str(records), env=env)
        assert refused.returncode == 2 and "certificate problem" in refused.stderr
        assert "SEARCHER_OPENSEARCH_CLIENT_CERT" in refused.stderr, refused.stderr
        made = searcher_run("--client-cert", str(certificates / "client.pem"), "--client-key",
                            str(certificates / "client.key"), "--index", f"{front.url}/{name}", "import", "-q",
                            str(records), env=env)
        assert made.returncode == 0, made.stderr
    finally:
        front.close()


@pytest.mark.cluster
@pytest.mark.slow
def test_the_wrong_scheme_either_way_says_so(secured, name):
    url = opensearch_url().replace("http://", "https://")
    run = searcher_run("--index", f"{url}/{name}", "stats")
    assert run.returncode == 2 and "does not speak TLS" in run.stderr and "use http://" in run.stderr
    plain = secured.url.replace("https://", "http://")
    run = searcher_run("--index", f"{plain}/{name}", "stats")
    assert run.returncode == 2 and "if it serves HTTPS" in run.stderr and "use https://" in run.stderr


@pytest.mark.cluster
@pytest.mark.slow
def test_sniffing_only_where_the_nodes_publish_the_addresses_given(secured, certificates):
    """Straight to a node: the other nodes' addresses are learnt; through a proxy (whose address
    no node publishes) they are not, since they could not be reached."""
    direct = connect(parse_location(f"{opensearch_url()}/news"), ClusterSettings())
    nodes = int(direct.client.cluster.health()["number_of_nodes"])
    assert direct.sniffing and len(direct.client.transport.connection_pool.connections) == nodes
    direct.client.close()
    proxied = connect(parse_location(f"{secured.url}/news"),
                      ClusterSettings(ca_certs=str(certificates / "ca.pem"), user="admin", password=PASSWORD))
    assert not proxied.sniffing and len(proxied.client.transport.connection_pool.connections) == 1
    proxied.client.close()


@pytest.mark.cluster
@pytest.mark.slow
def test_the_web_face_answers_503_with_retry_after_while_the_cluster_is_down(certificates, name, records):
    from fastapi.testclient import TestClient

    from searcher.web.app import create_app

    front = Front(certificates, opensearch_url())
    settings = ClusterSettings(ca_certs=str(certificates / "ca.pem"), user="admin", password=PASSWORD, sniff=False)
    try:
        with SearchIndex(f"{front.url}/{name}", cluster=settings) as ix:
            ix.add(searcher_documents(records))
        with TestClient(create_app(f"{front.url}/{name}", cluster=settings), raise_server_exceptions=False) as web:
            assert web.get("/api/search", params={"q": "wheat"}).json()["total"] == 1
            front.close()  # the cluster, as this server reaches it, is gone
            for path in ("/api/search", "/search"):
                down = web.get(path, params={"q": "wheat"})
                assert down.status_code == 503 and down.headers["retry-after"].isdigit(), (path, down.text)
                assert "cannot reach the OpenSearch cluster" in down.text and PASSWORD not in down.text
    finally:
        if front.process.poll() is None:
            front.close()


def searcher_documents(path: Path):
    from searcher import read_jsonl

    return list(read_jsonl(path, skipped=[]))
