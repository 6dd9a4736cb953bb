"""Query CPU time of two checkouts on one index, in alternating child processes.

usage::

    python benchmarks/query_ab.py INDEX CHECKOUT_A CHECKOUT_B [--rounds 10]

Each round runs a fresh child per checkout (the order alternates from round to round), which
imports searcher from that checkout, searches the index with the 200 queries of
``benchmarks/scale.py`` (limit 10; after 10 warm-up queries) without and with snippets, and
reports the median and mean process CPU time per query. The figures are the medians over the
rounds, with B/A and the load average: on a shared machine a time means something only beside
one measured in the same run. Both checkouts must read the index's format.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

CHILD = r'''
import json, statistics, sys, time
sys.path.insert(0, sys.argv[1])
import searcher
queries = [" ".join(words) for words in json.load(open(sys.argv[3]))]
out = {}
with searcher.SearchIndex(sys.argv[2]) as ix:
    for q in queries[:10]:
        ix.search(q, limit=10)
    for kind, fragments in (("plain", 0), ("snippets", 3)):
        cpu = []
        for q in queries:
            started = time.process_time()
            ix.search(q, limit=10, fragments=fragments)
            cpu.append(time.process_time() - started)
        out[kind] = statistics.median(cpu) * 1000
        out[kind + " mean"] = statistics.mean(cpu) * 1000
print(json.dumps(out))
'''


def scale_queries() -> list[list[str]]:
    spec = importlib.util.spec_from_file_location("scale_benchmark", Path(__file__).with_name("scale.py"))
    assert spec and spec.loader
    scale = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(scale)
    return scale.make_queries()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("index", type=Path)
    parser.add_argument("a", type=Path, help="checkout A (the reference)")
    parser.add_argument("b", type=Path, help="checkout B")
    parser.add_argument("--rounds", type=int, default=10)
    args = parser.parse_args()
    runs: dict[Path, list[dict[str, float]]] = {args.a: [], args.b: []}
    loads = []
    with tempfile.NamedTemporaryFile("w", suffix=".json") as queries:
        json.dump(scale_queries(), queries)
        queries.flush()
        for r in range(args.rounds):
            for checkout in (args.a, args.b) if r % 2 == 0 else (args.b, args.a):
                done = subprocess.run([sys.executable, "-c", CHILD, str(checkout.resolve()), str(args.index.resolve()),
                                       queries.name], capture_output=True, text=True, check=True, cwd=tempfile.gettempdir())
                runs[checkout].append(json.loads(done.stdout))
                loads.append(os.getloadavg()[0])
    print(f"CPU ms per query, median of {args.rounds} rounds; A = {args.a}, B = {args.b}")
    for kind in ("plain", "snippets", "plain mean", "snippets mean"):
        a = statistics.median(run[kind] for run in runs[args.a])
        b = statistics.median(run[kind] for run in runs[args.b])
        print(f"{kind:14} A {a:7.3f}  B {b:7.3f}  B/A {b / a:.3f}")
    print(f"load average {min(loads):.1f}-{max(loads):.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
