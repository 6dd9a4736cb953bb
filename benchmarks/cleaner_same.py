"""Check that the cleaner's output is unchanged: dump it once, compare after every change.

usage: python benchmarks/cleaner_same.py dump OUT.json [--data DIR] [--gold DIR]
       python benchmarks/cleaner_same.py check REFERENCE.json [--data DIR] [--gold DIR]

The dump holds ``Document.as_dict()`` (kept text, title, sections, metadata, and every removed
line with its label and reason) of ``clean_text`` on every ``pages/<id>.txt`` of cleaner-dev
(with the line model and with the hand rules alone), of ``clean_html`` on every ``pages/<id>.html``
(trafilatura first stage and structure first stage), and of ``clean_file`` on the mission seed
(``shared/gold/*.txt``). Before 3061cd0 one page's ``clean_html`` removed lines changed with
Python's hash seed (consensus.TextIndex joined a set); now a dump is the same under any seed, so
the script no longer fixes one. A speed-up is only a speed-up when ``check`` prints "identical"
(exit 0); otherwise it names the first difference (exit 1).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(__file__).resolve().parents[2] / "shared"
sys.path.insert(0, str(REPO))

from searcher.cleaning.cleaner import clean_file, clean_html, clean_text  # noqa: E402
from searcher.cleaning.text_models import TextModels  # noqa: E402


def outputs(data: Path, gold: Path) -> dict[str, Any]:
    """Every page's cleaned Document as a dict, keyed by cleaner and page."""
    with open(data / "truth.jsonl", encoding="utf-8") as handle:
        ids = sorted(json.loads(line)["id"] for line in handle if line.strip())
    pages = data / "pages"
    out: dict[str, Any] = {}
    for i in ids:
        text = (pages / f"{i}.txt").read_text(encoding="utf-8")
        html = (pages / f"{i}.html").read_text(encoding="utf-8")
        out[f"clean_text/{i}"] = clean_text(text, i).as_dict()
        out[f"clean_text hand rules/{i}"] = clean_text(text, i, models=TextModels(line_model=False)).as_dict()
        out[f"clean_html/{i}"] = clean_html(html, i).as_dict()
        out[f"clean_html structure/{i}"] = clean_html(html, i, first_stage="structure").as_dict()
    for seed in sorted(gold.glob("*.txt")):
        doc = clean_file(seed).as_dict()
        doc["path"] = seed.name  # the dump compares across checkouts
        out[f"seed/{seed.name}"] = doc
    return out


def first_difference(a: Any, b: Any, where: str = "") -> str | None:
    if type(a) is not type(b):
        return f"{where}: {type(a).__name__} != {type(b).__name__}"
    if isinstance(a, dict):
        for key in sorted(set(a) | set(b)):
            if key not in a or key not in b:
                return f"{where}/{key}: only in {'the reference' if key in a else 'this run'}"
            found = first_difference(a[key], b[key], f"{where}/{key}")
            if found:
                return found
        return None
    if isinstance(a, list):
        for k, (x, y) in enumerate(zip(a, b)):
            found = first_difference(x, y, f"{where}[{k}]")
            if found:
                return found
        return None if len(a) == len(b) else f"{where}: {len(a)} items != {len(b)}"
    return None if a == b else f"{where}: {str(a)[:120]!r} != {str(b)[:120]!r}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("action", choices=("dump", "check"))
    parser.add_argument("file", type=Path)
    parser.add_argument("--data", type=Path, default=SHARED / "data" / "cleaner-dev")
    parser.add_argument("--gold", type=Path, default=SHARED / "gold")
    args = parser.parse_args(argv)
    if not (args.data / "truth.jsonl").exists():
        parser.error(f"no truth.jsonl in {args.data} (give --data)")
    now = outputs(args.data, args.gold)
    if args.action == "dump":
        args.file.write_text(json.dumps(now, ensure_ascii=False, indent=1, sort_keys=True), encoding="utf-8")
        print(f"{len(now)} documents written to {args.file}")
        return 0
    reference = json.loads(args.file.read_text(encoding="utf-8"))
    difference = first_difference(reference, json.loads(json.dumps(now, ensure_ascii=False)))
    if difference:
        print(f"different: {difference}")
        return 1
    print(f"identical: {len(now)} documents")
    return 0


if __name__ == "__main__":
    sys.exit(main())
