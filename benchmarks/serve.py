"""`searcher serve` under load: 10 concurrent clients for 30 s on Reuters-21578 (1x), and what
the web layer adds to a search.

Usage::

    python benchmarks/serve.py                     # builds Reuters 1x in a temporary folder
    python benchmarks/serve.py --index DIR         # or uses (and first builds, if empty) DIR
    python benchmarks/serve.py --clients 10 --seconds 30 --json out.json

One run prints, for the same 200 queries (benchmarks/scale.py's: 1 to 4 headline words):

* the library in this process: ``SearchIndex.search(q, facets=True)``, the call the search
  page makes and what `searcher search --facets` runs once its process has started;
* the search page (/search?q=..., HTML) and /api/search, one request at a time, with the
  library's own time inside the server (its Server-Timing header) beside each: the
  difference is the web layer's cost per request (HTTP, parameters, rendering);
* the search page under load: ``--clients`` threads, each on its own keep-alive connection,
  for ``--seconds``: requests per second, p50/p95 latency, and errors (any status but 200,
  or a failed connection; must be 0).

The server is `python -m searcher serve` in its own process on a free loopback port.
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


def start_server(index_dir: Path, code: Path = REPO) -> tuple[subprocess.Popen, str, int]:
    """`searcher serve` on a free loopback port, running the searcher of checkout ``code``."""
    proc = subprocess.Popen([sys.executable, "-m", "searcher", "--index-dir", str(index_dir), "serve", "--port", "0"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, cwd=code,
                            env={**os.environ, "PYTHONPATH": str(code), "PYTHONUNBUFFERED": "1"})
    assert proc.stderr is not None
    for line in proc.stderr:
        found = re.search(r" at http://([\d.]+):(\d+)/", line)
        if found:
            return proc, found.group(1), int(found.group(2))
    raise SystemExit(f"searcher serve did not start ({proc.wait()})")


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


def load(host: str, port: int, queries: list[str], clients: int, seconds: float) -> dict:
    """``clients`` threads asking for search pages for ``seconds``."""
    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    stop_at = time.perf_counter() + seconds

    def client(number: int) -> None:
        conn = http.client.HTTPConnection(host, port, timeout=120)
        i = number * 17
        mine, failed = [], []
        while time.perf_counter() < stop_at:
            q = queries[i % len(queries)]
            i += 1
            try:
                status, took, _ = get(conn, f"/search?{urlencode({'q': q})}")
            except (OSError, http.client.HTTPException) as exc:
                failed.append(f"{type(exc).__name__}: {exc}")
                conn.close()
                conn = http.client.HTTPConnection(host, port, timeout=120)
                continue
            if status != 200:
                failed.append(f"HTTP {status} for {q!r}")
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
            "requests_per_s": len(latencies) / wall, "p50_ms": percentile(latencies, 0.5) * 1000,
            "p95_ms": percentile(latencies, 0.95) * 1000, "errors": len(errors), "first_errors": errors[:3]}


def ms(values: list[float], q: float = 0.5) -> float:
    return (statistics.median(values) if q == 0.5 else percentile(values, q)) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--index", type=Path, help="index folder to use (built from Reuters if empty)")
    parser.add_argument("--clients", type=int, default=10)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    args = parser.parse_args()
    if not CORPUS.exists():
        raise SystemExit(f"{CORPUS} not found (development data beside the checkout)")
    index_dir = args.index or Path(tempfile.mkdtemp(prefix="searcher-serve-")) / "index"
    build(index_dir)
    queries = [" ".join(words) for words in make_queries()]

    library = library_times(index_dir, queries)
    proc, host, port = start_server(index_dir)
    try:
        page, page_inside = one_at_a_time(host, port, "/search", queries)
        api, api_inside = one_at_a_time(host, port, "/api/search", queries)
        loaded = load(host, port, queries, args.clients, args.seconds)
    finally:
        proc.terminate()
        proc.wait(timeout=30)

    page_overhead = [a - b for a, b in zip(page, page_inside)]
    api_overhead = [a - b for a, b in zip(api, api_inside)]
    figures = {
        "articles": "Reuters-21578 1x", "queries": len(queries),
        "library_p50_ms": ms(library), "library_p95_ms": ms(library, 0.95),
        "page_p50_ms": ms(page), "page_p95_ms": ms(page, 0.95), "page_library_p50_ms": ms(page_inside),
        "page_overhead_p50_ms": ms(page_overhead),
        "api_p50_ms": ms(api), "api_p95_ms": ms(api, 0.95), "api_library_p50_ms": ms(api_inside),
        "api_overhead_p50_ms": ms(api_overhead),
        "load": loaded,
    }
    print(f"Reuters-21578 1x, {len(queries)} queries of 1-4 headline words (facets on, as the search page asks)")
    print()
    print("one request at a time               p50 ms   p95 ms   library inside p50   web layer p50")
    print(f"library in-process (CLI's call)   {figures['library_p50_ms']:8.1f} {figures['library_p95_ms']:8.1f}")
    print(f"search page  /search (HTML)       {figures['page_p50_ms']:8.1f} {figures['page_p95_ms']:8.1f}"
          f" {figures['page_library_p50_ms']:14.1f} {figures['page_overhead_p50_ms']:15.1f}")
    print(f"JSON API     /api/search          {figures['api_p50_ms']:8.1f} {figures['api_p95_ms']:8.1f}"
          f" {figures['api_library_p50_ms']:14.1f} {figures['api_overhead_p50_ms']:15.1f}")
    print()
    print(f"load: {loaded['clients']} clients for {loaded['seconds']} s on /search: {loaded['requests']:,} requests, "
          f"{loaded['requests_per_s']:.1f} requests/s, p50 {loaded['p50_ms']:.1f} ms, p95 {loaded['p95_ms']:.1f} ms, "
          f"errors {loaded['errors']}")
    for line in loaded["first_errors"]:
        print(f"  error: {line}")
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2))
    if loaded["errors"]:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
