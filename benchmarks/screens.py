"""The search page's screens on Reuters-21578 in headless Chromium, at 1280 and 390 px wide,
light and dark: a screenshot of each and what axe-core finds on each.

Usage::

    python benchmarks/screens.py                   # builds Reuters 1x in a temporary folder
    python benchmarks/screens.py --index DIR       # or uses (and first builds, if empty) DIR
    python benchmarks/screens.py --out docs/screens --prefix after-

Every screen (a search, a misspelling, a query that only excludes, an error, a document)
is opened at both widths in both colour schemes; axe-core (the ``axe-playwright-python``
package) counts its violations by impact. The screenshots (the first 900 or 844 px, as a
screen shows them) go to ``--out`` as ``{prefix}{screen}-{wide|phone}-{scheme}.png``; the
table of violations is printed as Markdown for docs/benchmarks.md. It needs Debian's
``chromium`` (``SEARCHER_CHROMIUM`` names another) and the ``web`` and ``test`` extras.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path
from urllib.parse import urlencode

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "benchmarks"))

from serve import build, start_server  # noqa: E402

CHROMIUM = Path(os.environ.get("SEARCHER_CHROMIUM", "/usr/bin/chromium"))
#: Width -> (its name in file names, the screen's height).
WIDTHS = {1280: ("wide", 900), 390: ("phone", 844)}
SCHEMES = ("light", "dark")
#: Screen -> the search page's parameters (the document screen opens the first hit of "search").
SCREENS = {
    "search": {"q": "oil prices"},
    "typo": {"q": "opecc quotta"},
    "exclude": {"q": "-oil"},
    "error": {"q": "oil prices", "since": "1987-06", "until": "1987-03"},
    "document": {"q": "oil prices"},
}
IMPACTS = ("critical", "serious", "moderate", "minor")


def shoot(url: str, out: Path, prefix: str) -> list[tuple[str, str, str, dict[str, int], list[str]]]:
    """(screen, width name, scheme, violations by impact, the serious and critical ones) per screen."""
    from axe_playwright_python.sync_playwright import Axe
    from playwright.sync_api import sync_playwright

    rows = []
    out.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=["--headless", "--no-sandbox"])
        for width, (size, height) in WIDTHS.items():
            for scheme in SCHEMES:
                context = browser.new_context(viewport={"width": width, "height": height}, color_scheme=scheme)
                page = context.new_page()
                for name, params in SCREENS.items():
                    page.goto(f"{url}/search?{urlencode(params)}")
                    if name == "document":
                        page.locator("li.hit h2 a").first.click()
                        page.wait_for_load_state()
                    found = Axe().run(page).response["violations"]
                    counts = {impact: sum(1 for v in found if v["impact"] == impact) for impact in IMPACTS}
                    bad = [f"{v['id']} ({v['impact']})" for v in found if v["impact"] in ("critical", "serious")]
                    rows.append((name, size, scheme, counts, bad))
                    page.screenshot(path=str(out / f"{prefix}{name}-{size}-{scheme}.png"))
                context.close()
        browser.close()
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--index", type=Path, help="index folder to use (built from Reuters if empty)")
    parser.add_argument("--out", type=Path, default=REPO / "benchmarks" / "out" / "screens")
    parser.add_argument("--prefix", default="after-", help="the screenshots' file names start with this")
    args = parser.parse_args()
    index_dir = args.index or Path(tempfile.mkdtemp(prefix="searcher-screens-")) / "index"
    build(index_dir)
    proc, host, port = start_server(index_dir)
    try:
        rows = shoot(f"http://{host}:{port}", args.out, args.prefix)
    finally:
        proc.terminate()
        proc.wait()
    print(f"load average {os.getloadavg()[0]:.1f}; screenshots in {args.out}\n")
    print("| screen | width | scheme | " + " | ".join(IMPACTS) + " |")
    print("|---|---|---|" + "---|" * len(IMPACTS))
    for name, size, scheme, counts, bad in rows:
        print(f"| {name} | {size} | {scheme} | " + " | ".join(str(counts[i]) for i in IMPACTS) + " |")
    serious = [f"{name}-{size}-{scheme}: {', '.join(bad)}" for name, size, scheme, _, bad in rows if bad]
    print(f"\n{len(rows)} screens; serious or critical violations: {len(serious)}")
    for line in serious:
        print("  " + line)
    sys.exit(1 if serious else 0)


if __name__ == "__main__":
    main()
