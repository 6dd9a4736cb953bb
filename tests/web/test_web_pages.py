"""Issue 25: the search page's content through the test client (the browser tests look at
the same pages laid out): what a hit shows, copies, filters that combine and keep their
counts, sorting, date presets, corrections shown at once, empty states and errors that
say why in the page's words, and a way back from a document."""

from __future__ import annotations

import re
from html import unescape

import pytest

pytest.importorskip("fastapi", reason="the web extra is not installed (pip install \"searcher[web]\")")
pytest.importorskip("httpx2", reason="httpx2 (Starlette's test client) is not installed")

from fastapi.testclient import TestClient  # noqa: E402

from searcher.web.app import create_app  # noqa: E402
from web_site import build_site  # noqa: E402


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    with TestClient(create_app(build_site(tmp_path_factory.mktemp("pages"))), raise_server_exceptions=False,
                    base_url="http://localhost") as c:
        yield c


def page(client, **params) -> str:
    response = client.get("/search", params=params)
    assert response.status_code == 200, response.text
    return response.text


def hits(html: str) -> list[str]:
    return re.findall(r'<li class="hit">(.*?)</li>\s*(?=<li class="hit">|</ol>)', html, re.S)


def choice(html: str, label: str) -> tuple[str, bool, int]:
    """A filter's (link, chosen, count) by its label."""
    found = re.search(r'<a class="choice" href="([^"]+)"( aria-current="true")?>[^<]*<span class="box"[^>]*>[^<]*</span> '
                      + re.escape(label) + r' <span class="count">([\d,]+)</span>', html)
    assert found, label
    return unescape(found.group(1)), bool(found.group(2)), int(found.group(3).replace(",", ""))


def text(html: str) -> str:
    return unescape(re.sub(r"<[^>]+>", " ", html))


def test_a_hit_shows_title_site_source_date_and_a_short_snippet_but_no_id(client):
    html = page(client, q="grain exporters")
    first = hits(html)[0]
    assert ">Grain exporters count the cost of the port strike</a>" in first
    assert '<a class="site" href="https://www.coastgazette.example/2" rel="noopener noreferrer">coastgazette.example</a>' in first
    assert "<span>Coast Gazette</span>" in first and '<time datetime="2020-03-12T00:00:00">12 March 2020</time>' in first
    assert "news/02.txt" not in text(html)  # ids only on the document's page
    snippet = re.search(r'<p class="snippet">(.*?)</p>', first, re.S).group(1)
    assert 0 < len(text(snippet).split()) <= 2 * (2 * 8 + 4)  # two passages of a few words around the matches


def test_copies_fold_into_one_hit_that_lists_them(client):
    html = page(client, q="dock workers walked out")
    first = hits(html)[0]
    assert '<details class="copies">' in first and "<summary>+1 copy</summary>" in first
    copy = re.search(r'<details class="copies">.*?<a href="([^"]+)">([^<]+)</a> · 2 March 2020', first, re.S)
    assert copy and copy.group(2) in ("Wire Service", "Harbour Times")
    assert "(+1 copy folded in)" in html


def test_sources_combine_and_every_source_keeps_its_count(client):
    html = page(client, q="port")
    link, chosen, coast = choice(html, "Coast Gazette")
    _, _, island = choice(html, "Island Post")
    assert not chosen
    one = client.get(link).text
    assert choice(one, "Coast Gazette")[1:] == (True, coast)
    assert choice(one, "Island Post")[1:] == (False, island)  # still offered, with its count
    both = client.get(choice(one, "Island Post")[0]).text
    assert "source=Coast+Gazette&amp;source=Island+Post" in both
    shown = {s for hit in hits(both) for s in re.findall(r"<span>([^<]+)</span>", hit)}
    assert shown == {"Coast Gazette", "Island Post"} and len(hits(both)) == coast + island
    assert choice(both, "Harbour Times")[1] is False
    assert "Source: Coast Gazette" in both and "Source: Island Post" in both  # each removable
    back = client.get(choice(both, "Coast Gazette")[0]).text  # unchoose one
    assert choice(back, "Coast Gazette")[1] is False and choice(back, "Island Post")[1] is True


def test_months_make_a_range_and_keep_their_counts(client):
    html = page(client, q="port")
    march_link, _, march = choice(html, "March 2020")
    _, _, april = choice(html, "April 2020")
    in_march = client.get(march_link).text
    assert "since=2020-03&amp;until=2020-03" in march_link.replace("&", "&amp;")
    assert choice(in_march, "March 2020")[1:] == (True, march) and choice(in_march, "April 2020")[1:] == (False, april)
    assert "Published: March 2020" in in_march
    both = client.get(choice(in_march, "April 2020")[0]).text
    assert choice(both, "March 2020")[1] and choice(both, "April 2020")[1]
    assert "Published: March 2020 to April 2020" in both
    assert "1 hit without a date" not in both  # a date range leaves the undated out


def test_sort_newest_oldest_relevance_and_none_on_zero_hits(client):
    html = page(client, q="strike")
    assert 'aria-current="true" href="/search?q=strike"><span class="box" aria-hidden="true">●</span> Most relevant' in html
    oldest = page(client, q="strike", sort="oldest")
    days = re.findall(r'<time datetime="([^"]+)"', oldest)
    assert days == sorted(days) and len(days) >= 4
    newest = re.findall(r'<time datetime="([^"]+)"', page(client, q="strike", sort="date"))
    assert newest == sorted(newest, reverse=True)
    assert re.search(r"<p class=\"notice\">\d+ hits without a date come last\.</p>", oldest)
    assert "<time" not in hits(oldest)[-1] and "<time" in hits(oldest)[0]  # the undated after the dated
    assert "Newest first" not in page(client, q="zzzqqq")


def test_date_presets_reach_back_from_the_newest_article(client):
    html = page(client, q="port")
    assert "back from the newest article, 30 April 2020" in html
    week = unescape(re.search(r'<a class="choice" href="([^"]+)"><span class="box" aria-hidden="true">○</span> Past week',
                              html).group(1))
    assert week == "/search?q=port&since=2020-04-24"
    shown = client.get(week).text
    assert "Published: Past week" in shown and set(re.findall(r'<time datetime="(\d{4}-\d\d-\d\d)', shown)) <= {
        "2020-04-28", "2020-04-30"}


def test_a_correction_is_shown_at_once_and_the_typed_query_is_a_click_away(client):
    html = page(client, q="dredgng")
    assert "Showing results for <strong>dredging</strong>. Search instead for" in html
    assert len(hits(html)) == 1 and 'value="dredging"' in html


@pytest.mark.parametrize("query, why", [
    ("-strike", "Nothing found: the query only says what to leave out (-strike): give a word to look for too."),
    ("the", "Nothing found: 'the' is too common a word to be indexed: search for a less common word with it."),
])
def test_an_empty_result_says_why(client, query, why):
    assert why in text(page(client, q=query)).replace("  ", " ")


def test_nothing_found_with_filters_offers_to_drop_them(client):
    html = page(client, q="ferry", source="Coast Gazette")
    assert "No article matches “ferry” with these filters." in html
    assert '<a href="/search?q=ferry">Search every source and date</a>' in html


def test_an_error_keeps_the_query_and_filters_and_speaks_the_pages_words(client):
    response = client.get("/search", params={"q": "strike", "source": "Island Post", "since": "2020-05",
                                             "until": "2020-04"})
    assert response.status_code == 400
    html = response.text
    assert "This search cannot run: since (2020-05) is after until (2020-04): nothing can match." in html
    assert "--since" not in html and 'value="strike"' in html
    assert '<input type="hidden" name="source" value="Island Post">' in html
    assert re.search(r'<label>Since <input name="since" value="2020-05"', html)  # the page's own word, kept
    bad = client.get("/search", params={"q": "strike", "page": "two", "source": "Island Post"})
    assert bad.status_code == 422 and "Page: Input should be a valid integer" in bad.text
    assert 'value="strike"' in bad.text and 'href="/search?q=strike&amp;source=Island+Post"' in bad.text


def test_a_document_has_a_way_back_and_its_date_in_words(client):
    html = page(client, q="grain exporters", page="1")
    link = unescape(re.search(r'<h2><a href="([^"]+)">Grain exporters', html).group(1))
    assert link == "/documents/news%2F02.txt?q=grain+exporters"
    document = client.get(link).text
    assert '<a href="/search?q=grain+exporters">← Back to the results for “grain exporters”</a>' in document
    assert ">Thursday 12 March 2020</time>" in document and "2020-03-12T00:00:00</" not in document
    assert '<dd class="id">news/02.txt</dd>' in document  # the id is on the document's page
    assert "Back to the results" not in client.get("/documents/news%2F02.txt").text
