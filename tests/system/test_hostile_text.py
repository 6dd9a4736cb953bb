"""Hostile text (issue 16): what the command line prints from data never drives the terminal,
invalid text is refused or repaired at the door, and JSON Lines imports survive bad lines,
repeated ids and huge records."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from searcher import Document, SearchIndex
from searcher.cli import cli

EVIL_NAME = "evil\x1b]0;PWNED\x07\x1b[2J"
#: What may never reach a terminal from data: C0/C1 controls (ESC, BEL, CSI U+009B), bidi overrides.
RAW = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")
ANSI_OURS = re.compile(r"\x1b\[(?:[0-9;]*)m")  # searcher's own styling: SGR codes only


def run(runner, index: Path, seeds: Path, *args: str):
    return runner.invoke(cli, ["--index-dir", str(index), "--seeds-dir", str(seeds), *args])


def assert_clean(text: str, *, ours_allowed: bool = False) -> None:
    if ours_allowed:
        text = ANSI_OURS.sub("", text)
    assert not RAW.search(text), repr(RAW.search(text))


@pytest.fixture
def evil_seeds(tmp_path: Path) -> Path:
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    body = ("Kabul talks resumed on Monday with both sides present in the capital today.\n\n"
            "The envoy said the \u009b2J talks \u202eevil\u202c would go on for a week at least.\n")
    (seeds / f"{EVIL_NAME}.txt").write_text(f"Kabul talks \u202ehostile\u202c title\n\n{body}", encoding="utf-8")
    (seeds / f"{EVIL_NAME}-empty.txt").write_text("", encoding="utf-8")  # skipped with a warning naming it
    return seeds


def test_data_never_reaches_the_terminal_raw_in_any_output(runner, tmp_path, evil_seeds):
    index = tmp_path / "ix"
    jsonl = tmp_path / "a.jsonl"
    # An id with a control character is refused at import (it is named in a warning, escaped).
    jsonl.write_text(json.dumps({"id": "evil-jsonl", "title": "Kabul \u009b31m title \u202e",
                                 "text": "Kabul talks \u202e resumed", "source": "Src\u202e\u0085"}) + "\n"
                     + json.dumps({"id": f"bad\x1b[2J", "date": "x"}) + "\n", encoding="utf-8")
    outputs = [run(runner, index, evil_seeds, "index")]
    assert outputs[0].exit_code == 1 and "evil\\x1b]0;PWNED\\x07\\x1b[2J-empty.txt" in outputs[0].stderr
    outputs.append(run(runner, index, evil_seeds, "import", "-q", str(jsonl)))
    for args in (["--no-color"], ["--color"], ["--ids"], ["--count"], ["--format", "tsv"], ["--format", "csv"],
                 ["--format", "tsv", "--highlight", "ansi"], ["--highlight", "html"], ["--facets", "--explain"]):
        result = run(runner, index, evil_seeds, "search", "kabul", *args)
        assert result.exit_code == 0, result.output
        outputs.append(result)
    outputs += [run(runner, index, evil_seeds, "show", "evil"),  # ambiguous: the error lists the ids
                run(runner, index, evil_seeds, "show", f"{EVIL_NAME}.txt"),
                run(runner, index, evil_seeds, "show", "evil-jsonl"),
                run(runner, index, evil_seeds, "similar", f"{EVIL_NAME}.txt"),
                run(runner, index, evil_seeds, "stats"),
                run(runner, index, evil_seeds, "delete", f"{EVIL_NAME}-gone"),
                run(runner, index, evil_seeds, "clean", str(evil_seeds / f"{EVIL_NAME}.txt"), "--removed")]
    for result in outputs:
        assert_clean(result.stdout, ours_allowed=True)
        assert_clean(result.stderr)
    coloured = outputs[3].stdout
    assert "\x1b[1;31mKabul\x1b[0m" in coloured  # our own highlighting still works
    assert "\\u202e" in coloured and "\\x9b" in coloured  # the data's is shown, escaped
    ids = outputs[4].stdout.splitlines()
    assert f"$'evil\\x1b]0;PWNED\\x07\\x1b[2J.txt'" in ids  # typed back in a shell, it is the id


def test_json_output_escapes_what_a_terminal_would_obey_and_keeps_the_value(runner, tmp_path):
    index = tmp_path / "ix"
    with SearchIndex(index) as ix:
        ix.add([Document(doc_id=EVIL_NAME, title="Kabul \u009b2J \u202e", body="Kabul talks \u2066x\u2069 \x85")])
    for args in (["search", "kabul", "--json"], ["search", "kabul", "--jsonl"], ["show", "evil", "--json"]):
        result = run(runner, index, tmp_path / "none", *args)
        assert result.exit_code == 0, result.output
        assert_clean(result.stdout.replace("\n", " "))
        data = json.loads(result.stdout.splitlines()[0] if "--jsonl" in args else result.stdout)
        record = data["hits"][0] if "hits" in data else data
        assert record["doc_id"] == EVIL_NAME and record["title"] == "Kabul \u009b2J \u202e"


# ---------------------------------------------------------------------------- invalid text at the door


def test_lone_surrogate_in_jsonl_is_repaired_and_every_search_and_show_works(runner, tmp_path):
    path = tmp_path / "s.jsonl"
    path.write_text('{"id": "s1", "title": "lone \\ud800", "text": "lone \\ud800 oil", "source": "\\udfff",'
                    ' "authors": ["a\\ud800"]}\n{"id": "bad\\ud800", "text": "oil"}\n'
                    '{"id": "pair", "text": "smile \\ud83d\\ude00 oil"}\n', encoding="utf-8")
    index = tmp_path / "ix"
    result = run(runner, index, tmp_path / "none", "import", "-q", str(path))
    assert result.exit_code == 1 and "s.jsonl:2: \"id\" is not valid Unicode" in result.stderr
    for args in (["search", "oil"], ["search", "oil", "--json"], ["show", "s1"], ["show", "s1", "--json"],
                 ["search", "oil", "--format", "csv"], ["similar", "pair"]):
        result = run(runner, index, tmp_path / "none", *args)
        assert result.exit_code in (0, 1) and result.exception is None or isinstance(result.exception, SystemExit), \
            (args, result.output)
        assert "\ud800" not in result.output
    with SearchIndex(index) as ix:
        doc = ix.get("s1")
        assert (doc.title, doc.body, doc.source, doc.authors) == ("lone \ufffd", "lone \ufffd oil", "\ufffd", ["a\ufffd"])
        assert ix.get("pair").body == "smile \U0001f600 oil"  # a valid pair stays one character


def test_add_checks_every_field_of_a_document_from_code(tmp_path):
    from searcher import DocumentError

    with SearchIndex(tmp_path / "ix") as ix:
        ix.add([Document(doc_id="c1", title="t\ud800", body="oil \udc80", sections=["s\ud800"], url="u\ud800")])
        doc = ix.get("c1")
        assert (doc.title, doc.body, doc.sections, doc.url) == ("t\ufffd", "oil \ufffd", ["s\ufffd"], "u\ufffd")
        assert ix.search("oil")[0].snippet  # printable: no UnicodeEncodeError
        json.dumps(ix.search("oil")[0].as_dict(), ensure_ascii=False).encode("utf-8")
        for bad in (Document(doc_id="x\ud800", body="a"), Document(doc_id="x", body=5),  # type: ignore[arg-type]
                    Document(doc_id="x", authors="me")):  # type: ignore[arg-type]
            with pytest.raises(DocumentError):
                ix.add([bad])
        late = Document(doc_id="late", body="oil")
        late.published = "9999-12-31T23:00:00-05:00"  # type: ignore[assignment]
        with pytest.raises(DocumentError, match="out of range"):
            ix.add([late])
        with pytest.raises(DocumentError, match="out of range"):
            Document(doc_id="d", published="0001-01-01T00:30:00+05:00")
        assert len(ix) == 1


# ---------------------------------------------------------------------------- JSON Lines import


def test_bad_lines_are_warnings_naming_file_and_line_and_the_rest_is_imported(runner, tmp_path):
    path = tmp_path / "bad.jsonl"
    lines = [json.dumps({"id": "d1", "text": "oil", "date": "9999-12-31T23:00:00-05:00"}),
             json.dumps({"id": "d2", "text": "oil", "date": "0001-01-01T00:30:00+05:00"}),
             "[" * 100_000,
             "{\"id\": \"deep\", \"text\": " + "[" * 100_000 + "}",
             json.dumps({"id": "d3", "text": "oil", "date": "Sun, 31 Dec 9999 23:00:00 -0500"}),
             json.dumps({"id": "ok", "text": "oil", "date": "2020-01-01"})]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    index = tmp_path / "ix"
    result = run(runner, index, tmp_path / "none", "import", "-q", str(path))
    assert result.exit_code == 1, result.output
    assert "internal error" not in result.stderr
    assert f"{path}:3: bad JSON (nested too deeply)" in result.stderr
    assert f"{path}:4: bad JSON (nested too deeply)" in result.stderr
    for number in (1, 2, 5):
        assert f"{path}:{number}: date " in result.stderr and "kept without a date" in result.stderr
    assert "4 imported, 2 skipped" in result.stderr
    with SearchIndex(index) as ix:
        # the four are the same words: copies, shown apart only without folding
        assert sorted(h.doc_id for h in ix.search("oil", collapse=False)) == ["d1", "d2", "d3", "ok"]
        assert ix.get("d1").published is None and ix.get("ok").published is not None


def test_a_record_over_the_size_cap_is_skipped_with_a_warning_and_never_read_whole(tmp_path):
    import tracemalloc

    from searcher import read_jsonl

    path = tmp_path / "big.jsonl"
    big = json.dumps({"id": "big", "text": "oil " * 250_000})  # 1 MB
    path.write_text("\n".join([json.dumps({"id": "a", "text": "oil"}), big, json.dumps({"id": "b", "text": "oil"}),
                               json.dumps({"id": "c", "text": "x" * 977})]) + "\n", encoding="utf-8")
    skipped: list = []
    tracemalloc.start()
    assert len(json.dumps({"id": "c", "text": "x" * 977})) == 1000
    docs = list(read_jsonl(path, skipped=skipped, max_bytes=1000))
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert [d.doc_id for d in docs] == ["a", "b", "c"]  # 1000 bytes is within a 1000-byte cap
    assert [(bad.line, bad.reason) for bad in skipped] == [(2, "1.0 MB is over the 0.0 MB record size cap")]
    assert peak < 500_000, peak  # read in pieces, never held whole
    from searcher.sources.jsonl import DEFAULT_MAX_BYTES
    from searcher.sources.seeds import DEFAULT_MAX_BYTES as SEED_CAP

    assert DEFAULT_MAX_BYTES is SEED_CAP


@pytest.mark.parametrize("jobs", [1, 2])
def test_repeated_ids_the_last_record_wins_in_one_commit(tmp_path, monkeypatch, jobs):
    import random

    from searcher.engines.whoosh import writing

    monkeypatch.setattr(writing, "BULK_MIN_DOCS", 50)  # so jobs=2 runs the worker processes
    commits = []
    real_commit = writing._commit
    monkeypatch.setattr(writing, "_commit", lambda *a: (commits.append(1), real_commit(*a)))
    rng = random.Random(7)
    ids = [rng.choice(["a", "b", "c"]) if i % 3 else f"u{i}" for i in range(600)] + ["same"] * 2000
    records = [{"id": doc_id, "title": f"t {i}", "text": f"cocoa {doc_id} version{i}"} for i, doc_id in enumerate(ids)]
    path = tmp_path / "r.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    last = {r["id"]: r for r in records}
    from searcher import read_jsonl

    with SearchIndex(tmp_path / "ix") as ix:
        assert ix.add(read_jsonl(path), jobs=jobs) == len(records)
        assert len(commits) == 1, len(commits)  # was one commit per repeat: 108 s
        assert len(ix) == len(last)
        for doc_id, record in last.items():
            assert ix.get(doc_id).body == record["text"]
        hits = ix.search("cocoa", limit=1000, fragments=0)
        assert sorted(h.doc_id for h in hits) == sorted(last) and hits.total == len(last)
        assert [h.doc_id for h in ix.search("version2599", fragments=0)] == ["same"]
        assert not ix.search("version2598", fragments=0).total
        ix.add([Document(doc_id="same", body="cocoa again"), Document(doc_id="same", body="cocoa final")])
        assert ix.get("same").body == "cocoa final" and len(ix) == len(last)


def test_snippets_read_a_bounded_window_of_a_huge_body(tmp_path):
    from searcher.search import snippets

    seen: list[int] = []

    def spans(text: str, terms: frozenset[str]) -> list[tuple[int, int]]:
        seen.append(len(text))
        return [(m.start(), m.end()) for m in re.finditer(r"\boil\b", text)]

    body = "oil " * 1_000_000  # 4 MB, a match every word
    marked = snippets.make_snippet(body, "Big", ["oil"], spans)
    assert max(seen) <= snippets.SNIPPET_WINDOW  # the cost is that of one window, whatever the body
    assert snippets.split_marks(marked)[1]
    assert snippets.lead("word " * 1_000_000).endswith("…")

    with SearchIndex(tmp_path / "ix") as ix:  # through the engine, on a body the cap allows
        ix.add([Document(doc_id="big", title="Big", body="oil " * 250_000), Document(doc_id="s", body="oil well")])
        results = ix.search("oil")  # was minutes: every match of the whole body was a window
        assert results.total == 2 and "**oil**" in results[0].snippet
