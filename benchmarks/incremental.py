"""How long `searcher index` takes after one seed is added to a large seeds folder.

Writes N text-capture seeds made from the Reuters corpus (../shared/data/news), builds the
index, adds one seed, and times the update, split into scanning (walking and hashing every
seed) and the indexing work beyond it (cleaning, writing, committing, the manifest).

    python benchmarks/incremental.py [--seeds 20000] [--keep DIR]
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import time
from pathlib import Path

from searcher import SearchIndex

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "news" / "reuters21578.jsonl"


def write_seeds(folder: Path, count: int, source: Path) -> int:
    """Write up to ``count`` seeds as text captures (headline, blank line, paragraphs)."""
    folder.mkdir(parents=True, exist_ok=True)
    written = 0
    with source.open(encoding="utf-8") as lines:
        for line in lines:
            record = json.loads(line)
            if not record.get("text"):
                continue
            (folder / f"{record['id']}.txt").write_text(f"{record.get('title') or 'Untitled'}\n\n{record['text']}\n")
            written += 1
            if written == count:
                break
    return written


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=20000)
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--keep", type=Path, help="work in this folder and keep it")
    args = parser.parse_args()
    work = args.keep or Path(tempfile.mkdtemp(prefix="searcher-incremental-"))
    seeds, index_dir = work / "seeds", work / "index"
    try:
        count = write_seeds(seeds, args.seeds, args.data)
        ix = SearchIndex(index_dir)
        started = time.perf_counter()
        build = ix.update(seeds)
        build_seconds = time.perf_counter() - started
        (seeds / "zz-new-seed.txt").write_text("A new headline about harbours\n\nTraffic at the harbour rose again.\n")
        started = time.perf_counter()
        one = ix.update(seeds)
        total = time.perf_counter() - started
        idle = ix.update(seeds)
        print(f"seeds: {count} (Reuters stories as text captures); full build {build_seconds:.1f} s "
              f"({len(build.added)} added, {len(build.failed)} failed)")
        print(f"update after adding 1 seed: {total:.3f} s wall = {one.scan_seconds:.3f} s scanning "
              f"+ {one.seconds - one.scan_seconds:.3f} s indexing work ({one.summary()})")
        print(f"update with nothing changed: {idle.seconds:.3f} s ({idle.summary()})")
        ix.close()
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
