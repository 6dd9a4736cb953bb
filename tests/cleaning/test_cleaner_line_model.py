"""The text captures' line model (searcher.cleaning.line_model): stored weights, its decisions."""

from __future__ import annotations

import pytest

from searcher import clean_text
from searcher.cleaning.cleaner import label_text_lines
from searcher.cleaning.line_model import FEATURES, apply_line_model, decides, keep_probability, line_features, line_odds
from searcher.cleaning.line_weights import LINE_WEIGHTS
from searcher.cleaning.text_models import TextModels

_ARTICLE = [
    "The council voted on Tuesday to close the old bridge for repairs, and the work is expected to take six months.",
    "Drivers will have to use the ring road while the bridge is closed, which adds ten minutes to a trip across town.",
    "The mayor said the delay would cost the city money, but that it was worth waiting for a better plan in spring.",
    "Engineers found cracks in two of the supports last year, and a report in the spring said that they had grown.",
]
_PAGE = "\n\n".join(["Home", "World", "Sports", "Bridge to close for six months", *_ARTICLE,
                     "Contact us", "Privacy policy", "Terms of use"])


def test_weights_match_the_features():
    assert len(LINE_WEIGHTS) == len(FEATURES)
    assert any(LINE_WEIGHTS)


def test_article_kept_menus_cut_with_reasons():
    doc = clean_text(_PAGE)
    for paragraph in _ARTICLE:
        assert paragraph in doc.body
    for menu in ("Home", "Sports", "Contact us", "Privacy policy"):
        assert menu not in doc.paragraphs
    assert all(r.reason for r in doc.removed)


def test_rule_labels_are_left_alone():
    lines, span, _ = label_text_lines(_PAGE + "\n\nShare this article on Facebook")
    before = [(ln.label, ln.reason) for ln in lines if not decides(ln)]
    rows = line_features(lines, span)
    assert len(rows) == len(lines) and all(len(r) == len(FEATURES) for r in rows)
    apply_line_model(lines, span, LINE_WEIGHTS, whole_run=True)
    assert [(ln.label, ln.reason) for ln in lines if not decides(ln)] == before


def test_the_weights_decide():
    """A model that scores every line as chrome keeps nothing (what is left is the empty page's
    rescue: every line no rule calls chrome); the hand rules alone keep the article."""
    nothing = [-50.0] + [0.0] * (len(FEATURES) - 1)
    doc = clean_text(_PAGE, models=TextModels(line_weights=tuple(nothing)))
    assert "Sports" in doc.paragraphs  # the rescue keeps menus too: no model said "article"
    assert "Sports" not in clean_text(_PAGE).paragraphs
    assert all(p in clean_text(_PAGE, models=TextModels(line_model=False)).body for p in _ARTICLE)


def test_line_odds_are_the_rows_odds():
    """The fast odds (no rows built) equal keep_probability of line_features' rows, for the
    stored weights and for weights with no zero among them."""
    lines, span, _ = label_text_lines(_PAGE + "\n\nShare this article on Facebook\n\nHome\n\n" + _ARTICLE[0])
    rows = line_features(lines, span)
    every = [0.1 * (k + 1) * (-1) ** k for k in range(len(FEATURES))]
    for weights in (LINE_WEIGHTS, every):
        expected = [keep_probability(row, weights) for row in rows]
        assert line_odds(lines, span, weights) == pytest.approx(expected, rel=1e-12, abs=0)
