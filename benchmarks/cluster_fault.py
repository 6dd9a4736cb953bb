"""The fault test of issue 13: SIGKILL one of two nodes during a 20,000-article import.

What it checks, in one run against a two-node cluster started with ``tools/opensearch/cluster``:

1. ``searcher --index URL import`` of the first 20,000 Reuters-21578 articles starts;
2. once a share of them is in (``--kill-at``, 30% by default), node ``--node`` (2) gets SIGKILL
   (``cluster kill-node``) while searches keep running from other processes (``searcher search``);
3. the import must finish, or stop with one line on stderr (exit 2), never a traceback;
4. the same import run again must leave exactly 20,000 documents;
5. no search may fail with a traceback (exit 0 or 1 for found / not found; 2 with one line
   is allowed while the cluster recovers);
6. the killed node is started again (``cluster start-node``), so the cluster is whole after.

Prints each step's outcome and figures; exit 0 when every check holds::

    python benchmarks/cluster_fault.py --index http://127.0.0.1:9200/fault \\
        --cluster tools/opensearch/cluster --dir /path/to/cluster-dir
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO.parent / "shared" / "data" / "news" / "reuters21578.jsonl"
SEARCHES = ["oil prices", "wheat exports", '"interest rates"', "bank AND dollar", "coffee -brazil", "opec*", "yen~"]


def http(url: str, method: str = "GET") -> dict:
    request = urllib.request.Request(url, method=method)
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read() or b"{}")


def count(base: str, name: str) -> int:
    try:
        http(f"{base}/{name}/_refresh", "POST")
        return int(http(f"{base}/{name}/_count")["count"])
    except (urllib.error.URLError, OSError, KeyError, ValueError):
        return -1


def drop(base: str, name: str) -> None:
    try:
        http(f"{base}/{name}--*?ignore_unavailable=true&allow_no_indices=true", "DELETE")
    except urllib.error.URLError:
        pass


def write_articles(path: Path, wanted: int) -> int:
    """The first ``wanted`` Reuters articles with distinct ids, as JSON Lines."""
    seen: set[str] = set()
    with open(CORPUS, encoding="utf-8") as source, open(path, "w", encoding="utf-8") as out:
        for line in source:
            record = json.loads(line)
            if record["id"] in seen or not (record.get("title") or record.get("text")):
                continue
            seen.add(record["id"])
            out.write(line if line.endswith("\n") else line + "\n")
            if len(seen) == wanted:
                break
    return len(seen)


def searcher_cli(location: str, *args: str, timeout: float = 600) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "searcher", "--index", location, *args], capture_output=True,
                          text=True, timeout=timeout)


def one_line(text: str) -> bool:
    lines = [line for line in text.strip().splitlines() if line.strip()]
    return len(lines) <= 1 and "Traceback" not in text


def clean_error(text: str) -> bool:
    """True if stderr holds no traceback and at most one line (an error names itself in it)."""
    return one_line(text)


class Searches(threading.Thread):
    """Searches from other processes, one after another, until stopped: their outcomes."""

    def __init__(self, location: str) -> None:
        super().__init__(daemon=True)
        self.location = location
        self.stop = threading.Event()
        self.outcomes: list[tuple[str, int, str]] = []

    def run(self) -> None:
        n = 0
        while not self.stop.is_set():
            query = SEARCHES[n % len(SEARCHES)]
            n += 1
            run = searcher_cli(self.location, "search", query, "--limit", "5", timeout=300)
            self.outcomes.append((query, run.returncode, run.stderr))
            time.sleep(0.2)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--index", required=True, help="the index to import into: http://host:port/name (deleted first)")
    ap.add_argument("--cluster", required=True, help="the cluster script (tools/opensearch/cluster)")
    ap.add_argument("--dir", required=True, help="the cluster's folder (as given to `cluster start`)")
    ap.add_argument("--node", type=int, default=2, help="the node to kill (default 2)")
    ap.add_argument("--articles", type=int, default=20_000)
    ap.add_argument("--kill-at", type=float, default=0.3, help="share of the articles in when the node is killed")
    args = ap.parse_args(argv)
    base, name = args.index.rstrip("/").rsplit("/", 1)
    checks: list[tuple[str, bool]] = []
    with tempfile.TemporaryDirectory(prefix="cluster-fault-") as tmp:
        records = Path(tmp) / "articles.jsonl"
        wanted = write_articles(records, args.articles)
        drop(base, name)
        print(f"importing {wanted:,} articles into {args.index}; node {args.node} gets SIGKILL at "
              f"{args.kill_at:.0%}", flush=True)
        started = time.perf_counter()
        importer = subprocess.Popen([sys.executable, "-m", "searcher", "--index", args.index, "import", "-q",
                                     str(records)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        searches = Searches(args.index)
        killed_at = None
        while importer.poll() is None:
            n = count(base, name)
            if n > 0 and not searches.is_alive() and not searches.stop.is_set():
                searches.start()  # once the index exists (before, `search` would try to build it)
            if killed_at is None and n >= args.kill_at * wanted:
                kill = subprocess.run([args.cluster, "kill-node", "--dir", args.dir, "--node", str(args.node)],
                                      capture_output=True, text=True)
                killed_at = n
                print(f"  {time.perf_counter() - started:6.1f} s: {n:,} in; kill-node {args.node}: exit "
                      f"{kill.returncode} {kill.stdout.strip()} {kill.stderr.strip()}", flush=True)
            time.sleep(0.5)
        out, err = importer.communicate()
        seconds = time.perf_counter() - started
        print(f"  import ended after {seconds:.1f} s: exit {importer.returncode}; stderr: {err.strip()!r}; "
              f"documents: {count(base, name):,}", flush=True)
        checks.append(("the node was killed during the import", killed_at is not None))
        checks.append(("the import finished, or stopped with one line (exit 2), no traceback",
                       (importer.returncode in (0, 2)) and one_line(err)))
        rerun = searcher_cli(args.index, "import", "-q", str(records), timeout=1800)
        final = count(base, name)
        print(f"  rerun: exit {rerun.returncode}; stderr: {rerun.stderr.strip()!r}; documents: {final:,}", flush=True)
        checks.append((f"after a rerun the index holds exactly {wanted:,} documents", final == wanted))
        searches.stop.set()
        searches.join(timeout=300)
        failed = [(q, rc, e) for q, rc, e in searches.outcomes if rc not in (0, 1, 2) or not clean_error(e)]
        errors = sum(1 for _, rc, _ in searches.outcomes if rc == 2)
        print(f"  searches during the test: {len(searches.outcomes)}, {errors} ended with a one-line error, "
              f"{len(failed)} failed otherwise", flush=True)
        for q, rc, e in failed[:3]:
            print(f"    {q!r}: exit {rc}: {e.strip()[:300]!r}")
        for q, rc, e in [o for o in searches.outcomes if o[1] == 2][:3]:
            print(f"    one-line error: {e.strip()[:200]!r}")
        checks.append(("no search failed with a traceback", not failed and bool(searches.outcomes)))
        restart = subprocess.run([args.cluster, "start-node", "--dir", args.dir, "--node", str(args.node)],
                                 capture_output=True, text=True)
        print(f"  start-node {args.node}: exit {restart.returncode} {restart.stdout.strip()} {restart.stderr.strip()}")
        drop(base, name)
    for label, ok in checks:
        print(f"{'ok  ' if ok else 'FAIL'} {label}")
    return 0 if all(ok for _, ok in checks) else 1


if __name__ == "__main__":
    sys.exit(main())
