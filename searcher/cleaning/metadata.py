"""Page metadata: title, source, published date, authors, url and language.

From HTML it is read where publishers put it for machines (Open Graph and article meta tags,
JSON-LD, ``<time datetime>``, ``<link rel=canonical>``, ``<html lang>``); from a text capture it is
read from the chrome the cleaner took out (the site name repeated in "Watch CBS News" and
"CBS News App", "By ..." bylines, "Published ..." lines). What is not found stays None: a wrong
date or source is worse than none.
"""

from __future__ import annotations

import json
import logging
import re
import time
from collections import Counter
from itertools import chain
from dataclasses import dataclass, field
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from typing import Any

from .rules import trie_pattern

logger = logging.getLogger(__name__)


@dataclass(slots=True)
class Metadata:
    """What the cleaner found out about a page besides its body."""

    title: str = ""
    source: str | None = None
    published: datetime | None = None
    authors: list[str] = field(default_factory=list)
    url: str | None = None
    language: str | None = None
    #: The article text a page gives in its JSON-LD (``articleBody``), when it has one.
    article_body: str = ""


# ---- dates --------------------------------------------------------------------------------
_MONTHS = {name: i for i, names in enumerate((
    ("jan", "january", "januar", "janvier", "enero", "janeiro", "gennaio", "januari", "января", "январь"),
    ("feb", "february", "februar", "février", "febrero", "fevereiro", "febbraio", "februari", "февраля", "февраль"),
    ("mar", "march", "märz", "mars", "marzo", "março", "maret", "марта", "март"),
    ("apr", "april", "avril", "abril", "aprile", "апреля", "апрель"),
    ("may", "mai", "mayo", "maio", "maggio", "mei", "мая", "май"),
    ("jun", "june", "juni", "juin", "junio", "junho", "giugno", "июня", "июнь"),
    ("jul", "july", "juli", "juillet", "julio", "julho", "luglio", "июля", "июль"),
    ("aug", "august", "août", "agosto", "agustus", "августа", "август"),
    ("sep", "sept", "september", "septembre", "septiembre", "setembro", "settembre", "сентября", "сентябрь"),
    ("oct", "october", "oktober", "octobre", "octubre", "outubro", "ottobre", "октября", "октябрь"),
    ("nov", "november", "novembre", "noviembre", "novembro", "ноября", "ноябрь"),
    ("dec", "december", "dezember", "décembre", "diciembre", "dezembro", "dicembre", "desember", "декабря", "декабрь"),
), start=1) for name in names}
# A trie of the names (the longest first at each branch), matched against the lower-cased text:
# a case-blind flat alternation of every month name costs a date line 50 us.
_MONTH_RE = trie_pattern(_MONTHS)
# A year ends at a non-digit, or runs straight into a time ("NOV 20 20194:29 AM": a capture that
# lost the space).
_YEAR_END = r"(?:(?!\d)|(?=\d{1,2}:\d\d))"
_ISO = re.compile(r"(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2}))?(?:\.\d+)?"
                  r"(Z|[+-]\d{2}:?\d{2})?)?")
# Matched against the lower-cased text: a case-blind alternation of every month name is slow.
_DAY_MONTH_YEAR = re.compile(rf"\b(\d{{1,2}})(?:st|nd|rd|th)?\.?\s+(?:de\s+)?({_MONTH_RE})\.?,?\s+(?:de\s+)?(\d{{4}})"
                             + _YEAR_END)
_MONTH_DAY_YEAR = re.compile(rf"\b({_MONTH_RE})\.?\s+(\d{{1,2}})(?:st|nd|rd|th)?,?\s+(\d{{4}})" + _YEAR_END)
_CJK_DATE = re.compile(r"(\d{4})\s*[年년]\s*(\d{1,2})\s*[月월]\s*(\d{1,2})\s*[日일]?")
# 2016.12.01, 2019/11/19; 19.11.2019, 11/19/2019 (a day over 12 settles the order; otherwise dots
# and dashes are day first, as in most of the world, and slashes month first, as in the US).
_YEAR_FIRST = re.compile(r"(?<!\d)(\d{4})[./](\d{1,2})[./](\d{1,2})(?!\d)")
_YEAR_LAST = re.compile(r"(?<![\d.])(\d{1,2})([./-])(\d{1,2})\2(\d{4})(?!\d)")
# Quick tests before the patterns: every form has a four-digit year; the numeric ones a digit,
# a separator and a digit.
_HAS_YEAR = re.compile(r"\d{4}")
_NUMERIC_HINT = re.compile(r"\d[./-]\d")
# Pages carry placeholder dates (0001-01-01 in JSON-LD) and typos (2091): a news page is from
# this year range or it has no date.
EARLIEST_YEAR = 1990


def plausible(value: datetime | None) -> bool:
    """A publication date a page can have: from 1990 to today (a day's grace for time zones)."""
    if value is None or value.year < EARLIEST_YEAR:
        return False
    return value.replace(tzinfo=None) <= _latest()


_LATEST: list[Any] = [0.0, None]


def _latest() -> datetime:
    """Tomorrow, as a naive datetime; read from the clock at most once a minute (it is asked
    for every date of every page)."""
    now = time.monotonic()
    if _LATEST[1] is None or now - _LATEST[0] > 60:
        _LATEST[:] = [now, datetime.now() + timedelta(days=1)]
    return _LATEST[1]


def parse_date(text: str | None) -> datetime | None:
    """The first plausible date in ``text`` (ISO 8601, '19 November 2019', 'Nov. 20, 2019',
    '22 de outubro de 2010', 2019年11月20日, 19.11.2019); None when there is none, or only dates
    before 1990 or after today (:func:`plausible`). "3 hours ago" is no date."""
    if not text:
        return None
    found = [(m.start(), date) for m, date in _dates(text)]
    return min(found, key=lambda f: f[0])[1] if found else None


def _dates(text: str) -> Iterator[tuple[re.Match[str], datetime]]:
    """Every plausible date in ``text`` with the match it was read from."""
    if not _HAS_YEAR.search(text):
        return
    if "-" in text:
        for match in _ISO.finditer(text):
            iso = match.group(0).replace(" ", "T")
            if iso.endswith("Z"):
                iso = iso[:-1] + "+00:00"
            iso = re.sub(r"([+-]\d{2})(\d{2})$", r"\1:\2", iso)
            yield from _checked(match, lambda: datetime.fromisoformat(iso))
    lower = text.lower()
    for pattern, order in ((_DAY_MONTH_YEAR, "dmy"), (_MONTH_DAY_YEAR, "mdy")):
        for match in pattern.finditer(lower):
            parts = dict(zip(order, match.groups()))
            month = _MONTHS.get(parts["m"].lower().rstrip("."))
            if month:
                yield from _checked(match, lambda: datetime(int(parts["y"]), month, int(parts["d"])))
    if not text.isascii():
        for match in _CJK_DATE.finditer(text):
            yield from _checked(match, lambda: datetime(*(int(g) for g in match.groups())))
    if _NUMERIC_HINT.search(text):
        for match in _YEAR_FIRST.finditer(text):
            yield from _checked(match, lambda: datetime(*(int(g) for g in match.groups())))
        for match in _YEAR_LAST.finditer(text):
            a, sep, b, year = match.groups()
            day, month = (int(a), int(b)) if int(a) > 12 or (sep != "/" and int(b) <= 12) else (int(b), int(a))
            yield from _checked(match, lambda: datetime(int(year), month, day))


def _checked(match: re.Match[str], make: Callable[[], datetime]) -> Iterator[tuple[re.Match[str], datetime]]:
    try:
        value = make()
    except ValueError:
        return
    if plausible(value):
        yield match, value


# ---- authors ------------------------------------------------------------------------------
_BYLINE = re.compile(r"^(?:by|von|por|di|oleh|par|door|от|автор|text|текст|written by|posted by|reported by)"
                     r"\s*:?\s+(.+)$", re.I)
# Conjunctions between names are lower case ("Sarah E. Needleman" is one name).
_NAME_SPLIT = re.compile(r"\s*(?:,|\b(?:and|AND|und|e|y|et|dan|и)\b|&|\|)\s*")
# Words after the names that start the date part of a byline.
_AFTER_NAMES = frozenset("on updated published posted am at publiziert em il le le on в".split())


# A person's name alone on a line (two to four capitalised words), maybe with ", Role".
_NAME_LINE = re.compile(r"^(?:[^\W\d_][\w.'’-]*\s+){1,3}[^\W\d_][\w.'’-]*(?:,\s+[^\d,]{2,40})?$")
# "... by Jane Doe" inside a date line ("Monday November 18, 2019 7:45 am PST by Jane Doe").
_BY_INSIDE = re.compile(r"\bby\s+([^\W\d_][\w.'’-]*(?:\s+[^\W\d_][\w.'’-]*){1,3})")
_WEEKDAYS = frozenset("""monday tuesday wednesday thursday friday saturday sunday mon tue tues wed thu thurs fri
    sat sun montag dienstag mittwoch donnerstag freitag samstag sonntag""".split())


def is_name_line(text: str) -> bool:
    """A line that is only a person's name (two to four capitalised words, maybe ", Role")."""
    name = text.split(",")[0].split()
    return 2 <= len(name) <= 4 and all(w[0].isupper() for w in name) and _NAME_LINE.match(text) is not None


def authors_from_byline(line: str) -> list[str]:
    """The names in a byline: 'By Jane Doe and John Roe', a date line ending 'by Jane Doe', or a
    line that is only a name ('Jane Doe', 'Jane Doe, Senior Writer') beside the date."""
    text = line.strip()
    match = _BYLINE.match(text) or _BY_INSIDE.search(text)
    if match:
        rest = match.group(1)
    elif is_name_line(text):
        rest = text.split(",")[0]
    else:
        return []
    rest = re.sub(r"[\d|·•/].*$", "", rest)  # a date after the names
    names = []
    for part in _NAME_SPLIT.split(rest):
        tokens = []
        dated = False
        for token in part.split():
            word = token.lower().strip(".,")
            if word in _AFTER_NAMES or word in _MONTHS or word in _WEEKDAYS:
                dated = True
                break
            if not token[0].isupper():
                break
            tokens.append(token)
        name = " ".join(tokens).strip(" .:-·")
        if name and len(tokens) <= 4:
            names.append(name)
        if dated:  # the date part has begun: no more names
            break
    return names


# ---- source from chrome -------------------------------------------------------------------
_NAME_RUN = re.compile(r"(?:[A-Z][\w&.'’-]*|[A-Z]{2,})(?:\s+(?:[A-Z][\w&.'’-]*|[A-Z]{2,}))*")
# Words that recur in every site's chrome; they are never the site's name.
_GENERIC = frozenset("""share email facebook twitter messenger whatsapp linkedin pinterest instagram youtube
    home news video videos menu search sign in up log privacy policy terms of use service contact us about
    more read watch live latest top stories subscribe newsletter newsletters app apps open continue view
    get the a and cookies cookie all rights reserved copyright help tv radio sport sports weather skip
    join follow why download careers contact trust terms site map our your my this be first
    world business tech science health politics opinion us uk local advertise careers""".split())


_SOURCE_EDGE_LINES = 40


# Chrome that names the site: "Watch CBS News", "About CNBC", "© 2019 BBC", "CBS News App".
_SITE_WORDS = ("watch", "view", "about", "contact", "follow", "subscribe", "download", "join", "advertise",
               "copyright", "app", "apps", "newsletter", "newsletters", "help", "terms", "privacy", "careers",
               "more from", "sign in to", "trust", "home")
# Matched against the lower-cased line; a trie of the words (a case-blind flat alternation tried
# at every word boundary costs a line 15 us).
_SITE_CONTEXT = re.compile(rf"\b(?:{trie_pattern(_SITE_WORDS)})\b|©")
_COPYRIGHT_NAME = re.compile(r"(?:©|copyright)\s*(?:©\s*)?(?:\d{4}(?:\s*[-–]\s*\d{4})?)?\s*,?\s*"
                             r"(?:the\s+)?((?:[A-Z][\w&.'’-]*)(?:\s+[A-Z][\w&.'’-]*){0,3})")
_INNER_CAPITAL = re.compile(r"[a-z][A-Z]")
_COMPANY_SUFFIX = re.compile(r"\s+(LLC|Inc\.?|Ltd\.?|GmbH|Corp\.?|Co\.|S\.A\.|Limited|Group)$")


def source_from_chrome(chrome_lines: list[str]) -> str | None:
    """The site's name: the capitalised phrase repeated across the site's own chrome.

    "Watch CBS News", "View CBS News In" and "CBS News App Open" all name the site; so do
    "About CNBC" and "© 2019 CNBC LLC". A name must recur in at least two lines that talk about
    the site (watch, view, about, contact, app, ©...); a longer name wins over its own first
    word when it recurs as often. None when nothing recurs: a wrong source is worse than none.
    """
    counts: Counter[str] = Counter()
    owners: set[str] = set()
    seen: list[set[str]] = []  # the names each line holds (counted once a line)
    if len(chrome_lines) > 2 * _SOURCE_EDGE_LINES:  # the header and the footer are where names are
        chrome_lines = chrome_lines[:_SOURCE_EDGE_LINES] + chrome_lines[-_SOURCE_EDGE_LINES:]
    for line in chrome_lines:
        if not _SITE_CONTEXT.search(line.lower()):
            continue
        found: set[str] = set()
        copyright_name = _COPYRIGHT_NAME.search(line)
        if copyright_name:
            owner = _COMPANY_SUFFIX.sub("", copyright_name.group(1)).strip(".'’")
            owners.add(owner)
            found.add(owner)
        for run in _NAME_RUN.findall(line):
            tokens = run.split()
            for n in range(1, min(3, len(tokens)) + 1):
                for k in range(len(tokens) - n + 1):
                    phrase = " ".join(tokens[k:k + n]).strip(".'’")
                    parts = phrase.lower().split()
                    if not parts or parts[0] in _GENERIC or parts[-1] in _GENERIC and n == 1:
                        continue
                    if parts[-1] in _GENERIC and parts[-1] not in ("news", "tv", "radio", "sports", "sport", "world"):
                        continue
                    found.add(phrase)
        seen.append(found)
    counts.update(chain.from_iterable(seen))
    # One ordinary word ("Examiner", "Page") is too often a menu word: a one-word name must look
    # like a brand (CNBC, AppleInsider) or be the copyright owner.
    candidates = [(c, p) for p, c in counts.items() if c >= 2 and len(p) >= 2 and
                  (" " in p or p.isupper() or _INNER_CAPITAL.search(p) or p in owners)]
    if not candidates:
        return None
    top = max(c for c, _ in candidates)
    best = max((len(p.split()), c, p) for c, p in candidates if c == top)
    return best[2]


# ---- HTML ---------------------------------------------------------------------------------
_TITLE_SEPARATORS = re.compile(r"(\s+[|–—:·•-]\s+|\s+[|»]\s*)")


def strip_site_suffix(title: str, site: str | None = None) -> str:
    """'Headline | Site' -> 'Headline': drop the parts that name the site, then short parts
    left at the end ('| World | News'); a title whose parts are all long ('Topic – Headline')
    is kept whole: a dash inside a headline is no separator to a site's name."""
    pieces = _TITLE_SEPARATORS.split(title.strip())  # part, separator, part, ...
    parts = pieces[::2]
    keep = [bool(p.strip()) for p in parts]
    if sum(keep) < 2:
        return title.strip()
    if site:
        named = [k and p.strip().lower() != site.lower() for k, p in zip(keep, parts)]
        if any(named) and named != keep:
            keep = named
    kept = [k for k, flag in enumerate(keep) if flag]
    while len(kept) >= 2 and len(parts[kept[-1]].split()) <= _SITE_PART_WORDS \
            and len(parts[kept[-1]].strip()) < len(parts[kept[0]].strip()):
        kept.pop()
    # The kept parts with the separators between them, as the page wrote them.
    return "".join(pieces[2 * kept[0]:2 * kept[-1] + 1]).strip() if kept else title.strip()


# A title's last part this short is a site's or section's name ("| CNN", "- World - News").
_SITE_PART_WORDS = 3


def _jsonld_items(tree: Any) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    for script in tree.iter("script"):
        if (script.get("type") or "").strip().lower() != "application/ld+json" or not script.text:
            continue
        try:
            data = json.loads(script.text.strip().rstrip(";"))
        except (ValueError, RecursionError):  # broken, or nested deeper than json can read
            continue
        stack = [data]
        while stack and len(items) < 100:
            node = stack.pop()
            if isinstance(node, list):
                stack.extend(node)
            elif isinstance(node, dict):
                items.append(node)
                if "@graph" in node:
                    stack.append(node["@graph"])
    return items


def _names(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value.strip()] if value.strip() else []
    if isinstance(value, dict):
        return _names(value.get("name"))
    if isinstance(value, list):
        return [n for v in value for n in _names(v)]
    return []


def html_metadata(tree: Any) -> Metadata:
    """Metadata from an lxml HTML tree's head: meta tags, JSON-LD, <time>, canonical link."""
    meta = _meta_tags(tree)
    article, publisher_names = _jsonld_article(tree)
    found = Metadata()
    site = meta.get("og:site_name") or (publisher_names[0] if publisher_names else None) \
        or next(iter(_names(article.get("publisher"))), None)
    found.source = site.strip() if site else None
    title = _title(tree, meta, article)
    found.title = strip_site_suffix(" ".join(title.split()), found.source) if title else ""
    found.published = next((d for d in map(parse_date, (t for t in _date_texts(tree, meta, article)
                                                         if isinstance(t, str))) if d), None)
    found.authors = _authors(tree, meta, article)
    body = article.get("articleBody")
    found.article_body = body if isinstance(body, str) else ""
    found.url = _canonical(tree) or meta.get("og:url") or (
        article.get("url") if isinstance(article.get("url"), str) else None)
    if found.published is None and found.url:
        found.published = url_date(found.url)
    found.language = _language(tree, meta)
    return found


def _meta_tags(tree: Any) -> dict[str, str]:
    """``<meta>`` property/name/itemprop -> content (lower-case keys, the first of each)."""
    meta: dict[str, str] = {}
    for el in tree.iter("meta"):
        key = (el.get("property") or el.get("name") or el.get("itemprop") or "").strip().lower()
        value = (el.get("content") or "").strip()
        if key and value and key not in meta:
            meta[key] = value
    return meta


def _jsonld_article(tree: Any) -> tuple[dict[str, Any], list[str]]:
    """The JSON-LD item describing the article (an ``*Article`` before a page), and every publisher name."""
    article: dict[str, Any] = {}
    publisher_names: list[str] = []
    for item in _jsonld_items(tree):
        kind = item.get("@type")
        kinds = kind if isinstance(kind, list) else [kind]
        if any(isinstance(k, str) and (k.endswith("Article") or k in ("BlogPosting", "Report", "WebPage"))
               for k in kinds):
            if not article or any(isinstance(k, str) and k.endswith("Article") for k in kinds):
                article = item
        if "publisher" in item:
            publisher_names += _names(item["publisher"])
    return article, publisher_names


def _title(tree: Any, meta: dict[str, str], article: dict[str, Any]) -> str:
    """The headline: social tags first, then JSON-LD, the first <h1>, the <title>."""
    title_el = tree.find(".//title")
    page_title = " ".join(title_el.text_content().split()) if title_el is not None else ""
    h1 = tree.find(".//h1")
    h1_text = " ".join(h1.text_content().split()) if h1 is not None else ""
    headline = article.get("headline") if isinstance(article.get("headline"), str) else ""
    return meta.get("og:title") or meta.get("twitter:title") or headline or h1_text or page_title


def _date_texts(tree: Any, meta: dict[str, str], article: dict[str, Any]) -> Iterator[Any]:
    """The publication date as the page writes it, best source first: meta tags, JSON-LD, the
    first ``<time datetime>``. A source with a placeholder (0001-01-01) gives way to the next."""
    yield from (meta.get("article:published_time"), article.get("datePublished"), meta.get("datepublished"),
                meta.get("article:published"), meta.get("og:published_time"),
                meta.get("pubdate"), meta.get("publishdate"), meta.get("date"), meta.get("dc.date"),
                meta.get("sailthru.date"), meta.get("parsely-pub-date"))
    time_el = tree.find(".//time[@datetime]")
    if time_el is not None:
        yield time_el.get("datetime")


def _authors(tree: Any, meta: dict[str, str], article: dict[str, Any]) -> list[str]:
    """Author names, from the first source that has some: JSON-LD (a Person the article names
    by its ``@id`` looked up in the page's graph), the author meta tags, then the page's own
    markup (``itemprop="author"``, ``rel="author"``, an element classed "author" or "byline").
    Never a profile URL or a handle; a name is at most a few words."""
    for found in (lambda: _jsonld_people(tree, article.get("author")),
                  lambda: [v for key in _AUTHOR_META if (v := meta.get(key))],
                  lambda: _marked_up_authors(tree)):
        names = [n for value in found() for n in _split_names(value)]
        if names:
            return list(dict.fromkeys(names))
    return []


# Meta tags that hold the author's name (``byl`` as "By Jane Doe").
_AUTHOR_META = ("author", "byl", "article:author", "parsely-author", "sailthru.author", "dc.creator")
_NAME_WORDS = 5


def _split_names(value: str) -> list[str]:
    """'By Jane Doe and John Roe' -> the names; URLs, handles and long phrases are no names."""
    value = _BY_PREFIX.sub("", " ".join(value.split()))
    names = []
    for name in re.split(r"\s*(?:,|;|\band\b|&)\s*", value):
        name = name.strip(" .:-|·")
        if name and not name.startswith(("http", "@", "/")) and len(name.split()) <= _NAME_WORDS \
                and not any(c.isdigit() for c in name):
            names.append(name)
    return names


_BY_PREFIX = re.compile(r"^(?:by|von|por|di|oleh|par|door|от|автор|text|текст)\s*:?\s+", re.I)


def _jsonld_people(tree: Any, author: Any) -> list[str]:
    """The names JSON-LD gives for ``author``, following ``{"@id": ...}`` references."""
    refs = author if isinstance(author, list) else [author]
    if any(isinstance(r, dict) and "@id" in r and "name" not in r for r in refs):
        by_id = {item["@id"]: item for item in _jsonld_items(tree) if isinstance(item.get("@id"), str)}
        refs = [by_id.get(r["@id"], r) if isinstance(r, dict) and "name" not in r else r for r in refs]
    return _names(refs)


def _marked_up_authors(tree: Any) -> list[str]:
    """The names in the elements the page marks as its author: ``itemprop="author"`` (its
    ``name`` inside, when it has one), a ``rel="author"`` link, or an element classed "author"
    or "byline" (the words of its class attribute), the innermost first (a byline's author span
    rather than the byline with its date); not a comment form's "author" field."""
    marked = []
    for el in tree.iter():
        if not isinstance(el.tag, str) or el.tag in ("body", "html", "form", "input", "label"):
            continue
        classes = set(_CLASS_WORDS.split((el.get("class") or "").lower()))
        if classes & {"comment", "comments", "form"}:
            continue
        if "author" in (el.get("itemprop") or "").split() or "author" in (el.get("rel") or "").split() \
                or classes & {"author", "byline", "authors"}:
            marked.append(el)
            if len(marked) >= _MARKED_UP:
                break
    inside = {id(d) for el in marked for d in el.iterdescendants() if d is not el}
    for el in sorted(marked, key=lambda e: id(e) in inside, reverse=True):
        named = el.find('.//*[@itemprop="name"]')
        text = " ".join((named if named is not None else el).text_content().split())
        names = _split_names(_FROM_DIGIT.sub("", text)) if len(text.split()) <= 2 * _NAME_WORDS else []
        if names:
            return names
    return []


# Elements looked at; the text of a marked element up to its first digit (the date after a name).
_MARKED_UP = 20
_FROM_DIGIT = re.compile(r"\d.*$", re.S)
_CLASS_WORDS = re.compile(r"[\s_-]+")


# /2019/11/18/ or /2019/nov/18/ in an article's address: the day it was published.
_URL_DATE = re.compile(r"/((?:19|20)\d\d)/(\d{1,2}|[a-z]{3,9})/(\d{1,2})(?:/|$)", re.I)


def url_date(url: str) -> datetime | None:
    """The publication day an article's URL holds ("/2019/nov/18/"), if a plausible one."""
    match = _URL_DATE.search(url)
    if not match:
        return None
    year, month, day = match.groups()
    number = int(month) if month.isdigit() else _MONTHS.get(month.lower())
    try:
        value = datetime(int(year), number, int(day)) if number else None
    except ValueError:
        return None
    return value if plausible(value) else None


def _canonical(tree: Any) -> str | None:
    for link in tree.iter("link"):
        if "canonical" in (link.get("rel") or "").lower().split() and link.get("href"):
            return link.get("href").strip()
    return None


def _language(tree: Any, meta: dict[str, str]) -> str | None:
    """The two- or three-letter language code of ``<html lang>`` (or the meta tags)."""
    root = tree.getroottree().getroot() if hasattr(tree, "getroottree") else tree
    lang = (root.get("lang") or root.get("xml:lang") or meta.get("og:locale") or
            meta.get("content-language") or "")
    lang = re.split(r"[-_]", lang.strip().lower())[0]
    return lang if re.fullmatch(r"[a-z]{2,3}", lang) else None
