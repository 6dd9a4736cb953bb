"""The web face through FastAPI's test client: the JSON API's records, the pages' content,
errors as JSON or as a page, escaping, headers and bounds. One small index per module."""

from __future__ import annotations

import json
import re
import shutil
from datetime import datetime
from pathlib import Path

import pytest

pytest.importorskip("fastapi", reason="the web extra is not installed (pip install \"searcher[web]\")")
pytest.importorskip("httpx2", reason="httpx2 (Starlette's test client) is not installed")

from fastapi.testclient import TestClient  # noqa: E402

from searcher import Document, SearchIndex  # noqa: E402
from searcher.cli import cli  # noqa: E402
from searcher.web.app import create_app  # noqa: E402
from searcher.web.headers import CONTENT_SECURITY_POLICY, DOCS_CONTENT_SECURITY_POLICY  # noqa: E402
from searcher.web.params import MAX_LIMIT  # noqa: E402
from searcher.web.schemas import DocumentRecord, ErrorRecord, ResultsRecord, StatsRecord  # noqa: E402
from conftest import GOLD_DOC, REPO  # noqa: E402

HOSTILE_TITLE = 'Dockyard news <script>alert("t")</script>'
HOSTILE_BODY = "Dockyard cranes idle. <img src=x onerror=alert(1)> The dockyard reopens."


def harbour_documents() -> list[Document]:
    """25 articles about harbours from two sources over three months, and one hostile one."""
    docs = [Document(doc_id=f"port/{n:02d}.txt", title=f"Harbour traffic report {n}",
                     body=f"The harbour authority said traffic rose in quarter {n}.\n\nShipping lines expect more berths.",
                     source="Coast Gazette" if n % 2 else "Harbour Times", published=datetime(2020, 1 + n % 3, 1 + n))
            for n in range(25)]
    docs.append(Document(doc_id="evil/<b>id</b>.txt", title=HOSTILE_TITLE, body=HOSTILE_BODY,
                         source="<i>Source</i>", url="javascript:alert(1)", published=datetime(2019, 5, 1)))
    return docs


@pytest.fixture(scope="module")
def index_dir(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("web")
    shutil.copytree(REPO / "seeds", root / "seeds")
    with SearchIndex(root / "index") as ix:
        ix.update(root / "seeds")
        ix.add(harbour_documents())
    return root / "index"


@pytest.fixture(scope="module")
def client(index_dir):
    # The app answers only its hosts (by default this machine's loopback names).
    with TestClient(create_app(index_dir), raise_server_exceptions=False, base_url="http://localhost") as test_client:
        yield test_client


def cli_json(runner, index_dir: Path, *args: str) -> dict:
    """The record the CLI prints, less the file-system paths, which the web face never sends."""
    result = runner.invoke(cli, ["--index-dir", str(index_dir), "--seeds-dir", str(index_dir.parent / "seeds"), *args])
    assert result.exit_code == 0, result.output
    record = json.loads(result.stdout)
    record.pop("path", None)
    for hit in record.get("hits", []):
        hit.pop("path")
    return record


# ---------------------------------------------------------------------------- JSON API

def test_api_search_gives_the_cli_json_record(client, index_dir, runner):
    response = client.get("/api/search", params={"q": "harbour traffic", "limit": 5, "page": 2, "facets": "true"})
    assert response.status_code == 200
    data = response.json()
    ResultsRecord.model_validate(data)  # the OpenAPI description holds: no field more or less
    assert data["total"] == 25 and data["page"] == 2 and len(data["hits"]) == 5
    assert data["facets"]["source"] == {"Coast Gazette": 12, "Harbour Times": 13}
    expected = cli_json(runner, index_dir, "search", "harbour traffic", "--limit", "5", "--page", "2", "--facets",
                        "--json")
    assert data == expected
    assert float(response.headers["server-timing"].split("dur=")[1]) >= 0


def test_api_filters_sort_and_explain(client):
    data = client.get("/api/search", params={"q": "harbour", "source": "coast gazette", "since": "2020-02",
                                              "until": "2020-02", "sort": "date"}).json()
    assert data["total"] > 0
    assert all(h["source"] == "Coast Gazette" and h["published"].startswith("2020-02") for h in data["hits"])
    dates = [h["published"] for h in data["hits"]]
    assert dates == sorted(dates, reverse=True)
    explained = client.get("/api/search", params={"q": "harbour", "explain": "true", "limit": 1}).json()
    ResultsRecord.model_validate(explained)
    assert explained["hits"][0]["explanation"]["parts"]


def test_api_document_similar_and_stats_are_the_cli_records(client, index_dir, runner):
    doc = client.get(f"/api/documents/{GOLD_DOC}").json()
    DocumentRecord.model_validate(doc)
    assert doc == cli_json(runner, index_dir, "show", GOLD_DOC, "--json")
    assert doc["removed"] and doc["removed"][0]["reason"]
    assert client.get("/api/documents/000_d8f").json()["doc_id"] == GOLD_DOC  # a prefix, as `show` takes
    similar = client.get("/api/documents/port/03.txt/similar", params={"limit": 3}).json()
    ResultsRecord.model_validate(similar)
    assert similar == cli_json(runner, index_dir, "similar", "port/03.txt", "--limit", "3", "--json")
    assert len(similar["hits"]) == 3 and "port/03.txt" not in [h["doc_id"] for h in similar["hits"]]
    stats = client.get("/api/stats").json()
    StatsRecord.model_validate(stats)
    assert stats["documents"] == 27


def test_openapi_document_describes_the_api(client):
    spec = client.get("/openapi.json").json()
    assert set(spec["paths"]) == {"/api/search", "/api/documents/{doc_id}/similar", "/api/documents/{doc_id}",
                                  "/api/stats"}
    search = spec["paths"]["/api/search"]["get"]
    assert {p["name"] for p in search["parameters"]} >= {"q", "source", "since", "until", "sort", "page", "limit"}
    limit = next(p for p in search["parameters"] if p["name"] == "limit")
    assert limit["schema"]["maximum"] == MAX_LIMIT
    assert search["responses"]["200"]["content"]["application/json"]["schema"]["$ref"].endswith("ResultsRecord")
    docs = client.get("/docs")  # Swagger UI from packaged files, started by a file of ours: nothing inline or remote
    assert docs.status_code == 200 and "/docs/assets/swagger-ui-bundle.js" in docs.text
    scripts = re.findall(r"<script([^>]*)>(.*?)</script>", docs.text, re.S)
    assert scripts and all(re.search(r'src="/(docs/assets|static)/', attrs) and not body.strip() for attrs, body in scripts)
    assert "http" not in "".join(re.findall(r'(?:src|href)="([^"]+)"', docs.text))
    assert client.get("/docs/assets/swagger-ui-bundle.js").status_code == 200


# ---------------------------------------------------------------------------- errors

@pytest.mark.parametrize("path, status, text", [
    ("/api/documents/no-such-id", 404, "no document 'no-such-id'"),
    ("/api/documents/port/", 400, "starts several document ids"),
    ("/api/documents/..%2F..%2Fetc%2Fpasswd", 404, "no document '../../etc/passwd'"),
    ("/api/search?q=", 400, "empty query"),
    ("/api/search?q=harbour&since=someday", 400, "someday"),
    ("/api/search?q=" + "x" * 150, 400, "words are at most 100"),
    ("/api/search?q=oil~9", 400, "at most 2 edits"),
    (f"/api/search?q=harbour&limit={MAX_LIMIT + 1}", 422, f"limit: Input should be less than or equal to {MAX_LIMIT}"),
    ("/api/search?q=harbour&page=0", 422, "page: Input should be greater than or equal to 1"),
    ("/api/search?q=harbour&page=two", 422, "page: Input should be a valid integer"),
    ("/api/search?q=harbour&sort=random", 422, "sort: Input should be 'relevance', 'date' or 'oldest'"),
    ("/api/search?q=harbour&mode=semantic", 400, "semantic ranking needs the index's vectors: the index has none"),
    ("/api/search?q=harbour&mode=dense", 422, "mode: Input should be 'keyword', 'semantic' or 'hybrid'"),
    ("/api/nothing-here", 404, "nothing at /api/nothing-here"),
])
def test_api_errors_are_one_json_line(client, path, status, text):
    response = client.get(path)
    assert response.status_code == status
    assert response.headers["content-type"] == "application/json"
    body = response.json()
    ErrorRecord.model_validate(body)
    assert body["status"] == status and text in body["error"] and "\n" not in body["error"]


def test_the_web_says_what_is_wrong_without_command_line_advice(client):
    error = client.get("/api/search?q=harbour&mode=semantic").json()["error"]
    assert "searcher index" not in error and "--mode" not in error


def test_ambiguous_prefix_lists_candidates(client):
    body = client.get("/api/documents/port/0").json()
    assert body["candidates"] == [f"port/0{n}.txt" for n in range(5)]


@pytest.mark.parametrize("path, status, text", [
    ("/documents/no-such-id", 404, "no document &#39;no-such-id&#39;"),
    ("/search?q=harbour&page=two", 422, "Page: Input should be a valid integer"),
    ("/search?q=harbour&since=someday", 400, "someday"),
    ("/no/such/page", 404, "nothing at /no/such/page"),
])
def test_page_errors_are_pages(client, path, status, text):
    response = client.get(path)
    assert response.status_code == status
    assert response.headers["content-type"].startswith("text/html")
    assert text in response.text and 'action="/search"' in response.text


def test_a_bug_is_a_500_without_traceback(index_dir):
    app = create_app(index_dir)

    def broken() -> None:
        raise RuntimeError("secret internal detail")

    app.add_api_route("/api/broken", broken)
    app.add_api_route("/broken", broken)
    with TestClient(app, raise_server_exceptions=False, base_url="http://localhost") as test_client:
        for path in ("/api/broken", "/broken"):
            response = test_client.get(path)
            assert response.status_code == 500
            assert "secret" not in response.text and "Traceback" not in response.text
            assert "internal error" in response.text
            assert response.headers["content-security-policy"] == CONTENT_SECURITY_POLICY


def test_every_response_has_the_security_headers(client):
    for path in ("/", "/search?q=harbour", f"/documents/{GOLD_DOC}", "/api/search?q=harbour", "/api/stats",
                 "/openapi.json", "/static/style.css", "/api/documents/nope", "/nope", "/search?page=x"):
        headers = client.get(path).headers
        assert headers["content-security-policy"] == CONTENT_SECURITY_POLICY, path
        assert headers["x-content-type-options"] == "nosniff", path
    # Scripts from this server only (search as you type, Swagger UI's files): never inline, never eval.
    assert "script-src 'self';" in CONTENT_SECURITY_POLICY and "default-src 'none'" in CONTENT_SECURITY_POLICY
    assert "unsafe" not in CONTENT_SECURITY_POLICY + DOCS_CONTENT_SECURITY_POLICY
    assert client.get("/docs").headers["content-security-policy"] == DOCS_CONTENT_SECURITY_POLICY


def test_the_index_is_only_read(client):
    assert client.post("/api/search?q=harbour").status_code == 405
    assert client.delete(f"/api/documents/{GOLD_DOC}").status_code == 405


# ---------------------------------------------------------------------------- pages

def links(html: str) -> list[str]:
    return [h.replace("&amp;", "&") for h in re.findall(r'href="([^"]+)"', html)]


def test_search_page_shows_hits_facets_count_time_and_pages(client):
    html = client.get("/search", params={"q": "harbour traffic"}).text
    assert re.search(r"25 hits\s+· page 1 of 3\s+<span class=\"time\">· \d+\.\d\d s", html)
    assert html.count('<li class="hit">') == 10
    assert "<mark>harbour</mark>" in html.lower()
    source_link = next(h for h in links(html) if "source=Coast+Gazette" in h)
    filtered = client.get(source_link).text
    assert re.search(r"12 hits\s", filtered) and "<span>Harbour Times</span>" not in filtered
    month_link = next(h for h in links(html) if "since=2020-02&until=2020-02" in h)
    assert re.search(r"8 hits\s", client.get(month_link).text)
    page_two = next(h for h in links(html) if h.endswith("page=2"))
    assert '<ol class="hits" start="11">' in client.get(page_two).text
    by_date = client.get(next(h for h in links(html) if "sort=date" in h)).text
    days = re.findall(r'<time datetime="([^"]+)"', by_date)
    assert days == sorted(days, reverse=True) and len(days) == 10


def test_a_misspelling_that_finds_nothing_shows_its_correction_at_once(client):
    html = client.get("/search", params={"q": "harbuor"}).text
    assert "Showing results for <strong>harbour</strong>. Search instead for" in html
    assert html.count('<li class="hit">') == 10 and 'value="harbour"' in html
    as_typed = next(h for h in links(html) if h.startswith("/search?q=harbuor"))
    assert as_typed == "/search?q=harbuor&typed=true"
    typed = client.get(as_typed).text  # as typed: nothing, and the correction as a link
    assert '<li class="hit">' not in typed and "Did you mean" in typed
    assert next(h for h in links(typed) if h.startswith("/search?q=harbour")) == "/search?q=harbour"


def test_seed_text_is_escaped_everywhere(client):
    pages = [client.get("/search", params={"q": "dockyard cranes"}).text,
             client.get("/documents/" + "evil%2F%3Cb%3Eid%3C%2Fb%3E.txt").text]
    for html in pages:
        assert "<script>" not in html and "<img" not in html and "<i>Source</i>" not in html
        assert "&lt;script&gt;" in html and "onerror=alert(1)" in html  # shown, as text
    document = pages[1]
    assert "Dockyard news" in document and 'href="javascript:' not in document
    assert "evil%2F%3Cb%3Eid%3C%2Fb%3E.txt" in client.get("/search", params={"q": "cranes"}).text


def test_document_page_has_article_similar_and_removed_lines(client):
    html = client.get(f"/documents/{GOLD_DOC}").text
    assert "<h1>U.S. and Taliban agree to" in html
    assert "Similar articles" in html
    removed = html.split("What the cleaner removed", 1)[1]
    assert "<details>" in html and "<td>" in removed
    assert re.search(r'<td class="label">\w+</td><td>[^<]+</td></tr>', removed)  # each line's label and reason
    assert re.findall(r"<script[^>]*>", html) == ['<script src="/static/search.js" defer>']  # no inline script
    assert client.get("/").status_code == 200 and "27 articles" in client.get("/").text


def test_search_page_without_query_is_the_home_page(client):
    html = client.get("/search?q=").text
    assert "27 articles" in html


def test_a_document_with_no_confident_title_is_listed_by_its_first_words(tmp_path):
    """Issue 23: a page with no confident headline has an empty title and title_guessed; its hit
    shows the body's first words with the flag set, and both records validate."""
    with SearchIndex(tmp_path / "index") as ix:
        ix.add([Document(doc_id="untitled.txt", body="Lighthouse keepers counted the ships that passed the cape "
                         "all winter long.\n\nThe log is kept at the museum.")])
    with TestClient(create_app(tmp_path / "index"), raise_server_exceptions=False,
                    base_url="http://localhost") as client:
        results = client.get("/api/search", params={"q": "lighthouse"}).json()
        ResultsRecord.model_validate(results)
        hit = results["hits"][0]
        assert hit["title_guessed"] is True
        assert hit["title"] == "Lighthouse keepers counted the ships that passed the cape all winter long."
        doc = client.get("/api/documents/untitled.txt").json()
        DocumentRecord.model_validate(doc)
        assert doc["title"] == "" and doc["title_guessed"] is True
