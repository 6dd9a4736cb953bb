"""Issue 25: the command line and the library without traps: bare `searcher`, misspelt
options, `list`, `index --json`, "skipped", "./index", advice only from the CLI, notes on
stderr for what the hits alone do not say, unknown import fields named once."""

from __future__ import annotations

import json
from datetime import datetime

import pytest

import searcher
from searcher import Document, SearchIndex
from searcher.cli import cli
from searcher.cli.color import spelled_out
from conftest import GOLD_DOC


def run(runner, index_dir, seeds_dir, *args: str, **kwargs):
    return runner.invoke(cli, ["--index-dir", str(index_dir), "--seeds-dir", str(seeds_dir), *args], **kwargs)


def test_bare_searcher_prints_the_usage_and_the_commands_on_their_lines(runner):
    result = runner.invoke(cli, [], prog_name="searcher")
    assert result.exit_code == 2 and result.stderr == ""
    lines = result.stdout.splitlines()
    assert lines[0] == "Usage: searcher [OPTIONS] COMMAND [ARGS]..." and len(lines) > 30
    commands = lines[lines.index("Commands:") + 1:]
    for name in ("index", "import", "search", "similar", "show", "list", "stats", "serve"):
        assert any(line.split()[:1] == [name] for line in commands), name


def test_a_misspelt_option_gets_the_right_name_and_no_unrelated_hint(runner, tmp_path):
    result = run(runner, tmp_path / "ix", tmp_path / "seeds", "search", "--limt", "3", "oil")
    assert result.exit_code == 2
    assert "No such option '--limt'. Did you mean '--limit'?" in result.stderr and "quote the query" not in result.stderr
    dash = run(runner, tmp_path / "ix", tmp_path / "seeds", "search", "-iraq")
    assert "quote the query" in dash.stderr  # a query word taken for an option still gets it


@pytest.mark.parametrize("args, coloured", [
    (["--color=always"], True), (["--color", "always"], True), (["--color"], True), (["--color=auto"], False),
    ([], False), (["--color=never"], False), (["--color", "never"], False), (["--no-color"], False)])
def test_color_takes_always_never_auto_and_the_old_flags(runner, index_dir, seeds_dir, args, coloured):
    result = run(runner, index_dir, seeds_dir, "search", *args, "Khalilzad")  # not a terminal: auto is plain
    assert result.exit_code == 0 and ("\x1b[" in result.stdout) == coloured and "Khalilzad" in result.stdout
    similar = run(runner, index_dir, seeds_dir, "similar", *args, GOLD_DOC)
    assert similar.exit_code in (0, 1) and ("\x1b[" in similar.stdout) == (coloured and bool(similar.stdout))


def test_a_colour_that_is_not_one_is_named_and_color_leaves_the_query_alone(runner, index_dir, seeds_dir):
    bad = run(runner, index_dir, seeds_dir, "search", "--color=blue", "Khalilzad")
    assert bad.exit_code == 2 and "'blue' is not one of 'auto', 'always', 'never'" in bad.stderr
    # --color alone before a word: the word is the query, not the option's value
    assert "\x1b[" in run(runner, index_dir, seeds_dir, "search", "--color", "Khalilzad").stdout
    assert spelled_out(["--no-color", "oil", "--color", "--", "--color", "--no-color"]) == \
        ["--color=never", "oil", "--color=always", "--", "--color", "--no-color"]  # after --, query words


def test_a_dash_reads_the_query_from_standard_input(runner, index_dir, seeds_dir):
    piped = run(runner, index_dir, seeds_dir, "search", "-", "--ids", input="Khalilzad\n  re-set\n")
    assert piped.exit_code == 0 and piped.stdout.split() == [GOLD_DOC], piped.stderr
    as_typed = run(runner, index_dir, seeds_dir, "search", "Khalilzad re-set", "--ids")
    assert piped.stdout == as_typed.stdout
    none = run(runner, index_dir, seeds_dir, "search", "-", input="  \n")
    assert none.exit_code == 2 and "standard input, which gave none" in none.stderr


def test_list_gives_ids_dates_and_titles(runner, tmp_path):
    with SearchIndex(tmp_path / "ix") as ix:
        ix.add([Document(doc_id="b", title="Second\tnote", body="x", published=datetime(2020, 1, 2), url="https://e.org/b"),
                Document(doc_id="a", title="First note", body="y"),
                Document(doc_id="c", title="Gone", body="z"),
                Document(doc_id="d", body="Dock workers walked out at dawn.")])
        ix.delete("c")
    plain = run(runner, tmp_path / "ix", tmp_path / "seeds", "list")
    assert plain.exit_code == 0 and plain.stdout.splitlines() == [
        "a\t-\tFirst note", "b\t2020-01-02\tSecond note", "d\t-\tDock workers walked out at dawn."]  # its first words
    records = json.loads(run(runner, tmp_path / "ix", tmp_path / "seeds", "list", "--json").stdout)
    assert records == [{"doc_id": "a", "title": "First note", "title_guessed": False, "source": None, "url": None,
                        "published": None},
                       {"doc_id": "b", "title": "Second\tnote", "title_guessed": False, "source": None,
                        "url": "https://e.org/b", "published": "2020-01-02T00:00:00"},
                       {"doc_id": "d", "title": "Dock workers walked out at dawn.", "title_guessed": True,
                        "source": None, "url": None, "published": None}]
    lines = run(runner, tmp_path / "ix", tmp_path / "seeds", "list", "--jsonl").stdout.splitlines()
    assert [json.loads(line) for line in lines] == records
    with SearchIndex(tmp_path / "empty") as ix:
        ix.add(Document(doc_id="x", title="x", body="x"))
        ix.delete("x")
    empty = run(runner, tmp_path / "empty", tmp_path / "seeds", "list", "--json")
    assert empty.exit_code == 1 and json.loads(empty.stdout) == []


def test_iterating_an_index_gives_every_id_and_documents_every_document(tmp_path, monkeypatch):
    import searcher.index

    monkeypatch.setattr(searcher.index, "LIST_PAGE", 3)  # several pages
    with SearchIndex(tmp_path / "ix") as ix:
        ix.add([Document(doc_id=f"d{i:02d}", title=f"t{i}", body="b") for i in range(10)])
        ix.delete("d03")
        assert list(ix) == [f"d{i:02d}" for i in range(10) if i != 3]
        assert [d.title for d in ix.documents()] == [f"t{i}" for i in range(10) if i != 3]


def test_index_json_is_the_update_report_and_skipped_is_one_word(runner, index_dir, seeds_dir):
    (seeds_dir / "empty.txt").write_text("")
    result = run(runner, index_dir, seeds_dir, "index", "--json")
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    assert report["added"] == [GOLD_DOC] and [s["reason"] for s in report["skipped"]] == ["empty file"]
    assert report["skipped"][0]["path"].endswith("empty.txt")
    assert set(report) == {"added", "changed", "removed", "renamed", "unchanged", "skipped", "warnings", "rebuilt",
                           "seconds", "scan_seconds"}
    again = run(runner, index_dir, seeds_dir, "index")
    assert "empty.txt: empty file" in again.stderr and ", 1 skipped in " in again.stderr
    assert "failed" not in again.stderr


def test_a_missing_index_is_named_as_a_place_and_only_the_cli_gives_advice(runner, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(cli, ["stats"])
    assert result.exit_code == 2
    assert result.stderr == "searcher: error: no index at ./index; run `searcher index` first (or `searcher import FILE`)\n"
    with pytest.raises(searcher.IndexNotFoundError) as missing:
        SearchIndex("index").stats()
    assert str(missing.value) == "no index at ./index"  # the library says what is wrong, not what to type
    with SearchIndex("ix") as ix:
        ix.add(Document(doc_id="note-10", title="Ten", body="x"))
        with pytest.raises(searcher.DocumentNotFoundError) as unknown:
            ix.get("zzz")
    assert "`" not in str(unknown.value) and "searcher " not in str(unknown.value)
    shown = runner.invoke(cli, ["--index-dir", "ix", "show", "zzz"])
    assert shown.exit_code == 1 and "`searcher list` shows every id" in shown.stderr
    assert runner.invoke(cli, ["--index-dir", "ix", "show", "note-1"]).stdout.startswith("Ten\n")  # a prefix
    (tmp_path / "other").mkdir()
    (tmp_path / "other" / "notes.txt").write_text("mine")
    with pytest.raises(searcher.NotAnIndexError) as foreign:
        SearchIndex("other").stats()
    assert "--" not in str(foreign.value) and "`" not in str(foreign.value)
    refused = runner.invoke(cli, ["--index-dir", "other", "stats"])
    assert refused.exit_code == 2 and refused.stderr.count("--index-dir") == 1  # the advice, once


def test_notes_on_stderr_say_what_the_hits_do_not(runner, tmp_path):
    with SearchIndex(tmp_path / "ix") as ix:
        ix.add([Document(doc_id="new", title="Port strike", body="The port strike.", published=datetime(2020, 3, 2)),
                Document(doc_id="old", title="Port strike", body="An old port strike.", published=datetime(2019, 3, 2)),
                Document(doc_id="none", title="Port notes", body="Strike notes, undated.")])
    oldest = run(runner, tmp_path / "ix", tmp_path / "seeds", "search", "strike", "--sort", "oldest", "--ids")
    assert oldest.stdout.split() == ["old", "new", "none"]
    assert "note: 1 hit has no date; sorted by date, it comes last" in oldest.stderr
    assert "no date" not in run(runner, tmp_path / "ix", tmp_path / "seeds", "search", "strike").stderr
    excluded = run(runner, tmp_path / "ix", tmp_path / "seeds", "search", "--", "-strike")
    assert excluded.exit_code == 1
    assert "nothing found: the query only says what to leave out (-strike): give a word to look for too" in excluded.stderr
    common = run(runner, tmp_path / "ix", tmp_path / "seeds", "search", "the", "--json")
    assert json.loads(common.stdout)["empty_reason"].startswith("'the' is too common")


def test_an_import_names_the_fields_it_does_not_keep_once(runner, tmp_path):
    lines = [{"id": f"bbc-{i}", "title": "Ad sales", "text": "Profits rose.", "category": "business", "topic": "ads"}
             for i in range(3)] + [{"id": "bbc-9", "title": "t", "text": "x", "region": "uk"}]
    path = tmp_path / "bbc.jsonl"
    path.write_text("\n".join(json.dumps(line) for line in lines) + "\n")
    result = run(runner, tmp_path / "ix", tmp_path / "seeds", "import", "-q", str(path))
    assert result.exit_code == 0, result.output
    warnings = [line for line in result.stderr.splitlines() if "not kept" in line]
    assert warnings == [f'searcher: warning: {path}:1: fields "category", "topic" not kept (a document keeps id, '
                        "title, text, date, source, url, authors and language); said once per file",
                        f'searcher: warning: {path}:4: field "region" not kept (a document keeps id, title, text, '
                        "date, source, url, authors and language); said once per file"]
    assert "4 imported, 0 skipped" in result.stderr
