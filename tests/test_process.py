"""The terminal and the process: closed pipes, Ctrl-C, unwritable folders, one error format.

Real processes, real signals and real files: each test runs `python -m searcher`.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from searcher import SearchIndex
from conftest import GOLD_ID

ARTICLE = "Headline number {n} about harbours\n\n" + (
    "The harbour authority said on Tuesday that traffic rose sharply in the third quarter, "
    "and officials expect the trend to continue into next year as new berths open. "
) * 4


def cli(*args: str, **kw) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "searcher", *args], capture_output=True, text=True, **kw)


def write_articles(folder: Path, count: int, start: int = 0) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for n in range(start, start + count):
        (folder / f"article-{n:05d}.txt").write_text(ARTICLE.format(n=n) + f"Marker word{n}.\n")


# ------------------------------------------------------------------ a closed pipe


@pytest.mark.parametrize("command", [
    ["search", "taliban"], ["search", "taliban", "--json"], ["show", GOLD_ID], ["stats"],
    ["clean", "SEEDS/" + GOLD_ID + ".txt", "--removed"], ["index"],
])
def test_output_read_by_a_closed_pipe_ends_quietly(built_index, index_dir, seeds_dir, command):
    """`searcher search ... | head -1`: the reader is gone before we write (deterministic)."""
    built_index.close()
    read_end, write_end = os.pipe()
    os.close(read_end)  # like `head` that has read its line and exited
    args = [a.replace("SEEDS", str(seeds_dir)) for a in command]
    target = {"stderr": write_end} if command == ["index"] else {"stdout": write_end}  # index talks on stderr
    proc = subprocess.run([sys.executable, "-m", "searcher", "--index-dir", str(index_dir), "--seeds-dir",
                           str(seeds_dir), *args], **({"stdout": subprocess.PIPE, "stderr": subprocess.PIPE} | target))
    os.close(write_end)
    assert proc.returncode == 0, proc.stderr
    if command != ["index"]:
        assert proc.stderr == b""


# ------------------------------------------------------------------ error lines


def test_every_error_is_one_line_in_one_format(built_index, index_dir, seeds_dir, tmp_path):
    built_index.close()
    base = ("--index-dir", str(index_dir), "--seeds-dir", str(seeds_dir))
    cases = {
        "library": cli(*base, "search", "nosuchfield:x"),
        "usage": cli(*base, "search", "x", "--limit", "zero"),
        "command": cli(*base, "nosuchcommand"),
        "missing": cli("--index-dir", str(tmp_path / "none"), "stats"),
        "both": cli(*base, "search", "x", "--json", "--jsonl"),
    }
    for name, result in cases.items():
        lines = result.stderr.splitlines()
        assert result.returncode == 2, (name, result.stderr)
        assert lines[0].startswith("searcher: error: "), (name, result.stderr)
        assert "Traceback" not in result.stderr and "Error:" not in result.stderr
        if name in ("usage", "command", "both"):
            assert len(lines) == 2 and "--help" in lines[1], (name, result.stderr)
        else:
            assert len(lines) == 1, (name, result.stderr)


def test_a_query_word_taken_for_an_option_says_to_quote_it(built_index, index_dir, seeds_dir):
    built_index.close()
    base = ("--index-dir", str(index_dir), "--seeds-dir", str(seeds_dir))
    result = cli(*base, "search", "taliban", "-kangaroo")
    assert result.returncode == 2
    assert "quote the query" in result.stderr and "put -- before it" in result.stderr
    assert cli(*base, "search", "--", "taliban", "-kangaroo").returncode == 0
    assert cli(*base, "search", "taliban -kangaroo").returncode == 0
    assert cli(*base, "search", "--", "taliban", "-khalilzad").returncode == 1  # the NOT worked


def test_a_page_past_the_last_says_so(tmp_path):
    seeds, index_dir = tmp_path / "seeds", tmp_path / "ix"
    write_articles(seeds, 7)
    base = ("--index-dir", str(index_dir), "--seeds-dir", str(seeds))
    assert cli(*base, "index").returncode == 0
    past = cli(*base, "search", "harbour", "-n", "3", "--page", "4")
    assert past.returncode == 1 and past.stdout == ""
    assert "7 hits; page 4 is past the last page (3)" in past.stderr
    last = cli(*base, "search", "harbour", "-n", "3", "--page", "3")
    assert last.returncode == 0 and "7 hits (page 3 of 3)" in last.stderr
