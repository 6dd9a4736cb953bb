"""Cleaner speed, this checkout beside another (e.g. the commit before a speed-up), in one run.

usage: python benchmarks/cleaner_speed.py [--against CHECKOUT] [--rounds N] [--repeat N] [--data DIR]

Each round runs one child process per checkout, alternating, and each child times ``clean_text``
(line model), ``clean_text`` (hand rules only) and ``clean_html`` over the cleaner-dev pages the
way ``benchmarks/cleaner_eval.py`` does (caches cleared before every pass, the fastest of
``--repeat`` passes). Printed: pages/s by process CPU time and by the wall clock, the best over
all rounds; on a shared machine the CPU figures are the fairer ones.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DEFAULT_DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "cleaner-dev"

# Run in the child with the checkout first on sys.path.
_CHILD = r"""
import json, sys, time
sys.path.insert(0, sys.argv[1])
from pathlib import Path
from searcher.cleaning.cleaner import clean_html, clean_text
try:  # every cache of the cleaner (issue 23); older checkouts have the lines' only
    from searcher.cleaning.cleaner import clear_caches as clear_cache
except ImportError:
    from searcher.cleaning.lines import clear_cache
data, repeat = Path(sys.argv[2]), int(sys.argv[3])
ids = sorted(json.loads(l)["id"] for l in open(data / "truth.jsonl", encoding="utf-8") if l.strip())
pages = {k: {i: (data / "pages" / f"{i}.{k}").read_text(encoding="utf-8") for i in ids} for k in ("txt", "html")}
try:  # the models record (issue 23); older checkouts take line_model=False
    from searcher.cleaning.text_models import TextModels
    hand_rules = {"models": TextModels(line_model=False)}
except ImportError:
    hand_rules = {"line_model": False}
systems = {"text": ("txt", lambda t: clean_text(t).body),
           "text, hand rules": ("txt", lambda t: clean_text(t, **hand_rules).body),
           "html": ("html", lambda h: clean_html(h).body)}
out = {}
for name, (kind, extract) in systems.items():
    best = best_cpu = float("inf")
    for _ in range(repeat):
        clear_cache()
        start, start_cpu = time.perf_counter(), time.process_time()
        for text in pages[kind].values():
            extract(text)
        best, best_cpu = min(best, time.perf_counter() - start), min(best_cpu, time.process_time() - start_cpu)
    out[name] = (len(ids) / best_cpu, len(ids) / best)
print(json.dumps(out))
"""


def measure(checkouts: list[Path], rounds: int, repeat: int, data: Path) -> dict[Path, dict[str, list[float]]]:
    """checkout -> system -> [best CPU pages/s, best wall pages/s] over ``rounds`` alternating rounds."""
    best: dict[Path, dict[str, list[float]]] = {c: {} for c in checkouts}
    for _ in range(rounds):
        for checkout in checkouts:
            child = subprocess.run([sys.executable, "-c", _CHILD, str(checkout), str(data), str(repeat)],
                                   capture_output=True, text=True, check=True)
            for name, (cpu, wall) in json.loads(child.stdout).items():
                old = best[checkout].setdefault(name, [0.0, 0.0])
                best[checkout][name] = [max(old[0], cpu), max(old[1], wall)]
    return best


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--against", type=Path, help="another checkout of searcher to time beside this one")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--repeat", type=int, default=3, help="timing passes per system in each child")
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    args = parser.parse_args(argv)
    checkouts = [REPO] + ([args.against.resolve()] if args.against else [])
    started = time.perf_counter()
    best = measure(checkouts, args.rounds, args.repeat, args.data)
    print(f"cleaner-dev pages/s, best of {args.rounds} rounds x {args.repeat} passes "
          f"({time.perf_counter() - started:.0f} s); cpu = process CPU time, wall = wall clock")
    names = list(best[REPO])
    print(f"{'checkout':<40} " + " ".join(f"{n + ' cpu':>22} {'wall':>6}" for n in names))
    for checkout in checkouts:
        print(f"{str(checkout):<40} " + " ".join(f"{best[checkout][n][0]:>22.1f} {best[checkout][n][1]:>6.1f}"
                                                  for n in names))
    return 0


if __name__ == "__main__":
    sys.exit(main())
