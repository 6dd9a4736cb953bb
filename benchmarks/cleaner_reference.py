"""What a cleaner-dev page's metadata should be, read from its HTML twin: the yardstick
``benchmarks/cleaner_eval.py`` measures titles, dates and authors against.

The data set labels only the article body. The rest comes from what each page's HTML says for
machines and shows as its headline, built here by fixed rules (nothing is tuned on the cleaner's
output), and printed by ``python benchmarks/cleaner_reference.py`` for a check by eye:

* **title**: the page's headlines, each less the site's name: its first ``<h1>`` that is a
  headline (it shares words with ``og:title``/``<title>``, or it is at least four words and not
  the site's name: some sites put their name or a menu heading in an ``<h1>``), ``og:title``
  (or ``twitter:title``) and ``<title>``. A title is right when its words match one of them
  (:func:`title_right`: the same words, allowing one or two words of difference in a long one);
* **date**: the publication day most sources agree on: the date in the URL, trafilatura's
  (htmldate) and the page's own tags (``article:published_time``, JSON-LD ``datePublished``),
  within a day of each other (time zones move a date by one);
* **shown date**: whether the *text capture* shows that day in some written form (``Nov. 19,
  2019``, ``19.11.2019``, ``2019年11月19日``, ``22 de outubro de 2010``...): the date target
  counts the pages where a reader of the capture could see it;
* **authors**: the names in JSON-LD ``author``, the ``author`` meta tag and trafilatura's author.
"""

from __future__ import annotations

import json
import re
import sys
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

_WORDS = re.compile(r"\w+")

# ---- titles -----------------------------------------------------------------------------------
_SEPARATORS = re.compile(r"\s+[|–—:·•-]\s+|\s+[|»]\s*")


def title_words(text: str) -> list[str]:
    return _WORDS.findall(text.lower())


def dice(a: str, b: str) -> float:
    """Word-multiset overlap of two titles, 0 to 1."""
    wa, wb = Counter(title_words(a)), Counter(title_words(b))
    if not wa or not wb:
        return 0.0
    return 2 * sum((wa & wb).values()) / (sum(wa.values()) + sum(wb.values()))


# A title is right when its words are a headline's words: identical, or one or two words apart
# in a long one ("Updated:" glued in front, a word the social title drops). "Share: <headline>"
# or a headline with its breadcrumb glued on is not right.
RIGHT_TITLE = 0.9


def title_right(title: str, references: list[str]) -> bool:
    return bool(title.strip()) and any(dice(title, ref) > RIGHT_TITLE for ref in references)


def without_site(title: str, site_names: list[str]) -> str:
    """'Headline | Site' -> 'Headline': drop the parts that name the site (or, when none does,
    short parts beside a long one)."""
    parts = [p.strip() for p in _SEPARATORS.split(title) if p.strip()]
    if len(parts) < 2:
        return title.strip()
    names = {" ".join(title_words(n)) for n in site_names if n}
    kept = [p for p in parts if " ".join(title_words(p)) not in names
            and not any(n and n in " ".join(title_words(p)) and len(title_words(p)) <= len(n.split()) + 1
                        for n in names)]
    if kept and len(kept) < len(parts):
        return " - ".join(kept)
    # No part names the site: a short last part is still most likely its name.
    if len(title_words(parts[-1])) <= 3 and len(parts[-1]) < len(parts[0]):
        return " - ".join(parts[:-1])
    return title.strip()


@dataclass
class PageReference:
    """What the HTML twin says about one page."""

    titles: list[str]                       # the headline first, then the other forms
    date: date | None = None
    date_sources: dict[str, date | None] = field(default_factory=dict)
    authors: list[str] = field(default_factory=list)
    shown_date: bool = False                # the text capture shows ``date``

    @property
    def title(self) -> str:
        return self.titles[0] if self.titles else ""


def _meta(tree: Any) -> dict[str, str]:
    meta: dict[str, str] = {}
    for el in tree.iter("meta"):
        key = (el.get("property") or el.get("name") or el.get("itemprop") or "").strip().lower()
        value = " ".join((el.get("content") or "").split())
        if key and value and key not in meta:
            meta[key] = value
    return meta


def _jsonld(tree: Any) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    for script in tree.iter("script"):
        if (script.get("type") or "").strip().lower() != "application/ld+json" or not script.text:
            continue
        try:
            data = json.loads(script.text.strip().rstrip(";"))
        except ValueError:
            continue
        stack = [data]
        while stack:
            node = stack.pop()
            if isinstance(node, list):
                stack.extend(node)
            elif isinstance(node, dict):
                items.append(node)
                stack.extend(v for k, v in node.items() if k == "@graph")
    return items


def _names(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value.strip()] if value.strip() else []
    if isinstance(value, dict):
        return _names(value.get("name"))
    if isinstance(value, list):
        return [n for v in value for n in _names(v)]
    return []


def reference_titles(tree: Any, url: str) -> list[str]:
    meta = _meta(tree)
    items = _jsonld(tree)
    sites = [meta.get("og:site_name", ""),
             *(n for item in items for n in _names(item.get("publisher"))),
             urlparse(url).netloc.lower().removeprefix("www.")]
    title_el = tree.find(".//title")
    page_title = " ".join(title_el.text_content().split()) if title_el is not None else ""
    social = meta.get("og:title") or meta.get("twitter:title") or ""
    others = [without_site(t, sites) for t in (social, page_title) if t]
    site_keys = {" ".join(title_words(s)) for s in sites if s}
    headline = None
    for h1 in tree.iter("h1"):
        text = " ".join(h1.text_content().split())
        if not text or " ".join(title_words(text)) in site_keys:
            continue
        if any(dice(text, other) >= 0.5 for other in others) or len(title_words(text)) >= 4:
            headline = text
            break
    titles = ([headline] if headline else []) + others
    # A <title> that is only the site's name is no headline.
    return list(dict.fromkeys(t for t in titles if t and " ".join(title_words(t)) not in site_keys))


# ---- dates --------------------------------------------------------------------------------------
_MONTH_NAMES = (
    "jan january januar janvier enero janeiro gennaio januari января январь 1月",
    "feb february februar février febrero fevereiro febbraio februari февраля февраль",
    "mar march märz maerz mars marzo março maret марта март",
    "apr april avril abril aprile апреля апрель",
    "may mai mayo maio maggio mei мая май",
    "jun june juni juin junio junho giugno июня июнь",
    "jul july juli juillet julio julho luglio июля июль",
    "aug august août agosto agustus agu августа август",
    "sep sept september septembre septiembre setembro settembre сентября сентябрь",
    "oct october oktober octobre octubre outubro ottobre okt октября октябрь",
    "nov november novembre noviembre novembro nop ноября ноябрь",
    "dec december dezember décembre diciembre dezembro dicembre desember des декабря декабрь",
)
MONTHS = {name: n for n, names in enumerate(_MONTH_NAMES, start=1) for name in names.split()}
_MONTH = "|".join(sorted((re.escape(m) for m in MONTHS), key=len, reverse=True))
_DATE_FORMS = [
    (re.compile(r"(?<!\d)(\d{4})[-/.年년]\s*(\d{1,2})[-/.月월]\s*(\d{1,2})(?!\d)"), "ymd"),
    (re.compile(r"(?<!\d)(\d{1,2})[./-](\d{1,2})[./-](\d{4})(?!\d)"), "dmy|mdy"),
    (re.compile(rf"\b(\d{{1,2}})(?:st|nd|rd|th)?\.?\s+(?:de\s+)?({_MONTH})\.?,?\s+(?:de\s+)?(\d{{4}})", re.I), "dMy"),
    (re.compile(rf"\b({_MONTH})\.?\s+(\d{{1,2}})(?:st|nd|rd|th)?,?\s+(\d{{4}})", re.I), "Mdy"),
]


def dates_in(text: str) -> set[date]:
    """Every calendar day written in ``text`` in a common form (both readings of 01/02/2019)."""
    found: set[date] = set()
    for pattern, order in _DATE_FORMS:
        for match in pattern.finditer(text):
            a, b, c = match.groups()
            readings = []
            if order == "ymd":
                readings = [(a, b, c)]
            elif order == "dmy|mdy":
                readings = [(c, b, a), (c, a, b)]
            elif order == "dMy":
                readings = [(c, MONTHS.get(b.lower()), a)]
            else:
                readings = [(c, MONTHS.get(a.lower()), b)]
            for y, m, d in readings:
                try:
                    found.add(date(int(y), int(m), int(d)))  # type: ignore[arg-type]
                except (TypeError, ValueError):
                    pass
    return found


def near(a: date | None, b: date | None) -> bool:
    """The same day, or one apart (a time zone moves an evening's date)."""
    return a is not None and b is not None and abs((a - b).days) <= 1


def _url_date(url: str) -> date | None:
    match = re.search(r"/((?:19|20)\d\d)[/-](\d{1,2})[/-](\d{1,2})(?:/|-|$)", url) or \
        re.search(r"/((?:19|20)\d\d)(\d\d)(\d\d)(?:/|-|\.|$)", url)
    if not match:
        return None
    try:
        return date(*(int(g) for g in match.groups()))
    except ValueError:
        return None


def _first_date(text: Any) -> date | None:
    if not isinstance(text, str):
        return None
    found = re.search(r"((?:19|20)\d\d)-(\d\d)-(\d\d)", text)
    if not found:
        return None
    try:
        return date(*(int(g) for g in found.groups()))
    except ValueError:
        return None


def plausible(day: date | None, today: date | None = None) -> bool:
    """A publication day a news page can have: 1990 to today."""
    return day is not None and date(1990, 1, 1) <= day <= (today or date.today())


def reference_date(tree: Any, url: str, trafilatura_date: str | None) -> tuple[date | None, dict[str, date | None]]:
    """The day most sources agree on (URL, trafilatura, the page's tags); the sources beside it."""
    meta = _meta(tree)
    tagged = meta.get("article:published_time") or next(
        (item.get("datePublished") for item in _jsonld(tree) if isinstance(item.get("datePublished"), str)), None)
    sources = {"url": _url_date(url), "trafilatura": _first_date(trafilatura_date), "tags": _first_date(tagged)}
    days = [d for d in sources.values() if plausible(d)]
    if not days:
        return None, sources
    best = max(days, key=lambda d: (sum(near(d, other) for other in days), -list(sources.values()).index(d)))
    return best, sources


# ---- authors ------------------------------------------------------------------------------------
def reference_authors(tree: Any, trafilatura_author: str | None) -> list[str]:
    names = [n for item in _jsonld(tree) for n in _names(item.get("author"))]
    meta_author = _meta(tree).get("author")
    if meta_author and not meta_author.startswith("http"):
        names.append(meta_author)
    if trafilatura_author:
        names += [n.strip() for n in trafilatura_author.split(";")]
    return list(dict.fromkeys(n for n in names if n and not n.startswith("http")))


_NOT_NAMES = frozenset(MONTHS) | frozenset("monday tuesday wednesday thursday friday saturday sunday".split())


def author_agrees(found: list[str], references: list[str]) -> bool:
    """One found name shares a word of three letters or more with a reference name (case aside;
    a month or weekday trafilatura ran into a name does not count)."""
    ref_words = {w for name in references for w in title_words(name) if len(w) >= 3 and w not in _NOT_NAMES}
    return any(w in ref_words for name in found for w in title_words(name) if len(w) >= 3)


# ---- one page -----------------------------------------------------------------------------------
def page_reference(html: str, text_capture: str, url: str) -> PageReference:
    from lxml import html as lxml_html

    tree = lxml_html.fromstring(html)
    traf_date = traf_author = None
    try:
        import trafilatura

        found = trafilatura.extract_metadata(html)
        traf_date, traf_author = (found.date, found.author) if found else (None, None)
    except ImportError:  # pragma: no cover - the bench extra installs it
        pass
    day, sources = reference_date(tree, url, traf_date)
    shown = day is not None and any(near(day, d) for d in dates_in(text_capture))
    return PageReference(reference_titles(tree, url), day, sources, reference_authors(tree, traf_author), shown)


def load_references(data: Path, ids: list[str], urls: dict[str, str]) -> dict[str, PageReference]:
    pages = data / "pages"
    return {i: page_reference((pages / f"{i}.html").read_text(encoding="utf-8"),
                              (pages / f"{i}.txt").read_text(encoding="utf-8"), urls[i]) for i in ids}


def main(argv: list[str] | None = None) -> int:
    """Print every page's reference for a check by eye."""
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=Path(__file__).resolve().parents[2] / "shared" / "data"
                        / "cleaner-dev")
    args = parser.parse_args(argv)
    with open(args.data / "truth.jsonl", encoding="utf-8") as handle:
        urls = {r["id"]: r["url"] for r in map(json.loads, handle) if r}
    refs = load_references(args.data, sorted(urls), urls)
    for i, ref in refs.items():
        sources = ", ".join(f"{k} {v}" for k, v in ref.date_sources.items())
        print(f"{i[:10]} title {ref.titles!r}\n           date {ref.date} (shown in the capture: {ref.shown_date}; "
              f"{sources})\n           authors {ref.authors}")
    print(f"{len(refs)} pages: a date for {sum(1 for r in refs.values() if r.date)}, shown in the text capture on "
          f"{sum(1 for r in refs.values() if r.shown_date)}; authors for {sum(1 for r in refs.values() if r.authors)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
