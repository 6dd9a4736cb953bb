"""The fault test of issue 24: any one node of three may die during a 20,000-article import.

Against a cluster started with ``tools/opensearch/cluster start --nodes 3`` (all three
cluster-manager eligible; every index 2 shards, 1 replica), for each node in ``--kill``
(default: each in turn, the first in the location included), in one run:

1. ``searcher --index LOCATION import`` of the first 20,000 Reuters-21578 articles starts; the
   location lists every node (``http://127.0.0.1:P1,127.0.0.1:P2,127.0.0.1:P3/fault``);
2. once ``--kill-at`` of them are in (30%), the node gets SIGKILL (``cluster kill-node``);
3. from then on a search starts each second (a fresh ``SearchIndex(location)`` each, as a new
   ``searcher search`` would connect), until the import ends: every one must answer;
4. the import must finish with every document (exit 0), or stop with one line and a rerun of
   the same command must complete; the index then holds exactly 20,000;
5. the node is started again and the cluster waited for (green), before the next node.

Prints each step's figures and a line per check; exit 0 when every check holds::

    python benchmarks/cluster_fault.py --cluster tools/opensearch/cluster --dir /work/cluster/fault
"""

from __future__ import annotations

import argparse
import json
import os
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


def http(url: str, method: str = "GET", timeout: float = 30) -> dict:
    request = urllib.request.Request(url, method=method)
    with urllib.request.urlopen(request, timeout=timeout) as response:
        return json.loads(response.read() or b"{}")


def first_answer(nodes: list[str], path: str, method: str = "GET", timeout: float = 30) -> dict | None:
    """``path`` asked of each node in turn; the first answer, or None."""
    for node in nodes:
        try:
            return http(f"{node}{path}", method, timeout)
        except (urllib.error.URLError, OSError, ValueError):
            continue
    return None


def count(nodes: list[str], name: str) -> int:
    first_answer(nodes, f"/{name}/_refresh", "POST")
    found = first_answer(nodes, f"/{name}/_count")
    return int(found["count"]) if found and "count" in found else -1


def drop(nodes: list[str], name: str) -> None:
    first_answer(nodes, f"/{name}--*?ignore_unavailable=true&allow_no_indices=true", "DELETE")


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


class Searches(threading.Thread):
    """A search started each second until stopped, each in a thread of its own (a slow answer
    does not delay the next second's), each as a fresh ``SearchIndex(location)``: connecting
    anew, as a `searcher search` process would, but without starting Python each second on a
    2-core machine. At most ``MAX_PENDING`` at once: a second when that many are still waiting
    is counted as skipped."""

    MAX_PENDING = 30

    def __init__(self, location: str) -> None:
        super().__init__(daemon=True)
        self.location = location
        self.stop = threading.Event()
        self.outcomes: list[tuple[str, str, float]] = []  # query, "" or the error, seconds
        self.skipped = 0
        self._pending = threading.Semaphore(self.MAX_PENDING)

    def _one(self, query: str) -> None:
        import searcher

        started = time.perf_counter()
        error = ""
        try:
            with searcher.SearchIndex(self.location) as ix:
                ix.search(query, limit=5)
        except Exception as exc:  # every kind counts: the check is that none happens
            error = f"{type(exc).__name__}: {exc}"
        finally:
            self._pending.release()
        self.outcomes.append((query, error, time.perf_counter() - started))

    def run(self) -> None:
        n = 0
        next_at = time.monotonic()
        while not self.stop.is_set():
            if self._pending.acquire(blocking=False):
                threading.Thread(target=self._one, args=(SEARCHES[n % len(SEARCHES)],), daemon=True).start()
            else:
                self.skipped += 1
            n += 1
            next_at += 1.0
            self.stop.wait(max(0.0, next_at - time.monotonic()))
        for _ in range(self.MAX_PENDING):  # the last ones' answers
            self._pending.acquire(timeout=300)


def wait_green(nodes: list[str], expected: int, timeout: float = 300) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        health = first_answer(nodes, f"/_cluster/health?wait_for_status=green&wait_for_nodes={expected}&timeout=5s",
                              timeout=10)
        if health and health.get("status") == "green" and not health.get("timed_out"):
            return True
        time.sleep(1)
    return False


def one_round(args: argparse.Namespace, nodes: list[str], location: str, name: str, records: Path, wanted: int,
              victim: int) -> list[tuple[str, bool]]:
    checks: list[tuple[str, bool]] = []
    drop(nodes, name)
    print(f"node {victim}: importing {wanted:,} articles into {location}; SIGKILL at {args.kill_at:.0%}; "
          f"load {os.getloadavg()[0]:.1f}", flush=True)
    started = time.perf_counter()
    importer = subprocess.Popen([sys.executable, "-m", "searcher", "--index", location, "import", "-q", str(records)],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    searches = Searches(location)
    killed_at = None
    while importer.poll() is None:
        if killed_at is None:
            n = count(nodes, name)
            if n >= args.kill_at * wanted:
                manager = first_answer(nodes, "/_cluster/state/cluster_manager_node,nodes") or {}
                manager_id = manager.get("cluster_manager_node") or manager.get("master_node")
                manager_name = (manager.get("nodes") or {}).get(manager_id, {}).get("name", "?")
                kill = subprocess.run([sys.executable, args.cluster, "kill-node", "--dir", args.dir, "--node",
                                       str(victim)], capture_output=True, text=True)
                killed_at = time.perf_counter() - started
                searches.start()
                print(f"  {killed_at:6.1f} s: {n:,} in; kill-node {victim} (the cluster manager was {manager_name}): "
                      f"exit {kill.returncode} {kill.stderr.strip()}", flush=True)
        time.sleep(0.5)
    out, err = importer.communicate()
    seconds = time.perf_counter() - started
    searches.stop.set()
    searches.join(timeout=400)
    held = count([n for k, n in enumerate(nodes, 1) if k != victim], name)
    print(f"  import ended after {seconds:.1f} s: exit {importer.returncode}; stderr {err.strip()[-300:]!r}; "
          f"documents {held:,} ({wanted / seconds:,.0f} art/s)", flush=True)
    checks.append((f"node {victim}: killed during the import", killed_at is not None))
    complete = importer.returncode == 0 and held == wanted
    if importer.returncode != 0:
        rerun = searcher_cli(location, "import", "-q", str(records), timeout=1800)
        held = count([n for k, n in enumerate(nodes, 1) if k != victim], name)
        print(f"  rerun: exit {rerun.returncode}; stderr {rerun.stderr.strip()[-300:]!r}; documents {held:,}")
        complete = one_line(err) and rerun.returncode == 0 and held == wanted
    checks.append((f"node {victim}: the import ends with all {wanted:,} documents (exit 0, or one line and a "
                   "rerun that completes)", complete))
    failed = [(q, e) for q, e, _ in searches.outcomes if e]
    times = sorted(s for *_, s in searches.outcomes)
    median = times[len(times) // 2] if times else 0.0
    print(f"  searches after the kill, one started each second: {len(searches.outcomes)}, {len(failed)} failed, "
          f"{searches.skipped} seconds skipped (when {Searches.MAX_PENDING} were waiting); median {median:.2f} s, "
          f"slowest {times[-1] if times else 0:.1f} s", flush=True)
    for q, e in failed[:3]:
        print(f"    {q!r}: {e[:300]!r}")
    checks.append((f"node {victim}: every search during the outage answered",
                   bool(searches.outcomes) and not failed and not searches.skipped))
    restart = subprocess.run([sys.executable, args.cluster, "start-node", "--dir", args.dir, "--node", str(victim)],
                             capture_output=True, text=True)
    green = wait_green(nodes, len(nodes))
    print(f"  start-node {victim}: exit {restart.returncode}; green again: {green}", flush=True)
    drop(nodes, name)
    return checks


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--cluster", required=True, help="the cluster script (tools/opensearch/cluster)")
    ap.add_argument("--dir", required=True, help="the cluster's folder (as given to `cluster start --nodes 3`)")
    ap.add_argument("--kill", default=None, help="the nodes to kill, one per round (default: each in turn)")
    ap.add_argument("--name", default="fault", help="the index name (its indexes are deleted first and after)")
    ap.add_argument("--articles", type=int, default=20_000)
    ap.add_argument("--kill-at", type=float, default=0.3, help="share of the articles in when the node is killed")
    args = ap.parse_args(argv)
    spec = json.loads((Path(args.dir) / "cluster.json").read_text())
    nodes = [f"http://127.0.0.1:{node['http_port']}" for node in spec["nodes"]]
    location = "http://" + ",".join(n.removeprefix("http://") for n in nodes) + f"/{args.name}"
    victims = [int(k) for k in args.kill.split(",")] if args.kill else list(range(1, len(nodes) + 1))
    os.environ.setdefault("SEARCHER_OPENSEARCH_SHARDS", "2")
    os.environ.setdefault("SEARCHER_OPENSEARCH_REPLICAS", "1")
    checks: list[tuple[str, bool]] = []
    with tempfile.TemporaryDirectory(prefix="cluster-fault-") as tmp:
        records = Path(tmp) / "articles.jsonl"
        wanted = write_articles(records, args.articles)
        for victim in victims:
            checks += one_round(args, nodes, location, args.name, records, wanted, victim)
    for label, ok in checks:
        print(f"{'ok  ' if ok else 'FAIL'} {label}")
    return 0 if all(ok for _, ok in checks) else 1


if __name__ == "__main__":
    sys.exit(main())
