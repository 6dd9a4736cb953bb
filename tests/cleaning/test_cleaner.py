"""Cleaner tests: the gold seed exactly, dev-page snippets, metadata, and pages built to break it."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from searcher import Document, SeedError, clean_file, clean_html, clean_text
from searcher.cleaning.rules import RULES, match_rule, word_count
from searcher.cleaning.metadata import parse_date, source_from_chrome, strip_site_suffix
from searcher.cleaning.languages import STOPWORDS, detect_language, stopword_density
from conftest import GOLD, GOLD_ID, REPO, shared_data

CASES = Path(__file__).resolve().parents[1] / "data" / "cleaner_cases.json"


@pytest.fixture(scope="module")
def cleaner_dev_dir() -> Path:
    return shared_data("data", "cleaner-dev", "pages").parent


@pytest.fixture(scope="module")
def gold() -> tuple[Document, dict]:
    """The shipped seed, cleaned, and its gold labels (tests/data/gold: a copy of ../shared/gold's)."""
    label = json.loads(GOLD.read_text(encoding="utf-8"))
    return clean_file(REPO / "seeds" / f"{GOLD_ID}.txt"), label


# ---- the gold seed ----------------------------------------------------------------------------
def test_gold_title_source_sections(gold):
    doc, label = gold
    expected = label["expected"]
    assert doc.title == expected["title"]
    assert doc.source == expected["source"]
    assert doc.sections == expected["sections"]


def test_gold_body_paragraphs(gold):
    doc, label = gold
    expected = label["expected"]
    # 25 body paragraphs, plus the two section headings as paragraphs of their own.
    body_only = [p for p in doc.paragraphs if p not in doc.sections]
    assert len(body_only) == expected["body_paragraphs"]
    assert len(doc.paragraphs) == expected["body_paragraphs"] + len(expected["sections"])
    assert doc.body.startswith(expected["body_starts_with"])
    assert doc.body.endswith(expected["body_ends_with"])


def test_gold_every_line_where_it_belongs(gold):
    doc, label = gold
    paragraphs = set(doc.paragraphs)
    for line in label["lines"]:
        text = " ".join(line["text"].replace("\u00a0", " ").split())
        if line["label"] in ("body", "heading"):
            assert text in paragraphs, text
        else:
            assert text not in paragraphs, (line["label"], text)
            assert text not in doc.body, (line["label"], text)
    removed = {r.text: r.label for r in doc.removed}
    for line in label["lines"]:
        if line["label"] not in ("body", "heading"):  # title, video, photo, prompt
            assert removed[" ".join(line["text"].split())] == line["label"], line["text"]


def test_gold_metadata_is_none_not_a_guess(gold):
    doc, _ = gold
    assert doc.published is None
    assert doc.authors == []
    assert doc.url is None
    assert doc.language == "en"
    assert "Mr. Trump" in doc.body  # the non-breaking space is normalised
    assert all(r.reason for r in doc.removed)


# ---- dev pages: what must survive and what must go -------------------------------------------------
def _cases() -> list[dict]:
    return json.loads(CASES.read_text(encoding="utf-8"))


@pytest.mark.parametrize("case", _cases(), ids=lambda c: f"{c['id'][:8]}-{c['mode']}")
def test_dev_page_snippets(case, cleaner_dev_dir):
    suffix = ".txt" if case["mode"] == "text" else ".html"
    doc = clean_file(cleaner_dev_dir / "pages" / f"{case['id']}{suffix}")
    for snippet in case["with"]:
        assert snippet in doc.body, f"lost article text: {snippet!r}"
    for snippet in case["without"]:
        assert snippet not in doc.body, f"kept chrome: {snippet!r}"


# ---- metadata from HTML ------------------------------------------------------------------------------
_META_PAGE = """<!doctype html><html lang="de-DE"><head>
<title>Ein Titel | Beispiel Zeitung</title>
<meta property="og:site_name" content="Beispiel Zeitung">
<meta property="og:title" content="Ein Titel">
<meta property="article:published_time" content="2019-11-20T08:30:00+01:00">
<meta name="author" content="Anna Muster">
<link rel="canonical" href="https://example.org/a/1">
</head><body><article><h1>Ein Titel</h1>
<p>Die Regierung hat am Mittwoch einen neuen Plan vorgestellt, der die Versorgung auf dem Land
verbessern soll, und die Opposition hat ihn sofort kritisiert.</p>
<p>Der Plan sieht vor, dass neue Praxen in kleinen Orten gefördert werden, wenn sie mindestens
fünf Jahre bleiben, und dass die Länder einen Teil der Kosten tragen.</p>
</article><footer>Impressum</footer></body></html>"""

_JSONLD_PAGE = """<html><head><title>Headline here - The Daily Example</title>
<script type="application/ld+json">{"@context": "https://schema.org", "@graph": [
 {"@type": "NewsArticle", "headline": "Headline here", "datePublished": "2020-03-01T10:00:00Z",
  "author": [{"@type": "Person", "name": "Jane Roe"}, {"@type": "Person", "name": "John Doe"}],
  "publisher": {"@type": "Organization", "name": "The Daily Example"}, "url": "https://daily.example/x"}]}
</script></head><body><div class="content"><p>The council voted on Tuesday to close the old bridge
for repairs, and the work is expected to take at least six months, officials said.</p>
<p>Drivers will have to use the ring road while the bridge is closed, which adds about ten
minutes to a trip across town at the busiest times of the day.</p></div></body></html>"""


def test_metadata_from_meta_tags():
    doc = clean_html(_META_PAGE, "meta")
    assert doc.title == "Ein Titel"
    assert doc.source == "Beispiel Zeitung"
    assert doc.published == datetime.fromisoformat("2019-11-20T08:30:00+01:00")
    assert doc.authors == ["Anna Muster"]
    assert doc.url == "https://example.org/a/1"
    assert doc.language == "de"
    assert "neue Praxen" in doc.body and "Impressum" not in doc.body
    assert "Ein Titel" not in doc.body


def test_metadata_from_json_ld():
    doc = clean_html(_JSONLD_PAGE, "jsonld")
    assert doc.title == "Headline here"
    assert doc.source == "The Daily Example"
    assert doc.published == datetime.fromisoformat("2020-03-01T10:00:00+00:00")
    assert doc.authors == ["Jane Roe", "John Doe"]
    assert doc.url == "https://daily.example/x"
    assert doc.language == "en"
    assert doc.paragraphs[0].startswith("The council voted")


def test_metadata_helpers():
    assert parse_date("Updated on November 19, 2019 at 4:29 AM") == datetime(2019, 11, 19)
    assert parse_date("19 November 2019") == datetime(2019, 11, 19)
    assert parse_date("Текст: Венера Ерофеева·24 сентября 2018") == datetime(2018, 9, 24)
    assert parse_date("no date here") is None
    assert strip_site_suffix("A headline | Site Name", "Site Name") == "A headline"
    assert source_from_chrome(["Watch CBS News", "View CBS News In", "CBS News App Open"]) == "CBS News"
    assert source_from_chrome(["Home", "Share"]) is None


def test_language_detection():
    assert detect_language("これは日本語の文章です。ニュースの記事を読みました。") == "ja"
    assert detect_language("Die Regierung hat am Mittwoch einen neuen Plan vorgestellt, der die Versorgung") == "de"
    assert detect_language("12 34 56") is None


def test_rules_have_reasons():
    assert all(rule.label and rule.reason for rule in RULES)
    assert match_rule("Latest wave of violence threatens to upend peace talks 11:21").label == "video"
    assert match_rule("Natalie Naccache | Bloomberg | Getty Images").label == "photo"
    assert match_rule("Home for Christmas?") is None


# Pieces of chrome and prose to build lines from: the needed strings, rule keywords, digits, marks.
_RULE_PIECES = sorted({need for rule in RULES for need in rule.needs} | {
    "By ", "Photo: ", "Image copyright", "Share", "Watch", "video", "Read more: ", "Published ", "Updated ",
    "Tags:", "1 of 12", "3 hours ago", "5 min read", "Jane Doe is a reporter for ", "© 2020", "12:45",
    "January 5, 2021", "2021-01-05", "comments", "Sign up", "the", " and ", "said", ".", "?", " ", "  ", "/",
    " | ", "Getty Images", "AP", "x", "Z", "é", "ß", "日本", "новости", "1", "42"})


def _first_rule_one_by_one(line: str):
    """The reference: every rule tried in order, as the rule table reads."""
    lower, n = line.lower(), word_count(line)
    return next((rule for rule in RULES if rule.matches(lower, n)), None)


def test_rule_lookup_shortcuts_change_no_answer_on_pairs():
    # Every piece and every two pieces run together ("pa images" holds "image": a gate that
    # finds the shorter one must still see the longer one that starts before it).
    for first in _RULE_PIECES:
        for line in [first] + [first + second for second in _RULE_PIECES]:
            assert match_rule(line) is _first_rule_one_by_one(line), line


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(_RULE_PIECES), max_size=12).map("".join))
def test_rule_lookup_shortcuts_change_no_answer(line):
    # match_rule skips rules by word count, first character and needed strings: same answer.
    assert match_rule(line) is _first_rule_one_by_one(line)


@pytest.mark.parametrize("line", [
    "Both companies share the same goal.",
    "The law requires parental consent for minors.",
    "He had to log in to his account.",
    "Facebook updated its privacy policy this week.",
    "This site was chosen for the new hospital.",
    "The suspect is a freelance writer.",
    "Home for Christmas?",
    "More than 100 dead in floods",
    "Nadal wins US Open",
    "Jobs report shows strong hiring",
])
def test_prose_that_mentions_chrome_words_is_not_chrome(line):
    assert match_rule(line) is None


# ---- pages built to break the cleaner -------------------------------------------------------------------
def _document_or_seed_error(func, data) -> None:
    try:
        doc = func(data, "x")
    except SeedError:
        return
    assert isinstance(doc, Document)


@pytest.mark.parametrize("html", [
    "<html><body><div><p>Unclosed <b>bold <i>and italic<p>next paragraph</div></span></table>",
    "<html><head><title>No body at all</title></head></html>",
    "<p>Just a fragment, with no html, head or body element around it at all.</p>",
    "",
    "   \n  ",
    "<!-- only a comment -->",
    "<?xml version='1.0' encoding='utf-8'?><html><body><p>XML declaration first.</p></body></html>",
    b"<html><body><p>Bytes, not text: caf\xc3\xa9.</p></body></html>",
    b"\x89PNG\r\n\x1a\n\x00\x00\x00",
    "<div><!-->\x1b",
    "<p>a lone surrogate \ud800 in the text</p>",
])
def test_hostile_html(html):
    _document_or_seed_error(clean_html, html)


def test_comments_inside_a_paragraph_keep_their_text():
    html = ("<html><body><article><p>When <!-- -->President<!-- --> Smith<!-- --> spoke on Monday, the "
            "council listened, and the vote was delayed until the spring, officials said.</p>"
            "<p>The mayor said the delay would cost the city money, but that it was worth waiting for "
            "a better plan, which is expected in March.</p></article></body></html>")
    assert "When President Smith spoke on Monday" in clean_html(html).body


def test_ten_thousand_nested_divs():
    prose = "<p>" + "The deep page still holds a sentence of prose, which the cleaner should find. " * 3 + "</p>"
    html = "<html><body>" + "<div>" * 10_000 + prose + "</div>" * 10_000 + "</body></html>"
    doc = clean_html(html)
    assert "The deep page still holds a sentence of prose" in doc.body


def test_empty_text():
    _document_or_seed_error(clean_text, "")
    _document_or_seed_error(clean_text, "a lone surrogate \ud800 and a NUL \x00 in a capture")
    doc = clean_text("\n\n  \n")
    assert doc.body == "" and doc.title == ""


def test_japanese_page():
    text = ("ニュース\nホーム\n東京で新しい図書館が開館\n"
            "東京都内に新しい図書館が開館し、初日から多くの市民が訪れた。館内には約十万冊の本があり、"
            "子ども向けのコーナーも設けられている。\n"
            "区の担当者は「地域の人たちが気軽に集まれる場所にしたい」と話している。開館時間は午前九時から午後八時まで。\n"
            "関連記事\n")
    doc = clean_text(text)
    assert doc.language == "ja"
    assert "約十万冊の本" in doc.body
    assert "開館時間は午前九時から" in doc.body
    html = f"<html lang='ja'><head><title>図書館 | 新聞</title></head><body><article>" \
           f"{''.join(f'<p>{line}</p>' for line in text.splitlines())}</article></body></html>"
    doc = clean_html(html)
    assert doc.language == "ja" and "約十万冊の本" in doc.body


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=2000))
def test_random_text_gives_document(text):
    _document_or_seed_error(clean_text, text)


_HTML_BITS = st.sampled_from(["<div>", "</div>", "<p>", "</p>", "<a href='x'>", "</a>", "<script>", "</script>",
                              "<nav>", "</nav>", "<h2>", "</h2>", "<!--", "-->", "<br>", "<article>", "&amp;",
                              "<", ">", "\"", "Some words of prose here, with a comma.", "Menu", "11:21", "\n"])


@settings(max_examples=100, deadline=None)
@given(st.lists(st.one_of(_HTML_BITS, st.text(max_size=30)), max_size=60))
def test_random_html_gives_document(parts):
    _document_or_seed_error(clean_html, "".join(parts))


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(list("é ü_9.,;'\"-—–’“”‘©•…»«°®™\tßд") + ["the ", "of ", "is ", "und ", "que ", "a "] * 4),
                max_size=30).map("".join), st.sampled_from(["en", "de", "pt", "ru"]))
def test_stopword_density_counts_the_regex_words(text, language):
    """The fast word split (ASCII text and typographic punctuation) finds the words \\w+ finds."""
    import re

    tokens = re.findall(r"\w+", text.lower())
    expected = sum(t in STOPWORDS[language] for t in tokens) / len(tokens) if tokens else 0.0
    assert stopword_density(text, language) == expected
