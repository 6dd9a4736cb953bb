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
    jsonl.write_text(json.dumps({"id": f"{EVIL_NAME}-jsonl", "title": "Kabul \u009b31m title \u202e",
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
                run(runner, index, evil_seeds, "show", f"{EVIL_NAME}-jsonl"),
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
