"""What semantic search costs: index-time encoding on Reuters, query encoding, and the int8 scan.

In one run, with the load average beside every figure (the machine is shared; compare the
ratios, not the absolute times):

* keyword-only build: ``SearchIndex.add`` of the first N Reuters articles with text (the
  reference);
* encoding the same articles (title + body, in windows) with the model in this process
  alone with one thread (documents per CPU second, tokens a document, the share of the
  network's token positions that were padding);
* the build with a model, as ``searcher index --model`` does it: ``SearchIndex(model=...).add``
  of the same articles (the vectors encoded in worker processes on every core while the
  keyword index is written), in documents per second, per CPU second of every process
  (psutil) and against the keyword-only build;
* search CPU per query on that index, keyword, hybrid and semantic mode alternately (limit
  10 with snippets), and the hybrid / keyword ratio;
* query encoding CPU time (median over Reuters titles);
* the exact int8 scan (best window per document, top 100) over 10^4 .. 10^6 random windows:
  CPU ms per query and memory, to say up to what size it stays fast.

    python benchmarks/semantic_speed.py --model ~/.cache/searcher/models/all-minilm-l6-v2
    python benchmarks/semantic_speed.py --model DIR --docs 4000 --sizes 10000,100000,1000000

``--reference CHECKOUT`` instead times the keyword-only build (no model) of this checkout and
of another one (``/work/main``), alternately in fresh processes, ``--rounds`` times each: that
indexing without a model costs what it did before semantic search existed::

    python benchmarks/semantic_speed.py --reference ../main --docs 2000 --rounds 3
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

REUTERS = Path(__file__).resolve().parents[2] / "shared" / "data" / "news" / "reuters21578.jsonl"


def load(path: Path, count: int) -> list[dict]:
    docs = []
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            doc = json.loads(line)
            if (doc.get("text") or "").strip():
                docs.append(doc)
                if len(docs) >= count:
                    break
    return docs


def load_avg() -> str:
    return f"load {os.getloadavg()[0]:.1f}"


def keyword_build(docs: list[dict], model: Path | None = None) -> float:
    """Seconds to add ``docs`` to a new index (wall clock), with ``model`` if given."""
    from searcher import Document, SearchIndex

    with tempfile.TemporaryDirectory() as folder:
        started = time.perf_counter()
        # (no model: called as any version of searcher would be, so --reference can time main)
        with SearchIndex(Path(folder) / "ix", **({"model": model} if model else {})) as ix:
            ix.add([Document(doc_id=str(d["id"]), title=d.get("title") or "", body=d.get("text") or "") for d in docs])
        return time.perf_counter() - started


class TreeCpu:
    """CPU seconds of this process and every process under it (the encoding workers, the
    keyword writer's), sampled while a build runs: a worker that ends between two samples
    loses at most SAMPLE seconds of its time."""

    SAMPLE = 0.2

    def __enter__(self) -> "TreeCpu":
        import threading

        import psutil

        self._me = psutil.Process()
        self._seen: dict[tuple[int, float], float] = {}
        self._stop = threading.Event()
        self._start = self._own()
        self._thread = threading.Thread(target=self._watch, daemon=True)
        self._thread.start()
        return self

    def _own(self) -> float:
        t = self._me.cpu_times()
        return t.user + t.system

    def _watch(self) -> None:
        import psutil

        while not self._stop.wait(self.SAMPLE):
            for child in self._me.children(recursive=True):
                try:
                    t = child.cpu_times()
                    self._seen[child.pid, child.create_time()] = t.user + t.system
                except psutil.Error:
                    pass

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.seconds = self._own() - self._start + sum(self._seen.values())


def compare_builds(reference: Path, docs: int, rounds: int, data: Path) -> None:
    """The keyword-only build of this checkout and of ``reference``, alternately, each in a
    fresh process that imports that checkout's searcher."""
    import subprocess

    here = Path(__file__).resolve().parents[1]
    seconds: dict[str, list[float]] = {"this checkout": [], str(reference): []}
    pair = [("this checkout", here), (str(reference), reference.resolve())]
    for round_ in range(rounds):
        for label, checkout in pair if round_ % 2 == 0 else pair[::-1]:  # each goes first in turn
            env = dict(os.environ, PYTHONPATH=str(checkout))
            out = subprocess.run([sys.executable, __file__, "--child-build", "--docs", str(docs), "--data", str(data)],
                                 env=env, capture_output=True, text=True, check=True).stdout.split()
            assert Path(out[1]).resolve().is_relative_to(checkout), out  # imported the intended checkout
            seconds[label].append(float(out[0]))
            print(f"keyword-only build, {label}: {docs / float(out[0]):7.1f} docs/s ({load_avg()})", flush=True)
    mine, theirs = (statistics.median(v) for v in seconds.values())
    print(f"median: this checkout {docs / mine:.1f} docs/s, {reference} {docs / theirs:.1f} docs/s; "
          f"ratio {theirs / mine:.3f} (above 1: this checkout faster)")


def query_costs(ix, queries: list[str]) -> None:
    """CPU per search (limit 10, snippets: what a user runs) in keyword and hybrid mode on the
    index made with the model, query by query alternately; medians and the median ratio."""
    for mode in ("keyword", "hybrid", "semantic"):
        ix.search("warm up", mode=mode)
    cpu: dict[str, list[float]] = {"keyword": [], "hybrid": [], "semantic": []}
    for q in queries:
        for mode in cpu:
            started = time.process_time()
            ix.search(q, mode=mode)
            cpu[mode].append(time.process_time() - started)
    ratio = statistics.median(h / k for h, k in zip(cpu["hybrid"], cpu["keyword"]) if k > 0)
    print("search CPU per query, median of " + str(len(queries)) + ": " +
          ", ".join(f"{mode} {statistics.median(v) * 1000:.1f} ms" for mode, v in cpu.items()) +
          f"; hybrid / keyword {ratio:.2f} (median of per-query ratios; {load_avg()})", flush=True)


def scan_costs(sizes: list[int], dims: int, repeats: int) -> None:
    import numpy as np

    from searcher.semantic import Int8Vectors

    rng = np.random.default_rng(0)
    for size in sizes:
        rows = rng.normal(size=(size, dims)).astype(np.float32)
        rows /= np.linalg.norm(rows, axis=1, keepdims=True)
        owners = np.repeat(np.arange((size + 1) // 2, dtype=np.int32), 2)[:size]  # two windows a document
        vectors = Int8Vectors.quantize(rows, owners)
        del rows
        query = rng.normal(size=dims).astype(np.float32)
        vectors.top(query, 100)
        cpu = []
        for _ in range(repeats):
            started = time.process_time()
            vectors.top(query, 100)
            cpu.append(time.process_time() - started)
        print(f"scan {size:>9,} windows ({vectors.documents:,} documents, {vectors.nbytes / 1e6:6.1f} MB): "
              f"{statistics.median(cpu) * 1000:7.1f} ms CPU per query (median of {repeats}; {load_avg()})", flush=True)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", type=Path, help="the model folder")
    ap.add_argument("--reference", type=Path, help="another checkout: compare keyword-only builds (see above)")
    ap.add_argument("--rounds", type=int, default=3, help="builds of each checkout with --reference")
    ap.add_argument("--child-build", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--docs", type=int, default=2000, help="Reuters articles to index (default 2000)")
    ap.add_argument("--sizes", default="10000,100000,1000000", help="window counts for the scan")
    ap.add_argument("--data", type=Path, default=REUTERS)
    ap.add_argument("--skip-build", action="store_true", help="only the query and scan figures")
    args = ap.parse_args(argv)
    if args.child_build:
        import searcher

        print(keyword_build(load(args.data, args.docs)), searcher.__file__)
        return 0
    if args.reference:
        compare_builds(args.reference, args.docs, args.rounds, args.data)
        return 0
    if args.model is None:
        ap.error("give --model DIR (or --reference CHECKOUT)")
    from searcher import Document, SearchIndex
    from searcher.semantic import EmbeddingModel

    model = EmbeddingModel(args.model, threads=1)
    docs = load(args.data, args.docs)
    texts = [f"{d.get('title') or ''}\n{d.get('text') or ''}".strip() for d in docs]
    print(f"{model.config.name}: {len(docs)} Reuters articles, {os.cpu_count()} cores; {load_avg()}")
    if not args.skip_build:
        keyword = keyword_build(docs)
        print(f"keyword-only build: {len(docs) / keyword:7.1f} docs/s ({keyword:.1f} s; {load_avg()})", flush=True)
        sample = texts[:200]
        started = time.process_time()
        model.encode_passages(sample)
        per_cpu = len(sample) / (time.process_time() - started)
        padding = 1 - model.tokens_run / max(model.positions_run, 1)
        print(f"encoding, one process, one thread: {per_cpu:7.1f} docs per CPU second, "
              f"{model.tokens_run / len(sample):.0f} tokens a document, {padding:.1%} of positions padding "
              f"({load_avg()})", flush=True)
        with tempfile.TemporaryDirectory() as folder:
            load_before = load_avg()
            started = time.perf_counter()
            with TreeCpu() as cpu:
                built_ix = SearchIndex(Path(folder) / "ix", model=args.model)
                built_ix.add([Document(doc_id=str(d["id"]), title=d.get("title") or "", body=d.get("text") or "")
                              for d in docs])
            built = time.perf_counter() - started
            print(f"build with the model (SearchIndex(model=...).add, {os.cpu_count()} cores): "
                  f"{len(docs) / built:7.1f} docs/s ({built:.1f} s), {len(docs) / cpu.seconds:.1f} docs per CPU "
                  f"second ({cpu.seconds:.1f} CPU s, every process), {built / keyword:.1f}x the keyword-only build "
                  f"({load_before} before, {load_avg()} after)", flush=True)
            query_costs(built_ix, [d.get("title") or d["text"][:80] for d in docs[:60]])
            built_ix.close()
    queries = [d.get("title") or d["text"][:80] for d in docs[:60]]
    model.encode_queries(["warm up"])
    cpu = []
    for q in queries:
        started = time.process_time()
        model.encode_queries([q])
        cpu.append(time.process_time() - started)
    print(f"query encoding: {statistics.median(cpu) * 1000:.1f} ms CPU (median of {len(cpu)}; {load_avg()})", flush=True)
    scan_costs([int(s) for s in args.sizes.split(",") if s], model.dimensions, 15)
    return 0


if __name__ == "__main__":
    sys.exit(main())
