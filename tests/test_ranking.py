"""Ranking behaviour: BM25F field weights, query-term frequency, CLI explain and similar."""

from __future__ import annotations

import pytest

from searcher import Document, SearchIndex
from searcher.cli import cli
from searcher.ranking import idf


@pytest.fixture
def ix(tmp_path):
    index = SearchIndex(tmp_path / "ix")
    index.add([
        Document(doc_id="t", title="Drought in Bahia", body="Cocoa farmers wait for rain."),
        Document(doc_id="b", title="Weekly review", body="The drought in Bahia hurt the cocoa crop this week."),
        Document(doc_id="c", title="Coffee prices", body="Coffee rose. Coffee fell. Cocoa was flat."),
    ])
    yield index
    index.close()


def test_idf_is_never_negative_and_falls_with_frequency():
    assert idf(100, 1) > idf(100, 50) > idf(100, 100) >= 0.0


def test_title_match_outranks_body_match(ix):
    assert [h.doc_id for h in ix.search("drought bahia")][:2] == ["t", "b"]


def test_repeated_query_word_weighs_more(ix):
    assert ix.search("coffee coffee cocoa", syntax=False)[0].doc_id == "c"


def test_hit_count_is_exact(ix):
    assert ix.search("cocoa").total == 3


def test_cli_explain_and_similar(ix, runner):
    result = runner.invoke(cli, ["--index-dir", str(ix.path), "search", "drought", "--explain", "--no-color"])
    assert result.exit_code == 0, result.output
    assert "total" in result.stdout and "'drought'" in result.stdout
    result = runner.invoke(cli, ["--index-dir", str(ix.path), "similar", "t", "--json"])
    assert result.exit_code == 0, result.output
    assert '"doc_id": "b"' in result.stdout and '"doc_id": "t"' not in result.stdout


def test_cli_did_you_mean(ix, runner):
    result = runner.invoke(cli, ["--index-dir", str(ix.path), "search", "Bahai", "drougt", "--no-color"])
    assert "Did you mean: Bahia drought?" in result.stderr
