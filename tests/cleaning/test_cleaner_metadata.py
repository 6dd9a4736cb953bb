"""Dates and authors (issue 23): the forms pages write them in, none before 1990 or after today,
HTML authors from wherever the page marks them."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from searcher import clean_html
from searcher.cleaning.metadata import authors_from_byline, parse_date, plausible, strip_site_suffix, url_date


@pytest.mark.parametrize("text, expected", [
    ("sexta-feira, 22 de outubro de 2010 às 20:13", datetime(2010, 10, 22)),
    ("Текст: Венера Ерофеева·24 сентября 2018", datetime(2018, 9, 24)),
    ("Von Moritz Bachmann publiziert am 25. September 2018", datetime(2018, 9, 25)),
    ("by ライトハウス国際特許事務所 ／ 2016.12.01", datetime(2016, 12, 1)),
    ("2016年08月03日", datetime(2016, 8, 3)),
    ("21:17 18.11.2019Get short URL", datetime(2019, 11, 18)),
    ("11.14.2019 09:00 AM", datetime(2019, 11, 14)),
    ("PUBLISHED WED, NOV 20 20194:29 AM ESTUPDATED AN HOUR AGO", datetime(2019, 11, 20)),
    ("By Al Root Updated Nov. 19, 2019 8:21 am ET / Original Nov. 19, 2019 8:02 am ET", datetime(2019, 11, 19)),
])
def test_dates_in_the_forms_pages_write_them(text, expected):
    assert parse_date(text) == expected


@pytest.mark.parametrize("text", ["0001-01-01T00:00:00", "Jan 1, 1970", "2091-02-02", "Published 3 hours ago",
                                  "Updated an hour ago", "Call 555-12-2019 now"])
def test_impossible_and_relative_dates_are_none(text):
    assert parse_date(text) is None


def test_plausible_is_1990_to_today():
    assert plausible(datetime(1990, 1, 1)) and plausible(datetime.now())
    assert not plausible(datetime(1989, 12, 31)) and not plausible(datetime.now() + timedelta(days=3))


def test_url_dates():
    assert url_date("https://example.org/west/statements/2019/nov/18/someone/") == datetime(2019, 11, 18)
    assert url_date("https://example.org/2019/11/18/a-story.html") == datetime(2019, 11, 18)
    assert url_date("https://example.org/2019/13/40/a") is None and url_date("https://example.org/news/2019/11") is None


@pytest.mark.parametrize("line, names", [
    ("By Matthew Digby , Minh Do on Monday, November 18th, 2019 at 11:08 a.m.", ["Matthew Digby", "Minh Do"]),
    ("Monday November 18, 2019 7:45 am PST by Joe Rossignol", ["Joe Rossignol"]),
    ("Jane Doe, Senior Writer", ["Jane Doe"]),
    ("Updated Nov 13, 2019", []),
])
def test_names_in_bylines(line, names):
    assert authors_from_byline(line) == names


def test_a_title_whose_parts_are_all_long_keeps_its_dash():
    assert strip_site_suffix("Die elektronische Patientenakte (ePA) – der lange Marsch ins Digitale") == \
        "Die elektronische Patientenakte (ePA) – der lange Marsch ins Digitale"
    assert strip_site_suffix("Hong Kong chaos: troops deployed | World | News | Express.co.uk", "Express.co.uk") == \
        "Hong Kong chaos: troops deployed"


_BODY = "<p>" + " ".join(["The harbour authority said the pier will close for repairs in the spring."] * 12) + "</p>"


def _page(head: str, body: str = "") -> str:
    return f"<html><head><title>Pier to close</title>{head}</head><body><article><h1>Pier to close</h1>{body}" \
           f"{_BODY}</article></body></html>"


def test_a_placeholder_date_gives_way_to_the_next_source():
    page = _page('<script type="application/ld+json">{"@type": "NewsArticle", "datePublished": "0001-01-01"}'
                 '</script>', '<time datetime="2019-11-19T08:30:00">Nov 19</time>')
    assert clean_html(page).published == datetime(2019, 11, 19, 8, 30)


def test_html_authors_from_a_json_ld_reference_and_from_markup():
    graph = ('<script type="application/ld+json">{"@graph": [{"@type": "Article", "author": {"@id": "#p1"}},'
             '{"@type": "Person", "@id": "#p1", "name": "Jane Doe"}]}</script>')
    assert clean_html(_page(graph)).authors == ["Jane Doe"]
    marked = '<div class="byline">By <span class="byline__author">John Roe</span> Nov 19, 2019</div>'
    assert clean_html(_page("", marked)).authors == ["John Roe"]
    comment_form = '<p class="comment-form-author"><label for="author">Name (required)</label></p>'
    assert clean_html(_page("", comment_form)).authors == []
