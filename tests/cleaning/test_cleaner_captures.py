"""Text captures (issue 23): the headline by where it stands and what surrounds it, none when no
line is a confident one; the article from its headline; dates and bylines near the headline."""

from __future__ import annotations

import json
from datetime import datetime

import pytest

from searcher import Document, clean_text
from searcher.cleaning.cleaner import label_text_lines
from searcher.cleaning.line_model import apply_line_model
from searcher.cleaning.line_weights import LINE_WEIGHTS
from searcher.cleaning.title_weights import TITLE_WEIGHTS
from searcher.cleaning.titles import TITLE_FEATURES, pick_headline, title_features
from searcher.core.records import Hit, guessed_title
from conftest import shared_data

_MENU = ["Home", "World", "Business", "Sport", "Culture", "Sign in", "Subscribe"]
_TEASERS = ["Storm closes the coastal road for a second day", "Council approves the new budget after a long night",
            "Museum opens its doors to a rare collection of maps"]
_ARTICLE = [
    "The harbour authority said on Tuesday that the old pier will close for repairs in the spring, after engineers "
    "found cracks in two of its supports during the yearly survey.",
    "Fishing boats that moor at the pier will move to the east dock while the work goes on, which the authority "
    "expects to take about six months if the weather allows it.",
    "The mayor said the town would pay for most of the repairs from its reserves, and that the rest would come from "
    "a grant the council applied for last year.",
    "Residents who walk along the pier in the evenings said they were sad to see it closed but glad that it would "
    "be made safe before the summer crowds return.",
]
_FOOTER = ["About us", "Contact", "Privacy policy", "© 2019 The Coast Gazette"]


def _page(header: list[str], between: list[str] = ()) -> str:
    return "\n\n".join(["\n".join(_MENU), "\n".join(_TEASERS), *header, *between, *_ARTICLE, "\n".join(_FOOTER)])


def test_the_stored_headline_weights_match_the_features():
    assert len(TITLE_WEIGHTS) == len(TITLE_FEATURES) and any(TITLE_WEIGHTS)


def test_the_headline_is_the_line_above_the_byline_not_a_teaser():
    doc = clean_text(_page(["Harbour pier to close for repairs in the spring", "By Jane Doe", "Nov. 19, 2019"]))
    assert doc.title == "Harbour pier to close for repairs in the spring" and not doc.title_guessed
    assert doc.authors == ["Jane Doe"]
    assert doc.published == datetime(2019, 11, 19)
    assert all(p in doc.paragraphs for p in _ARTICLE)
    assert not any(t in doc.body for t in _TEASERS)


def test_a_standfirst_under_the_headline_is_neither_title_nor_article():
    standfirst = "Engineers found cracks during the yearly survey of the supports"
    doc = clean_text("\n\n".join(["\n".join(_MENU), "Harbour pier to close for repairs in the spring", standfirst,
                                   "By Jane Doe", "Nov. 19, 2019", *_ARTICLE, "\n".join(_FOOTER)]))
    assert doc.title == "Harbour pier to close for repairs in the spring"
    assert standfirst not in doc.paragraphs


def test_the_same_rules_hold_in_german():
    article = [
        "Die Hafenbehörde hat am Dienstag mitgeteilt, dass der alte Steg im Frühjahr für Reparaturen geschlossen wird, "
        "nachdem Ingenieure bei der jährlichen Prüfung Risse in zwei Stützen gefunden hatten.",
        "Die Fischerboote, die am Steg festmachen, ziehen während der Arbeiten an das Ostdock um, die nach Angaben der "
        "Behörde etwa sechs Monate dauern werden, wenn das Wetter es zulässt.",
        "Der Bürgermeister sagte, die Stadt werde den größten Teil der Reparaturen aus ihren Rücklagen bezahlen, und der "
        "Rest komme aus einem Zuschuss, den der Rat im vergangenen Jahr beantragt habe.",
    ]
    page = "\n\n".join(["Startseite\nPolitik\nWirtschaft\nKultur", "Sturm sperrt die Küstenstraße\nRat beschließt Haushalt",
                        "Hafensteg wird im Frühjahr für Reparaturen geschlossen", "Von Hans Müller",
                        "19. November 2019", *article, "Impressum\nDatenschutz"])
    doc = clean_text(page)
    assert doc.language == "de"
    assert doc.title == "Hafensteg wird im Frühjahr für Reparaturen geschlossen"
    assert doc.published == datetime(2019, 11, 19) and doc.authors == ["Hans Müller"]
    assert all(p in doc.paragraphs for p in article)


def test_no_confident_headline_leaves_the_title_empty_and_guessed():
    long = [p + " " + p for p in _ARTICLE]  # every line a long paragraph: nothing is headline-shaped
    doc = clean_text("\n\n".join(long))
    assert doc.title == "" and doc.title_guessed
    assert doc.display_title == guessed_title(doc.body) and doc.display_title.endswith("…")
    assert doc.display_title.startswith("The harbour authority said on Tuesday")


@pytest.mark.parametrize("chrome", ["Image 1 of 8", "Share this article on Facebook", "Sign in to your account"])
def test_chrome_right_above_the_article_is_never_the_title(chrome):
    doc = clean_text("\n\n".join(["\n".join(_MENU), chrome, *_ARTICLE]))
    assert doc.title != chrome


def test_a_table_between_the_headline_and_the_prose_is_the_article():
    rows = [f"{n} Driver Number{n} {5000 - 40 * n} {n % 4} {n % 3} {20 - n} {27 - n}" for n in range(1, 13)]
    sidebar = ["Click the picture above to read every column our writer has published on the season so far, from "
               "the first race to the last one, with the standings after each of them.",
               "Comments that insult other readers or are written only in capitals are removed by the moderators "
               "without warning, so please keep the discussion friendly and on topic."]
    page = "\n\n".join(["\n".join(_MENU), "Championship standings", "Friday, 22 October 2010 at 20:13",
                        "This page always has the championship standings after the latest race of the season!",
                        "Final standings of the cup series in 2019 after 36 races:", "\n".join(rows),
                        "Share this on WhatsApp", *sidebar])
    doc = clean_text(page)
    assert doc.title == "Championship standings"
    assert all(row in doc.paragraphs for row in rows)
    assert doc.published == datetime(2010, 10, 22)


def test_a_list_of_links_between_the_headline_and_the_article_is_not_kept():
    playlist = ["Trade talks between the two countries are going well", "The census counts a lot of new houses",
                "Airline warns staff about the strike next week", "The worst case for the harbour trade this year",
                "Why fast food chains want the town centre"]
    doc = clean_text(_page(["Harbour pier to close for repairs in the spring", "By Jane Doe", "Nov. 19, 2019"],
                           ["\n".join(playlist)]))
    assert not any(p in doc.body for p in playlist)
    assert all(p in doc.paragraphs for p in _ARTICLE)


def test_a_date_line_ending_with_the_author_and_a_name_beside_the_date():
    doc = clean_text(_page(["Harbour pier to close for repairs in the spring",
                            "Monday November 18, 2019 7:45 am PST by Joe Rossignol"]))
    assert doc.authors == ["Joe Rossignol"] and doc.published == datetime(2019, 11, 18)
    doc = clean_text(_page(["Harbour pier to close for repairs in the spring", "Jane Doe", "Nov. 20, 2019"]))
    assert doc.authors == ["Jane Doe"] and doc.title == "Harbour pier to close for repairs in the spring"


def test_the_date_nearest_the_headline_wins_over_the_sites_date_of_today():
    page = "\n\n".join(["Wed, Nov 20, 2019", "\n".join(_MENU), "Harbour pier to close for repairs in the spring",
                        "By Jane Doe", "Published Nov. 13, 2019", *_ARTICLE])
    assert clean_text(page).published == datetime(2019, 11, 13)


def test_impossible_and_relative_dates_are_no_dates():
    for line in ("Published 0001-01-01", "Updated Jan 1, 2091", "Posted 3 hours ago"):
        assert clean_text(_page(["Harbour pier to close for repairs in the spring", line])).published is None


def _pages() -> list[str]:
    pages = shared_data("data", "cleaner-dev", "pages")
    with open(pages.parent / "truth.jsonl", encoding="utf-8") as handle:
        ids = [json.loads(line)["id"] for line in handle if line.strip()]
    return [(pages / f"{i}.txt").read_text(encoding="utf-8") for i in ids]


def test_the_pruned_pick_is_the_best_full_row_on_every_dev_page():
    """pick_headline skips the dear features of candidates that cannot win: it must choose what
    scoring every candidate's whole row chooses."""
    for text in _pages() + [_page(["Harbour pier to close for repairs in the spring", "By Jane Doe"])]:
        lines, span, language = label_text_lines(text)
        apply_line_model(lines, span, LINE_WEIGHTS, whole_run=True)
        indexes, rows = title_features(lines, language)
        scores = [sum(w * x for w, x in zip(TITLE_WEIGHTS, row)) for row in rows]
        best = max(range(len(scores)), key=lambda k: (scores[k], -indexes[k]), default=None)
        expected = indexes[best] if best is not None and scores[best] > 0 else None
        assert pick_headline(lines, language, TITLE_WEIGHTS) == expected


def test_title_guessed_is_on_the_records():
    doc = Document(doc_id="a", body="Only a body here.")
    assert doc.title_guessed and doc.display_title == "Only a body here."
    assert Document.from_dict(doc.as_dict()).title_guessed
    assert not Document(doc_id="b", title="A title").title_guessed
    assert Document(doc_id="c").display_title == "c"
    assert Hit(rank=1, doc_id="a", title="Only a body here.", score=1.0, title_guessed=True).as_dict()["title_guessed"]
    assert guessed_title("one two three four five", words=3) == "one two three …"


def test_a_brief_before_readers_comments_is_kept_and_the_comments_cut():
    brief = ("The harbour authority closed the old pier on Tuesday after engineers found cracks in two of its "
             "supports, and said repairs would start in the spring.")
    comments = ["Jane Doe on November 19, 2019 at 8:21 am said:",
                "About time, that pier has been falling apart for years and everybody in town knew it.",
                "John Roe on November 19, 2019 at 9:02 am said:",
                "I walked there every evening with the dog and I will miss it very much this winter."]
    doc = clean_text("\n\n".join(["\n".join(_MENU), "Harbour pier closes", "Nov. 19, 2019", brief, *comments]))
    assert brief in doc.paragraphs
    assert not any(c in doc.body for c in comments)


def test_a_news_ticker_flattened_into_one_line_is_not_the_article():
    ticker = " ".join(f"Headline number {n} about the markets and the weather" for n in range(40))
    doc = clean_text("\n\n".join(["\n".join(_MENU), ticker, "Harbour pier to close for repairs in the spring",
                                  "By Jane Doe", *_ARTICLE]))
    assert ticker not in doc.body and all(p in doc.paragraphs for p in _ARTICLE)
