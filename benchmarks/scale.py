"""How searcher scales: Reuters-21578 at 1x and 5x, beside SQLite FTS5 and plain Whoosh, in one run.

Usage::

    python benchmarks/scale.py --scale 1 --scale 5 --cache /work/scale-cache
    python benchmarks/scale.py --scale 1 --engines searcher,fts5         # a quicker look
    python benchmarks/scale.py --scale 1 --baseline ../main              # this code beside another checkout

Corpus: ../shared/data/news/reuters21578.jsonl (21,578 wire stories of 1987). No larger real
news corpus is at hand, so 5x is the original plus four *permuted* copies: copy c maps every
word (stop words aside) through its own frequency-preserving permutation of the vocabulary
(words ranked by frequency, each run of 10 neighbouring ranks shuffled), keeping each word's
case pattern, the numbers and punctuation. So each copy has the original's length, Zipf curve
and term statistics, but other words in other places: copies are not near-duplicates of each
other (folding them would measure only itself), and a word's document frequency at 5x is
about 5 times its 1x one. Copy c is dated c years later and its source is
"Reuters-21578 (copy c)", so facets and the date range have more than one value.

Engines, each built and queried in child processes of its own from the same records:

* ``searcher``: ``SearchIndex.add(read_jsonl(path))`` (what ``searcher import`` runs);
* ``whoosh``: plain Whoosh as a newcomer writes it: default analyzer, one writer, one commit;
* ``fts5``: SQLite FTS5 (stdlib sqlite3), ``porter unicode61`` tokenizer, ranked by ``rank``
  (bm25), one transaction;
* ``baseline`` (``--baseline DIR``): searcher as another checkout's code has it.

Figures (each ratio is against the reference the row names, measured in the same run):

* build: wall seconds, documents/s, peak RSS of the build's whole process tree (psutil,
  sampled every 50 ms), index size on disk;
* 200 queries of 1 to 4 headline words (seed 42; no syntax), top 10, after 10 other warm-up
  queries, one fresh process per engine and kind: median and p95 of ``plain`` (ids and titles,
  no snippets), ``snippets`` (3 fragments; FTS5's ``snippet()``), ``facets`` (counts by source
  and month over every match; FTS5: two GROUP BY queries, as Datasette does), ``date``
  (newest first);
* ``stats``: documents, sources, date range: the first call in a fresh process (the index
  already open, as FTS5's connection is) and the median of 20 more; FTS5: count(*), GROUP BY source, min/max(published);
* did-you-mean: in each of 3 fresh processes, 10 warm-up queries, then one misspelled word
  (a headline word with two letters swapped, not in the vocabulary): the first suggestion's
  time, median over the processes (plain Whoosh: ``searcher.suggest``);
* ``similar``: 50 articles' similar articles (plain Whoosh: ``more_like_this`` on the body;
  FTS5: an OR query of the article's 10 most frequent title and body words).

``--cache DIR`` keeps the corpora and the built indexes (each with its build figures) so a
rerun is cheap: an index is reused only while the code that built it is byte for byte the
same (searcher's package, or the build function and library version of the others); the
build figures printed are always those of the real build that made it, with its date and
load. ``--fresh`` builds everything again in this run (for published tables).
"""

from __future__ import annotations

import argparse
import hashlib
import inspect
import json
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO.parent / "shared" / "data" / "news" / "reuters21578.jsonl"
ENGINES = ("searcher", "whoosh", "fts5")
STOP = set("""a an and are as at be by for from has have he in is it its of on or that the to was were will with
said says mln dlrs pct vs cts not no inc corp co ltd""".split())
QUERY_KINDS = ("plain", "snippets", "facets", "date")
#: Neighbouring frequency ranks shuffled together when a copy's vocabulary is permuted.
PERMUTE_RUN = 10
WORD = re.compile(r"[A-Za-z]+")
DIDYOUMEAN_PROCESSES = 3


# ---------------------------------------------------------------------------- corpus


def read_lines() -> list[str]:
    return CORPUS.read_text(encoding="utf-8").splitlines()


def _stop_words() -> frozenset[str]:
    from whoosh.analysis import STOP_WORDS
    from whoosh.lang.stopwords import stoplists

    return frozenset(STOP_WORDS) | frozenset(stoplists["en"])


def permutations(lines: list[str], copies: int) -> list[dict[str, str]]:
    """One frequency-preserving permutation of the (lower-case, non-stop) vocabulary per copy."""
    counts: Counter[str] = Counter()
    for line in lines:
        r = json.loads(line)
        counts.update(w.lower() for w in WORD.findall((r.get("title") or "") + " " + (r.get("text") or "")))
    stops = _stop_words()
    ranked = [w for w, _ in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])) if w not in stops]
    maps = []
    for copy in range(1, copies + 1):
        rng = random.Random(1000 + copy)
        mapping: dict[str, str] = {}
        for start in range(0, len(ranked), PERMUTE_RUN):
            run = ranked[start:start + PERMUTE_RUN]
            shuffled = run[:]
            rng.shuffle(shuffled)
            mapping.update(zip(run, shuffled))
        maps.append(mapping)
    return maps


def _mapped(text: str, mapping: dict[str, str]) -> str:
    def one(m: re.Match) -> str:
        word = m.group(0)
        new = mapping.get(word.lower())
        if new is None:
            return word
        if word.isupper() and len(word) > 1:
            return new.upper()
        if word[0].isupper():
            return new[:1].upper() + new[1:]
        return new

    return WORD.sub(one, text)


def make_corpus(scale: int, workdir: Path) -> Path:
    """Reuters at ``scale`` x: the original plus scale-1 permuted copies (see the module doc)."""
    if scale == 1:
        return CORPUS
    path = workdir / f"reuters-x{scale}-perm{PERMUTE_RUN}.jsonl"
    if path.exists():
        return path
    lines = read_lines()
    maps = permutations(lines, scale - 1)
    tmp = path.with_suffix(".tmp")
    with open(tmp, "w", encoding="utf-8") as out:
        for line in lines:
            out.write(line + "\n")
        for copy, mapping in enumerate(maps, 1):
            for line in lines:
                r = json.loads(line)
                r["id"] = f"x{copy}-{r['id']}"
                for key in ("title", "text"):
                    if r.get(key):
                        r[key] = _mapped(r[key], mapping)
                date = r.get("date")
                if isinstance(date, str):  # 26-FEB-1987 15:01:01.79 -> 1987 + copy
                    r["date"] = re.sub(r"(?<=-)(19\d\d)", lambda m: str(int(m.group(1)) + copy), date, count=1)
                r["source"] = f"{r.get('source') or 'Reuters-21578'} (copy {copy})"
                out.write(json.dumps(r) + "\n")
    tmp.replace(path)
    return path


def headline_words() -> list[str]:
    words: list[str] = []
    with open(CORPUS, encoding="utf-8") as handle:
        for line in handle:
            words += [w for w in re.findall(r"[a-z]{3,}", json.loads(line)["title"].lower()) if w not in STOP]
    return words


def make_queries(n: int = 200, seed: int = 42) -> list[list[str]]:
    """``n`` queries of 1 to 4 headline words (benchmarks/serve.py and equivalence.py use them too)."""
    words = headline_words()
    rng = random.Random(seed)
    return [rng.sample(words, rng.randint(1, 4)) for _ in range(n)]


def misspelled_words(n: int = DIDYOUMEAN_PROCESSES, seed: int = 5) -> list[str]:
    """Headline words of 6+ letters with two middle letters swapped, none a word of the corpus."""
    vocabulary = {w.lower() for line in read_lines() for w in WORD.findall(line)}
    rng = random.Random(seed)
    candidates = sorted({w for w in headline_words() if len(w) >= 6})
    out: list[str] = []
    while len(out) < n:
        word = rng.choice(candidates)
        i = rng.randrange(1, len(word) - 2)
        wrong = word[:i] + word[i + 1] + word[i] + word[i + 2:]
        if wrong != word and wrong not in vocabulary and wrong not in out:
            out.append(wrong)
    return out


def similar_ids(n: int = 50, seed: int = 9) -> list[str]:
    ids = [json.loads(line)["id"] for line in read_lines()]
    return random.Random(seed).sample(ids, n)


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


def build_searcher(corpus: Path, target: Path) -> int:
    import searcher

    with searcher.SearchIndex(target) as ix:
        return ix.add(searcher.read_jsonl(corpus, skipped=[]))


def build_whoosh(corpus: Path, target: Path) -> int:
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
    return count


def build_fts5(corpus: Path, target: Path) -> int:
    import sqlite3

    target.mkdir(parents=True)
    db = sqlite3.connect(target / "fts.db")
    db.execute("CREATE VIRTUAL TABLE docs USING fts5(id UNINDEXED, title, body, published UNINDEXED, "
               "month UNINDEXED, source UNINDEXED, url UNINDEXED, tokenize='porter unicode61')")
    with db:
        rows = ((r["id"], r.get("title", ""), r.get("text", ""), published and published.isoformat(),
                 published and published.strftime("%Y-%m"), r.get("source"), r.get("url"))
                for r, published in records(corpus))
        db.executemany("INSERT INTO docs VALUES (?, ?, ?, ?, ?, ?, ?)", rows)
    count = db.execute("SELECT count(*) FROM docs").fetchone()[0]
    db.close()
    return count


BUILDERS = {"searcher": build_searcher, "whoosh": build_whoosh, "fts5": build_fts5}


def build(engine: str, corpus: Path, target: Path) -> dict:
    import resource

    started = time.perf_counter()
    count = BUILDERS[engine](corpus, target)
    seconds = time.perf_counter() - started
    me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return {"count": count, "seconds": seconds, "cpu_s": me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime}


# ---------------------------------------------------------------------------- child: queries


class Searcher:
    """Our engine's calls, as the benchmark runs them."""

    def __init__(self, target: Path) -> None:
        import searcher

        self.ix = searcher.SearchIndex(target)
        len(self.ix)  # opened, as FTS5's connection and Whoosh's searcher are: stats() is timed alone

    def query(self, words: list[str], kind: str) -> int:
        q = " ".join(words)
        if kind == "plain":
            return len(self.ix.search(q, fragments=0).hits)
        if kind == "snippets":
            return len(self.ix.search(q).hits)
        if kind == "facets":
            return len(self.ix.search(q, fragments=0, facets=True).facets)
        return len(self.ix.search(q, fragments=0, sort="date").hits)

    def stats(self) -> int:
        return self.ix.stats().documents

    def suggest(self, word: str) -> str | None:
        return self.ix.search(word, fragments=0).suggestion

    def similar(self, doc_id: str) -> int:
        return len(self.ix.similar(doc_id, fragments=0).hits)


class PlainWhoosh:
    def __init__(self, target: Path) -> None:
        from whoosh import index
        from whoosh.qparser import MultifieldParser, OrGroup

        self.ix = index.open_dir(str(target))
        self.s = self.ix.searcher()
        self.parser = MultifieldParser(["title", "body"], self.ix.schema, group=OrGroup)

    def query(self, words: list[str], kind: str) -> int:
        q = self.parser.parse(" ".join(words))
        if kind == "facets":
            hits = self.s.search(q, limit=10, groupedby=["source"])
            return len(hits.groups("source"))
        if kind == "date":
            hits = self.s.search(q, limit=10, sortedby="published", reverse=True)
        else:
            hits = self.s.search(q, limit=10)
        return len([(h["id"], h["title"], h.highlights("body", top=3) if kind == "snippets" else "") for h in hits])

    def stats(self) -> int:
        return -1

    def suggest(self, word: str) -> str | None:
        found = self.s.suggest("body", word, limit=1)
        return found[0] if found else None

    def similar(self, doc_id: str) -> int:
        docnum = self.s.document_number(id=doc_id)
        return len(self.s.more_like(docnum, "body", top=10)) if docnum is not None else 0


class Fts5:
    def __init__(self, target: Path) -> None:
        import sqlite3

        self.db = sqlite3.connect(target / "fts.db")

    def query(self, words: list[str], kind: str) -> int:
        match = " OR ".join(f'"{w}"' for w in words)
        if kind == "snippets":
            sql = ("SELECT id, title, snippet(docs, 2, '**', '**', ' … ', 12) FROM docs WHERE docs MATCH ? "
                   "ORDER BY rank LIMIT 10")
        elif kind == "date":
            sql = "SELECT id, title FROM docs WHERE docs MATCH ? ORDER BY published DESC LIMIT 10"
        else:
            sql = "SELECT id, title FROM docs WHERE docs MATCH ? ORDER BY rank LIMIT 10"
        rows = self.db.execute(sql, (match,)).fetchall()
        if kind == "facets":
            for column in ("source", "month"):
                self.db.execute(f"SELECT {column}, count(*) FROM docs WHERE docs MATCH ? GROUP BY {column} "
                                "ORDER BY count(*) DESC", (match,)).fetchall()
        return len(rows)

    def stats(self) -> int:
        count = self.db.execute("SELECT count(*) FROM docs").fetchone()[0]
        self.db.execute("SELECT source, count(*) FROM docs GROUP BY source").fetchall()
        self.db.execute("SELECT min(published), max(published) FROM docs").fetchone()
        return count

    def suggest(self, word: str) -> str | None:
        return None  # FTS5 has no did-you-mean (spellfix1 is not in the stdlib)

    def similar(self, doc_id: str) -> int:
        row = self.db.execute("SELECT title, body FROM docs WHERE id = ?", (doc_id,)).fetchone()
        if row is None:
            return 0
        words = [w for w, _ in Counter(w for w in re.findall(r"[a-z]{3,}", (row[0] + " " + row[1]).lower())
                                       if w not in STOP).most_common(10)]
        if not words:
            return 0
        match = " OR ".join(f'"{w}"' for w in words)
        return len(self.db.execute("SELECT id, title FROM docs WHERE docs MATCH ? AND id != ? ORDER BY rank LIMIT 10",
                                   (match, doc_id)).fetchall())


CLIENTS = {"searcher": Searcher, "whoosh": PlainWhoosh, "fts5": Fts5}


#: A kind of query stops after this many seconds (at least 5 queries run): code where one
#: search takes seconds (a date sort over a whole archive, before issue 21) would otherwise
#: hold the run for an hour. The table says how many queries a figure is over.
KIND_SECONDS = 90.0


ERRORS: list[str] = []


def _timed(calls, budget: float | None = None) -> tuple[list[float], list[float]]:
    """Seconds and CPU seconds of each call; a call that raises counts with its time, its
    error kept in ERRORS (before issue 21 a date sort could pass the 30 s budget)."""
    times, cpu = [], []
    stop = None if budget is None else time.perf_counter() + budget
    for call in calls:
        t, c = time.perf_counter(), time.process_time()
        try:
            call()
        except Exception as exc:  # noqa: BLE001 - reported in the table
            ERRORS.append(f"{type(exc).__name__}: {exc}")
        times.append(time.perf_counter() - t)
        cpu.append(time.process_time() - c)
        if stop is not None and len(times) >= 5 and time.perf_counter() > stop:
            break
    return times, cpu


def run_child_work(engine: str, target: Path, work: str, arg: str) -> dict:
    client = CLIENTS[engine](target)
    warmup = make_queries(10, seed=7)
    if work in QUERY_KINDS:
        queries = json.loads(Path(arg).read_text())
        _timed((lambda w=words: client.query(w, work) for words in warmup), KIND_SECONDS / 3)
        del ERRORS[:]
        times, cpu = _timed((lambda w=words: client.query(w, work) for words in queries), KIND_SECONDS)
        return {"times": times, "cpu": cpu, "errors": ERRORS}
    if work == "stats":
        first, _ = _timed([client.stats])
        times, _ = _timed([client.stats] * 20, KIND_SECONDS)
        return {"first": first[0], "times": times}
    if work == "suggest":
        for words in warmup:
            client.query(words, "plain")
        found: list[str | None] = []
        times, _ = _timed([lambda: found.append(client.suggest(arg))])
        return {"first": times[0], "suggestion": found[0]}
    if work == "similar":
        ids = json.loads(Path(arg).read_text())
        for doc_id in ids[:5]:
            client.similar(doc_id)
        times, cpu = _timed((lambda d=doc_id: client.similar(d) for doc_id in ids), KIND_SECONDS)
        return {"times": times, "cpu": cpu}
    raise SystemExit(f"unknown work {work}")


def child_main(argv: list[str]) -> None:
    code, action, engine, target = Path(argv[0]), argv[1], argv[2], Path(argv[3])
    sys.path.insert(0, str(code))  # the checkout whose searcher is measured
    if action == "build":
        result = build(engine, Path(argv[4]), target)
    else:
        result = run_child_work(engine, target, action, argv[4])
    print("RESULT " + json.dumps(result), flush=True)


# ---------------------------------------------------------------------------- parent


def run_child(code: Path, *args: str) -> tuple[dict, float, float]:
    """(the child's result, wall seconds, peak RSS MB of its process tree)."""
    import psutil

    cmd = [sys.executable, str(Path(__file__).resolve()), "--child", str(code), *args]
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True, cwd=code)
    peak = [0.0]

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
    thread.join()
    if proc.returncode:
        raise SystemExit(f"child {args} failed ({proc.returncode})")
    return json.loads(out.split("RESULT ", 1)[1]), wall, peak[0]


def dir_size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def fingerprint(engine: str, code: Path) -> str:
    """What the built index depends on: the code that builds it, byte for byte."""
    digest = hashlib.sha256(engine.encode())
    if engine == "searcher":
        for path in sorted((code / "searcher").rglob("*.py")):
            digest.update(str(path.relative_to(code)).encode() + b"\0" + path.read_bytes())
    else:
        import sqlite3

        import whoosh

        digest.update(inspect.getsource(BUILDERS[engine]).encode())
        digest.update(inspect.getsource(whoosh_plain_schema).encode())
        digest.update(f"{whoosh.versionstring()} {sqlite3.sqlite_version}".encode())
    return digest.hexdigest()[:16]


def built_index(name: str, engine: str, code: Path, corpus: Path, scale: int, workdir: Path, fresh: bool) -> tuple[Path, dict]:
    """The index of ``engine`` at ``scale`` and the figures of the build that made it (cached)."""
    key = fingerprint(engine, code)
    target = workdir / f"{name}-x{scale}-{key}"
    figures_path = target.with_name(target.name + ".build.json")
    if not fresh and target.is_dir() and figures_path.is_file():
        figures = json.loads(figures_path.read_text())
        figures["cached"] = True
        return target, figures
    for old in workdir.glob(f"{name}-x{scale}-*"):  # other code's builds: not wanted again
        if old.is_dir():
            shutil.rmtree(old, ignore_errors=True)
        else:
            old.unlink()
    load = os.getloadavg()[0]
    built, wall, peak = run_child(code, "build", engine, str(target), str(corpus))
    figures = {**built, "docs_per_s": built["count"] / built["seconds"], "wall": wall, "peak_rss_mb": peak, "size_mb": dir_size(target) / 1e6,
               "load_before": load, "load_after": os.getloadavg()[0],
               "date": time.strftime("%Y-%m-%d %H:%M"), "cached": False}
    figures_path.write_text(json.dumps(figures))
    return target, figures


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, int(round(q * len(ordered))) - 1))]


def measure(name: str, engine: str, code: Path, target: Path, workdir: Path) -> dict:
    """Every query figure of one engine on one index (each kind in fresh processes)."""
    out: dict = {}
    qfile, idfile = workdir / "queries.json", workdir / "similar.json"
    for kind in QUERY_KINDS:
        got, _, _ = run_child(code, kind, engine, str(target), str(qfile))
        out[kind] = {"median": statistics.median(got["times"]) * 1000, "p95": pct(got["times"], 0.95) * 1000,
                     "cpu_median": statistics.median(got["cpu"]) * 1000, "n": len(got["times"]),
                     "errors": got["errors"]}
    if engine != "whoosh":
        got, _, _ = run_child(code, "stats", engine, str(target), "-")
        out["stats"] = {"first": got["first"] * 1000, "median": statistics.median(got["times"]) * 1000}
    if engine != "fts5":
        firsts, suggestions = [], []
        for word in misspelled_words():
            got, _, _ = run_child(code, "suggest", engine, str(target), word)
            firsts.append(got["first"] * 1000)
            suggestions.append(f"{word}->{got['suggestion']}")
        out["suggest"] = {"first": statistics.median(firsts), "all": firsts, "suggestions": suggestions}
    got, _, _ = run_child(code, "similar", engine, str(target), str(idfile))
    out["similar"] = {"median": statistics.median(got["times"]) * 1000, "p95": pct(got["times"], 0.95) * 1000,
                      "n": len(got["times"])}
    return out


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        child_main(sys.argv[2:])
        return
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=int, action="append", help="1 (Reuters) or N (N-1 permuted copies); repeat")
    parser.add_argument("--engines", default=",".join(ENGINES))
    parser.add_argument("--cache", type=Path, help="keep corpora and built indexes here (default: a temporary folder)")
    parser.add_argument("--fresh", action="store_true", help="build every index again, cache or not")
    parser.add_argument("--baseline", type=Path, help="another checkout of searcher, measured as engine 'baseline'")
    parser.add_argument("--json", type=Path, help="also write every figure to this file")
    parser.add_argument("--print", type=Path, metavar="JSON", help="print the tables of a run saved with --json")
    args = parser.parse_args()
    if args.print:
        print_tables(json.loads(args.print.read_text()))
        return
    if not CORPUS.exists():
        raise SystemExit(f"{CORPUS} not found (development data beside the checkout)")
    import compileall

    scales = args.scale or [1, 5]
    runs = [(name, name, REPO) for name in args.engines.split(",")]
    if args.baseline:
        base = args.baseline.resolve()
        if not (base / "searcher").is_dir():
            raise SystemExit(f"--baseline {base}: not a checkout of searcher")
        compileall.compile_dir(str(base / "searcher"), quiet=1)
        runs.append(("baseline", "searcher", base))
    # Byte-compiled first, as an install does (a checkout under PYTHONDONTWRITEBYTECODE would
    # compile in every child).
    compileall.compile_dir(str(REPO / "searcher"), quiet=1)
    workdir = args.cache or Path(tempfile.mkdtemp(prefix="searcher-scale-"))
    workdir.mkdir(parents=True, exist_ok=True)
    (workdir / "queries.json").write_text(json.dumps(make_queries()))
    (workdir / "similar.json").write_text(json.dumps(similar_ids()))
    started = time.time()
    head = {"corpus": CORPUS.name, "cores": os.cpu_count(), "python": sys.version.split()[0],
            "date": time.strftime("%Y-%m-%d %H:%M"), "commit": _commit(REPO), "load_start": os.getloadavg()}
    print(f"# {head['corpus']}; {head['date']}; commit {head['commit']}; cores {head['cores']}; "
          f"load {' '.join(f'{x:.1f}' for x in head['load_start'])}", flush=True)
    results: dict = {"head": head, "scales": {}}
    for scale in scales:
        corpus = make_corpus(scale, workdir)
        per: dict = {}
        for name, engine, code in runs:
            target, figures = built_index(name, engine, code, corpus, scale, workdir, args.fresh)
            per[name] = {"build": figures, **measure(name, engine, code, target, workdir)}
            results["scales"][str(scale)] = per
            print(f"  done {name} x{scale}" + (" (cached build)" if figures["cached"] else "") + ": query median "
                  f"{per[name]['plain']['median']:.2f} ms (CPU {per[name]['plain']['cpu_median']:.2f})", flush=True)
            if args.json:  # what is measured so far, should the run be stopped
                head["load_end"], head["minutes"] = os.getloadavg(), (time.time() - started) / 60
                args.json.write_text(json.dumps(results, indent=1))
    head["load_end"] = os.getloadavg()
    head["minutes"] = (time.time() - started) / 60
    print_tables(results)
    if args.json:
        args.json.write_text(json.dumps(results, indent=1))
    if not args.cache:
        shutil.rmtree(workdir, ignore_errors=True)


def _commit(repo: Path) -> str:
    try:
        return subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=repo, capture_output=True, text=True,
                              check=True).stdout.strip() + ("+dirty" if subprocess.run(
                                  ["git", "status", "--porcelain", "--untracked-files=no"], cwd=repo,
                                  capture_output=True, text=True).stdout.strip() else "")
    except (OSError, subprocess.CalledProcessError):
        return "?"


# ---------------------------------------------------------------------------- tables

def _rows(per: dict) -> list[tuple[str, dict, str, str]]:
    """(label, {engine: figure}, ratio text, target verdict) for one scale's results."""
    def get(name: str, path: tuple[str, ...]) -> float | None:
        value = per.get(name)
        for key in path:
            if not isinstance(value, dict) or key not in value:
                return None
            value = value[key]
        return value

    ours = "searcher"
    rows = []

    def row(label: str, path: tuple[str, ...], ref: tuple[str, tuple[str, ...]] | None = None,
            target: tuple[str, float] | None = None, faster: bool = False) -> None:
        """``ref``: (engine, path) the ratio divides ours by (``faster``: theirs / ours);
        ``target``: (op, bound) on the ratio, or on our figure when there is no ratio."""
        values = {e: get(e, path) for e in per}
        mine, text, figure = values.get(ours), "", None
        if ref is not None and mine:
            theirs = get(ref[0], ref[1])
            if theirs:
                figure = theirs / mine if faster else mine / theirs
                what = "faster than" if faster else "of"
                text = f"{figure:.2f}x {what} {ref[0]}" + ("" if ref[1] == path else f" {'/'.join(ref[1])}")
        elif ref is None:
            figure = mine
        verdict = ""
        if target is not None and figure is not None:
            op, bound = target
            met = figure <= bound if op == "<=" else figure >= bound
            verdict = f"{op} {bound:g}: {'met' if met else 'MISSED'}"
        rows.append((label, values, text, verdict))

    for name in per:
        build = per[name]["build"]
        build["docs_per_cpu_s"] = build["count"] / build["cpu_s"] if build.get("cpu_s") else None
    row("build time (s)", ("build", "seconds"))
    row("build rate (docs/s)", ("build", "docs_per_s"), ("whoosh", ("build", "docs_per_s")), (">=", 3.0), faster=False)
    row("peak RSS of build (MB)", ("build", "peak_rss_mb"))
    row("index size (MB)", ("build", "size_mb"), ("fts5", ("build", "size_mb")), ("<=", 2.5))
    row("query median (ms)", ("plain", "median"), ("fts5", ("plain", "median")))
    row("query median vs plain Whoosh", ("plain", "median"), ("whoosh", ("plain", "median")), (">=", 2.5), faster=True)
    row("query p95 (ms)", ("plain", "p95"), ("fts5", ("plain", "p95")), ("<=", 2.0))
    row("query + snippets median (ms)", ("snippets", "median"), ("fts5", ("snippets", "median")))
    row("query + snippets p95 (ms)", ("snippets", "p95"), ("fts5", ("snippets", "p95")))
    row("query + facets median (ms)", ("facets", "median"), (ours, ("plain", "median")), ("<=", 1.3))
    row("query + facets p95 (ms)", ("facets", "p95"), (ours, ("plain", "p95")))
    row("sorted by date median (ms)", ("date", "median"), (ours, ("plain", "median")), ("<=", 1.5))
    row("sorted by date p95 (ms)", ("date", "p95"), (ours, ("plain", "p95")))
    row("stats() first call (ms)", ("stats", "first"), None, ("<=", 50.0))
    row("stats() again, median (ms)", ("stats", "median"), ("fts5", ("stats", "median")))
    row("first did-you-mean, new process (ms)", ("suggest", "first"), (ours, ("plain", "median")), ("<=", 2.0))
    # CPU time: on a shared machine wall time mostly measures the others' load; a process's
    # CPU seconds do not (FTS5 runs in-process, so its CPU is counted too).
    row("build CPU (s, all processes)", ("build", "cpu_s"))
    row("build docs per CPU second", ("build", "docs_per_cpu_s"), ("whoosh", ("build", "docs_per_cpu_s")))
    row("query CPU median (ms)", ("plain", "cpu_median"), ("fts5", ("plain", "cpu_median")))
    row("query CPU median vs plain Whoosh", ("plain", "cpu_median"), ("whoosh", ("plain", "cpu_median")), faster=True)
    row("query + facets CPU median (ms)", ("facets", "cpu_median"), (ours, ("plain", "cpu_median")))
    row("sorted by date CPU median (ms)", ("date", "cpu_median"), (ours, ("plain", "cpu_median")))
    row("query + snippets CPU median (ms)", ("snippets", "cpu_median"), ("fts5", ("snippets", "cpu_median")))
    row("similar median (ms)", ("similar", "median"), ("whoosh", ("similar", "median")))
    row("similar p95 (ms)", ("similar", "p95"), ("whoosh", ("similar", "p95")))
    return rows


def print_tables(results: dict) -> None:
    head = results["head"]
    for scale, per in results["scales"].items():
        engines = list(per)
        docs = per[engines[0]]["build"]["count"]
        print()
        print(f"## Reuters-21578 {scale}x ({docs:,} articles{'' if scale == '1' else ', permuted copies'})")
        print()
        print("| figure | " + " | ".join(engines) + " | ratio | target |")
        print("|---|" + "---:|" * len(engines) + "---|---|")
        for label, values, text, verdict in _rows(per):
            cells = [("" if v is None or v < 0 else f"{v:,.0f}" if v >= 1000 else f"{v:,.1f}" if v >= 100
                      else f"{v:.2f}") for v in values.values()]
            print(f"| {label} | " + " | ".join(cells) + f" | {text} | {verdict} |")
        rss = per.get("searcher", {}).get("build", {}).get("peak_rss_mb")
        if rss and scale != "1":
            print(f"\npeak RSS of our {scale}x build: {rss:,.0f} MB (target <= 1,500 MB: "
                  f"{'met' if rss <= 1500 else 'MISSED'})")
        short = [f"{name} {kind} over {per[name][kind]['n']}" for name in engines
                 for kind in (*QUERY_KINDS, "similar")
                 if per[name].get(kind, {}).get("n", 0) < (50 if kind == "similar" else 200)
                 and kind in per[name]]
        for name in engines:
            for kind in QUERY_KINDS:
                errors = per[name].get(kind, {}).get("errors")
                if errors:
                    print(f"\n{name} {kind}: {len(errors)} queries failed, first: {errors[0]}")
        if short:
            print(f"\nstopped after {KIND_SECONDS:.0f} s (figures over the first queries only): {', '.join(short)}")
        for name in engines:
            b = per[name]["build"]
            print(f"build of {name}: {b['date']}{' (cached from that run)' if b['cached'] else ''}, "
                  f"load {b['load_before']:.1f} -> {b['load_after']:.1f}, cpu {b['cpu_s']:.0f} s")
            if "suggest" in per[name]:
                print(f"  did-you-mean of {name}: {', '.join(per[name]['suggest']['suggestions'])} "
                      f"({', '.join(f'{t:.0f}' for t in per[name]['suggest']['all'])} ms)")
    print()
    print(f"load average at start {' '.join(f'{x:.1f}' for x in head['load_start'])}, at end "
          f"{' '.join(f'{x:.1f}' for x in head['load_end'])}; {head['minutes']:.0f} min; commit {head['commit']}")


if __name__ == "__main__":
    main()
