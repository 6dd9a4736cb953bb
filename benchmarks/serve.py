"""`searcher serve` under load beside Datasette, and what the web layer adds to a search.

Usage::

    python benchmarks/serve.py --against-datasette --scale 1 --scale 5 --cache /work/scale-cache
    python benchmarks/serve.py --index DIR          # our server alone, on an index folder

For each scale (Reuters-21578 at 1x; 5x as benchmarks/scale.py makes it: four permuted
copies), with the same 200 queries (scale.py's: 1 to 4 headline words):

* one request at a time: the library in this process (``SearchIndex.search(q, facets=True)``,
  the search page's call), the search page (/search, HTML, with facets) and /api/search (JSON,
  no facets), with the library's own time inside the server (its Server-Timing header);
* under load: ``--clients`` threads, each on its own keep-alive connection, for ``--seconds``,
  against our search page and our JSON API (`searcher serve --workers N`, default 2: one
  process per core), and with ``--against-datasette`` against Datasette (from PyPI, the bench
  extra) serving the same records: a ``docs`` table with an FTS5 index ``docs_fts`` (porter
  tokenizer, as Datasette's docs set one up), opened immutable, 10 rows a page; its search page
  ``/reuters/docs?_search=q`` and ``/reuters/docs.json?_search=q``. Datasette searches the
  words as FTS5 does by default (every word must match) and lists the matches by rowid; we
  rank every document holding any of the words, fold copies, and count facets on the page.

Figures: requests/s, p50 and p95 latency, errors (any status but 200, or a failed
connection), and the ratios of our p95 to Datasette's (targets: page <= 1.5x, JSON <= 1x).
The servers run one at a time, each in its own process on a free loopback port.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlencode, urlsplit

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "benchmarks"))

import scale  # noqa: E402
from scale import CORPUS, make_queries  # noqa: E402

WARMUP = 10


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * q))]


def build(index_dir: Path) -> None:
    import searcher

    with searcher.SearchIndex(index_dir) as ix:
        if ix.exists() and len(ix):
            return
        started = time.perf_counter()
        count = ix.add(searcher.read_jsonl(CORPUS, skipped=[]))
        print(f"built {index_dir}: {count:,} articles in {time.perf_counter() - started:.1f} s", file=sys.stderr)


def build_datasette_db(corpus: Path, target: Path) -> None:
    """The records as Datasette serves them: a table and an external-content FTS5 index."""
    import sqlite3

    tmp = target.with_suffix(".tmp")
    tmp.unlink(missing_ok=True)
    db = sqlite3.connect(tmp)
    db.execute("CREATE TABLE docs (id TEXT PRIMARY KEY, title TEXT, body TEXT, published TEXT, month TEXT, "
               "source TEXT, url TEXT)")
    with db:
        rows = ((r["id"], r.get("title", ""), r.get("text", ""), published and published.isoformat(),
                 published and published.strftime("%Y-%m"), r.get("source"), r.get("url"))
                for r, published in scale.records(corpus))
        db.executemany("INSERT OR REPLACE INTO docs VALUES (?, ?, ?, ?, ?, ?, ?)", rows)
        db.execute('CREATE VIRTUAL TABLE docs_fts USING fts5(title, body, content="docs", '
                   "tokenize='porter unicode61')")
        db.execute("INSERT INTO docs_fts (rowid, title, body) SELECT rowid, title, body FROM docs")
    db.execute("VACUUM")
    db.close()
    tmp.replace(target)


def library_times(index_dir: Path, queries: list[str]) -> list[float]:
    """Seconds per query of the page's own library call, in this process."""
    import searcher

    with searcher.SearchIndex(index_dir) as ix:
        for q in queries[:WARMUP]:
            ix.search(q, facets=True)
        times = []
        for q in queries:
            started = time.perf_counter()
            ix.search(q, facets=True)
            times.append(time.perf_counter() - started)
    return times


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(index_dir: Path, workers: int = 1, code: Path = REPO) -> tuple[subprocess.Popen, str, int]:
    """`searcher serve --workers N` on a free loopback port, running the searcher of checkout ``code``."""
    proc = subprocess.Popen([sys.executable, "-m", "searcher", "--index-dir", str(index_dir), "serve", "--port", "0",
                             "--workers", str(workers)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, cwd=code,
                            env={**os.environ, "PYTHONPATH": str(code), "PYTHONUNBUFFERED": "1"})
    assert proc.stderr is not None
    for line in proc.stderr:
        found = re.search(r" at http://([\d.]+):(\d+)/", line)
        if found:
            return proc, found.group(1), int(found.group(2))
    raise SystemExit(f"searcher serve did not start ({proc.wait()})")


def start_datasette(db: Path) -> tuple[subprocess.Popen, str, int]:
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "datasette", "serve", "--immutable", str(db), "--port", str(port),
                             "--setting", "default_page_size", "10"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(600):
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", "/-/versions.json")
            if conn.getresponse().status == 200:
                conn.close()
                return proc, "127.0.0.1", port
        except OSError:
            pass
        if proc.poll() is not None:
            break
        time.sleep(0.1)
    proc.kill()
    raise SystemExit("datasette did not start (pip install datasette: the bench extra)")


def stop(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def get(conn: http.client.HTTPConnection, path: str) -> tuple[int, float, float | None]:
    """(status, seconds, the library's seconds from Server-Timing or None)."""
    started = time.perf_counter()
    conn.request("GET", path)
    response = conn.getresponse()
    response.read()
    took = time.perf_counter() - started
    timing = response.getheader("Server-Timing") or ""
    found = re.search(r"dur=([\d.]+)", timing)
    return response.status, took, float(found.group(1)) / 1000 if found else None


def one_at_a_time(host: str, port: int, route: str, queries: list[str]) -> tuple[list[float], list[float]]:
    conn = http.client.HTTPConnection(host, port, timeout=120)
    for q in queries[:WARMUP]:
        get(conn, f"{route}?{urlencode({'q': q})}")
    took, inside = [], []
    for q in queries:
        status, seconds, library = get(conn, f"{route}?{urlencode({'q': q})}")
        if status != 200:
            raise SystemExit(f"{route}?q={q}: HTTP {status}")
        took.append(seconds)
        inside.append(library or 0.0)
    conn.close()
    return took, inside


def load(host: str, port: int, paths: list[str], clients: int, seconds: float) -> dict:
    """``clients`` threads asking for ``paths`` in turn for ``seconds``."""
    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    for path in paths[:WARMUP]:  # the server's first requests (imports, caches) are not the load's
        conn = http.client.HTTPConnection(host, port, timeout=120)
        get(conn, path)
        conn.close()
    stop_at = time.perf_counter() + seconds

    def client(number: int) -> None:
        conn = http.client.HTTPConnection(host, port, timeout=120)
        i = number * 17
        mine, failed = [], []
        while time.perf_counter() < stop_at:
            path = paths[i % len(paths)]
            i += 1
            try:
                status, took, _ = get(conn, path)
            except (OSError, http.client.HTTPException) as exc:
                failed.append(f"{type(exc).__name__}: {exc}")
                conn.close()
                conn = http.client.HTTPConnection(host, port, timeout=120)
                continue
            if status != 200:
                failed.append(f"HTTP {status} for {path}")
            mine.append(took)
        conn.close()
        with lock:
            latencies.extend(mine)
            errors.extend(failed)

    started = time.perf_counter()
    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - started
    return {"clients": clients, "seconds": round(wall, 1), "requests": len(latencies),
            "requests_per_s": len(latencies) / wall, "p50_ms": percentile(latencies, 0.5) * 1000 if latencies else 0,
            "p95_ms": percentile(latencies, 0.95) * 1000 if latencies else 0, "errors": len(errors),
            "first_errors": errors[:3], "load_avg": os.getloadavg()[0]}


def ms(values: list[float], q: float = 0.5) -> float:
    return (statistics.median(values) if q == 0.5 else percentile(values, q)) * 1000


def measure_scale(index_dir: Path, db: Path | None, queries: list[str], args: argparse.Namespace) -> dict:
    figures: dict = {}
    library = library_times(index_dir, queries)
    figures["library"] = {"p50_ms": ms(library), "p95_ms": ms(library, 0.95)}
    proc, host, port = start_server(index_dir, args.workers)
    try:
        page, page_inside = one_at_a_time(host, port, "/search", queries)
        api, api_inside = one_at_a_time(host, port, "/api/search", queries)
        figures["page"] = {"p50_ms": ms(page), "p95_ms": ms(page, 0.95), "library_p50_ms": ms(page_inside),
                           "overhead_p50_ms": ms([a - b for a, b in zip(page, page_inside)])}
        figures["api"] = {"p50_ms": ms(api), "p95_ms": ms(api, 0.95), "library_p50_ms": ms(api_inside),
                          "overhead_p50_ms": ms([a - b for a, b in zip(api, api_inside)])}
        figures["load_page"] = load(host, port, [f"/search?{urlencode({'q': q})}" for q in queries],
                                    args.clients, args.seconds)
        figures["load_api"] = load(host, port, [f"/api/search?{urlencode({'q': q})}" for q in queries],
                                   args.clients, args.seconds)
    finally:
        stop(proc)
    if db is not None:
        proc, host, port = start_datasette(db)
        try:
            figures["datasette_page"] = load(host, port, [f"/reuters/docs?{urlencode({'_search': q})}" for q in queries],
                                             args.clients, args.seconds)
            figures["datasette_json"] = load(host, port,
                                             [f"/reuters/docs.json?{urlencode({'_search': q})}" for q in queries],
                                             args.clients, args.seconds)
        finally:
            stop(proc)
    return figures


def print_scale(label: str, f: dict, args: argparse.Namespace) -> None:
    print(f"\n## {label}: {args.clients} clients for {args.seconds:.0f} s each; our server with "
          f"--workers {args.workers}\n")
    print("| one request at a time | p50 ms | p95 ms | library inside p50 | web layer p50 |")
    print("|---|---:|---:|---:|---:|")
    print(f"| library in-process, search(q, facets=True) | {f['library']['p50_ms']:.1f} | {f['library']['p95_ms']:.1f} | | |")
    for key, name in (("page", "search page /search (HTML, facets)"), ("api", "JSON /api/search")):
        x = f[key]
        print(f"| {name} | {x['p50_ms']:.1f} | {x['p95_ms']:.1f} | {x['library_p50_ms']:.1f} | {x['overhead_p50_ms']:.1f} |")
    print()
    print("| under load | requests/s | p50 ms | p95 ms | errors | load avg |")
    print("|---|---:|---:|---:|---:|---:|")
    for key, name in (("load_page", "ours: search page"), ("load_api", "ours: JSON API"),
                      ("datasette_page", "Datasette: search page"), ("datasette_json", "Datasette: JSON")):
        if key in f:
            x = f[key]
            print(f"| {name} | {x['requests_per_s']:.1f} | {x['p50_ms']:.1f} | {x['p95_ms']:.1f} | {x['errors']} | "
                  f"{x['load_avg']:.1f} |")
    if "datasette_page" in f:
        page = f["load_page"]["p95_ms"] / f["datasette_page"]["p95_ms"]
        api = f["load_api"]["p95_ms"] / f["datasette_json"]["p95_ms"]
        print(f"\np95 ratios: our page / Datasette's page {page:.2f}x (target <= 1.5: {'met' if page <= 1.5 else 'MISSED'}); "
              f"our JSON / Datasette's JSON {api:.2f}x (target <= 1: {'met' if api <= 1 else 'MISSED'})")
    for key in ("load_page", "load_api", "datasette_page", "datasette_json"):
        for line in f.get(key, {}).get("first_errors", []):
            print(f"  {key} error: {line}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--index", type=Path, help="index folder to use (built from Reuters 1x if empty)")
    parser.add_argument("--against-datasette", action="store_true", help="also load Datasette on the same records")
    parser.add_argument("--scale", type=int, action="append", help="1 or 5 (as benchmarks/scale.py); repeat")
    parser.add_argument("--cache", type=Path, help="benchmarks/scale.py's cache folder (default: a temporary one)")
    parser.add_argument("--clients", type=int, default=10)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--workers", type=int, default=2, help="our server's --workers")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    args = parser.parse_args()
    if not CORPUS.exists():
        raise SystemExit(f"{CORPUS} not found (development data beside the checkout)")
    queries = [" ".join(words) for words in make_queries()]
    print(f"# serve.py; {time.strftime('%Y-%m-%d %H:%M')}; commit {scale._commit(REPO)}; load "
          f"{' '.join(f'{x:.1f}' for x in os.getloadavg())}", flush=True)
    results: dict = {}
    if args.index is not None and not args.against_datasette:
        build(args.index)
        results["index"] = measure_scale(args.index, None, queries, args)
        print_scale(str(args.index), results["index"], args)
    else:
        workdir = args.cache or Path(tempfile.mkdtemp(prefix="searcher-serve-"))
        workdir.mkdir(parents=True, exist_ok=True)
        for factor in args.scale or [1, 5]:
            corpus = scale.make_corpus(factor, workdir)
            index_dir, _ = scale.built_index("searcher", "searcher", REPO, corpus, factor, workdir, False)
            db = None
            if args.against_datasette:
                db = workdir / f"datasette-x{factor}" / "reuters.db"
                key = workdir / f"datasette-x{factor}" / ("built-" + scale.fingerprint("fts5", REPO))
                if not key.exists():
                    db.parent.mkdir(parents=True, exist_ok=True)
                    build_datasette_db(corpus, db)
                    key.write_text("")
            results[str(factor)] = measure_scale(index_dir, db, queries, args)
            print_scale(f"Reuters-21578 {factor}x", results[str(factor)], args)
    print(f"\nload average at end {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))
    if any(x.get("errors") for f in results.values() for x in f.values() if isinstance(x, dict)):
        raise SystemExit(1)


if __name__ == "__main__":
    main()
