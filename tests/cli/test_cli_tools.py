"""What sqlite-utils, ripgrep and recollq users look for: delete, counts, ids, tables,
highlight formats, JSON snippets with match offsets, structured explanations, completion."""

from __future__ import annotations

import csv
import io
import json
import math
import os
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import pytest

from searcher import Document, SearchIndex
from searcher.cli import cli

DOCS = [
    Document(doc_id="a1", title="Taliban talks in Doha", source="CBS News", published=datetime(2020, 2, 1),
             body="Peace talks with the Taliban resumed in Doha. The talks were long.\n\nKabul waited."),
    Document(doc_id="a2", title="Kabul market reopens", source="AP",
             body="The market in Kabul reopened after the Taliban left. Traders were glad."),
    Document(doc_id="a3", title="Oil prices", source="Reuters", published=datetime(2020, 3, 5),
             body="Crude oil prices rose as OPEC cut output, traders said."),
]


@pytest.fixture
def small_index(tmp_path: Path) -> Path:
    path = tmp_path / "ix"
    with SearchIndex(path) as ix:
        ix.add(DOCS)
    return path


def run(runner, index: Path, *args: str):
    # A seeds folder that does not exist: the index is there, nothing is built.
    return runner.invoke(cli, ["--index-dir", str(index), "--seeds-dir", str(index.parent / "no-seeds"), *args])


# ---------------------------------------------------------------------------- delete


def test_delete_removes_each_and_names_the_missing(runner, small_index):
    result = run(runner, small_index, "delete", "a1", "nope", "a2")
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == "searcher: no document 'nope' in the index\n2 deleted, 1 not found\n"
    with SearchIndex(small_index) as ix:
        assert len(ix) == 1 and "a3" in ix and "a1" not in ix


def test_delete_exits_0_when_all_were_there(runner, small_index):
    result = run(runner, small_index, "delete", "a3")
    assert result.exit_code == 0 and result.stderr == "1 deleted, 0 not found\n"


def test_delete_without_an_index_creates_none(runner, tmp_path):
    result = run(runner, tmp_path / "ix", "delete", "a1")
    assert result.exit_code == 2 and "run `searcher index` first" in result.stderr
    assert not (tmp_path / "ix").exists()


def test_library_delete_many_returns_the_missing_ids(small_index):
    with SearchIndex(small_index) as ix:
        assert ix.delete_many(["a1", "zz", "a1"]) == ["zz"]
        assert len(ix) == 2


# ---------------------------------------------------------------------------- explain


def assert_parts_add_up(results):
    assert results.hits
    for hit in results:
        assert hit.score_parts, hit
        assert "other" not in {p.kind for p in hit.score_parts}, hit.score_parts
        total = math.fsum(p.contribution for p in hit.score_parts)
        assert math.isclose(total, hit.score, rel_tol=1e-9, abs_tol=1e-9), (total, hit.score)
        data = hit.as_dict()["explanation"]
        assert math.isclose(sum(p["contribution"] for p in data["parts"]), data["score"], abs_tol=1e-5)


def test_explained_word_query_parts_add_up_with_feedback(varied_index):
    results = varied_index.search("oil crude price", explain=True, expand=True, limit=5)
    assert_parts_add_up(results)
    kinds = {p.kind for hit in results for p in hit.score_parts}
    assert kinds == {"word", "feedback"}
    part = next(p for p in results[0].score_parts if p.kind == "word")
    assert part.term in ("oil", "crude", "price") and part.idf and part.query_weight and part.fields


def test_explained_word_query_parts_add_up_without_feedback(varied_index):
    results = varied_index.search("oil crude", explain=True, expand=False, limit=5)
    assert_parts_add_up(results)
    assert {p.kind for hit in results for p in hit.score_parts} == {"word"}
    assert {p.term for p in results[0].score_parts} == {"oil", "crude"}


def test_explained_proximity_part_adds_up(varied_index):
    import dataclasses

    from searcher.search.settings import DEFAULT_SETTINGS

    ix = SearchIndex(varied_index.path, settings=dataclasses.replace(DEFAULT_SETTINGS, proximity_weight=0.2))
    results = ix.search("oil crude", explain=True, limit=5)
    assert_parts_add_up(results)
    assert "proximity" in {p.kind for hit in results for p in hit.score_parts}
    ix.close()


@pytest.mark.parametrize("query", ["title:oil AND crude", 'oil OR "crude price"', "oil crude^2 -wheat",
                                   "oil* +crude", '"crude price"', "title:(oil OR gold) bank", "crude NOT oil"])
def test_explained_structured_query_parts_add_up(varied_index, query):
    results = varied_index.search(query, explain=True, limit=5)
    assert_parts_add_up(results)
    for hit in results:
        for part in hit.score_parts:
            if part.kind == "word":
                assert len(part.fields) == 1 and part.boost, part


def test_explain_text_lines_are_the_parts(varied_index):
    hit = varied_index.search("oil crude", explain=True, expand=False, limit=1)[0]
    assert hit.explanation[0] == f"{hit.score:7.3f}  total"
    oil = next(p for p in hit.score_parts if p.term == "oil")
    fields = ", ".join(f"{name} tf={tf:g}" for name, tf in oil.fields.items())
    assert f"{oil.contribution:7.3f}  'oil': idf {oil.idf:.2f} x query 1, {fields}" in hit.explanation


# ---------------------------------------------------------------------------- search output for scripts


def test_search_count_prints_only_the_number(runner, small_index):
    result = run(runner, small_index, "search", "taliban", "--count")
    assert (result.exit_code, result.stdout, result.stderr) == (0, "2\n", "")
    none = run(runner, small_index, "search", "zebra", "--count")
    assert (none.exit_code, none.stdout) == (1, "0\n")


def test_search_ids_one_a_line(runner, small_index):
    result = run(runner, small_index, "search", "taliban", "--ids")
    assert result.exit_code == 0 and result.stderr == ""
    assert sorted(result.stdout.splitlines()) == ["a1", "a2"]
    assert run(runner, small_index, "search", "taliban", "--ids", "-n", "1").stdout.count("\n") == 1


def expected_rows(index: Path, query: str, highlight: str) -> list[list[str]]:
    with SearchIndex(index) as ix:
        return [[str(h.rank), h.doc_id, str(round(h.score, 6)), h.source or "",
                 h.published.isoformat() if h.published else "", h.title, h.snippet]
                for h in ix.search(query, highlight=highlight)]


def test_search_format_tsv(runner, small_index):
    result = run(runner, small_index, "search", "taliban", "--format", "tsv")
    assert result.exit_code == 0 and result.stderr == ""
    lines = result.stdout.splitlines()
    assert lines[0] == "rank\tdoc_id\tscore\tsource\tpublished\ttitle\tsnippet"
    assert [line.split("\t") for line in lines[1:]] == expected_rows(small_index, "taliban", "none")
    assert lines[1].split("\t")[3:6] == ["CBS News", "2020-02-01T00:00:00", "Taliban talks in Doha"]
    assert "**" not in result.stdout  # no markup unless asked


def test_search_format_csv_with_highlight(runner, small_index):
    result = run(runner, small_index, "search", "taliban", "--format", "csv", "--highlight", "html")
    assert result.exit_code == 0
    rows = list(csv.reader(io.StringIO(result.stdout)))
    assert rows[0] == ["rank", "doc_id", "score", "source", "published", "title", "snippet"]
    assert rows[1:] == expected_rows(small_index, "taliban", "html")
    assert "<mark>Taliban</mark>" in rows[1][6]


@pytest.mark.parametrize("fmt, marked", [("plain", "**Taliban**"), ("ansi", "\x1b[1;31mTaliban\x1b[0m"),
                                         ("html", "<mark>Taliban</mark>"), ("none", "the Taliban resumed")])
def test_search_highlight_formats_in_text_output(runner, small_index, fmt, marked):
    result = run(runner, small_index, "search", "taliban", "--highlight", fmt, "-n", "1")
    assert result.exit_code == 0 and marked in result.stdout
    table = run(runner, small_index, "search", "taliban", "--highlight", fmt, "--format", "tsv")
    assert marked in table.stdout


@pytest.mark.parametrize("args", [["--count", "--ids"], ["--json", "--format", "csv"], ["--ids", "--jsonl"],
                                  ["--json", "--highlight", "html"], ["--count", "--highlight", "ansi"],
                                  ["--format", "tsv", "--explain"], ["--ids", "--facets"],
                                  ["--highlight", "ansi", "--no-color"]])
def test_output_options_that_cannot_go_together(runner, small_index, args):
    result = run(runner, small_index, "search", "taliban", *args)
    assert result.exit_code == 2 and result.stderr.startswith("searcher: error: ") and result.stdout == ""


def test_help_lists_the_output_options(runner):
    text = runner.invoke(cli, ["search", "-h"]).stdout
    for option in ("--count", "--ids", "--format [tsv|csv]", "--highlight [plain|ansi|html|none]"):
        assert option in text


# ---------------------------------------------------------------------------- JSON


def test_json_snippet_is_plain_text_with_match_offsets(runner, small_index):
    result = run(runner, small_index, "search", "taliban", "--json")
    assert result.exit_code == 0
    hit = json.loads(result.stdout)["hits"][0]
    assert list(hit) == ["rank", "doc_id", "title", "score", "source", "published", "path", "url",
                         "snippet", "matches", "duplicates", "title_guessed"]
    assert hit["doc_id"] == "a1" and "**" not in hit["snippet"]
    assert hit["snippet"] == "Peace talks with the Taliban resumed in Doha. The talks were long. Kabul waited."
    assert hit["matches"] and [hit["snippet"][s:e] for s, e in hit["matches"]] == ["Taliban"]


def test_match_offsets_survive_markup_in_the_text(tmp_path):
    from searcher.search.snippets import MARK_END, MARK_START, split_marks

    marked = f"a {MARK_START}b&c{MARK_END} d {MARK_START}e{MARK_END}"
    assert split_marks(marked) == ("a b&c d e", [(2, 5), (8, 9)])
    with SearchIndex(tmp_path / "ix") as ix:
        ix.add([Document(doc_id="x", title="t", body="Café <b>naïve</b> word, naïve again.")])
        hit = ix.search("naïve", highlight="html")[0]
        assert "&lt;b&gt;" in hit.snippet  # html escaped for html, not in the plain text
        assert [hit.snippet_text[s:e] for s, e in hit.matches] == ["naïve", "naïve"]


def test_jsonl_keeps_the_suggestion_as_a_last_line(runner, small_index):
    result = run(runner, small_index, "search", "talibn", "--jsonl")
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert lines[-1] == {"suggestion": "taliban"}
    assert all("doc_id" in line for line in lines[:-1])
    plain = run(runner, small_index, "search", "taliban", "--jsonl")
    assert all("doc_id" in json.loads(line) for line in plain.stdout.splitlines())


def test_json_explain_is_structured_and_adds_up(runner, small_index):
    for query in ("taliban kabul", "title:taliban OR kabul"):
        result = run(runner, small_index, "search", query, "--json", "--explain")
        assert result.exit_code == 0
        for hit in json.loads(result.stdout)["hits"]:
            explanation = hit["explanation"]
            assert explanation["score"] == hit["score"]
            assert math.isclose(sum(p["contribution"] for p in explanation["parts"]), hit["score"], abs_tol=1e-5)
            for part in explanation["parts"]:
                assert {"kind", "term", "contribution", "fields"} <= set(part)


# ---------------------------------------------------------------------------- help and completion


def test_help_epilog_has_three_examples_and_completion(runner):
    text = runner.invoke(cli, ["--help"]).stdout
    epilog = text.split("Examples:", 1)[1]
    examples = [line.strip() for line in epilog.splitlines() if line.strip().startswith("searcher ")]
    assert len(examples) == 3
    assert '_SEARCHER_COMPLETE=bash_source searcher' in epilog


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_shell_completion_script(shell):
    env = {**os.environ, "_SEARCHER_COMPLETE": f"{shell}_source"}
    out = subprocess.run([sys.executable, "-m", "searcher"], env=env, capture_output=True, text=True)
    assert out.returncode == 0 and "_SEARCHER_COMPLETE" in out.stdout and "searcher" in out.stdout


def test_shell_completion_completes_commands_and_options():
    env = {**os.environ, "_SEARCHER_COMPLETE": "bash_complete", "COMP_WORDS": "searcher search x --for",
           "COMP_CWORD": "3"}
    out = subprocess.run([sys.executable, "-m", "searcher"], env=env, capture_output=True, text=True)
    assert out.stdout.split() == ["plain,--format"]
    env.update(COMP_WORDS="searcher de", COMP_CWORD="1")
    out = subprocess.run([sys.executable, "-m", "searcher"], env=env, capture_output=True, text=True)
    assert out.stdout.split() == ["plain,delete"]


def test_explained_phrase_part_adds_up_and_reads_in_order(varied_index):
    import dataclasses

    from searcher.search.settings import DEFAULT_SETTINGS

    settings = dataclasses.replace(DEFAULT_SETTINGS, phrase_weight=0.3, proximity_weight=0.1)
    with SearchIndex(varied_index.path, settings=settings) as ix:
        results = ix.search("oil crude", explain=True, limit=5)
        assert_parts_add_up(results)
        kinds = {p.kind for hit in results for p in hit.score_parts}
        assert {"phrase", "proximity"} <= kinds
        assert any("'oil' then 'crude'" in line for hit in results for line in hit.explanation)
        # Without feedback too: the pairs are on the user's words' scale either way.
        assert_parts_add_up(ix.search("oil crude", explain=True, expand=False, limit=5))
