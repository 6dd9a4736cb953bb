"""The search page in a real browser: Debian's headless chromium driven by Playwright. Each
screen at 1280 and 390 px wide, light and dark: laid out (filters beside the hits, or above
them and folded on a phone), 44 px tap targets on a phone, snippets of at most three lines,
nothing wider than the screen, and no serious accessibility violation (axe-core, from the
axe-playwright-python package). Without JavaScript everything works; with it, search as
you type, and the page is the same.

Skips with a one-line reason when playwright or chromium is missing; with
SEARCHER_REQUIRE_BROWSER=1 (set by .ci/run) it fails instead. With SEARCHER_SCREENSHOTS=1
it writes a screenshot of each screen to benchmarks/out/, and docs/serve.png and
docs/serve-phone.png (shown in README.md and docs/web.md).
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from conftest import REPO
from web_server import running_server
from web_site import build_site

pytestmark = pytest.mark.slow

#: The browser binary: Debian's chromium (no browser is ever downloaded).
CHROMIUM = Path(os.environ.get("SEARCHER_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
REQUIRE_BROWSER = "SEARCHER_REQUIRE_BROWSER"
SCREENSHOTS = "SEARCHER_SCREENSHOTS"
#: Milliseconds a page action may wait (a loaded CI machine is slow, never this slow).
WAIT_MS = 30_000
#: The widths every screen is checked at (a laptop, a phone), with their heights.
SCREENS = {1280: 900, 390: 844}
#: The smallest tap target on a phone (WCAG 2.5.5, Apple's and Google's guides).
TAP_PX = 44


def _missing() -> str | None:
    for module, install in (("fastapi", 'pip install "searcher[web]"'), ("playwright", "pip install playwright"),
                            ("axe_playwright_python", "pip install axe-playwright-python")):
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


@pytest.fixture(scope="module")
def site(tmp_path_factory, browser):
    root = tmp_path_factory.mktemp("browser")
    index = build_site(root)
    with running_server(index, root / "seeds") as url:
        yield url


@pytest.fixture
def shots(tmp_path) -> Path:
    """Where screenshots go: benchmarks/out/ when asked for, else a temporary folder."""
    if os.environ.get(SCREENSHOTS):
        folder = REPO / "benchmarks" / "out"
        folder.mkdir(parents=True, exist_ok=True)
        return folder
    return tmp_path


def new_page(browser, *, width: int = 1100, scheme: str = "light", script: bool = False):
    """A page in a fresh context, and the list its Content-Security-Policy complaints go to."""
    context = browser.new_context(java_script_enabled=script, viewport={"width": width, "height": SCREENS.get(width, 760)},
                                  color_scheme=scheme)
    page = context.new_page()
    page.set_default_timeout(WAIT_MS)
    violations: list[str] = []
    page.on("console", lambda message: violations.append(message.text) if "Content Security Policy" in message.text
            else None)
    return page, violations


def test_search_facet_article_and_back_without_javascript(browser, site, shots):
    page, violations = new_page(browser)
    page.goto(site)
    page.get_by_label("Search the archive").fill("port strike")
    page.keyboard.press("Enter")
    page.wait_for_url("**/search?q=port+strike")
    hits = page.locator("li.hit")
    assert hits.count() >= 6 and f"{hits.count()} hits" in page.locator("#summary").inner_text()
    marks = page.locator("li.hit mark")
    assert marks.count() >= 6 and all(m.lower().startswith(("port", "strik")) for m in marks.all_inner_texts())

    facet = page.locator(".panel a.choice", has_text="Coast Gazette")
    count = int(facet.locator(".count").inner_text())
    assert 0 < count < hits.count()
    facet.click()
    page.wait_for_url("**source=Coast+Gazette**")
    assert f"{count} hit" in page.locator("#summary").inner_text() and hits.count() == count
    assert all("Coast Gazette" in meta for meta in page.locator("li.hit .meta").all_inner_texts())

    first_title = page.locator("li.hit h2 a").first.inner_text()
    page.locator("li.hit h2 a").first.click()
    page.wait_for_url("**/documents/**")
    assert page.locator("h1").inner_text() == first_title
    assert page.locator("section.similar li").count() >= 1
    page.get_by_text("Back to the results for").click()
    page.wait_for_url("**/search?q=port+strike&source=Coast+Gazette")
    assert page.locator("li.hit mark").count() >= 2 and hits.count() == count
    assert violations == []
    page.context.close()


def test_document_page_shows_what_the_cleaner_removed(browser, site, shots):
    page, _ = new_page(browser)
    page.goto(site + "search?q=Khalilzad")
    page.locator("li.hit h2 a").first.click()
    page.wait_for_url("**/documents/000_d8f0162b6785f52f.txt**")
    rows = page.locator("section.removed tbody tr")
    assert not rows.first.is_visible()
    page.locator("section.removed summary").click()  # <details> opens without JavaScript
    assert rows.first.is_visible() and rows.count() > 3
    lines = page.locator("section.removed td.label").first.evaluate(
        "td => { const r = document.createRange(); r.selectNodeContents(td); return r.getClientRects().length; }")
    assert lines == 1  # a label on one line, not a letter a line
    page.screenshot(path=str(shots / "serve-removed.png"), full_page=True)
    page.context.close()


def test_copies_open_without_javascript(browser, site):
    page, _ = new_page(browser, width=390)
    page.goto(site + "search?q=dock+workers+walked+out")
    copies = page.locator("li.hit").first.locator("details.copies")
    copy = copies.locator("li a").first
    assert copies.locator("summary").inner_text() == "+1 copy" and not copy.is_visible()
    copies.locator("summary").click()
    assert copy.is_visible() and copy.inner_text() in ("Wire Service", "Harbour Times")
    page.context.close()


# ---------------------------------------------------------------------------- every screen

#: The screens checked at each width and scheme: name -> path.
SCREEN_PATHS = {
    "search": "search?q=port&limit=3&source=Coast+Gazette&source=Harbour+Times",
    "copies": "search?q=dock+workers+walked+out",
    "typo": "search?q=dredgng",
    "empty": "search?q=-strike",
    "error": "search?q=strike&since=2020-05&until=2020-04",
    "document": "documents/news%2F02.txt?q=grain",
    "home": "",
}


def axe_problems(page) -> list[str]:
    """The serious and critical accessibility violations axe-core finds on the page."""
    from axe_playwright_python.sync_playwright import Axe

    found = Axe().run(page).response["violations"]
    return [f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
            for v in found if v["impact"] in ("serious", "critical")]


def small_targets(page, scope: str) -> list[str]:
    """The visible links, buttons, fields and summaries inside ``scope`` smaller than a tap target."""
    return page.evaluate("""([scope, px]) => {
        const out = [];
        for (const el of document.querySelectorAll(scope + ' :is(a, button, summary, input:not([type=hidden]), select)')) {
            const box = el.getBoundingClientRect();
            if (!box.width || !box.height || box.right <= 0) continue;  // not shown (the skip link until focused)
            if (el.matches('p:not(.back) > a')) continue;  // a link in a sentence (WCAG's inline exception)
            const height = el.matches('input[type=checkbox]') ? el.closest('label').getBoundingClientRect().height : box.height;
            if (height < px) out.push(`${el.outerHTML.slice(0, 80)}: ${Math.round(box.width)}x${Math.round(height)}`);
        }
        return out;
    }""", [scope, TAP_PX])


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("width", list(SCREENS))
def test_every_screen_at_each_width_and_scheme(browser, site, shots, width, scheme):
    page, violations = new_page(browser, width=width, scheme=scheme, script=True)  # axe-core is a script
    problems: dict[str, list[str]] = {}
    for name, path in SCREEN_PATHS.items():
        page.goto(site + path)
        background = page.evaluate("getComputedStyle(document.body).backgroundColor")
        level = sum(int(c) for c in re.findall(r"\d+", background)[:3]) / 3
        assert (level < 60) if scheme == "dark" else (level > 200), (name, background)
        assert page.evaluate("document.documentElement.scrollWidth") <= width, f"{name} is wider than the screen"
        if width < 600 and name != "home":
            page.locator("details.panel > summary").click() if page.locator("details.panel").count() else None
            problems[name] = small_targets(page, "body")
        found = axe_problems(page)
        if found:
            problems[f"{name} (axe)"] = found
        page.screenshot(path=str(shots / f"serve-{name}-{width}-{scheme}.png"), full_page=True)
    assert not {k: v for k, v in problems.items() if v}, problems
    assert violations == []
    page.context.close()


@pytest.mark.parametrize("width", list(SCREENS))
def test_results_layout_filters_beside_or_above_the_hits(browser, site, shots, width):
    page, _ = new_page(browser, width=width)
    page.goto(site + SCREEN_PATHS["search"])
    panel, results, first = page.locator("details.panel"), page.locator("section.results"), page.locator("li.hit").first
    choice = panel.locator("a.choice").first
    if width >= 600:  # beside the hits, open without a click
        assert panel.bounding_box()["x"] >= results.bounding_box()["x"] + results.bounding_box()["width"]
        assert choice.is_visible() and not panel.locator("summary").is_visible()
    else:  # above the hits, folded until asked for
        assert panel.bounding_box()["y"] + panel.bounding_box()["height"] <= first.bounding_box()["y"]
        assert not choice.is_visible()
        page.locator("details.panel > summary").click()
        assert choice.is_visible() and choice.bounding_box()["height"] >= TAP_PX
        assert page.locator(".pages a").first.bounding_box()["height"] >= TAP_PX
    for snippet in page.locator("li.hit .snippet").all():  # two or three lines, whatever the width
        lines = snippet.bounding_box()["height"] / float(snippet.evaluate("e => getComputedStyle(e).lineHeight")[:-2])
        assert lines <= 3.05, lines
    shown = page.locator(".active a").all_inner_texts()
    assert {"Source: Coast Gazette ×", "Source: Harbour Times ×"} <= {" ".join(t.split()) for t in shown}
    if os.environ.get(SCREENSHOTS):
        page.goto(site + "search?q=port+strike")
        page.screenshot(path=str(REPO / "docs" / ("serve.png" if width >= 600 else "serve-phone.png")))
    page.context.close()


# ---------------------------------------------------------------------------- the one script

def test_search_as_you_type_and_the_same_page_without_the_script(browser, site):
    page, violations = new_page(browser, script=True)
    page.goto(site)
    page.locator("#q").press_sequentially("grain", delay=40)
    page.wait_for_url("**/search?q=grain**")
    page.locator("li.hit").first.wait_for()
    assert page.locator("li.hit").count() >= 3 and "hits" in page.locator("#live").inner_text()
    assert page.locator("#q").input_value() == "grain" and page.locator("#q").evaluate("e => e === document.activeElement")
    with_script = page.locator("main").inner_html()
    bare, _ = new_page(browser)
    bare.goto(site + "search?q=grain")
    assert bare.locator("main").inner_html() == with_script.replace(re.search(r"· [\d.]+ s", with_script).group(0),
                                                                    re.search(r"· [\d.]+ s", bare.content()).group(0))
    assert violations == []
    page.context.close()
    bare.context.close()


def test_api_docs_run_swagger_ui_from_this_server_only(browser, site, shots):
    page, violations = new_page(browser, width=1280, script=True)
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.goto(site + "docs")
    page.locator(".swagger-ui .info .title").wait_for()
    assert "searcher" in page.locator(".swagger-ui .info .title").inner_text()
    page.get_by_text("/api/search", exact=True).first.click()
    page.locator(".swagger-ui .parameters").first.wait_for()
    assert violations == [] and requests and all(url.startswith(site) for url in requests)
    page.screenshot(path=str(shots / "serve-docs.png"))
    page.context.close()
