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
