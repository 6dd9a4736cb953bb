"""The HTML cleaner's first stage: trafilatura's main text, cut at its edges where our structure
pass disagrees (searcher.cleaning.consensus)."""

from __future__ import annotations

import json

from searcher import clean_html
from searcher.cleaning.consensus import AgreementSettings, TextIndex, agree
from searcher.cleaning.html import parse_html
from searcher.cleaning.consensus import trafilatura_lines

_PROSE = [
    "The council voted on Tuesday to close the old bridge for repairs, and the work is expected to take six months.",
    "Drivers will have to use the ring road while the bridge is closed, which adds ten minutes to a trip.",
    "The mayor said the delay would cost the city money, but that it was worth waiting for a better plan.",
    "Engineers found cracks in two of the supports last year, and a report in the spring said they had grown.",
]


def test_edges_outside_ours_are_cut_with_a_reason():
    teaser = "Sign up for our daily newsletter and never miss a story from the newsroom again"
    more = "More stories you may like from around the region this week and beyond"
    main = agree([teaser, *_PROSE, more], _PROSE)
    assert main.lines == _PROSE
    assert [(r.text, r.label) for r in main.trimmed] == [(teaser, "navigation"), (more, "footer")]
    assert all("both extractors agree" in r.reason for r in main.trimmed)


def test_middle_lines_are_never_cut():
    aside = "A line in the middle of the article that our pass happened to drop for some reason"
    lines = [_PROSE[0], aside, *_PROSE[1:]]
    assert agree(lines, _PROSE).lines == lines


def test_split_paragraphs_still_agree():
    """Our pass may join two of trafilatura's lines into one (or split one): the words decide."""
    ours = [" ".join(_PROSE[:2]), " ".join(_PROSE[2:])]
    assert agree(_PROSE, ours).lines == _PROSE
    assert TextIndex(ours).holds(_PROSE[1])
    assert not TextIndex(ours).holds("Photo")  # a short line is inside any text only by chance


def test_large_disagreement_keeps_trafilatura_whole():
    """When cutting would take most of the text, our pass missed the article, not trafilatura."""
    lines = [*_PROSE, "Another paragraph of the same article that only trafilatura found, and kept.",
             "And one more paragraph that only trafilatura found in the page, with the ending."]
    assert agree(lines, _PROSE[:1], AgreementSettings(max_trim=0.5)).lines == lines
    # ...and when our pass found some other part of the page, its edges say nothing.
    assert agree(_PROSE, ["A menu line", "Another menu line"]).lines == _PROSE


def _page(head: str, article: str, tail: str) -> str:
    return (f"<html><head><title>Bridge to close</title></head><body><div class='top'>{head}</div>"
            f"<article><h1>Bridge to close</h1>{article}</article><div class='bottom'>{tail}</div></body></html>")


def test_clean_html_lists_every_cut_line():
    article = "".join(f"<p>{p}</p>" for p in _PROSE)
    doc = clean_html(_page("<p>Home</p><p>World</p>", article, "<p>Contact us</p>"))
    for paragraph in _PROSE:
        assert paragraph in doc.body
    assert doc.title == "Bridge to close"
    removed = {r.text for r in doc.removed}
    assert "Home" not in doc.body and "Contact us" not in doc.body
    assert {"Home", "World", "Contact us"} <= removed
    assert all(r.reason for r in doc.removed)


def test_both_first_stages_find_the_article():
    article = "".join(f"<p>{p}</p>" for p in _PROSE)
    page = _page("", article, "")
    for stage in ("trafilatura", "structure"):
        body = clean_html(page, first_stage=stage).body
        assert all(p in body for p in _PROSE), stage


def test_deep_pages_skip_trafilatura(monkeypatch):
    """trafilatura's time grows much faster than the nesting (over 10 s on this page); such a
    page gets our pass alone, and trafilatura is never called."""
    import trafilatura

    calls = []
    monkeypatch.setattr(trafilatura, "extract", lambda *a, **k: calls.append(a))
    prose = "<p>" + " ".join(_PROSE) + "</p>"
    html = "<html><body>" + "<article>" * 2000 + prose + "</body></html>"
    assert trafilatura_lines(parse_html(html)) is None
    assert _PROSE[0] in clean_html(html).body
    assert calls == []


def test_runs_of_words_do_not_depend_on_the_hash_seed():
    """The word runs that cross a line break follow the page's order: once they were made from a
    set of lines, and one dev page's cleaning changed with PYTHONHASHSEED."""
    import os
    import subprocess
    import sys

    script = ("import json, sys; from searcher.cleaning.consensus import TextIndex; "
              "print(json.dumps(sorted(TextIndex(json.loads(sys.argv[1])).grams)))")
    lines = [f"line {n} says {word} and then" for n, word in enumerate("alpha beta gamma delta epsilon zeta".split())]
    seen = {subprocess.run([sys.executable, "-c", script, json.dumps(lines)], capture_output=True, text=True,
                           check=True, env={**os.environ, "PYTHONHASHSEED": seed}).stdout
            for seed in ("1", "2", "3")}
    assert len(seen) == 1
