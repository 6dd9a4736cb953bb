"""`searcher import`, bulk adds, parallel rebuilds and the progress bar."""

from __future__ import annotations

import io
import json
import os
import random
from datetime import datetime
from pathlib import Path

import pytest

from searcher import SearchIndex
from searcher.engines.whoosh import writing
from searcher.indexing import cleaning_pool
from searcher.cli import cli
from searcher.core.records import Document
from searcher.cli.progress import ProgressBar

WORDS = ("cocoa coffee sugar grain wheat oil bank rates trade deficit talks peace minister bond "
         "shares profit loss dollar yen gold copper strike port harvest rain drought export").split()


def article(rng: random.Random, i: int) -> dict:
    title = " ".join(rng.choice(WORDS) for _ in range(5))
    text = " ".join(rng.choice(WORDS) for _ in range(rng.randint(20, 80)))
    return {"id": f"art-{i}", "title": title.capitalize(), "text": text, "date": f"{1 + i % 28}-MAR-1987 10:00:00.00"}


def documents(n: int, seed: int = 1) -> list[Document]:
    rng = random.Random(seed)
    return [Document(doc_id=a["id"], title=a["title"], body=a["text"]) for a in (article(rng, i) for i in range(n))]


@pytest.fixture
def small_bulk(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make a few hundred documents count as a bulk add, so tests exercise the multiprocess writer."""
    monkeypatch.setattr(writing, "BULK_MIN_DOCS", 50)
    monkeypatch.setattr(writing, "BULK_COMMIT_EVERY", 150)
    monkeypatch.setattr(cleaning_pool, "PARALLEL_MIN_SEEDS", 16)


def top(ix: SearchIndex, query: str) -> list[tuple[str, float]]:
    hits = ix.search(query, limit=20, fragments=0)
    if '"' in query:
        # Whoosh scores phrase matches with per-segment statistics, so a phrase's scores
        # (not its matches) depend on how the index is split into segments.
        return sorted((h.doc_id, 0.0) for h in hits)
    return sorted((h.doc_id, round(h.score, 4)) for h in hits)


def test_import_all_good_exits_0(runner, tmp_path: Path) -> None:
    rng = random.Random(2)
    path = tmp_path / "a.jsonl"
    path.write_text("".join(json.dumps(article(rng, i)) + "\n" for i in range(30)), encoding="utf-8")
    result = runner.invoke(cli, ["--index-dir", str(tmp_path / "ix"), "import", str(path)])
    assert result.exit_code == 0, result.output
    assert "30 imported, 0 skipped" in result.output
    with SearchIndex(tmp_path / "ix") as ix:
        assert len(ix) == 30
        assert ix.get("art-3").published is not None


def test_import_bad_lines_exit_1_and_are_named(runner, tmp_path: Path) -> None:
    path = tmp_path / "b.jsonl"
    path.write_text('{"id": "a", "title": "cocoa"}\n{oops\n{"id": "b", "text": "coffee"}\n', encoding="utf-8")
    result = runner.invoke(cli, ["--index-dir", str(tmp_path / "ix"), "import", str(path)])
    assert result.exit_code == 1, result.output
    assert f"{path}:2" in result.output
    assert "2 imported, 1 skipped" in result.output
    with SearchIndex(tmp_path / "ix") as ix:
        assert len(ix) == 2


def test_import_errors_exit_2(runner, tmp_path: Path) -> None:
    result = runner.invoke(cli, ["--index-dir", str(tmp_path / "ix"), "import", str(tmp_path / "missing.jsonl")])
    assert result.exit_code == 2
    not_index = tmp_path / "not-an-index"
    not_index.mkdir()
    (not_index / "precious.txt").write_text("keep me")
    path = tmp_path / "c.jsonl"
    path.write_text('{"id": "a", "title": "cocoa"}\n', encoding="utf-8")
    result = runner.invoke(cli, ["--index-dir", str(not_index), "import", str(path)])
    assert result.exit_code == 2
    assert (not_index / "precious.txt").read_text() == "keep me"


def test_import_replaces_existing_ids(runner, tmp_path: Path) -> None:
    path = tmp_path / "d.jsonl"
    path.write_text('{"id": "a", "title": "cocoa"}\n{"id": "a", "title": "coffee"}\n', encoding="utf-8")
    assert runner.invoke(cli, ["--index-dir", str(tmp_path / "ix"), "import", str(path)]).exit_code == 0
    assert runner.invoke(cli, ["--index-dir", str(tmp_path / "ix"), "import", str(path)]).exit_code == 0
    with SearchIndex(tmp_path / "ix") as ix:
        assert len(ix) == 1
        assert ix.get("a").title == "coffee"


@pytest.mark.parametrize("jobs", [1, 2])
def test_bulk_add_lazily_then_search(tmp_path: Path, small_bulk: None, jobs: int) -> None:
    docs = documents(400)
    consumed = []

    def stream():
        for doc in docs:
            consumed.append(doc.doc_id)
            yield doc

    with SearchIndex(tmp_path / "ix") as ix:
        assert ix.add(stream(), jobs=jobs) == 400
        assert len(ix) == 400
        assert ix.search("cocoa").total == sum("cocoa" in (d.title + d.body).lower() for d in docs)
        # Replacing some and adding new ones to a big index.
        changed = [Document(doc_id=f"art-{i}", title="zebra", body="zebra") for i in range(0, 400, 7)]
        ix.add(changed + [Document(doc_id="new-1", title="zebra", body="x")], jobs=jobs)
        assert len(ix) == 401
        assert ix.search("zebra").total == len(changed) + 1
        assert ix.get("art-7").title == "zebra"


def test_parallel_rebuild_matches_serial(tmp_path: Path, small_bulk: None) -> None:
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    for doc in documents(300, seed=5):
        (seeds / f"{doc.doc_id}.txt").write_text(f"{doc.title}\n\n{doc.body}\n", encoding="utf-8")
    results = {}
    for jobs in (1, 2):
        with SearchIndex(tmp_path / f"ix{jobs}") as ix:
            report = ix.rebuild(seeds, jobs=jobs)
            assert len(report.added) == 300 and report.ok
            assert len(ix) == 300
            results[jobs] = [top(ix, q) for q in ("cocoa", "peace talks", "gold OR copper", '"trade deficit"')]
            assert ix.update(seeds).summary().startswith("0 added, 0 changed, 0 removed, 300 unchanged")
    assert results[1] == results[2]
    assert all(results[1])


def test_progress_bar_silent_when_not_a_terminal(runner, tmp_path: Path) -> None:
    stream = io.StringIO()
    bar = ProgressBar(stream=stream, delay=0)
    bar(10, 100, "indexing")
    bar.close()
    assert stream.getvalue() == ""
    rng = random.Random(3)
    path = tmp_path / "e.jsonl"
    path.write_text("".join(json.dumps(article(rng, i)) + "\n" for i in range(20)), encoding="utf-8")
    result = runner.invoke(cli, ["--index-dir", str(tmp_path / "ix"), "import", str(path)])
    assert "\r" not in result.output and "/s " not in result.output.split("imported")[0]


class Tty(io.StringIO):
    """A stream that says it is a terminal, as the progress bar's own check asks."""

    def isatty(self) -> bool:
        return True


def test_progress_bar_draws_on_a_terminal() -> None:
    stream = Tty()
    with ProgressBar(stream=stream, delay=0, interval=0) as bar:
        bar(500, 1000, "indexing")
        assert "500/1,000 articles" in stream.getvalue() and "/s" in stream.getvalue()
    assert ProgressBar(stream=Tty(), enabled=False).enabled is False


def test_progress_bar_names_the_embedding_stage_and_counts_it_from_zero() -> None:
    stream = Tty()
    with ProgressBar(stream=stream, delay=0, interval=0) as bar:
        bar(1000, 1000, "indexing")
        bar(10, 1000, "embedding")
        drawn = stream.getvalue().split("\r")[-1]
        assert "10/1,000 articles" in drawn and "embedding…" in drawn


def test_import_warns_of_a_date_it_cannot_read_naming_the_line(runner, tmp_path: Path) -> None:
    path = tmp_path / "dated.jsonl"
    path.write_text(json.dumps({"id": "a", "title": "Kabul talks", "text": "x", "date": "yesterday"}) + "\n"
                    + json.dumps({"id": "b", "title": "Doha talks", "text": "y", "date": "2020-01-02"}) + "\n")
    result = runner.invoke(cli, ["--index-dir", str(tmp_path / "ix"), "import", str(path), "-q"])
    assert result.exit_code == 0, result.output  # both imported: a dropped date is a warning, not a skip
    assert f'searcher: warning: {path}:1: date "yesterday" is not a date we can read: kept without a date' \
        in result.stderr
    assert "2 imported, 0 skipped" in result.stderr
    with SearchIndex(tmp_path / "ix") as ix:
        assert ix.get("a").published is None and ix.get("b").published == datetime(2020, 1, 2)


def test_import_of_an_unreadable_file_is_one_line_exit_2(runner, tmp_path: Path) -> None:
    path = tmp_path / "locked.jsonl"
    path.write_text(json.dumps({"id": "a", "title": "t"}) + "\n")
    path.chmod(0)
    try:
        # Root reads any file: then one that no one can read, whose first read fails (EIO).
        unreadable = Path("/proc/self/mem") if os.access(path, os.R_OK) else path
        result = runner.invoke(cli, ["--index-dir", str(tmp_path / "ix"), "import", str(unreadable), "-q"])
    finally:
        path.chmod(0o644)
    assert result.exit_code == 2 and f"cannot read {unreadable}: " in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.output
