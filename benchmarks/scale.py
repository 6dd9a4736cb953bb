"""How searcher scales: build, update, query and cold-start figures beside plain Whoosh and SQLite FTS5.

Usage::

    python benchmarks/scale.py            # Reuters-21578 at 1x, 2x, 4x (2x/4x are copies)
    python benchmarks/scale.py --quick    # 1x only
    python benchmarks/scale.py --quick --engines searcher --baseline ../old   # this code beside another checkout's

Corpus: ../shared/data/news/reuters21578.jsonl (21,578 wire stories, 1987). No larger real
news corpus is at hand, so the 2x and 4x corpora are Reuters copied under new ids
("copy1-reuters-1", ...); their figures are labelled "(copies)". Copies repeat the
vocabulary exactly, so they show how cost grows with document count, not vocabulary.

Engines, each built in its own child process (wall time and peak RSS of the whole process
tree, sampled with psutil when it is installed, else the child's max RSS):

* ``searcher``: ``SearchIndex.add(read_jsonl(path))`` -- what ``searcher import`` runs.
* ``whoosh``: the code a newcomer writes: the same fields with Whoosh's default analyzer,
  one ``ix.writer()``, ``add_document`` per article, one commit.
* ``fts5``: SQLite FTS5 (stdlib sqlite3), porter tokenizer, one transaction.

Queries: 200 fixed queries (seed 42) of up to 4 headline words OR-ed, top 10, run in a
fresh process per engine and kind (without, with snippets; for searcher also without
folding copies, ``collapse=False``: the 2x and 4x corpora are copies, so there every
page folds them) after 10 warm-up queries.
Update: 10 new articles added to the built index (a separate commit). Cold start:
``python -m searcher search`` on the 1x index versus a bare ten-line Whoosh script doing
the same search with snippets, median of 15 interleaved runs each. Every child runs from bytecode: the
package is byte-compiled first, as an install does.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO.parent / "shared" / "data" / "news" / "reuters21578.jsonl"
ENGINES = ("searcher", "whoosh", "fts5")
STOP = set("""a an and are as at be by for from has have he in is it its of on or that the to was were will with
said says mln dlrs pct vs cts not no inc corp co ltd""".split())

BARE_SCRIPT = """\
import sys
from whoosh import index
from whoosh.qparser import MultifieldParser, OrGroup
ix = index.open_dir(sys.argv[1], indexname="MAIN")
with ix.searcher() as s:
    q = MultifieldParser(["title", "body"], ix.schema, group=OrGroup).parse(sys.argv[2])
    for hit in s.search(q, limit=10):
        print(hit["title"])
        print("  ", hit.highlights("body", top=3))
"""


# ---------------------------------------------------------------------------- corpus

def make_corpus(scale: int, workdir: Path) -> Path:
    """Reuters at ``scale`` x: the original plus scale-1 copies under new ids."""
    if scale == 1:
        return CORPUS
    path = workdir / f"reuters-x{scale}.jsonl"
    if not path.exists():
        lines = CORPUS.read_text(encoding="utf-8").splitlines()
        with open(path, "w", encoding="utf-8") as out:
            for line in lines:
                out.write(line + "\n")
            for copy in range(1, scale):
                for line in lines:
                    record = json.loads(line)
                    record["id"] = f"copy{copy}-{record['id']}"
                    out.write(json.dumps(record) + "\n")
    return path


def new_articles(n: int = 10) -> list[dict]:
    return [{"id": f"new-{i}", "title": f"Cocoa exporters meet on quota plan {i}",
             "text": "Cocoa producers and exporters met in London to discuss a new quota plan. " * 5,
             "date": "1987-10-20T10:00:00", "source": "bench"} for i in range(n)]


def make_queries(n: int = 200, seed: int = 42) -> list[list[str]]:
    """``n`` queries of 1 to 4 headline words."""
    words: list[str] = []
    with open(CORPUS, encoding="utf-8") as handle:
        for line in handle:
            words += [w for w in re.findall(r"[a-z]{3,}", json.loads(line)["title"].lower()) if w not in STOP]
    rng = random.Random(seed)
    return [rng.sample(words, rng.randint(1, 4)) for _ in range(n)]


# ---------------------------------------------------------------------------- child: build

def whoosh_plain_schema():
    from whoosh.fields import DATETIME, ID, TEXT, Schema

    return Schema(id=ID(stored=True, unique=True), title=TEXT(stored=True), body=TEXT(stored=True),
                  published=DATETIME(stored=True), source=ID(stored=True), url=ID(stored=True))


def records(path: Path):
    from searcher.sources.jsonl import parse_date

    with open(path, encoding="utf-8") as handle:
        for line in handle:
            r = json.loads(line)
            if not (r.get("title") or r.get("text")):
                continue
            yield r, parse_date(r.get("date"))


def build(engine: str, corpus: Path, target: Path) -> dict:
    started = time.perf_counter()
    if engine == "searcher":
        import searcher

        with searcher.SearchIndex(target) as ix:
            count = ix.add(searcher.read_jsonl(corpus, skipped=[]))
    elif engine == "whoosh":
        from whoosh import index

        target.mkdir(parents=True)
        ix = index.create_in(str(target), whoosh_plain_schema())
        writer = ix.writer()
        count = 0
        for r, published in records(corpus):
            fields = {"id": r["id"], "title": r.get("title", ""), "body": r.get("text", ""), "source": r.get("source")}
            if published:
                fields["published"] = published
            writer.add_document(**fields)
            count += 1
        writer.commit()
    else:
        import sqlite3

        target.mkdir(parents=True)
        db = sqlite3.connect(target / "fts.db")
        db.execute("CREATE VIRTUAL TABLE docs USING fts5(id UNINDEXED, title, body, published UNINDEXED, "
                   "source UNINDEXED, url UNINDEXED, tokenize='porter unicode61')")
        with db:
            rows = ((r["id"], r.get("title", ""), r.get("text", ""), published and published.isoformat(),
                     r.get("source"), r.get("url")) for r, published in records(corpus))
            db.executemany("INSERT INTO docs VALUES (?, ?, ?, ?, ?, ?)", rows)
        count = db.execute("SELECT count(*) FROM docs").fetchone()[0]
        db.close()
    seconds = time.perf_counter() - started
    me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime
    return {"count": count, "seconds": seconds, "cpu_s": cpu, "rss_self_mb": me.ru_maxrss / 1024,
            "rss_children_mb": kids.ru_maxrss / 1024, "load": os.getloadavg()[0]}


def update(engine: str, target: Path) -> dict:
    articles = new_articles()
    started = time.perf_counter()
    if engine == "searcher":
        import searcher
        from searcher.sources.jsonl import record_to_document

        with searcher.SearchIndex(target) as ix:
            ix.add(record_to_document(a) for a in articles)
    elif engine == "whoosh":
        from whoosh import index

        ix = index.open_dir(str(target))
        writer = ix.writer()
        for a in articles:
            writer.update_document(id=a["id"], title=a["title"], body=a["text"], source=a["source"])
        writer.commit()
    else:
        import sqlite3

        db = sqlite3.connect(target / "fts.db")
        with db:
            db.executemany("INSERT INTO docs (id, title, body, source) VALUES (?, ?, ?, ?)",
                           [(a["id"], a["title"], a["text"], a["source"]) for a in articles])
        db.close()
    return {"seconds": time.perf_counter() - started}


# ---------------------------------------------------------------------------- child: queries

def run_queries(engine: str, target: Path, queries: list[list[str]], snippets: bool, collapse: bool = True) -> dict:
    if engine == "searcher":
        import searcher

        ix = searcher.SearchIndex(target)

        def search(words: list[str], snippets: bool) -> int:
            return len(ix.search(" ".join(words), limit=10, fragments=3 if snippets else 0, collapse=collapse).hits)
    elif engine == "whoosh":
        from whoosh import index
        from whoosh.qparser import MultifieldParser, OrGroup

        wix = index.open_dir(str(target))
        s = wix.searcher()

        def search(words: list[str], snippets: bool) -> int:
            q = MultifieldParser(["title", "body"], wix.schema, group=OrGroup).parse(" ".join(words))
            hits = s.search(q, limit=10)
            out = [(h["id"], h["title"], h.highlights("body", top=3) if snippets else "") for h in hits]
            return len(out)
    else:
        import sqlite3

        db = sqlite3.connect(target / "fts.db")

        def search(words: list[str], snippets: bool) -> int:
            match = " OR ".join(f'"{w}"' for w in words)
            if snippets:
                sql = ("SELECT id, title, snippet(docs, 2, '**', '**', ' … ', 12) FROM docs WHERE docs MATCH ? "
                       "ORDER BY rank LIMIT 10")
            else:
                sql = "SELECT id, title FROM docs WHERE docs MATCH ? ORDER BY rank LIMIT 10"
            return len(db.execute(sql, (match,)).fetchall())

    # One kind of query per process (see main): a pass with snippets run after a pass
    # without in the same process would find the same documents in our caches.
    for words in queries[:10]:
        search(words, snippets)
    times, cpu = [], []
    for words in queries:
        t, c = time.perf_counter(), time.process_time()
        search(words, snippets)
        times.append(time.perf_counter() - t)
        cpu.append(time.process_time() - c)
    times.sort()
    key = "snip" if snippets else "plain" if collapse else "nocollapse"
    return {key + "_cpu_median_ms": statistics.median(cpu) * 1000, key + "_median_ms": statistics.median(times) * 1000,
            key + "_p95_ms": times[int(len(times) * 0.95) - 1] * 1000}


def child_main(argv: list[str]) -> None:
    action, engine, target = argv[0], argv[1], Path(argv[2])
    if action == "build":
        result = build(engine, Path(argv[3]), target)
    elif action == "update":
        result = update(engine, target)
    else:
        result = run_queries(engine, target, json.loads(Path(argv[3]).read_text()), snippets=argv[4] == "snippets",
                             collapse=argv[4] != "nocollapse")
    print("RESULT " + json.dumps(result), flush=True)


# ---------------------------------------------------------------------------- parent

def run_child(*args: str, repo: Path = REPO) -> tuple[dict, float, float]:
    """(the child's result, wall seconds, peak RSS MB of its process tree or None).

    The child is ``repo``'s own copy of this script, so it measures ``repo``'s code.
    """
    cmd = [sys.executable, str(repo / "benchmarks" / "scale.py"), "--child", *args]
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True, cwd=repo)
    peak = [0.0]
    try:
        import psutil
    except ImportError:
        psutil = None
    if psutil is not None:
        def sample() -> None:
            try:
                root = psutil.Process(proc.pid)
            except psutil.Error:
                return
            while proc.poll() is None:
                try:
                    total = root.memory_info().rss + sum(c.memory_info().rss for c in root.children(recursive=True))
                    peak[0] = max(peak[0], total / 1e6)
                except psutil.Error:
                    pass
                time.sleep(0.05)

        thread = threading.Thread(target=sample, daemon=True)
        thread.start()
    out, _ = proc.communicate()
    wall = time.perf_counter() - started
    if proc.returncode:
        raise SystemExit(f"child {args} failed ({proc.returncode})")
    result = json.loads(out.split("RESULT ", 1)[1])
    return result, wall, peak[0] if psutil is not None else None


def dir_size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def searcher_generation(path: Path) -> Path:
    marker = json.loads((path / "searcher-index.json").read_text())
    return path / marker["current"]


def cold_start(index_dir: Path, words: list[str], runs: int = 15, baseline: Path | None = None) -> dict:
    env = dict(os.environ, NO_COLOR="1")
    bare = Path(tempfile.mkstemp(suffix=".py")[1])
    bare.write_text(BARE_SCRIPT)
    gen = searcher_generation(index_dir)
    search = [sys.executable, "-m", "searcher", "--index-dir", str(index_dir), "search", *words]
    cmds = {  # name: (command, folder it runs in: `python -m searcher` imports that folder's code)
        "searcher search": (search, REPO),
        "bare whoosh": ([sys.executable, str(bare), str(gen), " ".join(words)], REPO),
        "python -c pass": ([sys.executable, "-c", "pass"], REPO),
    }
    if baseline is not None:
        cmds["baseline search"] = (search, baseline)
    times: dict[str, list[float]] = {name: [] for name in cmds}
    for _ in range(runs):
        # Interleaved, so a passing burst of load on the machine hits every command alike.
        for name, (cmd, cwd) in cmds.items():
            t = time.perf_counter()
            subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env, cwd=cwd, check=False)
            times[name].append(time.perf_counter() - t)
    out = {name: statistics.median(ts) for name, ts in times.items()}
    bare.unlink()
    return out


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        sys.path.insert(0, str(REPO))
        child_main(sys.argv[2:])
        return
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="1x only")
    parser.add_argument("--scales", default="1,2,4")
    parser.add_argument("--engines", default=",".join(ENGINES))
    parser.add_argument("--workdir", help="keep indexes here (default: a temporary folder)")
    parser.add_argument("--json", help="also write the figures to this file")
    parser.add_argument("--baseline", type=Path,
                        help="another checkout of searcher (say, a git worktree of an older commit) measured "
                             "beside this one, as engine 'baseline'")
    args = parser.parse_args()
    # Byte-compile the package first, as `pip install` does for Whoosh and for us: from a
    # source checkout under PYTHONDONTWRITEBYTECODE=1 (set on this machine) every child
    # would otherwise compile searcher/*.py again (~40 ms: the update and cold-start
    # figures) while Whoosh loads bytecode.
    import compileall

    compileall.compile_dir(str(REPO / "searcher"), quiet=1)
    scales = [1] if args.quick else [int(s) for s in args.scales.split(",")]
    engines = args.engines.split(",")
    baseline = args.baseline.resolve() if args.baseline else None
    if baseline is not None:
        if not (baseline / "searcher").is_dir() or not (baseline / "benchmarks" / "scale.py").is_file():
            raise SystemExit(f"--baseline {baseline}: not a checkout of searcher")
        compileall.compile_dir(str(baseline / "searcher"), quiet=1)
        engines.append("baseline")
    workdir = Path(args.workdir) if args.workdir else Path(tempfile.mkdtemp(prefix="searcher-scale-"))
    workdir.mkdir(parents=True, exist_ok=True)
    queries = make_queries()
    qfile = workdir / "queries.json"
    qfile.write_text(json.dumps(queries))
    print(f"# {CORPUS.name}; cores {os.cpu_count()}; load {os.getloadavg()[0]:.1f}; python {sys.version.split()[0]}",
          flush=True)
    rows = []
    for scale in scales:
        corpus = make_corpus(scale, workdir)
        for engine in engines:
            target = workdir / f"{engine}-x{scale}"
            shutil.rmtree(target, ignore_errors=True)
            # The baseline is searcher, run by the baseline checkout's copy of this script.
            kind, repo = ("searcher", baseline) if engine == "baseline" and baseline else (engine, REPO)
            built, wall, peak = run_child("build", kind, str(target), str(corpus), repo=repo)
            size = dir_size(target)
            upd, _, _ = run_child("update", kind, str(target), repo=repo)
            q, _, _ = run_child("query", kind, str(target), str(qfile), "plain", repo=repo)
            q.update(run_child("query", kind, str(target), str(qfile), "snippets", repo=repo)[0])
            if engine == "searcher":
                q.update(run_child("query", kind, str(target), str(qfile), "nocollapse", repo=repo)[0])
            row = {"scale": scale, "engine": engine, **built, "wall": wall, "peak_rss_mb": peak, "size_mb": size / 1e6,
                   "update_s": upd["seconds"], **q}
            rows.append(row)
            print(f"  done {engine} x{scale}: {json.dumps({k: round(v, 3) if isinstance(v, float) else v for k, v in row.items()})}",
                  flush=True)
    cold = cold_start(workdir / "searcher-x1", queries[0], baseline=baseline) \
        if "searcher" in engines and 1 in scales else {}
    print_table(rows, cold)
    if args.json:
        Path(args.json).write_text(json.dumps({"rows": rows, "cold": cold}, indent=1))
    if not args.workdir:
        shutil.rmtree(workdir, ignore_errors=True)


def print_table(rows: list[dict], cold: dict) -> None:
    print()
    head = (f"{'corpus':<19} {'engine':<9} {'docs':>7} {'build s':>8} {'art/s':>7} {'size MB':>8} {'peak RSS':>9} "
            f"{'update s':>9} {'upd/build':>9} {'q med ms':>9} {'q p95':>7} {'snip med':>9} {'snip p95':>9} "
            f"{'build cpu s':>11} {'q cpu med':>9} {'load':>5}")
    print(head)
    print("-" * len(head))
    for r in rows:
        label = "reuters 1x" if r["scale"] == 1 else f"reuters {r['scale']}x (copies)"
        peak = f"{r['peak_rss_mb']:.0f} MB" if r["peak_rss_mb"] else f"{max(r['rss_self_mb'], r['rss_children_mb']):.0f} MB*"
        print(f"{label:<19} {r['engine']:<9} {r['count']:>7} {r['seconds']:>8.1f} {r['count'] / r['seconds']:>7.0f} "
              f"{r['size_mb']:>8.1f} {peak:>9} {r['update_s']:>9.3f} {r['update_s'] / r['seconds']:>9.2%} "
              f"{r['plain_median_ms']:>9.2f} {r['plain_p95_ms']:>7.2f} {r['snip_median_ms']:>9.2f} {r['snip_p95_ms']:>9.2f} "
              f"{r['cpu_s']:>11.1f} {r['plain_cpu_median_ms']:>9.2f} {r['load']:>5.1f}")
    by = {(r["scale"], r["engine"]): r for r in rows}
    print()
    for scale in sorted({r["scale"] for r in rows}):
        ours, plain, fts = by.get((scale, "searcher")), by.get((scale, "whoosh")), by.get((scale, "fts5"))
        if not ours:
            continue
        parts = []
        if plain:
            parts.append(f"build {ours['count'] / ours['seconds'] / (plain['count'] / plain['seconds']):.2f}x plain Whoosh")
            parts.append(f"query {plain['plain_median_ms'] / ours['plain_median_ms']:.2f}x faster than plain Whoosh")
        if fts:
            parts.append(f"query median {ours['plain_median_ms'] / fts['plain_median_ms']:.2f}x FTS5's")
        parts.append(f"snippets {ours['snip_median_ms'] / ours['plain_median_ms']:.2f}x our no-snippet median")
        parts.append(f"update {ours['update_s'] / ours['seconds']:.2%} of build")
        print(f"{scale}x: " + "; ".join(parts))
        if "nocollapse_median_ms" in ours:
            print(f"{scale}x, folding copies: query median {ours['plain_median_ms']:.2f} ms with it, "
                  f"{ours['nocollapse_median_ms']:.2f} ms without (--no-collapse); CPU "
                  f"{ours['plain_cpu_median_ms']:.2f} / {ours['nocollapse_cpu_median_ms']:.2f} ms"
                  + (" (every article is there 4 times: each page folds 30 copies)" if scale == 4 else
                     " (every article twice: 10 copies a page)" if scale == 2 else ""))
        base = by.get((scale, "baseline"))
        if base:
            print(f"{scale}x, this checkout / baseline: build time {ours['seconds'] / base['seconds']:.2f}x "
                  f"(CPU {ours['cpu_s'] / base['cpu_s']:.2f}x), query median "
                  f"{ours['plain_median_ms'] / base['plain_median_ms']:.2f}x "
                  f"(CPU {ours['plain_cpu_median_ms'] / base['plain_cpu_median_ms']:.2f}x), with snippets "
                  f"{ours['snip_median_ms'] / base['snip_median_ms']:.2f}x, update {ours['update_s'] / base['update_s']:.2f}x")
    scales = sorted({r["scale"] for r in rows if r["engine"] == "searcher"})
    if len(scales) > 1:
        a, b = by[(scales[0], "searcher")], by[(scales[-1], "searcher")]
        print(f"growth {scales[0]}x -> {scales[-1]}x (copies): build time {b['seconds'] / a['seconds']:.2f}x, "
              f"query median {b['plain_median_ms'] / a['plain_median_ms']:.2f}x")
    if cold:
        print(f"cold start (1x, median of 15, interleaved): searcher search {cold['searcher search']:.3f} s, bare Whoosh script with "
              f"snippets {cold['bare whoosh']:.3f} s ({cold['searcher search'] / cold['bare whoosh']:.2f}x), "
              f"python -c pass {cold['python -c pass']:.3f} s")
        if "baseline search" in cold:
            print(f"cold start, baseline: {cold['baseline search']:.3f} s "
                  f"(this checkout {cold['searcher search'] / cold['baseline search']:.2f}x)")
    print("peak RSS: sum over the build's process tree (psutil); * = max RSS of one process (no psutil)")
    print("build cpu s: CPU seconds of the build's process tree; q cpu med: CPU ms per query (both less")
    print("sensitive than wall time to other processes on the machine); load: 1-min load average after the build")


if __name__ == "__main__":
    main()
