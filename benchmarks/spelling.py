"""Did-you-mean on typed mistakes: how often the suggestion is the word the user meant.

Usage::

    python benchmarks/spelling.py --index DIR                # a Whoosh index of Reuters
    python benchmarks/spelling.py --index http://127.0.0.1:9200/reuters --build   # a cluster

Words people search for are taken from Reuters-21578's headlines (letters only, at least five
of them, in at least 20 articles); each gets one random typing slip, drawn evenly from the
four kinds (a letter left out, one added, one replaced, two neighbours swapped), seeded. A slip
that is itself a word of the index (the query finds articles) is drawn again. Each slip is
searched as a one-word query; the suggestion is **right** when it is the word meant or another
form of it (the same stem), **wrong** when it is another word, **none** when there is none.
``--build`` imports Reuters into the index first (a cluster index named in ``--index``).
"""

from __future__ import annotations

import argparse
import os
import random
import re
import string
import sys
import time
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from searcher import SearchIndex  # noqa: E402
from searcher.engines.opensearch.porter import stem  # noqa: E402  (Porter, as both engines stem)
from searcher import read_jsonl  # noqa: E402

CORPUS = HERE.parent.parent / "shared" / "data" / "news" / "reuters21578.jsonl"
KINDS = ("delete", "insert", "replace", "swap")


def slip(word: str, kind: str, rnd: random.Random) -> str:
    """``word`` with one typing slip of ``kind``."""
    i = rnd.randrange(len(word))
    letter = rnd.choice(string.ascii_lowercase)
    if kind == "delete":
        return word[:i] + word[i + 1:]
    if kind == "insert":
        return word[:i] + letter + word[i:]
    if kind == "replace":
        return word[:i] + (letter if letter != word[i] else "z" if word[i] != "z" else "q") + word[i + 1:]
    i = min(i, len(word) - 2)
    return word[:i] + word[i + 1] + word[i] + word[i + 2:]


def headline_words(path: Path) -> Counter[str]:
    """Each headline word (lower case, letters only, 5 or more) and the articles whose headline has it."""
    counts: Counter[str] = Counter()
    for doc in read_jsonl(path, skipped=[]):
        counts.update({w for w in re.findall(r"[a-z]+", doc.title.lower()) if len(w) >= 5})
    return counts


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--index", required=True, help="a Whoosh index folder or a cluster index URL, of Reuters")
    parser.add_argument("--build", action="store_true", help="import Reuters into --index first")
    parser.add_argument("--words", type=int, default=400, help="slips to search (default 400)")
    parser.add_argument("--seed", type=int, default=21)
    args = parser.parse_args()

    ix = SearchIndex(args.index)
    if args.build:
        ix.add(read_jsonl(CORPUS, skipped=[]))
    rnd = random.Random(args.seed)
    common = sorted(w for w, n in headline_words(CORPUS).items() if n >= 20)
    outcome: Counter[tuple[str, str]] = Counter()
    wrong: list[str] = []
    spent: list[float] = []
    tried = 0
    while tried < args.words:
        word, kind = rnd.choice(common), KINDS[tried % len(KINDS)]
        typo = slip(word, kind, rnd)
        started = time.perf_counter()
        found = ix.search(typo, limit=1, fragments=0)
        spent.append(time.perf_counter() - started)
        if found.total:
            continue  # the slip is a word of the index: nothing to correct
        tried += 1
        got = (found.suggestion or "").lower()
        verdict = "none" if not got else "right" if got == word or stem(got) == stem(word) else "wrong"
        outcome[kind, verdict] += 1
        if verdict == "wrong" and len(wrong) < 12:
            wrong.append(f"{typo} -> {got} (meant {word})")
    ix.close()
    print(f"# did-you-mean on {tried} typing slips of Reuters headline words; index {args.index}; "
          f"load {os.getloadavg()[0]:.1f}; median search {sorted(spent)[len(spent) // 2] * 1000:.1f} ms")
    print("| slip | right | wrong | none |\n|---|---:|---:|---:|")
    for kind in (*KINDS, "all"):
        row = {v: sum(n for (k, v2), n in outcome.items() if v2 == v and kind in (k, "all"))
               for v in ("right", "wrong", "none")}
        total = sum(row.values()) or 1
        print(f"| {kind} | " + " | ".join(f"{row[v] / total:.1%}" for v in ("right", "wrong", "none")) + " |")
    print("wrong, for instance:", "; ".join(wrong))
    return 0


if __name__ == "__main__":
    sys.exit(main())
