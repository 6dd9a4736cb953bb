"""Hostile inputs: the worst time per input size, beside an ordinary input of that size.

usage: python benchmarks/hostile.py [--only SECTION]... [--sizes 10K,100K,1M] [--every] [--cap S]

Sections (one function each, in SECTIONS; ``--only`` picks some):

- ``cleaner``: ``clean_text`` on floods of every line rule's trigger words and ``clean_html`` on
  floods of every tag and attribute the HTML pass looks for (``searcher/cleaning/floods.py``
  makes both from the cleaner's own rules), beside a normal page of prose of the same size.
  By default each rule's first trigger word with every separator, as one long line (about
  500 text floods); ``--every`` runs every trigger word of every rule, as one line and as
  1,000-character lines (some 11,700 text floods: hours at 1 MB, minutes at 10 KB).

- ``queries``: the adversarial query set of ``benchmarks/hostile_queries.py`` (``*``, ``?*``,
  ``oil~9``, long words, huge queries and phrases) on 3,000 Reuters articles, beside a normal
  query: wall seconds, the worst of three runs.

- ``web``: a `searcher serve` process on 3,000 Reuters articles and one 10 MB article: the
  median time of an ordinary search (the search page and /api/search) while ``--in-flight``
  requests for the large article (its page, its JSON, the articles like it) keep running,
  beside the same searches with nothing else in flight; and the large article's requests
  themselves. Wall seconds (what a user waits). ``--server-code DIR`` serves with another
  checkout's searcher (say, main's, for the figures before a change).

- ``unpickle``: opening the index of Reuters-21578 (and its first search, and warm searches)
  with Whoosh's pickles read by the restricted unpickler (searcher.engines.whoosh.unpickling)
  beside pickle's own, alternating, in one process: wall seconds, medians of ``--rounds``.

A section is ``def section(args) -> list[Row]``: add one by writing the function and naming it
in SECTIONS. Times of ``cleaner`` are CPU seconds of this thread (steadier than the clock on a
shared machine); an input still running after ``--cap`` seconds is stopped and shown as
``>cap``. The cleaner's rule cache is cleared before every input. The load average is printed
before and after: the ratios, each measured within one run, are what to compare.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "benchmarks"))

from searcher.indexing.cleaning_pool import time_budget  # noqa: E402


@dataclass
class Row:
    """One line of the table: the worst hostile input of a kind and size, and the normal one."""

    section: str
    kind: str
    size: int
    inputs: int
    worst: float
    worst_name: str
    normal: float
    capped: bool = False
    #: The size column's text, when it is not a size in bytes.
    size_text: str = ""


def timed(call: Callable[[], object], cap: float) -> tuple[float, bool]:
    """(CPU seconds of ``call()``, whether it was stopped at ``cap``). Errors count as answers."""
    started = time.thread_time()
    try:
        with time_budget(cap):
            call()
    except Exception:  # noqa: BLE001 - a SeedError ("no text") is an answer, not a failure
        pass
    except BaseException as exc:
        if type(exc).__name__ != "_OverBudget":
            raise
        return time.thread_time() - started, True
    return time.thread_time() - started, False


def worst_of(section: str, kind: str, size: int, inputs: Iterable[tuple[str, Callable[[], object]]],
             normal: Callable[[], object], cap: float) -> Row:
    row = Row(section, kind, size, 0, 0.0, "", timed(normal, cap)[0])
    for name, call in inputs:
        seconds, capped = timed(call, cap)
        row.inputs += 1
        if seconds > row.worst:
            row.worst, row.worst_name, row.capped = seconds, name, capped
    return row


# ---- sections ------------------------------------------------------------------------------------
def cleaner_section(args: argparse.Namespace) -> list[Row]:
    from searcher.cleaning import floods
    from searcher.cleaning.cleaner import clean_html, clean_text
    from searcher.cleaning.lines import clear_cache

    cleaners = {"text": clean_text, "html": clean_html}

    def run(kind: str, text: str) -> Callable[[], object]:
        def call() -> object:
            clear_cache()
            return cleaners[kind](text)
        return call

    def text_floods(size: int) -> Iterable[tuple[str, str, str]]:
        if args.every:
            yield from floods.rule_floods(size)
            return
        seen = set()
        for number, rule in enumerate(floods.RULES):
            word = floods.trigger_words(rule)[0]
            for sep in floods.SEPARATORS:
                if word + sep not in seen:
                    seen.add(word + sep)
                    yield f"rule {number} ({rule.label}) {word + sep!r} one line", "text", \
                        (word + sep) * (size // len(word + sep) + 1)
        yield "the issue's 'app-' flood", "text", "app-" * (size // 4)

    for kind, clean in cleaners.items():  # load the modules and compile the rules before timing
        clean(floods.normal_page(kind, 2_000))
    rows = []
    for size in args.sizes:
        for kind, made in (("text", text_floods(size)), ("html", floods.html_floods(size))):
            inputs = ((name, run(kind, text[:size])) for name, _kind, text in made)
            row = worst_of("cleaner", kind, size, inputs, run(kind, floods.normal_page(kind, size)), args.cap)
            print(f"  cleaner {kind} {human(size)}: {row.inputs} inputs, worst {row.worst:.2f} s",
                  file=sys.stderr, flush=True)
            rows.append(row)
    return rows


def queries_section(args: argparse.Namespace) -> list[Row]:
    """The adversarial query set of ``hostile_queries.py`` on 3,000 Reuters articles (wall seconds,
    worst of 3 runs, the first run cold), beside the normal query of that set."""
    import tempfile

    import hostile_queries

    if not hostile_queries.CORPUS.exists():
        print(f"  queries: skipped, {hostile_queries.CORPUS} not found", file=sys.stderr)
        return []
    with tempfile.TemporaryDirectory() as tmp:
        index_dir = Path(tmp) / "index"
        hostile_queries.build_reuters(index_dir)
        rows = hostile_queries.query_rows(index_dir)
    normal = [r for r in rows if r["query"].startswith("normal")]
    hostile = [r for r in rows if not r["query"].startswith("normal")]
    worst = max(hostile, key=lambda r: r["worst"])
    print(f"  queries: {len(hostile)} hostile, worst {worst['worst']:.3f} s ({worst['query']}: {worst['outcome']})",
          file=sys.stderr, flush=True)
    return [Row("queries", "query", hostile_queries.ARTICLES, len(hostile), worst["worst"], worst["query"],
                max((r["worst"] for r in normal), default=0.0))]


def _large_document(min_chars: int) -> "searcher.Document":
    """An article of ``min_chars`` or more: Reuters bodies one after another (real prose)."""
    import json

    import searcher
    from hostile_queries import CORPUS

    parts: list[str] = []
    size = 0
    while size < min_chars:
        with CORPUS.open(encoding="utf-8") as f:
            for line in f:
                text = json.loads(line).get("text") or ""
                parts.append(text)
                size += len(text) + 2
                if size >= min_chars:
                    break
    return searcher.Document(doc_id="large.txt", title="A very large article", body="\n\n".join(parts))


def web_section(args: argparse.Namespace) -> list[Row]:
    """Ordinary searches with large-document requests in flight, beside the same alone (see the docstring)."""
    import http.client
    from urllib.parse import urlencode

    import hostile_queries
    import searcher
    from scale import make_queries
    from serve import get, start_server

    if not hostile_queries.CORPUS.exists():
        print(f"  web: skipped, {hostile_queries.CORPUS} not found", file=sys.stderr)
        return []
    queries = [" ".join(words) for words in make_queries(args.web_queries, seed=22)]
    large = ["/documents/large.txt", "/api/documents/large.txt/similar", "/api/documents/large.txt",
             "/documents/large.txt"]
    with tempfile.TemporaryDirectory() as tmp:
        index_dir = Path(tmp) / "index"
        hostile_queries.build_reuters(index_dir)
        with searcher.SearchIndex(index_dir) as ix:
            ix.add(_large_document(10_000_000))
        proc, host, port = start_server(index_dir, Path(args.server_code).resolve() if args.server_code else REPO)
        try:
            conn = http.client.HTTPConnection(host, port, timeout=600)

            def searches(route: str) -> list[float]:
                took = []
                for q in queries:
                    status, seconds, _ = get(conn, f"{route}?{urlencode({'q': q})}")
                    assert status == 200, (route, q, status)
                    took.append(seconds)
                return took

            for route in ("/search", "/api/search"):  # warm the server: readers, caches, templates
                searches(route)
            alone = {route: searches(route) for route in ("/search", "/api/search")}
            stop = threading.Event()
            large_times: list[float] = []

            def keep_asking(number: int) -> None:
                mine = http.client.HTTPConnection(host, port, timeout=600)
                i = number
                while not stop.is_set():
                    status, seconds, _ = get(mine, large[i % len(large)])
                    assert status == 200, (large[i % len(large)], status)
                    large_times.append(seconds)
                    i += 1
                mine.close()

            threads = [threading.Thread(target=keep_asking, args=(n,), daemon=True) for n in range(args.in_flight)]
            for thread in threads:
                thread.start()
            time.sleep(1.0)  # all of them under way
            loaded = {route: searches(route) for route in ("/search", "/api/search")}
            stop.set()
            for thread in threads:
                thread.join()
            conn.close()
        finally:
            proc.terminate()
            proc.wait(timeout=60)
    label = f"{args.in_flight} large-document requests in flight"
    rows = [Row("web", route, 0, len(queries), statistics.median(loaded[route]), label,
                statistics.median(alone[route]), size_text="search") for route in ("/search", "/api/search")]
    rows.append(Row("web", "large", 0, len(large_times), statistics.median(large_times),
                    "a request for the 10 MB article (page, JSON, similar), under load",
                    statistics.median(alone["/search"]), size_text="10 MB"))
    for row in rows:
        print(f"  web {row.kind}: {row.worst:.3f} s against {row.normal:.3f} s ({row.worst_name})", file=sys.stderr)
    return rows


#: Opens timed together in each round of ``unpickle`` (one takes a few milliseconds).
OPENS = 20


def unpickle_section(args: argparse.Namespace) -> list[Row]:
    """Opening an index with the restricted unpickler beside pickle's own (see the docstring)."""
    import hostile_queries
    import searcher
    from scale import make_queries
    from searcher.engines.whoosh import internals, unpickling

    if not hostile_queries.CORPUS.exists():
        print(f"  unpickle: skipped, {hostile_queries.CORPUS} not found", file=sys.stderr)
        return []
    queries = [" ".join(words) for words in make_queries(50, seed=23)]

    def use(restricted: bool) -> None:
        unpickling.install(restricted=restricted)
        internals.loads = unpickling.loads if restricted else __import__("pickle").loads

    times: dict[tuple[str, bool], list[float]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        index_dir = Path(tmp) / "index"
        with searcher.SearchIndex(index_dir) as ix:
            count = ix.add(searcher.read_jsonl(hostile_queries.CORPUS, skipped=[]))
            for n in range(3):  # and a few small segments, as updates leave them
                ix.add(searcher.Document(doc_id=f"extra-{n}", title="Oil prices", body="Crude oil prices rose."))
        try:
            for round_number in range(args.rounds):
                for restricted in ((True, False) if round_number % 2 else (False, True)):
                    use(restricted)
                    started = time.perf_counter()
                    for _ in range(OPENS):
                        ix = searcher.SearchIndex(index_dir)
                        ix.engine.searcher()  # marker, TOC (schema, segments), segment readers
                        ix.close()
                    opened = time.perf_counter()
                    ix = searcher.SearchIndex(index_dir)
                    ix.search("oil prices")
                    first = time.perf_counter()
                    for q in queries[:10]:
                        ix.search(q)
                    warm = time.perf_counter()
                    ix.close()
                    for kind, seconds in (("open", (opened - started) / OPENS), ("open + 1st search", first - opened),
                                          ("10 searches", warm - first)):
                        times.setdefault((kind, restricted), []).append(seconds)
        finally:
            use(True)
    rows = [Row("unpickle", kind, count, args.rounds, statistics.median(times[kind, True]),
                "restricted unpickler (beside pickle's own)", statistics.median(times[kind, False]),
                size_text=f"{count:,} docs") for kind in ("open", "open + 1st search", "10 searches")]
    for row in rows:
        print(f"  unpickle {row.kind}: {row.worst * 1000:.1f} ms against {row.normal * 1000:.1f} ms", file=sys.stderr)
    return rows


#: Section name -> function.
SECTIONS: dict[str, Callable[[argparse.Namespace], list[Row]]] = {
    "cleaner": cleaner_section,
    "queries": queries_section,
    "web": web_section,
    "unpickle": unpickle_section,
}


# ---- output ----------------------------------------------------------------------------------
def human(size: int) -> str:
    for unit, step in (("MB", 1_000_000), ("KB", 1_000)):
        if size >= step:
            return f"{size / step:g} {unit}"
    return f"{size} B"


def parse_size(text: str) -> int:
    text = text.strip().upper().rstrip("B")
    factor = {"K": 1_000, "M": 1_000_000}.get(text[-1:], 1)
    return int(float(text.rstrip("KM")) * factor)


def print_table(rows: list[Row]) -> None:
    header = (f"{'section':8} {'input':17} {'size':>11} {'inputs':>6} {'worst s':>8} {'normal s':>8} {'ratio':>6}  "
              "worst input")
    print(header)
    print("-" * len(header))
    for row in rows:
        worst = f">{row.worst:.1f}" if row.capped else f"{row.worst:.3f}"
        ratio = f"{row.worst / row.normal:.1f}" if row.normal > 0 else "-"
        size = row.size_text or (f"{row.size:,} docs" if row.section == "queries" else human(row.size))
        ratio = f"{row.worst / row.normal:.2f}" if row.normal > 0 and row.size_text else ratio
        print(f"{row.section:8} {row.kind:17} {size:>11} {row.inputs:>6} {worst:>8} {row.normal:>8.3f} "
              f"{ratio:>6}  {row.worst_name[:70]}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--only", action="append", choices=sorted(SECTIONS), help="run only this section (repeatable)")
    parser.add_argument("--sizes", default="10K,100K,1M", help="input sizes, comma-separated (default 10K,100K,1M)")
    parser.add_argument("--every", action="store_true", help="every trigger word of every rule (slow: see above)")
    parser.add_argument("--cap", type=float, default=30.0, help="stop an input after this many CPU seconds")
    parser.add_argument("--in-flight", type=int, default=4, help="web: large-document requests kept in flight")
    parser.add_argument("--web-queries", type=int, default=30, help="web: ordinary searches timed each way")
    parser.add_argument("--server-code", help="web: serve with the searcher of this checkout (default: this one)")
    parser.add_argument("--rounds", type=int, default=20, help="unpickle: rounds of each way, alternating")
    args = parser.parse_args(argv)
    args.sizes = [parse_size(s) for s in args.sizes.split(",") if s.strip()]
    rows: list[Row] = []
    started = time.perf_counter()
    load_before = os.getloadavg()
    for name in args.only or list(SECTIONS):
        rows += SECTIONS[name](args)
    print_table(rows)
    print(f"({time.perf_counter() - started:.0f} s; load average {load_before[0]:.1f} before, "
          f"{os.getloadavg()[0]:.1f} after. cleaner: CPU seconds per input, the worst of each set, 'normal' an "
          "ordinary page of that size; web and unpickle: medians of wall seconds, 'normal' the reference)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
