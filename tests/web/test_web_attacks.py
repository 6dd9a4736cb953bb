"""Issue 22's attacks over HTTP, made on a real `searcher serve` process: a foreign Host, the
cluster's password and the server's paths, requests that cost the server, input that crashed,
HEAD, idle and slow clients, caching. One index (with a very large document) for the module."""

from __future__ import annotations

import http.client
import json
import re
import shutil
import socket
import time
import uuid
from pathlib import Path
from urllib.parse import quote, urlsplit

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

pytest.importorskip("fastapi", reason="the web extra is not installed (pip install \"searcher[web]\")")

from searcher import Document, SearchIndex  # noqa: E402
from conftest import GOLD_DOC, REPO, article, opensearch_url  # noqa: E402
from web_server import running_server, start_server, stop_server  # noqa: E402

pytestmark = pytest.mark.slow

SECRET = "S3cretPassw0rd"
#: The user in the URL (a name no indexed text holds: "admin" is in "administration").
USER = "opsuser7"
#: The very large document: its first part about harbours, then a long tail about airships.
HUGE = "huge.txt"
HUGE_CHARS = 10_000_000
AIR = ("zeppelin airship hangar dirigible gondola helium blimp mooring ballast envelope rudder propeller "
       "nacelle keel girder aerostat winch tether gasbag cabin").split()


def huge_body() -> str:
    head = "\n\n".join(article(n) for n in range(40))  # 60,000 characters of conftest.WORDS: harbours, tariffs...
    sentence = " ".join(AIR).capitalize() + "."
    return head + "\n\n" + "\n\n".join([sentence] * (HUGE_CHARS // (len(sentence) + 2) + 1))


@pytest.fixture(scope="module")
def folders(tmp_path_factory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("attacks")
    shutil.copytree(REPO / "seeds", root / "seeds")
    with SearchIndex(root / "index") as ix:
        ix.update(root / "seeds")
        ix.add([Document(doc_id=f"port/{n}.txt", title=f"Harbour report {n}", body=article(100 + n))
                for n in range(8)])
        ix.add([Document(doc_id=f"air/{n}.txt", title=f"Airship news {n}", body=" ".join(AIR[n:] + AIR[:n]) * (2 + n))
                for n in range(8)])
        ix.add(Document(doc_id=HUGE, title="A very long report", body=huge_body()))
    return root / "index", root / "seeds"


@pytest.fixture(scope="module")
def server(folders):
    index_dir, seeds_dir = folders
    with running_server(index_dir, seeds_dir) as url:
        yield url


def request(url: str, path: str, *, method: str = "GET", host: str | None = None,
            timeout: float = 120) -> tuple[int, dict[str, str], bytes]:
    """(status, headers in lower case, body) of one request; ``host`` sets the Host header."""
    parts = urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=timeout)
    try:
        conn.putrequest(method, path, skip_host=host is not None)
        if host is not None:
            conn.putheader("Host", host)
        conn.endheaders()
        response = conn.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        conn.close()


# ---------------------------------------------------------------------------- only the hosts it serves

def test_a_foreign_host_is_refused(server):
    port = urlsplit(server).port
    assert request(server, "/api/stats", host="evil.example")[0] == 400
    assert request(server, "/api/stats", host=f"evil.example:{port}")[0] == 400
    assert request(server, "/", host="127.0.0.1.evil.example")[0] == 400
    for host in (f"127.0.0.1:{port}", f"localhost:{port}", "localhost", f"[::1]:{port}"):
        assert request(server, "/api/stats", host=host)[0] == 200, host


def test_allowed_host_adds_a_name(folders):
    index_dir, seeds_dir = folders
    with running_server(index_dir, seeds_dir, "--allowed-host", "search.example",
                        "--allowed-host", "other.example") as url:
        assert request(url, "/api/stats", host="search.example")[0] == 200
        assert request(url, "/api/stats", host="other.example:8080")[0] == 200
        assert request(url, "/api/stats", host="evil.example")[0] == 400
        assert request(url, "/api/stats", host="localhost")[0] == 200


def test_redirects_are_relative(server):
    port = urlsplit(server).port
    status, headers, _ = request(server, "/static", host=f"localhost:{port}")
    assert status in (301, 302, 307, 308) and headers["location"] == "/static/", headers
    status, headers, _ = request(server, "//evil.example/static", host=f"localhost:{port}")
    assert not headers.get("location", "/").startswith("//"), headers  # never a link to another site


# ---------------------------------------------------------------------------- no secret, no path

def test_no_file_system_path_is_served(server, folders):
    index_dir, seeds_dir = folders
    secrets = (str(index_dir), str(seeds_dir), str(index_dir.parent))
    bodies = []
    for path in ("/api/stats", "/", "/api/search?q=taliban", f"/api/documents/{GOLD_DOC}",
                 f"/api/documents/{GOLD_DOC}/similar", "/search?q=taliban", f"/documents/{GOLD_DOC}",
                 "/api/documents/no-such-id", "/documents/no-such-id", "/api/documents/no-such-id/similar"):
        status, _headers, body = request(server, path)
        assert status in (200, 404), (path, status)
        bodies.append(body.decode())
        assert not any(secret in body.decode() for secret in secrets), (path, body[:300])
    stats = json.loads(bodies[0])
    assert "path" not in stats and stats["documents"] > 0
    assert all("path" not in hit for hit in json.loads(bodies[2])["hits"])
    assert "path" not in json.loads(bodies[3])


def test_an_unreadable_index_is_a_503_that_names_no_path(folders, tmp_path):
    index_dir, seeds_dir = folders
    copy = tmp_path / "index"
    shutil.copytree(index_dir, copy)
    with running_server(copy, seeds_dir) as url:
        assert request(url, "/api/stats")[0] == 200
        (copy / "searcher-index.json").unlink()
        for path in ("/api/stats", "/api/search?q=harbour", "/", f"/documents/{GOLD_DOC}"):
            status, _headers, body = request(url, path)
            assert status == 503, (path, status)
            assert str(copy) not in body.decode() and str(tmp_path) not in body.decode(), body[:300]


@pytest.mark.cluster
def test_the_cluster_password_is_not_printed_nor_served(tmp_path):
    base = opensearch_url()
    name = f"sec-{uuid.uuid4().hex[:10]}"
    location = base.replace("://", f"://{USER}:{SECRET}@", 1) + f"/{name}"
    shutil.copytree(REPO / "seeds", tmp_path / "seeds")
    try:
        with SearchIndex(location) as ix:
            ix.update(tmp_path / "seeds")
        proc, url, lines = start_server(tmp_path / "unused", tmp_path / "seeds", global_args=("--index", location))
        try:
            assert not any(SECRET in line or USER in line for line in lines), lines
            assert any(name in line for line in lines if "serving" in line), lines
            for path in ("/api/stats", "/", "/api/documents/no-such-id", "/documents/no-such-id",
                         "/api/search?q=taliban", "/api/documents/no-such-id/similar"):
                status, _headers, body = request(url, path)
                assert status in (200, 404), (path, status, body[:300])
                assert SECRET not in body.decode() and USER not in body.decode(), (path, body[:300])
                assert base not in body.decode(), (path, body[:300])  # no index location at all
        finally:
            _code, err = stop_server(proc)
        assert SECRET not in err
    finally:
        from opensearchpy import OpenSearch

        client = OpenSearch(hosts=[base])
        for index in client.indices.get(index=f"{name}--*", ignore=[404]) or {}:
            client.indices.delete(index=index, ignore=[404])


# ---------------------------------------------------------------------------- bounded cost

def test_a_very_large_document_page_shows_its_first_part(server):
    status, _headers, body = request(server, "/documents/" + HUGE)
    assert status == 200
    html = body.decode()
    assert len(body) < 1_000_000, len(body)  # the 10 MB body is not rendered whole
    assert "Harbour" in html or "harbour" in html
    assert re.search(r"shows the first [\d,]+ of [\d,]+ characters", html), html[-2000:]
    assert f'href="/api/documents/{HUGE}"' in html  # the whole text is a link away
    whole = json.loads(request(server, "/api/documents/" + HUGE)[2])
    assert len(whole["body"]) > HUGE_CHARS  # the API's record is the document, whole


def test_similar_reads_a_bounded_sample_of_a_very_large_document(server):
    """Its key words come from its first part (harbours), not from the 10 MB tail (airships)."""
    status, _headers, body = request(server, f"/api/documents/{HUGE}/similar?limit=5")
    assert status == 200
    hits = [h["doc_id"] for h in json.loads(body)["hits"]]
    assert hits and all(h.startswith("port/") for h in hits), hits


# ---------------------------------------------------------------------------- input is an error, not a crash

@pytest.mark.parametrize("query", [
    "q=zebra&since=9999-12-31T23:59:59-14:00", "q=zebra&until=9999-12-31T23:59:59-14:00",
    "q=zebra&since=0001-01-01T00:00%2B14:00", "q=zebra&since=0001-01-01T00:00:00%2B14:00",
    "q=" + quote("(" * 400 + "oil" + ")" * 400), "q=" + quote("(oil OR " * 300 + "gas" + ")" * 300),
])
def test_input_that_crashed_is_a_400(server, query):
    for path in ("/api/search?", "/search?"):
        status, headers, body = request(server, path + query)
        assert status == 400, (path + query[:60], status, body[:300])
        assert b"internal error" not in body


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    """The app on a small dated index, through the framework's test client (a property test
    makes hundreds of requests)."""
    from datetime import datetime

    from fastapi.testclient import TestClient

    from searcher.web.app import create_app

    index_dir = tmp_path_factory.mktemp("params") / "index"
    with SearchIndex(index_dir) as ix:
        ix.add([Document(doc_id=f"d/{n}.txt", title=f"Harbour talks {n}", body=f"Oil at the harbour, note {n}.",
                         source="Coast Gazette", published=datetime(1 + n * 400, 1 + n % 12, 1)) for n in range(25)])
    with TestClient(create_app(index_dir), raise_server_exceptions=False, base_url="http://localhost") as test_client:
        yield test_client


_VALUES = st.one_of(st.text(max_size=30), st.sampled_from(
    ["", "0", "-1", "1", "100", "101", "1000", "1001", "99999999999999999999", "1e3", "true", "false", "date",
     "relevance", "9999-12-31T23:59:59-14:00", "0001-01-01T00:00+14:00", "2020-02-30", "(((((((((oil)))))))))",
     "(" * 40 + "oil" + ")" * 40, "published:[0001 TO 9999]", "oil~9", "*", "\x00", "%", "%ZZ", "é"]))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                   HealthCheck.function_scoped_fixture])
@given(params=st.dictionaries(st.sampled_from(["q", "source", "since", "until", "sort", "page", "limit", "words",
                                               "facets", "explain"]), _VALUES, max_size=6),
       route=st.sampled_from(["/api/search", "/search", "/"]), doc_id=st.text(max_size=20))
def test_no_parameter_or_id_makes_an_internal_error(client, params, route, doc_id):
    response = client.get(route, params=params)
    assert response.status_code in (200, 400, 422), (route, params, response.status_code, response.text[:200])
    for path in (f"/api/documents/{quote(doc_id, safe='')}", f"/documents/{quote(doc_id, safe='')}/",
                 f"/api/documents/{quote(doc_id, safe='')}/similar"):
        assert client.get(path, params={"limit": params.get("limit", "3")}).status_code in (200, 400, 404, 422), path


# ---------------------------------------------------------------------------- smaller items

def test_head_is_answered_as_get_without_a_body(server):
    for path in ("/", "/search?q=taliban", f"/documents/{GOLD_DOC}", "/api/stats", "/api/search?q=taliban",
                 "/openapi.json", "/static/style.css"):
        get_status, get_headers, get_body = request(server, path)
        status, headers, body = request(server, path, method="HEAD")
        assert (status, body) == (get_status, b""), (path, status, body[:100])
        assert headers["content-type"] == get_headers["content-type"], path
        assert get_body


def test_the_api_is_never_cached(server):
    for path in ("/api/stats", "/api/search?q=taliban", f"/api/documents/{GOLD_DOC}", "/api/documents/nope",
                 "/openapi.json"):
        assert request(server, path)[1].get("cache-control") == "no-store", path


def _closed_by_server(sock: socket.socket, drip: bytes = b"", seconds: float = 40) -> bool:
    """True if the server closes ``sock`` within ``seconds`` (sending ``drip`` each second meanwhile)."""
    deadline = time.monotonic() + seconds
    sock.settimeout(1)
    while time.monotonic() < deadline:
        try:
            if drip:
                sock.sendall(drip)
            data = sock.recv(4096)
        except socket.timeout:
            continue
        except (ConnectionResetError, BrokenPipeError):
            return True
        if not data or data.startswith(b"HTTP/1.1 408") or data.startswith(b"HTTP/1.1 400"):
            return True
    return False


def test_idle_and_slow_clients_are_let_go(server):
    parts = urlsplit(server)
    idle = [socket.create_connection((parts.hostname, parts.port)) for _ in range(20)]
    slow = socket.create_connection((parts.hostname, parts.port))
    slow.sendall(b"GET /api/stats HTTP/1.1\r\nHost: 127.0.0.1\r\n")
    kept = socket.create_connection((parts.hostname, parts.port))  # one request, then idle
    kept.sendall(b"GET /api/stats HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
    try:
        assert _closed_by_server(slow, drip=b"X-Slow: 1\r\n"), "a client sending its headers slowly was kept"
        assert _closed_by_server(kept, seconds=30), "an idle keep-alive connection was kept"
        assert all(_closed_by_server(sock, seconds=5) for sock in idle), "idle connections were kept"
        assert request(server, "/api/stats")[0] == 200  # and the server still serves
    finally:
        for sock in (*idle, slow, kept):
            sock.close()
