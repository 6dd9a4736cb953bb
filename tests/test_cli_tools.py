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
