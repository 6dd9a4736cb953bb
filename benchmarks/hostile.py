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

A section is ``def section(args) -> list[Row]``: add one by writing the function and naming it
in SECTIONS. Times are CPU seconds of this thread (steadier than the
clock on a shared machine); an input still running after ``--cap`` seconds is stopped and shown
as ``>cap``. The cleaner's rule cache is cleared before every input.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

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


#: Section name -> function.
SECTIONS: dict[str, Callable[[argparse.Namespace], list[Row]]] = {
    "cleaner": cleaner_section,
    "queries": queries_section,
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
    header = f"{'section':8} {'input':5} {'size':>7} {'inputs':>6} {'worst s':>8} {'normal s':>8} {'ratio':>6}  worst input"
    print(header)
    print("-" * len(header))
    for row in rows:
        worst = f">{row.worst:.1f}" if row.capped else f"{row.worst:.3f}"
        ratio = f"{row.worst / row.normal:.1f}" if row.normal > 0 else "-"
        size = f"{row.size:,} docs" if row.section == "queries" else human(row.size)
        print(f"{row.section:8} {row.kind:5} {size:>7} {row.inputs:>6} {worst:>8} {row.normal:>8.3f} "
              f"{ratio:>6}  {row.worst_name[:60]}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--only", action="append", choices=sorted(SECTIONS), help="run only this section (repeatable)")
    parser.add_argument("--sizes", default="10K,100K,1M", help="input sizes, comma-separated (default 10K,100K,1M)")
    parser.add_argument("--every", action="store_true", help="every trigger word of every rule (slow: see above)")
    parser.add_argument("--cap", type=float, default=30.0, help="stop an input after this many CPU seconds")
    args = parser.parse_args(argv)
    args.sizes = [parse_size(s) for s in args.sizes.split(",") if s.strip()]
    rows: list[Row] = []
    started = time.perf_counter()
    for name in args.only or list(SECTIONS):
        rows += SECTIONS[name](args)
    print_table(rows)
    print(f"({time.perf_counter() - started:.0f} s; CPU seconds per input, the worst of each set; "
          f"'normal': an ordinary page of that size)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
