"""The search page in a real browser: Debian's headless chromium driven by Playwright, with
JavaScript off (the pages must work without it). Type a query, see highlighted hits, click
a facet, open an article, go back.

Skips with a one-line reason when playwright or chromium is missing; with
SEARCHER_REQUIRE_BROWSER=1 (set by .ci/run) it fails instead. With SEARCHER_SCREENSHOTS=1
it writes a screenshot of each page to benchmarks/out/ and docs/serve.png (shown in README.md and docs/web.md).
"""

from __future__ import annotations

import os
import shutil
from datetime import datetime
from pathlib import Path

import pytest

from conftest import REPO
from web_server import running_server

pytestmark = pytest.mark.slow

#: The browser binary: Debian's chromium (no browser is ever downloaded).
CHROMIUM = Path(os.environ.get("SEARCHER_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
REQUIRE_BROWSER = "SEARCHER_REQUIRE_BROWSER"
SCREENSHOTS = "SEARCHER_SCREENSHOTS"
#: Milliseconds a page action may wait (a loaded CI machine is slow, never this slow).
WAIT_MS = 30_000


def _missing() -> str | None:
    for module, install in (("fastapi", 'pip install "searcher[web]"'), ("playwright", "pip install playwright")):
        try:
            __import__(module)
        except ImportError:
            return f"{module} is not installed ({install})"
    if not CHROMIUM.exists():
        return f"{CHROMIUM} not found (apt-get install chromium)"
    return None


@pytest.fixture(scope="module")
def browser():
    reason = _missing()
    if reason:
        if os.environ.get(REQUIRE_BROWSER):
            pytest.fail(f"{reason}, and {REQUIRE_BROWSER} is set")
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


NEWS = [
    ("Dock workers strike at the northern port", "Harbour Times", (2020, 3, 2),
     "Dock workers walked out at the northern port on Monday, halting the unloading of grain ships. "
     "The union said the strike would last until the port authority agreed to talks on pay."),
    ("Port strike enters second week", "Harbour Times", (2020, 3, 9),
     "The strike at the northern port entered its second week as grain ships waited offshore. "
     "Shipping lines warned that delays would spread to other harbours along the coast."),
    ("Grain exporters count the cost of the port strike", "Coast Gazette", (2020, 3, 12),
     "Grain exporters said the port strike had cost them millions in penalties for late delivery, "
     "and asked the government to step in."),
    ("Strike ends as port authority agrees to pay talks", "Coast Gazette", (2020, 3, 20),
     "The strike at the northern port ended on Friday after the port authority agreed to pay talks. "
     "The first grain ship was unloaded within hours."),
    ("New berths open at the southern harbour", "Harbour Times", (2020, 4, 3),
     "Two new berths opened at the southern harbour, which expects traffic to rise by a fifth next year."),
    ("Ferry timetable changes for the summer", "Island Post", (2020, 4, 15),
     "The ferry operator published its summer timetable, with extra crossings at weekends."),
    ("Port traffic recovers after the strike", "Island Post", (2020, 4, 28),
     "Port traffic returned to normal levels in April, a month after the strike at the northern port ended."),
    ("Harbour dredging to start in May", "Coast Gazette", (2020, 4, 30),
     "Dredging of the harbour channel will start in May so that larger grain ships can reach the port."),
]


@pytest.fixture(scope="module")
def site(tmp_path_factory, browser):
    from searcher import Document, SearchIndex

    root = tmp_path_factory.mktemp("browser")
    shutil.copytree(REPO / "seeds", root / "seeds")
    with SearchIndex(root / "index") as ix:
        ix.update(root / "seeds")
        ix.add([Document(doc_id=f"news/{n:02d}.txt", title=title, body=body, source=source,
                         published=datetime(*day), url=f"https://news.example/{n}")
                for n, (title, source, day, body) in enumerate(NEWS)])
    with running_server(root / "index", root / "seeds") as url:
        yield url


@pytest.fixture
def shots(tmp_path) -> Path:
    """Where screenshots go: benchmarks/out/ when asked for, else a temporary folder."""
    if os.environ.get(SCREENSHOTS):
        folder = REPO / "benchmarks" / "out"
        folder.mkdir(parents=True, exist_ok=True)
        return folder
    return tmp_path


def test_search_facet_article_and_back_without_javascript(browser, site, shots):
    context = browser.new_context(java_script_enabled=False, viewport={"width": 1100, "height": 760})
    page = context.new_page()
    page.set_default_timeout(WAIT_MS)
    violations: list[str] = []
    page.on("console", lambda message: violations.append(message.text) if "Content Security Policy" in message.text
            else None)
    page.goto(site)
    page.get_by_label("Search the archive").fill("port strike")
    page.keyboard.press("Enter")
    page.wait_for_url("**/search?q=port+strike")
    hits = page.locator("li.hit")
    assert hits.count() >= 6 and f"{hits.count()} hits" in page.locator("#summary").inner_text()
    marks = page.locator("li.hit mark")
    assert marks.count() >= 6 and all(m.lower().startswith(("port", "strik")) for m in marks.all_inner_texts())
    page.screenshot(path=str(shots / "serve-search.png"), full_page=True)
    if os.environ.get(SCREENSHOTS):
        (REPO / "docs").mkdir(exist_ok=True)
        page.screenshot(path=str(REPO / "docs" / "serve.png"))

    facet = page.locator("aside.facets li", has_text="Coast Gazette")
    count = int(facet.locator(".count").inner_text())
    assert 0 < count < hits.count()
    facet.locator("a").click()
    page.wait_for_url("**source=Coast+Gazette**")
    assert f"{count} hits" in page.locator("#summary").inner_text() and hits.count() == count
    assert all(meta.startswith("Coast Gazette") for meta in page.locator("li.hit .meta").all_inner_texts())
    page.screenshot(path=str(shots / "serve-facet.png"), full_page=True)

    first_title = page.locator("li.hit h2 a").first.inner_text()
    page.locator("li.hit h2 a").first.click()
    page.wait_for_url("**/documents/**")
    assert page.locator("h1").inner_text() == first_title
    assert page.locator("section.similar li").count() >= 1
    page.locator("section.removed summary").click()  # <details> opens without JavaScript
    page.screenshot(path=str(shots / "serve-document.png"), full_page=True)

    page.go_back()
    page.wait_for_url("**source=Coast+Gazette**")
    assert page.locator("li.hit mark").count() >= 2
    assert violations == []
    context.close()


def test_document_page_shows_what_the_cleaner_removed(browser, site, shots):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.set_default_timeout(WAIT_MS)
    page.goto(site + "search?q=Khalilzad")
    page.locator("li.hit h2 a").first.click()
    page.wait_for_url("**/documents/000_d8f0162b6785f52f.txt")
    rows = page.locator("section.removed tbody tr")
    assert not rows.first.is_visible()
    page.locator("section.removed summary").click()
    assert rows.first.is_visible() and rows.count() > 3
    page.screenshot(path=str(shots / "serve-removed.png"), full_page=True)
    context.close()
