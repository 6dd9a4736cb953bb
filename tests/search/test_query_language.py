"""Issue 11: the query language does what docs/queries.md says, with every field."""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path

import pytest
from click.testing import CliRunner

from searcher import Document, QueryError, SearchIndex
from searcher.cli.app import cli as main
from searcher.search.fields import QUERY_FIELDS
from searcher.search.filters import make_filter
from searcher.search.query_parser import parse_query

DOCS = [
    Document(doc_id="cbs", title="U.S. and Taliban agree to re-set", source="CBS News", authors=["Ann Martin"],
             sections=["Mixed messages"], published=datetime(2019, 11, 19, 22, 30), url="https://cbsnews.com/a",
             language="en",
             body="Khalilzad said the re-set of the talks in Kabul would cut violence. Al-Qaeda was named."),
    Document(doc_id="noise", title="They're selling sets", source="AppleInsider", published=datetime(2019, 11, 18, 9),
             body="They're selling sets of mixed cables and messages about the MacBook Pro and the taliban."),
    Document(doc_id="mac", title="MacBook Pro review", source="AppleInsider", published=datetime(2019, 12, 2),
             body="The new MacBook Pro keyboard. A reset button."),
    Document(doc_id="old", title="COVID-19 notes", source="Wired", published=datetime(2020, 3, 1),
             body="COVID-19 spread; covid cases at 19 sites."),
]


@pytest.fixture(scope="module")
def ix(tmp_path_factory):
    index = SearchIndex(tmp_path_factory.mktemp("q") / "ix")
    index.add(DOCS)
    yield index
    index.close()


def ids(results) -> list[str]:
    return sorted(h.doc_id for h in results)


# ---------------------------------------------------------------------------- 1. every row, every field

ROWS = ["taliban", '"mixed messages"', '"mixed messages"~3', "negotiat*", "khalilzd~", "taliban^2", "(taliban OR kabul)",
        "[a TO m]"]


@pytest.mark.parametrize("field", sorted(QUERY_FIELDS))
@pytest.mark.parametrize("row", ROWS)
def test_every_row_of_the_table_reads_with_every_field(field, row):
    for text in (f"{field}:{row}", f"-{field}:{row} kabul", f"+{field}:{row} kabul", f"kabul NOT {field}:{row}",
                 f"kabul AND {field}:{row}"):
        parsed = parse_query(text)
        assert not parsed.broken and parsed.tree is not None, text


@pytest.mark.parametrize("query, expected", [
    ('section:"mixed messages"', ["cbs"]), ('sections:"mixed messages"', ["cbs"]), ('title:"macbook pro"', ["mac"]),
    ('source:"cbs news"', ["cbs"]), ('author:"ann martin"', ["cbs"]), ('title:"macbook pro"~2', ["mac"]),
    ('-title:"macbook pro" macbook', ["noise"]), ('lang:en', ["cbs"]), ('url:"https://cbsnews.com/a"', ["cbs"]),
])
def test_a_field_before_a_phrase_searches_that_field(ix, query, expected):
    results = ix.search(query)
    assert ids(results) == expected and results.searched_as_words is None


def test_a_fallback_to_plain_words_is_said(ix, tmp_path):
    results = ix.search('title:"macbook pro')
    assert results.searched_as_words == "a quote is not closed"
    assert results.as_dict()["searched_as_words"] == "a quote is not closed"
    assert ix.search("published:yesterday taliban").searched_as_words is None  # the rest still searched
    assert "bad date 'yesterday'" in ix.search("published:yesterday").searched_as_words
    assert ix.search("macbook pro").searched_as_words is None
    runner = CliRunner()
    args = ["--index-dir", str(ix.path), "--seeds-dir", str(tmp_path), "search", "title: macbook"]
    out = runner.invoke(main, args)
    assert out.stderr.count("searched as plain words: a field name has nothing after it\n") == 1


# ---------------------------------------------------------------------------- 2. hyphenated words

@pytest.mark.parametrize("query", ["Khalilzad re-set", "re-set", "title:re-set", "re-set kabul", "body:(re-set)"])
def test_a_hyphenated_word_is_one_thing(ix, query):
    found = ids(ix.search(query))
    assert "noise" not in found  # "they're" + "sets" is not "re-set"
    assert "cbs" in found


def test_a_hyphenated_word_also_finds_it_written_as_one(ix):
    assert ids(ix.search("re-set")) == ["cbs", "mac"]  # "reset"
    assert ids(ix.search("COVID-19")) == ["old"]
    assert ids(ix.search("al-Qaeda")) == ["cbs"]
    assert ids(ix.search("re-set", sort="date")) == ["cbs", "mac"]
    assert ids(ix.search("re-set", syntax=False)) == ["cbs", "mac"]


# ---------------------------------------------------------------------------- 3. dates

@pytest.mark.parametrize("query, expected", [
    ("published:[2019-11-18 TO 2019-11-19T23:59] AND taliban", ["cbs", "noise"]),
    ("published:[2019-11-19T00:00 TO 2019-11-19T23:59] AND taliban", ["cbs"]),
    ("published:2019-11-19T22 AND taliban", ["cbs"]), ("published:2019-11-19T22:30 AND taliban", ["cbs"]),
    ("published:2019 AND taliban", ["cbs", "noise"]), ("date:2020-03 AND covid", ["old"]),
    ("published:>2019 AND (covid OR taliban)", ["old"]), ("published:<2019-11-19 AND taliban", ["noise"]),
    ("published:>=2019-11-19 AND taliban", ["cbs"]), ("published:{2019-11-18 TO 2020] AND (taliban OR covid)", ["cbs", "old"]),
])
def test_partial_dates_in_queries(ix, query, expected):
    results = ix.search(query)
    assert ids(results) == expected and results.searched_as_words is None, query


@pytest.mark.parametrize("since, until, expected", [
    ("2019", None, ["cbs", "mac", "noise", "old"]), ("2019-11", "2019-11", ["cbs", "noise"]),
    ("2019-11-19", "2019-11-19", ["cbs"]), (None, "2019", ["cbs", "mac", "noise"]),
    ("2019-11-19T22:30", "2019-11-19T22:30", ["cbs"]), ("2019-12", None, ["mac", "old"]),
    ("2019-11-19T23:30+01:00", None, ["cbs", "mac", "old"]), ("2019-11-19T23:31+01:00", None, ["mac", "old"]),
])
def test_partial_dates_in_filters(ix, since, until, expected):
    assert ids(ix.search("the OR reset OR taliban OR covid", since=since, until=until)) == expected


def test_partial_dates_on_the_command_line(ix, tmp_path):
    args = ["--index-dir", str(ix.path), "--seeds-dir", str(tmp_path), "search", "taliban", "--since", "2019",
            "--until", "2019-11", "--json"]
    out = CliRunner().invoke(main, args)
    assert out.exit_code == 0, out.output
    with pytest.raises(QueryError, match="use YYYY, YYYY-MM, YYYY-MM-DD"):
        make_filter(None, "2019-13", None)
    with pytest.raises(QueryError):
        make_filter(None, "yesterday", None)


# ---------------------------------------------------------------------------- 4. sources

def test_source_filter_matches_as_the_source_field_does(ix):
    for source in ("cbs", "CBS", "cbs news", " CBS  News "):
        assert ids(ix.search("taliban", source=source)) == ids(ix.search(f'taliban AND source:"{source.strip()}"'))
        assert ids(ix.search("taliban", source=source)) == ["cbs"]
    assert ids(ix.search("taliban", source="news cbs")) == []
    assert ids(ix.search("taliban", source="apple")) == []  # words, not prefixes


def test_sources_show_as_the_documents_write_them(ix):
    results = ix.search("the OR taliban OR macbook", facets=True)
    assert set(results.facets["source"]) == {h.source for h in ix.search("the OR taliban OR macbook", limit=50)}
    assert results.facets["source"]["AppleInsider"] == 2
    assert ix.stats().sources == {"AppleInsider": 2, "CBS News": 1, "Wired": 1}


# ---------------------------------------------------------------------------- 5. the field list

def test_the_unknown_field_error_lists_every_field_and_the_query_page_documents_them():
    with pytest.raises(QueryError) as error:
        parse_query("colour:red")
    for name in QUERY_FIELDS:
        assert re.search(rf"\b{name}\b", str(error.value)), name
    page = (Path(__file__).resolve().parents[2] / "docs" / "queries.md").read_text(encoding="utf-8")
    table = page[page.index("## Fields"):page.index("## Dates")]
    for name in QUERY_FIELDS:
        assert f"`{name}:`" in table, name


# ---------------------------------------------------------------------------- 6. did-you-mean

def test_no_suggestion_repeats_a_word_the_query_has(ix):
    assert ix.search("taliban talibn").suggestion is None
    assert ix.search("Taliban talibn kabul").suggestion is None
    assert ix.search("talibn").suggestion == "taliban"


def test_explained_scores_equal_the_fast_ones_for_hyphenated_words(ix):
    for query in ("Khalilzad re-set", "re-set cables", "COVID-19 al-Qaeda"):
        fast = [(h.doc_id, round(h.score, 9)) for h in ix.search(query, expand=False)]
        slow = [(h.doc_id, round(h.score, 9)) for h in ix.search(query, expand=False, explain=True)]
        assert fast == slow, query
