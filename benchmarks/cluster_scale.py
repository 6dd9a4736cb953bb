"""Reuters-21578 1x and 4x bulk-indexed into an OpenSearch cluster, beside the Whoosh engine.

For each scale, in this one run: ``SearchIndex(location).add(read_jsonl(corpus))`` (what
``searcher import`` does) into a fresh Whoosh folder and into a fresh index on the cluster
(articles/s), then the same 200 queries of ``benchmarks/scale.py`` (1-4 headline words, top
10, with snippets, after 10 warm-up queries) on each: median and p95 latency. The 4x corpus
is Reuters copied under new ids, as in scale.py::

    python benchmarks/cluster_scale.py --index http://127.0.0.1:9200/scale   # 1x and 4x
    python benchmarks/cluster_scale.py --index http://127.0.0.1:9200/scale --scales 1

The cluster's index is deleted at the end. Shards and replicas follow the engine's
defaults unless SEARCHER_OPENSEARCH_SHARDS / SEARCHER_OPENSEARCH_REPLICAS are set (the issue
asks for 2 shards, 1 replica on two nodes).
"""

from __future__ import annotations

import argparse
import importlib.util
import statistics
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def _scale_module():
    spec = importlib.util.spec_from_file_location("scale_bench", HERE / "scale.py")
    module = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    return module


def measure(location: str, corpus: Path, queries: list[list[str]]) -> dict:
    import searcher

    started = time.perf_counter()
    with searcher.SearchIndex(location) as ix:
        count = ix.add(searcher.read_jsonl(corpus, skipped=[]))
    build = time.perf_counter() - started
    with searcher.SearchIndex(location) as ix:
        for words in queries[:10]:
            ix.search(" ".join(words))
        times = []
        for words in queries:
            t = time.perf_counter()
            ix.search(" ".join(words))
            times.append((time.perf_counter() - t) * 1000)
        held = len(ix)
    times.sort()
    return {"count": count, "held": held, "build": build, "rate": count / build, "median": statistics.median(times),
            "p95": times[int(0.95 * len(times)) - 1]}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--index", required=True, help="an index on the cluster: http://host:port/name (deleted after)")
    ap.add_argument("--scales", default="1,4", help="corpus sizes, comma-separated (default 1,4)")
    args = ap.parse_args(argv)
    scale = _scale_module()
    queries = scale.make_queries()
    base, name = args.index.rstrip("/").rsplit("/", 1)
    print(f"{'corpus':20} {'engine':12} {'articles':>9} {'build s':>8} {'articles/s':>10} {'median ms':>10} "
          f"{'p95 ms':>7}")
    with tempfile.TemporaryDirectory(prefix="cluster-scale-") as tmp:
        for factor in (int(s) for s in args.scales.split(",")):
            corpus = scale.make_corpus(factor, Path(tmp))
            label = "reuters 1x" if factor == 1 else f"reuters {factor}x (copies)"
            for engine, location in (("whoosh", str(Path(tmp) / f"ix-{factor}")),
                                     ("opensearch", f"{base}/{name}-{factor}x")):
                figures = measure(location, corpus, queries)
                print(f"{label:20} {engine:12} {figures['held']:9,} {figures['build']:8.1f} {figures['rate']:10,.0f} "
                      f"{figures['median']:10.1f} {figures['p95']:7.1f}", flush=True)
                if engine == "opensearch":
                    from opensearchpy import OpenSearch

                    client = OpenSearch(hosts=[base])
                    client.indices.delete(index=f"{name}-{factor}x--*", ignore_unavailable=True,
                                          allow_no_indices=True)
                    client.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
