"""How often the word rule splits a glued sentence end, and what it splits, on real text.

core/words.py splits a word at a period between two lower-case letters and an upper-case
letter ("disabilities.A" -> "disabilities", "A"). Per source this prints how many words of
the rule before it (``\\w+(?:\\.\\w+)*``) it splits, and random examples in their context,
so that false splits (a name, a domain, an identifier) can be seen. A script that prints
figures, not a test::

    python benchmarks/glued_words.py                       # Reuters, BBC, the cleaner dev set
    python benchmarks/glued_words.py --examples 30 --seed 26
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
from pathlib import Path

from searcher.core.words import WORD_RE

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"
#: The word pattern before the rule: every inner period kept.
OLD_WORD = re.compile(r"\w+(?:\.\w+)*")


def sources(shared: Path) -> dict[str, list[str]]:
    """Texts per source: the news corpora's title and text, the cleaner dev set's page captures."""
    out: dict[str, list[str]] = {}
    for name in ("reuters21578", "bbc"):
        path = shared / "news" / f"{name}.jsonl"
        if path.is_file():
            records = [json.loads(line) for line in path.open(encoding="utf-8") if line.strip()]
            out[name] = [f"{r.get('title') or ''}\n{r.get('text') or ''}" for r in records]
    pages = shared / "cleaner-dev" / "pages"
    if pages.is_dir():
        out["cleaner-dev captures"] = [p.read_text(encoding="utf-8") for p in sorted(pages.glob("*.txt"))]
    for folder in sorted((shared / "ir").glob("*/corpus.jsonl")):
        records = [json.loads(line) for line in folder.open(encoding="utf-8") if line.strip()]
        out[f"ir/{folder.parent.name}"] = [f"{r.get('title') or ''}\n{r.get('text') or ''}" for r in records]
    return out


def splits(texts: list[str]) -> tuple[int, list[tuple[str, str]]]:
    """(words before the rule, [(a word the rule splits, its context)])."""
    words, found = 0, []
    for text in texts:
        for match in OLD_WORD.finditer(text):
            words += 1
            if "." in match.group() and len(WORD_RE.findall(match.group())) > 1:
                start, end = match.span()
                context = text[max(0, start - 25):end + 25].replace("\n", " ")
                found.append((match.group(), context))
    return words, found


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", type=Path, default=SHARED, help="the shared data folder")
    ap.add_argument("--examples", type=int, default=15, help="random examples per source")
    ap.add_argument("--seed", type=int, default=26)
    args = ap.parse_args(argv)
    rng = random.Random(args.seed)
    print(f"{'source':22} {'texts':>6} {'words':>10} {'split':>7} {'per 10k':>8}")
    samples = {}
    for name, texts in sources(args.data).items():
        words, found = splits(texts)
        print(f"{name:22} {len(texts):6} {words:10} {len(found):7} {10_000 * len(found) / max(words, 1):8.2f}")
        samples[name] = rng.sample(found, min(args.examples, len(found)))
    for name, chosen in samples.items():
        if chosen:
            print(f"\n{name}: {len(chosen)} random splits")
            for word, context in chosen:
                print(f"  {word:28} ...{context}...")
    return 0


if __name__ == "__main__":
    sys.exit(main())
