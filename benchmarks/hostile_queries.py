"""The adversarial queries of issue 16, timed: the worst time of each on a 3,000-article index.

usage::

    python benchmarks/hostile_queries.py [--index-dir DIR] [--runs N]

Without ``--index-dir`` it builds the first 3,000 articles of Reuters-21578
(``../shared/data/news/reuters21578.jsonl``) into a temporary folder. ``query_rows(index_dir)``
is the function ``benchmarks/hostile.py`` calls: one dict per query with its label, the
worst and first time in seconds over the runs (the first run of a fuzzy word or a
did-you-mean pays the one-time deletion index of its reader), and what it returned (hits,
or the error a bounded query gives). The index is opened afresh for this function, so the
first run is a cold one.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))  # measure this checkout, whatever the environment has installed

import searcher  # noqa: E402

CORPUS = REPO.parent / "shared" / "data" / "news" / "reuters21578.jsonl"
ARTICLES = 3_000


def hostile_queries() -> dict[str, str]:
    """Label -> query: the issue's adversarial set, and a normal query for reference."""
    rnd = random.Random(16)
    letters = "".join(rnd.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(5_000))
    words = ["oil", "bank", "trade", "gold", "price", "rates", "wheat", "dollar"]
    return {
        "normal: oil prices": "oil prices",
        "normal: crude oil~1": "crude oil~1",
        "*": "*",
        "?*": "?*",
        "a*": "a*",
        "oil~9": "oil~9",
        "oil~2": "oil~2",
        "100-character word": letters[:100],
        "100 x's": "x" * 100,
        "5,000-letter word": letters,
        "10,000-term query": " ".join(rnd.choice(words) for _ in range(10_000)),
        "1,000-term query (the limit)": " ".join(rnd.choice(words) + str(i % 10) for i in range(1_000)),
        "5,000-word phrase": '"' + " ".join(rnd.choice(words) for _ in range(5_000)) + '"',
        "64-word phrase (the limit)": '"' + " ".join(rnd.choice(words) for _ in range(64)) + '"',
    }


def query_rows(index_dir: str | Path, runs: int = 3) -> list[dict[str, Any]]:
    """One row per hostile query: ``query`` (its label), ``worst`` and ``first`` seconds over
    ``runs`` runs, ``outcome`` ("12 hits" or the error's class and message)."""
    rows = []
    with searcher.SearchIndex(index_dir) as ix:
        for label, query in hostile_queries().items():
            times = []
            outcome = ""
            for _ in range(runs):
                started = time.perf_counter()
                try:
                    outcome = f"{ix.search(query).total} hits"
                except searcher.SearcherError as e:
                    outcome = f"{type(e).__name__}: {e}"
                times.append(time.perf_counter() - started)
            rows.append({"query": label, "worst": round(max(times), 4), "first": round(times[0], 4),
                         "outcome": outcome[:100]})
    return rows


def build_reuters(index_dir: Path, count: int = ARTICLES) -> None:
    docs = []
    with CORPUS.open(encoding="utf-8") as f:
        for line in f:
            if len(docs) >= count:
                break
            r = json.loads(line)
            docs.append(searcher.Document(doc_id=r["id"], title=r.get("title") or "", body=r.get("text") or ""))
    with searcher.SearchIndex(index_dir) as ix:
        ix.add(docs)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--index-dir", type=Path, help="an index to query (default: 3,000 Reuters articles, built)")
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        index_dir = args.index_dir
        if index_dir is None:
            if not CORPUS.exists():
                print(f"missing {CORPUS}: give --index-dir", file=sys.stderr)
                return 2
            index_dir = Path(tmp) / "index"
            build_reuters(index_dir)
        rows = query_rows(index_dir, runs=args.runs)
    width = max(len(r["query"]) for r in rows)
    print(f"{'query':{width}}  {'worst s':>8}  {'first s':>8}  outcome")
    for r in rows:
        print(f"{r['query']:{width}}  {r['worst']:8.3f}  {r['first']:8.3f}  {r['outcome']}")
    hostile = [r for r in rows if not r["query"].startswith("normal")]
    worst = max(hostile, key=lambda r: r["worst"])
    print(f"worst hostile query: {worst['query']} {worst['worst']:.3f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
