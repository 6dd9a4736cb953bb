"""The search options every command that searches shares (cli/search_options.py): each option
becomes its SearchOptions field, the defaults are SearchOptions', and what the output needs
(no snippets for --count, the markup after --color) is settled by the command."""

from __future__ import annotations

import json
from dataclasses import fields

import pytest

from searcher import SearchIndex, SearchOptions
from searcher.cli import cli
from searcher.cli.search_options import SEARCH, search_options

from conftest import GOLD_DOC


@pytest.fixture
def asked(monkeypatch):
    """The (query or id, options) each search or similar hands the library."""
    calls: list[tuple[str, SearchOptions]] = []
    search, similar = SearchIndex.search, SearchIndex.similar

    def spy_search(self, query, options=None, **changes):
        calls.append((query, options))
        return search(self, query, options, **changes)

    def spy_similar(self, doc_id, options=None, **changes):
        calls.append((doc_id, options))
        return similar(self, doc_id, options, **changes)

    monkeypatch.setattr(SearchIndex, "search", spy_search)
    monkeypatch.setattr(SearchIndex, "similar", spy_similar)
    return calls


def invoke(runner, index_dir, seeds_dir, *args):
    return runner.invoke(cli, ["--index-dir", str(index_dir), "--seeds-dir", str(seeds_dir), *args])


def test_every_search_option_is_on_the_command_line():
    assert set(SEARCH) == {f.name for f in fields(SearchOptions)} - {"highlight", "seconds"}
    with pytest.raises(ValueError, match="no command-line option"):
        search_options("limit", "nonsense")


def test_defaults_are_the_libraries(runner, index_dir, seeds_dir, asked):
    result = invoke(runner, index_dir, seeds_dir, "search", "taliban", "--no-color")
    assert result.exit_code == 0, result.output
    assert asked == [("taliban", SearchOptions())]


def test_each_option_reaches_its_field(runner, index_dir, seeds_dir, asked):
    result = invoke(runner, index_dir, seeds_dir, "search", "taliban", "-n", "3", "-p", "2", "--sort", "date",
                    "--source", "CBS", "--since", "2019", "--until", "2020-06", "--words", "--fragments", "1",
                    "--context", "4", "--facets", "--explain", "--no-expand", "--no-collapse", "--json")
    assert result.exit_code == 1, result.output  # page 2 of one hit: nothing on it
    assert asked == [("taliban", SearchOptions(limit=3, page=2, sort="date", source="CBS", since="2019",
                                               until="2020-06", syntax=False, fragments=1, context=4, facets=True,
                                               explain=True, expand=False, collapse=False))]
    assert json.loads(result.stdout)["page"] == 2


def test_the_output_settles_what_it_needs(runner, index_dir, seeds_dir, asked):
    assert invoke(runner, index_dir, seeds_dir, "search", "taliban", "--count", "-n", "5").stdout.strip() == "1"
    assert invoke(runner, index_dir, seeds_dir, "search", "taliban", "--format", "csv").exit_code == 0
    assert invoke(runner, index_dir, seeds_dir, "search", "taliban", "--color").exit_code == 0
    assert [options for _, options in asked] == [SearchOptions(limit=1, fragments=0), SearchOptions(highlight="none"),
                                                 SearchOptions(highlight="ansi")]


def test_similar_takes_the_options_that_apply_to_it(runner, index_dir, seeds_dir, asked):
    invoke(runner, index_dir, seeds_dir, "index")
    result = invoke(runner, index_dir, seeds_dir, "similar", GOLD_DOC, "-n", "2", "--fragments", "0", "--context", "3",
                    "--no-collapse", "--json")
    assert result.exit_code == 1, result.output  # the shipped seed is the only article: none like it
    assert asked == [(GOLD_DOC, SearchOptions(limit=2, fragments=0, context=3, collapse=False))]
    assert "--sort" not in runner.invoke(cli, ["similar", "-h"]).stdout
    assert "How many articles." in runner.invoke(cli, ["similar", "-h"]).stdout
