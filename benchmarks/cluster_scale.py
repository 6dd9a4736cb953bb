"""Reuters-21578 bulk-indexed into an OpenSearch cluster, beside the Whoosh engine, in one run.

For each scale: ``SearchIndex(location).add(read_jsonl(corpus), jobs=J)`` (what ``searcher
import --jobs J`` does) into a fresh Whoosh folder and into fresh indexes on the cluster, with
one bulk stream and with ``--jobs`` streams (default: this machine's cores), then the same 200
queries of ``benchmarks/scale.py`` (1-4 headline words, top 10, with snippets, after 10 warm-up
queries) on each: articles/s, median and p95 latency, and on the cluster the requests a
query sends (counted at the client's transport in a warm process: opening the index adds
the version check and the node list, counted apart as "open") and the index's size
(primaries, merged to one segment a shard). ``--facets`` searches as the web page does
(with facet counts). ``--baseline DIR`` also imports with the searcher of another checkout
(e.g. the main branch before parallel streams), in a process of its own, so the speed-up is
measured against it in the same run, on the same loaded machine::

    python benchmarks/cluster_scale.py --index http://127.0.0.1:9200/scale   # 1x and 4x
    python benchmarks/cluster_scale.py --index http://127.0.0.1:9200/scale --scales 1 --baseline /work/main
    python benchmarks/cluster_scale.py --index http://127.0.0.1:9200/scale --scales 1 --streams 2 --facets

The cluster's indexes are deleted at the end. Shards and replicas follow the engine's
defaults unless SEARCHER_OPENSEARCH_SHARDS / SEARCHER_OPENSEARCH_REPLICAS are set (the issue
asks for 2 shards, 1 replica on two nodes).
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
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent

#: Run in another checkout's interpreter path: its SearchIndex.add, timed the same way.
BASELINE = """
import json, sys, time
import searcher
started = time.perf_counter()
with searcher.SearchIndex(sys.argv[1]) as ix:
    count = ix.add(searcher.read_jsonl(sys.argv[2], skipped=[]))
print(json.dumps({"count": count, "build": time.perf_counter() - started}))
"""


def _scale_module():
    spec = importlib.util.spec_from_file_location("scale_bench", HERE / "scale.py")
    module = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    return module


class Requests:
    """Counts the requests every cluster client of this process sends: each call through
    opensearch-py's transport (retries inside one call are not counted again)."""

    def __init__(self) -> None:
        from opensearchpy.transport import Transport

        self.sent = 0
        send = Transport.perform_request

        def counted(transport, *args, **kwargs):
            self.sent += 1
            return send(transport, *args, **kwargs)

        Transport.perform_request = counted


REQUESTS = Requests()


def index_megabytes(ix) -> float | None:
    """The cluster index's primary store, merged to one segment a shard (None: not a cluster)."""
    client = getattr(ix.engine, "client", None)
    if client is None:
        return None
    client.indices.forcemerge(index=ix.engine.alias, max_num_segments=1, request_timeout=600)
    # The merged-away segments' files go once no reader holds them: a refresh and a flush
    # (without them the figure counts some of both, 42-57 MB for the same 28 MB index).
    client.indices.refresh(index=ix.engine.alias)
    client.indices.flush(index=ix.engine.alias, wait_if_ongoing=True)
    stats = client.indices.stats(index=ix.engine.alias, metric="store")
    return stats["_all"]["primaries"]["store"]["size_in_bytes"] / 1e6


def measure(location: str, corpus: Path, queries: list[list[str]], jobs: int | None, facets: bool) -> dict:
    import searcher

    started = time.perf_counter()
    with searcher.SearchIndex(location) as ix:
        count = ix.add(searcher.read_jsonl(corpus, skipped=[]), jobs=jobs)
    build = time.perf_counter() - started
    times = []
    before = REQUESTS.sent
    with searcher.SearchIndex(location) as ix:
        at_open = REQUESTS.sent - before
        for words in queries[:10]:
            ix.search(" ".join(words), facets=facets)
        before = REQUESTS.sent
        for words in queries:
            t = time.perf_counter()
            ix.search(" ".join(words), facets=facets)
            times.append((time.perf_counter() - t) * 1000)
        per_query = (REQUESTS.sent - before) / len(queries)
        held = len(ix)
        size = index_megabytes(ix)
    times.sort()
    return {"count": count, "held": held, "build": build, "rate": count / build, "median": statistics.median(times),
            "p95": times[int(0.95 * len(times)) - 1], "open": at_open, "requests": per_query, "size": size}


def _requests(figures: dict) -> str:
    if figures.get("size") is None:
        return f"{'':>8} {'':>5} {'':>7}"
    return f"{figures['requests']:8.2f} {figures['open']:5} {figures['size']:7.1f}"


def baseline(checkout: Path, location: str, corpus: Path) -> dict:
    env = {**os.environ, "PYTHONPATH": str(checkout)}
    done = subprocess.run([sys.executable, "-c", BASELINE, location, str(corpus)], capture_output=True, text=True,
                          env=env, timeout=3600)
    if done.returncode != 0:
        raise SystemExit(f"the baseline import failed: {done.stderr.strip()[-500:]}")
    figures = json.loads(done.stdout.strip().splitlines()[-1])
    return {**figures, "held": figures["count"], "rate": figures["count"] / figures["build"]}


def drop(base: str, name: str) -> None:
    from opensearchpy import OpenSearch

    client = OpenSearch(hosts=[base])
    client.indices.delete(index=f"{name}--*", ignore_unavailable=True, allow_no_indices=True)
    client.close()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--index", required=True, help="an index on the cluster: http://host:port/name (deleted after)")
    ap.add_argument("--scales", default="1,4", help="corpus sizes, comma-separated (default 1,4)")
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="parallel bulk streams (default: cores)")
    ap.add_argument("--streams", help="the cluster imports' stream counts, comma-separated (default: 1 and --jobs)")
    ap.add_argument("--facets", action="store_true", help="search with facet counts, as the web page does")
    ap.add_argument("--baseline", type=Path, help="also import with the searcher of this checkout")
    args = ap.parse_args(argv)
    streams = [int(s) for s in (args.streams or f"1,{args.jobs}").split(",")]
    scale = _scale_module()
    queries = scale.make_queries()
    base, name = args.index.rstrip("/").rsplit("/", 1)
    print(f"load average at start: {os.getloadavg()[0]:.1f}; shards {os.environ.get('SEARCHER_OPENSEARCH_SHARDS', '1')}"
          f", replicas {os.environ.get('SEARCHER_OPENSEARCH_REPLICAS', 'auto')}")
    print(f"searches: top 10 with snippets{', with facets' if args.facets else ''}")
    print(f"{'corpus':20} {'engine':24} {'articles':>9} {'build s':>8} {'articles/s':>10} {'median ms':>10} "
          f"{'p95 ms':>7} {'requests':>8} {'open':>5} {'MB':>7}")
    with tempfile.TemporaryDirectory(prefix="cluster-scale-") as tmp:
        for factor in (int(s) for s in args.scales.split(",")):
            corpus = scale.make_corpus(factor, Path(tmp))
            label = "reuters 1x" if factor == 1 else f"reuters {factor}x (copies)"
            runs = [("whoosh", str(Path(tmp) / f"ix-{factor}"), None)] + [
                (f"opensearch, {n} stream{'s' if n > 1 else ''}", f"{base}/{name}-{factor}x-{n}", n) for n in streams]
            rates: dict[str, float] = {}
            if args.baseline:
                figures = baseline(args.baseline, f"{base}/{name}-{factor}x-base", corpus)
                drop(base, f"{name}-{factor}x-base")
                rates["baseline"] = figures["rate"]
                print(f"{label:20} {'opensearch, baseline':24} {figures['held']:9,} {figures['build']:8.1f} "
                      f"{figures['rate']:10,.0f} {'':>10} {'':>7}", flush=True)
            for engine, location, jobs in runs:
                figures = measure(location, corpus, queries, jobs, args.facets)
                rates[engine] = figures["rate"]
                print(f"{label:20} {engine:24} {figures['held']:9,} {figures['build']:8.1f} {figures['rate']:10,.0f} "
                      f"{figures['median']:10.1f} {figures['p95']:7.1f} {_requests(figures)}", flush=True)
                if engine == "whoosh":
                    whoosh_median = figures["median"]
                else:
                    print(f"{label:20} {engine}: median {figures['median'] / whoosh_median:.2f}x the Whoosh engine's",
                          flush=True)
                if engine != "whoosh":
                    drop(base, location.rsplit("/", 1)[1])
            ratios = []
            most = max(streams)
            parallel = rates[runs[-1][0]] if most > 1 else None
            if parallel and 1 in streams:
                ratios.append(f"{parallel / rates['opensearch, 1 stream']:.2f}x one stream")
            if parallel and "baseline" in rates:
                ratios.append(f"{parallel / rates['baseline']:.2f}x the baseline")
            print(f"{label:20} {f'{most} streams: ' + ', '.join(ratios) + '; ' if ratios else ''}"
                  f"load average now {os.getloadavg()[0]:.1f}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
