"""Near-duplicate folding (issue 15): what folds, what must not, and the signature chosen.

Usage::

    python benchmarks/duplicates.py                    # every section (about 3 minutes)
    python benchmarks/duplicates.py --only dev,reuters --queries 300

Sections (each prints its figures beside what they are measured against):

* ``shingles``: exact Jaccard similarity of word shingles (3, 4, 5 words) for the pairs
  that must fold and those that must not, at thresholds 0.6 to 0.9, with and without the
  minimum of ``MIN_SHINGLES`` shingles. Must fold: the 61 development pages of
  ``../shared/data/cleaner-dev`` cleaned from their text capture and from their HTML (the same
  article with different chrome). Must not: every pair of two different development
  articles, and Reuters-21578 pairs that share a template (exact Jaccard >= 0.3) but were
  filed four or more days apart (a re-sent story comes within a weekend) (different events told in the same words: "Bundesbank
  leaves credit policies unchanged", "Fed adds reserves via customer repurchases").
* ``signatures``: the same pairs scored by the estimates an index can store: the
  one-permutation MinHash of ``searcher/search/duplicates.py`` (64 bins) and a 64-bit SimHash
  of the same shingles; for each, the pairs that fold at the threshold where it keeps as many
  copies as exact Jaccard >= FOLD_AT does, and at its own usual setting.
* ``dev``: the 122 development documents in one index (``<id>.txt`` and ``<id>.html``);
  one query per article from the first 10 words of its human-marked body
  (``truth.jsonl``): is the article shown once with its copy folded in, and is any hit
  folded into a different article? Then every pair of the 122 documents is checked.
* ``reuters``: Reuters-21578 imported twice (the second time under ids ``copy-...``),
  queries of up to 4 headline words of random articles: top-10 pages holding an article
  and its copy, collapse on and off, and how many hits fold.

The query cost of folding at 1x and 4x is in ``benchmarks/scale.py`` (collapse on and off).
"""

from __future__ import annotations

import argparse
import itertools
import json
import random
import re
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from datetime import datetime
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from searcher import Document, SearchIndex, clean_file  # noqa: E402
from searcher.search import duplicates  # noqa: E402
from searcher.search.duplicates import (CONTAINED_AT, CONTAINED_FLOOR, FOLD_AT, MIN_SHINGLES,  # noqa: E402
                                        are_copies, shingle_hashes, signature_of, similarity)

SHARED = REPO.parent / "shared" / "data"
DEV = SHARED / "cleaner-dev"
REUTERS = SHARED / "news" / "reuters21578.jsonl"
THRESHOLDS = (0.5, 0.6, 0.7, 0.8, 0.9)
QUERY_WORDS = 10


# ---------------------------------------------------------------------------- data


def dev_documents() -> dict[str, tuple[Document, Document]]:
    """Each development page cleaned from its text capture and from its HTML."""
    pages = {}
    for txt in sorted((DEV / "pages").glob("*.txt")):
        html = txt.with_suffix(".html")
        if html.exists():
            pages[txt.stem] = (clean_file(txt, f"{txt.stem}.txt"), clean_file(html, f"{txt.stem}.html"))
    return pages


def reuters_records() -> list[dict]:
    return [json.loads(line) for line in REUTERS.open(encoding="utf-8")]


def reuters_date(record: dict) -> datetime | None:
    try:
        return datetime.strptime(record.get("date", "")[:20].strip(), "%d-%b-%Y %H:%M:%S")
    except ValueError:
        return None


def jaccard(a: set, b: set) -> float:
    return len(a & b) / len(a | b) if a or b else 0.0


def rule(a: set, b: set) -> bool:
    """The folding rule on exact sets: Jaccard >= FOLD_AT, or the shorter contained >= CONTAINED_AT
    at Jaccard >= CONTAINED_FLOOR."""
    j = jaccard(a, b)
    return j >= FOLD_AT or (j >= CONTAINED_FLOOR and len(a & b) / max(1, min(len(a), len(b))) >= CONTAINED_AT)


_TEMPLATED: dict[int, list[tuple[str, str]]] = {}


def templated_pairs(records: list[dict], words: int) -> list[tuple[str, str]]:
    """Reuters pairs with exact Jaccard >= 0.3 filed four or more days apart."""
    if words not in _TEMPLATED:
        _TEMPLATED[words] = _templated_pairs(records, words)
    return _TEMPLATED[words]


def _templated_pairs(records: list[dict], words: int) -> list[tuple[str, str]]:
    sets = {r["id"]: shingle_hashes(r.get("text") or "", words) for r in records}
    dates = {r["id"]: reuters_date(r) for r in records}
    postings: dict[int, list[str]] = defaultdict(list)
    for doc_id, hashes in sets.items():
        for h in hashes:
            postings[h].append(doc_id)
    shared: dict[tuple[str, str], int] = defaultdict(int)
    for ids in postings.values():
        if 1 < len(ids) <= 50:  # a shingle in more than 50 stories is boilerplate, not a template
            for pair in itertools.combinations(ids, 2):
                shared[pair] += 1
    pairs = []
    for (a, b), count in shared.items():
        if count >= 3 and jaccard(sets[a], sets[b]) >= 0.3 and dates[a] and dates[b] \
                and abs((dates[a] - dates[b]).days) >= 4:
            pairs.append((a, b))
    return pairs


# ---------------------------------------------------------------------------- sections


def section_shingles(dev: dict, records: list[dict]) -> dict:
    print("\n== shingles: exact Jaccard of word shingles (must fold / must not fold)")
    texts = {r["id"]: r.get("text") or "" for r in records}
    out = {}
    for words in (3, 4, 5):
        sets = {doc.doc_id: shingle_hashes(doc.body, words) for pair in dev.values() for doc in pair}
        copies = [(sets[t.doc_id], sets[h.doc_id]) for t, h in dev.values()]
        others = [(sets[a], sets[b]) for a, b in itertools.combinations(sets, 2) if a.split(".")[0] != b.split(".")[0]]
        pairs = templated_pairs(records, words)
        rsets = {i: shingle_hashes(texts[i], words) for pair in pairs for i in pair}
        templated = [(rsets[a], rsets[b]) for a, b in pairs]
        print(f"{words}-word shingles: {len(copies)} copy pairs, {len(others)} pairs of different dev articles, "
              f"{len(templated)} Reuters templated pairs")
        print(f"  {'threshold':>9} {'copies folded':>14} {'different folded':>17} {'templated folded':>17} "
              f"{'templated, >= min shingles':>27}")
        for t in THRESHOLDS:
            c = sum(jaccard(a, b) >= t for a, b in copies)
            o = sum(jaccard(a, b) >= t for a, b in others)
            tp = sum(jaccard(a, b) >= t for a, b in templated)
            tl = sum(jaccard(a, b) >= t and min(len(a), len(b)) >= MIN_SHINGLES for a, b in templated)
            print(f"  {t:>9.2f} {c:>8}/{len(copies):<5} {o:>17} {tp:>17} {tl:>27}")
            out[f"{words}:{t}"] = {"copies": c, "different": o, "templated": tp, "templated_long": tl}
        c = sum(rule(a, b) for a, b in copies)
        o = sum(rule(a, b) for a, b in others)
        tp = sum(rule(a, b) for a, b in templated)
        tl = sum(rule(a, b) and min(len(a), len(b)) >= MIN_SHINGLES for a, b in templated)
        print(f"  {'or contained':>9} {c:>8}/{len(copies):<5} {o:>17} {tp:>17} {tl:>27}   "
              f"(Jaccard >= {CONTAINED_FLOOR} and >= {CONTAINED_AT} of the shorter in the longer)")
        out[f"{words}:rule"] = {"copies": c, "different": o, "templated": tp, "templated_long": tl}
    return out


def simhash(hashes: set[int]) -> int:
    """Charikar's SimHash of a set of 64-bit shingle hashes (each shingle weighs 1)."""
    counts = [0] * 64
    for h in hashes:
        for bit in range(64):
            counts[bit] += 1 if h >> bit & 1 else -1
    return sum(1 << bit for bit, c in enumerate(counts) if c > 0)


def section_signatures(dev: dict, records: list[dict]) -> dict:
    print(f"\n== signatures: one-permutation MinHash (64 bins) vs 64-bit SimHash, "
          f"{duplicates.SHINGLE_WORDS}-word shingles, bodies of >= {MIN_SHINGLES} shingles")
    texts = {r["id"]: r.get("text") or "" for r in records}
    bodies = {doc.doc_id: doc.body for pair in dev.values() for doc in pair}
    copies = [(t.doc_id, h.doc_id) for t, h in dev.values()]
    others = [(a, b) for a, b in itertools.combinations(bodies, 2) if a.split(".")[0] != b.split(".")[0]]
    templated = templated_pairs(records, duplicates.SHINGLE_WORDS)
    bodies.update({i: texts[i] for pair in templated for i in pair})
    sets = {k: shingle_hashes(v) for k, v in bodies.items()}
    sigs = {k: signature_of(v) for k, v in bodies.items()}
    sims = {k: simhash(v) for k, v in sets.items()}
    long_enough = {k for k, v in sets.items() if len(v) >= MIN_SHINGLES}
    groups = {"copies": copies, "different": others, "templated": templated}
    groups = {name: [(a, b) for a, b in pairs if a in long_enough and b in long_enough] for name, pairs in groups.items()}
    scores = {
        "exact Jaccard": lambda a, b: jaccard(sets[a], sets[b]),
        "MinHash estimate": lambda a, b: similarity(sigs[a], sigs[b]),
        "SimHash 1 - d/64": lambda a, b: 1 - bin(sims[a] ^ sims[b]).count("1") / 64,
    }
    table = {name: {g: sorted((score(a, b) for a, b in pairs), reverse=True) for g, pairs in groups.items()}
             for name, score in scores.items()}
    target = sum(s >= FOLD_AT for s in table["exact Jaccard"]["copies"])
    print(f"pairs: {', '.join(f'{len(p)} {g}' for g, p in groups.items())}; exact Jaccard >= {FOLD_AT} folds "
          f"{target} copies")
    out: dict = {}

    def report(label: str, name: str, threshold: float) -> None:
        counts = {g: sum(s >= threshold for s in v) for g, v in table[name].items()}
        print(f"  {label:<44} copies {counts['copies']:>2}/{len(groups['copies'])}, "
              f"different {counts['different']}, templated {counts['templated']}/{len(groups['templated'])}")
        out[label] = counts

    for name in scores:
        copies_sorted = table[name]["copies"]
        # the threshold at which this score keeps as many copies as exact Jaccard >= FOLD_AT
        threshold = copies_sorted[target - 1] if target else 1.0
        report(f"{name} at {threshold:.3f} (same copies)", name, threshold)
    report(f"MinHash estimate at FOLD_AT {FOLD_AT}", "MinHash estimate", FOLD_AT)
    shipped = {g: sum(are_copies(sigs[a], sigs[b]) for a, b in pairs) for g, pairs in groups.items()}
    print(f"  {'shipped rule (are_copies: or contained)':<44} copies {shipped['copies']:>2}/{len(groups['copies'])}, "
          f"different {shipped['different']}, templated {shipped['templated']}/{len(groups['templated'])}")
    out["shipped"] = shipped
    for bits in (3, 6, 10):
        report(f"SimHash at Hamming distance <= {bits}", "SimHash 1 - d/64", 1 - bits / 64)
    hard = groups["copies"] + groups["templated"]
    errors = [abs(similarity(sigs[a], sigs[b]) - jaccard(sets[a], sets[b])) for a, b in hard]
    print(f"  MinHash estimate vs exact Jaccard over the copy and templated pairs: mean absolute error "
          f"{statistics.mean(errors):.3f}, max {max(errors):.3f}")
    sample = [texts[r["id"]] for r in records[:2000]]
    started = time.process_time()
    for text in sample:
        signature_of(text)
    minhash_ms = (time.process_time() - started) / len(sample) * 1000
    started = time.process_time()
    for text in sample:
        simhash(shingle_hashes(text))
    simhash_ms = (time.process_time() - started) / len(sample) * 1000
    print(f"  CPU per Reuters article (pure Python, first 2,000): MinHash {minhash_ms:.3f} ms, "
          f"SimHash {simhash_ms:.3f} ms")
    out["ms_per_doc"] = {"minhash": minhash_ms, "simhash": simhash_ms}
    return out


def section_dev(dev: dict, workdir: Path) -> dict:
    print("\n== dev: the 61 development articles indexed twice (text capture and HTML)")
    truth = {}
    for line in (DEV / "truth.jsonl").open(encoding="utf-8"):
        record = json.loads(line)
        truth[record["id"]] = record["article_body"]
    counts = dict.fromkeys(("once with its copy folded in", "both copies shown", "one shown, copy not in the top 10",
                            "not in the top 10"), 0)
    wrong_folds = 0
    misses = []
    with SearchIndex(workdir / "dev") as ix:
        ix.add([doc for pair in dev.values() for doc in pair])
        for page_id in dev:
            words = " ".join(re.findall(r"\w+", truth.get(page_id, ""))[:QUERY_WORDS])
            if not words:
                continue
            hits = list(ix.search(words, limit=10, syntax=False, fragments=0))
            mine = [h for h in hits if h.doc_id.split(".")[0] == page_id]
            for h in hits:
                wrong_folds += sum(d.split(".")[0] != h.doc_id.split(".")[0] for d in h.duplicates)
            if len(mine) == 2:
                counts["both copies shown"] += 1
                misses.append(page_id[:8])
            elif len(mine) == 1:
                key = "once with its copy folded in" if mine[0].duplicates else "one shown, copy not in the top 10"
                counts[key] += 1
                if not mine[0].duplicates:
                    misses.append(page_id[:8])
            else:
                counts["not in the top 10"] += 1
    for key, value in counts.items():
        print(f"  {key:<36} {value:>3} of {len(dev)}")
    print(f"  hits folded into a different article: {wrong_folds} (must be 0)")
    sigs = {doc.doc_id: signature_of(doc.body) for pair in dev.values() for doc in pair}
    pairs_folding = [(a, b) for a, b in itertools.combinations(sigs, 2) if are_copies(sigs[a], sigs[b])]
    same = sum(a.split(".")[0] == b.split(".")[0] for a, b in pairs_folding)
    print(f"  all {len(sigs)} documents pairwise: {same} of {len(dev)} copy pairs fold, "
          f"{len(pairs_folding) - same} pairs of different articles fold (must be 0)")
    if misses:
        print(f"  not folded: {', '.join(misses)}")
    return {**counts, "wrong_folds": wrong_folds, "pairs_copies": same, "pairs_different": len(pairs_folding) - same}


def section_reuters(records: list[dict], workdir: Path, n_queries: int) -> dict:
    print(f"\n== reuters: Reuters-21578 twice (ids 'copy-...' for the second), {n_queries} queries")
    docs = [r for r in records if (r.get("text") or "").strip()]

    def as_doc(r: dict, prefix: str = "") -> Document:
        return Document(prefix + r["id"], title=r.get("title") or "", body=r.get("text") or "")

    started = time.perf_counter()
    with SearchIndex(workdir / "reuters") as ix:
        ix.add(itertools.chain((as_doc(r) for r in docs), (as_doc(r, "copy-") for r in docs)))
        print(f"  indexed {2 * len(docs)} documents in {time.perf_counter() - started:.1f} s")
        rng = random.Random(15)
        stop = {"a", "an", "and", "the", "of", "to", "in", "on", "for", "at", "by", "vs", "said", "says"}
        queries = []
        for r in rng.sample(docs, n_queries):
            words = [w for w in re.findall(r"[a-z]+", (r.get("title") or "").lower()) if w not in stop][:4]
            if words:
                queries.append(" ".join(words))
        out = {}
        for collapse in (True, False):
            with_pairs = folded = 0
            times = []
            for q in queries:
                t0 = time.perf_counter()
                results = ix.search(q, limit=10, syntax=False, fragments=0, collapse=collapse)
                times.append(time.perf_counter() - t0)
                originals = [h.doc_id.removeprefix("copy-") for h in results]
                with_pairs += len(originals) != len(set(originals))
                folded += sum(len(h.duplicates) for h in results)
            label = "collapse on " if collapse else "collapse off"
            print(f"  {label}: top-10 pages holding an article and its copy: {with_pairs} of {len(queries)}; "
                  f"copies folded into shown hits: {folded}; query median {statistics.median(times) * 1000:.1f} ms")
            out["on" if collapse else "off"] = {"pages_with_copies": with_pairs, "folded": folded,
                                                "queries": len(queries), "median_ms": statistics.median(times) * 1000}
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", default="shingles,signatures,dev,reuters")
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--json", help="also write the figures to this file")
    args = parser.parse_args()
    only = set(args.only.split(","))
    if not DEV.is_dir() or not REUTERS.exists():
        sys.exit(f"needs {DEV} and {REUTERS}")
    print(f"FOLD_AT {FOLD_AT}, MIN_SHINGLES {MIN_SHINGLES}, SHINGLE_WORDS {duplicates.SHINGLE_WORDS}, "
          f"SKETCH_SIZE {duplicates.SKETCH_SIZE}")
    dev = dev_documents()
    records = reuters_records()
    figures = {}
    with tempfile.TemporaryDirectory() as tmp:
        if "shingles" in only:
            figures["shingles"] = section_shingles(dev, records)
        if "signatures" in only:
            figures["signatures"] = section_signatures(dev, records)
        if "dev" in only:
            figures["dev"] = section_dev(dev, Path(tmp))
        if "reuters" in only:
            figures["reuters"] = section_reuters(records, Path(tmp), args.queries)
    if args.json:
        Path(args.json).write_text(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
