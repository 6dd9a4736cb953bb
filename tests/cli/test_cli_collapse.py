"""`searcher search` / `similar` with near-duplicates: `+N copies`, --no-collapse, both totals."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from searcher import Document, SearchIndex
from searcher.cli import cli

from conftest import CHROME, article


@pytest.fixture
def copies_index(tmp_path: Path) -> Path:
    """Three articles about harbours, the first saved three times and the second twice."""
    bodies = {n: f"Harbour report {n}. " + article(200 + n) for n in range(3)}
    docs = [Document("one.txt", title="One", body=bodies[0]),
            Document("one.html", title="One | Site", body=f"{bodies[0]}\n\n{CHROME}"),
            Document("mirror/one copy.txt", title="One", body=f"Menu\n\n{bodies[0]}"),
            Document("two.txt", title="Two", body=bodies[1]),
            Document("two.html", title="Two | Site", body=f"{bodies[1]}\n\n{CHROME}"),
            Document("three.txt", title="Three", body=bodies[2])]
    with SearchIndex(tmp_path / "index") as ix:
        ix.add(docs)
    return tmp_path / "index"


def run(runner, index: Path, *args: str):
    return runner.invoke(cli, ["--index-dir", str(index), "--seeds-dir", str(index.parent / "no-seeds"), *args])


def test_search_shows_copies_under_the_hit_and_both_totals(runner, copies_index):
    result = run(runner, copies_index, "search", "harbour report", "--no-color")
    assert result.exit_code == 0
    blocks = result.stdout.strip().split("\n\n")
    assert len(blocks) == 3
    one = next(b for b in blocks if "One" in b.splitlines()[0])
    first_id = {"one.txt", "one.html", "'mirror/one copy.txt'"} & set(one.splitlines()[1].strip().split(" · "))
    last = one.splitlines()[-1]
    assert last.startswith("   +2 copies: ")  # the other two, ids as typed in a shell
    assert set(last.removeprefix("   +2 copies: ").split(", ")) | first_id == {"one.txt", "one.html",
                                                                                "'mirror/one copy.txt'"}
    three = next(b for b in blocks if "Three" in b.splitlines()[0])
    assert "cop" not in three
    assert result.stderr.startswith("3 hits (+3 copies folded in, 6 in all) in ")


def test_no_collapse_shows_every_copy(runner, copies_index):
    result = run(runner, copies_index, "search", "harbour report", "--no-collapse", "--no-color")
    assert result.exit_code == 0
    assert len(result.stdout.strip().split("\n\n")) == 6 and "cop" not in result.stdout.replace("one copy", "")
    assert result.stderr.startswith("6 hits in ")


def test_json_gives_duplicates_and_both_totals(runner, copies_index):
    data = json.loads(run(runner, copies_index, "search", "harbour report", "--json").stdout)
    assert (data["total"], data["distinct"], data["copies"]) == (6, 3, 3)
    assert sorted(len(h["duplicates"]) for h in data["hits"]) == [0, 1, 2]
    plain = json.loads(run(runner, copies_index, "search", "harbour report", "--json", "--no-collapse").stdout)
    assert (plain["total"], plain["distinct"], plain["copies"]) == (6, 6, 0)
    assert all(h["duplicates"] == [] for h in plain["hits"])
    lines = run(runner, copies_index, "search", "harbour report", "--jsonl").stdout.splitlines()
    assert sorted(len(json.loads(line)["duplicates"]) for line in lines) == [0, 1, 2]


def test_similar_leaves_out_the_articles_own_copies(runner, copies_index):
    ids = [h["doc_id"] for h in json.loads(run(runner, copies_index, "similar", "one.txt", "--json").stdout)["hits"]]
    assert ids and not {"one.html", "mirror/one copy.txt"} & set(ids)
    every = json.loads(run(runner, copies_index, "similar", "one.txt", "--json", "--no-collapse").stdout)["hits"]
    assert {h["doc_id"] for h in every[:2]} == {"one.html", "mirror/one copy.txt"}


def test_help_names_the_option(runner):
    for command in ("search", "similar"):
        assert "--collapse / --no-collapse" in runner.invoke(cli, [command, "-h"]).stdout
