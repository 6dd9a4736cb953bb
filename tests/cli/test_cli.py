"""The command line, driven through click's CliRunner: output, JSON shapes, exit codes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from searcher import __version__
from searcher.cli import cli
from conftest import GOLD_DOC, GOLD_ID


def run(runner, index_dir: Path, seeds_dir: Path, *args: str, env: dict | None = None):
    return runner.invoke(cli, ["--index-dir", str(index_dir), "--seeds-dir", str(seeds_dir), *args], env=env)


def test_version_and_help(runner):
    assert runner.invoke(cli, ["--version"]).output.strip() == f"searcher, version {__version__}"
    for command in ([], ["index"], ["search"], ["show"], ["clean"], ["stats"]):
        result = runner.invoke(cli, [*command, "-h"])
        assert result.exit_code == 0 and "Usage:" in result.output


def test_index_summary_and_second_run_does_nothing(runner, index_dir, seeds_dir):
    first = run(runner, index_dir, seeds_dir, "index")
    assert first.exit_code == 0, first.output
    assert first.stderr.startswith("1 added, 0 changed, 0 removed, 0 unchanged, 0 skipped in ")
    second = run(runner, index_dir, seeds_dir, "index")
    assert second.stderr.startswith("0 added, 0 changed, 0 removed, 1 unchanged, 0 skipped in ")


def test_search_builds_index_and_highlights(runner, index_dir, seeds_dir):
    result = run(runner, index_dir, seeds_dir, "search", "Khalilzad", "re-set")
    assert result.exit_code == 0, result.output
    assert "building it from" in result.stderr
    first_hit = result.stdout.splitlines()[0]
    assert first_hit.startswith("1. ") and "Taliban" in first_hit
    assert "**Khalilzad**" in result.stdout
    assert "\x1b[" not in result.stdout  # not a terminal: no colour


def test_search_colour_only_when_asked_and_not_with_no_color(runner, index_dir, seeds_dir):
    run(runner, index_dir, seeds_dir, "index")
    coloured = run(runner, index_dir, seeds_dir, "search", "Khalilzad", "--color")
    assert "\x1b[" in coloured.stdout
    plain = run(runner, index_dir, seeds_dir, "search", "Khalilzad", env={"NO_COLOR": "1"})
    assert "\x1b[" not in plain.stdout


def test_search_json_carries_the_hit_fields(runner, index_dir, seeds_dir):
    result = run(runner, index_dir, seeds_dir, "search", "Khalilzad re-set", "--json")
    data = json.loads(result.stdout)
    assert data["total"] == 1 and data["page"] == 1
    hit = data["hits"][0]
    for key in ("rank", "doc_id", "title", "score", "source", "published", "path", "url", "snippet"):
        assert key in hit
    assert hit["doc_id"] == GOLD_DOC and hit["rank"] == 1 and hit["score"] > 0


def test_search_jsonl_one_object_per_hit(runner, index_dir, seeds_dir):
    result = run(runner, index_dir, seeds_dir, "search", "taliban", "--jsonl")
    lines = result.stdout.splitlines()
    assert len(lines) == 1 and json.loads(lines[0])["doc_id"] == GOLD_DOC


def test_exit_codes_follow_grep(runner, index_dir, seeds_dir):
    assert run(runner, index_dir, seeds_dir, "search", "taliban").exit_code == 0
    assert run(runner, index_dir, seeds_dir, "search", "zzyzxnotaword").exit_code == 1
    unknown = run(runner, index_dir, seeds_dir, "search", "nosuchfield:foo")
    assert unknown.exit_code == 2 and unknown.stderr.startswith("searcher: error: unknown field 'nosuchfield'")
    assert "Traceback" not in unknown.output
    empty = run(runner, index_dir, seeds_dir, "search", "  ")
    assert empty.exit_code == 2
    both = run(runner, index_dir, seeds_dir, "search", "x", "--json", "--jsonl")
    assert both.exit_code == 2


def test_search_without_index_or_seeds_is_a_one_line_error(runner, tmp_path):
    result = runner.invoke(cli, ["--index-dir", str(tmp_path / "ix"), "--seeds-dir", str(tmp_path / "none"),
                                 "search", "x"])
    assert result.exit_code == 2
    assert "seeds folder not found" in result.stderr and "Traceback" not in result.output


def test_show_and_missing_document(runner, index_dir, seeds_dir):
    run(runner, index_dir, seeds_dir, "index")
    shown = run(runner, index_dir, seeds_dir, "show", GOLD_ID, "--json")
    assert shown.exit_code == 0
    doc = json.loads(shown.stdout)
    assert doc["doc_id"] == GOLD_DOC and "Khalilzad" in doc["body"]
    missing = run(runner, index_dir, seeds_dir, "show", "no-such-doc")
    assert missing.exit_code == 1 and "no document 'no-such-doc'" in missing.stderr


def test_stats(runner, index_dir, seeds_dir):
    run(runner, index_dir, seeds_dir, "index")
    result = run(runner, index_dir, seeds_dir, "stats", "--json")
    data = json.loads(result.stdout)
    assert data["documents"] == 1 and data["schema_version"] >= 1
    text = run(runner, index_dir, seeds_dir, "stats")
    assert "documents:  1" in text.stdout


def test_stats_without_index_exits_2(runner, tmp_path):
    result = runner.invoke(cli, ["--index-dir", str(tmp_path / "ix"), "stats"])
    assert result.exit_code == 2 and "run `searcher index` first" in result.stderr


def test_clean_prints_body_and_removed_lines(runner, seeds_dir):
    result = runner.invoke(cli, ["clean", str(seeds_dir / f"{GOLD_ID}.txt"), "--removed"])
    assert result.exit_code == 0
    assert "Zalmay Khalilzad" in result.stdout and "removed (" in result.stdout


def test_clean_missing_file_is_an_error(runner, tmp_path):
    result = runner.invoke(cli, ["clean", str(tmp_path / "nope.txt")])
    assert result.exit_code == 2 and "Traceback" not in result.output


def test_index_names_skipped_seeds_and_exits_1(runner, index_dir, seeds_dir):
    (seeds_dir / "empty.txt").write_text("")
    (seeds_dir / "picture.png").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)))
    (seeds_dir / "picture.txt").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)))
    result = run(runner, index_dir, seeds_dir, "index")
    assert result.exit_code == 1
    assert "skipped" in result.stderr and "empty.txt: empty file" in result.stderr
    assert "picture.png: a .png file, not indexed (seeds are .txt, .text, .html, .htm, .xhtml files)" in result.stderr
    assert "picture.txt: not a text or HTML page (PNG image)" in result.stderr
    assert "1 added" in result.stderr and "3 skipped" in result.stderr


def test_python_dash_m_runs_the_cli():
    import subprocess
    import sys

    out = subprocess.run([sys.executable, "-m", "searcher", "--version"], capture_output=True, text=True)
    assert out.returncode == 0 and __version__ in out.stdout


@pytest.mark.parametrize("sort", ["relevance", "date"])
def test_sort_option(runner, index_dir, seeds_dir, sort):
    result = run(runner, index_dir, seeds_dir, "search", "taliban", "--sort", sort, "--json")
    assert result.exit_code == 0 and json.loads(result.stdout)["hits"][0]["doc_id"] == GOLD_DOC


def test_clean_json_matches_the_gold_record(runner, seeds_dir, gold):
    result = runner.invoke(cli, ["clean", str(seeds_dir / f"{GOLD_ID}.txt"), "--json"])
    assert result.exit_code == 0
    doc = json.loads(result.stdout)
    expected = gold["expected"]
    assert doc["title"] == expected["title"]
    assert doc["source"] == expected["source"]
    assert doc["sections"] == expected["sections"]
    assert doc["body"].startswith(expected["body_starts_with"])
    assert doc["body"].endswith(expected["body_ends_with"])
    paragraphs = [p for p in doc["body"].split("\n\n") if p not in expected["sections"]]
    assert len(paragraphs) == expected["body_paragraphs"]
    chrome = [ln["text"].strip() for ln in gold["lines"] if ln["label"] in ("video", "photo", "prompt")]
    for line in chrome:
        assert line not in doc["body"].split("\n\n")
    assert {r["label"] for r in doc["removed"]} >= {"video", "photo", "prompt"}


def test_search_rebuilds_an_index_of_an_older_schema_when_seeds_are_at_hand(runner, index_dir, seeds_dir):
    from searcher.engines.whoosh.storage import MARKER_NAME

    run(runner, index_dir, seeds_dir, "index")
    marker = index_dir / MARKER_NAME
    data = json.loads(marker.read_text())
    data["schema_version"] = 0
    marker.write_text(json.dumps(data))
    result = run(runner, index_dir, seeds_dir, "search", "Khalilzad")
    assert result.exit_code == 0 and "older schema; building it from" in result.stderr
    assert json.loads(marker.read_text())["schema_version"] > 0


def test_show_and_similar_take_an_id_prefix_as_git_does(runner, index_dir, seeds_dir):
    (seeds_dir / f"{GOLD_ID}.html").write_text(
        "<html><head><title>Envoy returns to Doha</title></head><body><article><p>The envoy returned to Doha "
        "on Monday for another round of talks with the Taliban delegation.</p></article></body></html>")
    indexed = run(runner, index_dir, seeds_dir, "index")
    assert indexed.exit_code == 0 and indexed.stderr.startswith("2 added"), indexed.output
    shown = run(runner, index_dir, seeds_dir, "show", f"{GOLD_ID}.t", "--json")
    assert shown.exit_code == 0 and json.loads(shown.stdout)["doc_id"] == GOLD_DOC
    ambiguous = run(runner, index_dir, seeds_dir, "show", GOLD_ID)
    assert ambiguous.exit_code == 2 and ambiguous.stderr.count("\n") == 1
    assert f"'{GOLD_ID}.html', '{GOLD_DOC}'" in ambiguous.stderr and "give more of the id" in ambiguous.stderr
    similar = run(runner, index_dir, seeds_dir, "similar", f"{GOLD_ID}.h", "--json")
    assert similar.exit_code in (0, 1) and "Traceback" not in similar.output
    assert all(hit["doc_id"] != f"{GOLD_ID}.html" for hit in json.loads(similar.stdout)["hits"])


@pytest.mark.parametrize("name", ["plain-name_1.txt", "with space.txt", "it's (1).html", "ça va.txt",
                                  "new\nline.txt", "tab\there.txt", "back\\slash.txt"])
def test_printed_ids_can_be_typed_back_in_a_shell(name):
    import shutil
    import subprocess

    from searcher.cli.render import typeable_id

    typed = typeable_id(name)
    assert "\n" not in typed and "\t" not in typed
    if name == "plain-name_1.txt":
        assert typed == name
    bash = shutil.which("bash")
    if bash:
        echoed = subprocess.run([bash, "-c", f"printf %s {typed}"], capture_output=True, text=True, check=True)
        assert echoed.stdout == name


def test_search_prints_the_id_to_type(runner, index_dir, seeds_dir):
    import shutil

    (seeds_dir / "2020").mkdir()
    shutil.copy(seeds_dir / f"{GOLD_ID}.txt", seeds_dir / "2020" / "copy of it.txt")
    result = run(runner, index_dir, seeds_dir, "search", "Khalilzad", "--no-collapse")
    assert result.exit_code == 0
    assert " · '2020/copy of it.txt' · " in result.stdout and f" · {GOLD_DOC} · " in result.stdout
    folded = run(runner, index_dir, seeds_dir, "search", "Khalilzad")  # the copy folds, named as typed
    assert "   +1 copy: '2020/copy of it.txt'\n" in folded.stdout
    shown = run(runner, index_dir, seeds_dir, "show", "2020/copy of it.txt")
    assert shown.exit_code == 0 and "id:        '2020/copy of it.txt'" in shown.stdout
