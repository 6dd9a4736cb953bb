"""Ranking quality of searcher on the classic test collections, beside two references.

Prints, per collection in ``shared/data/ir`` (TIME, CISI, Cranfield): nDCG@10, MAP@100
(AP@100) and P@10 of

* ``searcher``   - SearchIndex.add + SearchIndex.search(syntax=False, limit=100, no snippets),
* ``fts5``       - SQLite FTS5 bm25 (stdlib sqlite3, porter tokenizer, title+text, words OR-ed),
* ``whoosh``     - plain Whoosh: default BM25F over title+text, query words in an OR group,

all run in this process on the same data, plus the median and p95 latency of our queries.
This is a script that prints figures, not a test::

    python benchmarks/relevance.py                      # every collection
    python benchmarks/relevance.py --only cisi -v       # one collection, per-query lines
    python benchmarks/relevance.py --set FEEDBACK_DOCS=10 --set K1=1.4   # try a setting

``--index URL`` also builds each collection on an OpenSearch cluster (``http://host:9200``
or ``http://host:9200/prefix``: the index is ``prefix-<collection>``, deleted afterwards)
and prints its rows (``opensearch``) beside the Whoosh engine's, with the difference::

    python benchmarks/relevance.py --index http://127.0.0.1:9200 --no-refs

``--set NAME=VALUE`` changes a field of the ranking settings for this run (any case:
``K1``, ``TITLE_WEIGHT``, ``feedback_docs``; see ``searcher/search/settings.py``), for word
and structured queries alike. For ablations ``--variant`` runs several settings over the
same index, e.g. ``--variant base: --variant noprox:PROXIMITY_WEIGHT=0``.
Needs the ``bench`` extra (``pip install -e '.[bench]'``: ir-measures).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import re
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

DEFAULT_DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "ir"
COLLECTIONS = ("time", "cisi", "cranfield")
DEPTH = 100
_WORD = re.compile(r"\w+")


def load(folder: Path) -> tuple[list[dict], list[dict], list[tuple[str, str, int]]]:
    """(corpus, queries, qrels) of one collection folder."""
    corpus = [json.loads(line) for line in (folder / "corpus.jsonl").open(encoding="utf-8") if line.strip()]
    queries = [json.loads(line) for line in (folder / "queries.jsonl").open(encoding="utf-8") if line.strip()]
    qrels = []
    for line in (folder / "qrels.tsv").open(encoding="utf-8"):
        parts = line.split()
        if len(parts) >= 3 and parts[2].lstrip("-").isdigit():
            qrels.append((parts[0], parts[1], int(parts[2])))
    return corpus, queries, qrels


def evaluate(run: dict[str, dict[str, float]], qrels: list[tuple[str, str, int]]) -> dict[str, float]:
    """Mean nDCG@10, AP@100 and P@10 over the judged queries (a query with no hits scores 0)."""
    import ir_measures
    from ir_measures import AP, P, nDCG

    measures = [nDCG @ 10, AP @ 100, P @ 10]
    qrel_objs = [ir_measures.Qrel(q, d, g) for q, d, g in qrels]
    run_objs = [ir_measures.ScoredDoc(q, d, s) for q, docs in run.items() for d, s in docs.items()]
    judged = {q for q, _, _ in qrels}
    per_query: dict[str, dict[str, float]] = {q: {} for q in judged}
    for m in ir_measures.iter_calc(measures, qrel_objs, run_objs):
        per_query.setdefault(m.query_id, {})[str(m.measure)] = m.value
    # Average over every judged query, counting a query with no hits as 0 (ir-measures skips it).
    return {str(m): sum(v.get(str(m), 0.0) for v in per_query.values()) / max(len(judged), 1) for m in measures}


def ranked(doc_ids: list[str]) -> dict[str, float]:
    """Scores that keep our order (rank-derived, so ties or tiers never reorder)."""
    return {d: float(len(doc_ids) - i) for i, d in enumerate(doc_ids)}


# ------------------------------------------------------------------------------ ours

def build_ours(corpus: list[dict], folder: Path):
    from searcher import Document, SearchIndex

    ix = SearchIndex(folder / "ix")
    started = time.perf_counter()
    ix.add([Document(doc_id=str(d["id"]), title=d.get("title") or "", body=d.get("text") or "") for d in corpus])
    return ix, time.perf_counter() - started


def open_ours(path: Path, settings):
    """The built index opened with these ranking settings."""
    from searcher import SearchIndex

    return SearchIndex(path, settings=settings)


def run_ours(ix, queries: list[dict]) -> tuple[dict[str, dict[str, float]], list[float]]:
    run, latencies = {}, []
    ix.search("warm up", limit=DEPTH, syntax=False, fragments=0)
    for q in queries:
        started = time.perf_counter()
        results = ix.search(q["text"], limit=DEPTH, syntax=False, fragments=0)
        latencies.append(time.perf_counter() - started)
        run[str(q["id"])] = ranked([hit.doc_id for hit in results])
    return run, latencies


def cluster_location(url: str, collection: str) -> str:
    """The index for one collection on a cluster: ``<url>/<prefix>-<collection>``."""
    from urllib.parse import urlsplit

    path = urlsplit(url).path.strip("/")
    base = url.rstrip("/")
    if path:
        return f"{base}-{collection}"
    return f"{base}/searcher-relevance-{collection}"


def run_cluster(url: str, name: str, corpus: list[dict], queries: list[dict], qrels, settings,
                whoosh_ndcg: float) -> None:
    """The same collection indexed on an OpenSearch cluster, searched the same way: its rows."""
    from searcher import Document, SearchIndex

    location = cluster_location(url, name)
    ix = SearchIndex(location, settings=settings)
    try:
        docs = [Document(doc_id=str(d["id"]), title=d.get("title") or "", body=d.get("text") or "") for d in corpus]
        ix.add(docs)
        for label, pairs in (("opensearch", []), ("opensearch --no-expand", ["FEEDBACK=false"])):
            variant = SearchIndex(location, settings=apply_settings(pairs, settings))
            run, lat = run_ours(variant, queries)
            variant.close()
            scores = evaluate(run, qrels)
            lat_ms = sorted(x * 1000 for x in lat)
            p95 = lat_ms[min(len(lat_ms) - 1, int(0.95 * len(lat_ms)))]
            diff = f"  ({scores['nDCG@10'] - whoosh_ndcg:+.3f} vs searcher)" if label == "opensearch" else ""
            print(f"{name:10} {label:20} {scores['nDCG@10']:8.3f} {scores['AP@100']:8.3f} {scores['P@10']:6.3f} "
                  f"{statistics.median(lat_ms):10.1f} {p95:7.1f}{diff}", flush=True)
    finally:
        alias = location.rsplit("/", 1)[1]
        ix.engine.client.indices.delete(index=f"{alias}--*", ignore_unavailable=True, allow_no_indices=True)
        ix.close()


# ------------------------------------------------------------------------------ references

def run_fts5(corpus: list[dict], queries: list[dict]) -> dict[str, dict[str, float]]:
    """SQLite FTS5 with the porter tokenizer, title+text, query words OR-ed, ranked by bm25."""
    db = sqlite3.connect(":memory:")
    db.execute("CREATE VIRTUAL TABLE docs USING fts5(id UNINDEXED, title, text, tokenize='porter unicode61')")
    db.executemany("INSERT INTO docs VALUES (?, ?, ?)", [(str(d["id"]), d.get("title") or "", d.get("text") or "") for d in corpus])
    run = {}
    for q in queries:
        words = _WORD.findall(q["text"].lower())
        if not words:
            run[str(q["id"])] = {}
            continue
        match = " OR ".join(f'"{w}"' for w in words)
        rows = db.execute("SELECT id FROM docs WHERE docs MATCH ? ORDER BY bm25(docs) LIMIT ?", (match, DEPTH)).fetchall()
        run[str(q["id"])] = ranked([r[0] for r in rows])
    db.close()
    return run


def run_whoosh_defaults(corpus: list[dict], queries: list[dict]) -> dict[str, dict[str, float]]:
    """Plain Whoosh: default analyzer, default BM25F over title+text, words in an OR group."""
    from whoosh import fields, qparser
    from whoosh.filedb.filestore import RamStorage

    schema = fields.Schema(id=fields.ID(stored=True), title=fields.TEXT, text=fields.TEXT)
    ix = RamStorage().create_index(schema)
    writer = ix.writer()
    for d in corpus:
        writer.add_document(id=str(d["id"]), title=d.get("title") or "", text=d.get("text") or "")
    writer.commit()
    parser = qparser.QueryParser(None, schema, plugins=[qparser.MultifieldPlugin(["title", "text"])],
                                 group=qparser.OrGroup)
    run = {}
    with ix.searcher() as s:
        for q in queries:
            parsed = parser.parse(" ".join(_WORD.findall(q["text"])))
            run[str(q["id"])] = ranked([hit["id"] for hit in s.search(parsed, limit=DEPTH)])
    return run


# ------------------------------------------------------------------------------ main

def apply_settings(pairs: list[str], base=None):
    """RankingSettings: ``base`` (default: the defaults) with NAME=VALUE strings applied."""
    from searcher.search.settings import DEFAULT_SETTINGS

    settings = DEFAULT_SETTINGS if base is None else base
    known = {f.name for f in dataclasses.fields(settings)}
    changes: dict[str, object] = {}
    for pair in pairs:
        if not pair:
            continue
        name, _, value = pair.partition("=")
        name = name.strip().lower()
        if name not in known:
            raise SystemExit(f"the ranking settings have no {name.upper()}: use one of {', '.join(sorted(known))}")
        old = getattr(settings, name)
        changes[name] = type(old)(json.loads(value)) if not isinstance(old, bool) else value.lower() in ("1", "true", "yes")
    return dataclasses.replace(settings, **changes)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA, help="folder holding the collections")
    ap.add_argument("--only", action="append", help="run only this collection (repeatable)")
    ap.add_argument("--set", action="append", default=[], metavar="NAME=VALUE", help="change a ranking setting (searcher/search/settings.py)")
    ap.add_argument("--variant", action="append", default=[], metavar="LABEL:NAME=VALUE,...",
                    help="also run these settings over the same index (ablation)")
    ap.add_argument("--no-refs", action="store_true", help="skip the FTS5 and plain-Whoosh references")
    ap.add_argument("-v", "--verbose", action="store_true", help="per-query nDCG@10 of ours")
    ap.add_argument("--index", metavar="URL", help="also run on an OpenSearch cluster (http://host:9200[/prefix])")
    args = ap.parse_args(argv)
    if not args.data.is_dir():
        raise SystemExit(f"no collections at {args.data}: pass --data")
    base = apply_settings(args.set)
    names = args.only or [n for n in COLLECTIONS if (args.data / n).is_dir()]
    header = f"{'collection':10} {'system':20} {'nDCG@10':>8} {'MAP@100':>8} {'P@10':>6} {'median ms':>10} {'p95 ms':>7}"
    print(header)
    print("-" * len(header))
    for name in names:
        corpus, queries, qrels = load(args.data / name)
        with tempfile.TemporaryDirectory(prefix=f"relevance-{name}-") as tmp:
            ix, _ = build_ours(corpus, Path(tmp))
            ix.close()
            whoosh_ndcg = 0.0
            variants = [("searcher", []), ("searcher --no-expand", ["FEEDBACK=false"])] + [
                (label, [p for p in spec.split(",") if p]) for label, _, spec in (v.partition(":") for v in args.variant)
            ]
            for label, pairs in variants:
                with open_ours(ix.path, apply_settings(pairs, base)) as variant:
                    run, lat = run_ours(variant, queries)
                scores = evaluate(run, qrels)
                lat_ms = sorted(x * 1000 for x in lat)
                p95 = lat_ms[min(len(lat_ms) - 1, int(0.95 * len(lat_ms)))]
                print(f"{name:10} {label:20} {scores['nDCG@10']:8.3f} {scores['AP@100']:8.3f} {scores['P@10']:6.3f} "
                      f"{statistics.median(lat_ms):10.1f} {p95:7.1f}", flush=True)
                whoosh_ndcg = whoosh_ndcg if label != "searcher" else scores["nDCG@10"]
        if args.index:
            run_cluster(args.index, name, corpus, queries, qrels, base, whoosh_ndcg)
        if not args.no_refs:
            for label, fn in (("fts5", run_fts5), ("whoosh-defaults", run_whoosh_defaults)):
                scores = evaluate(fn(corpus, queries), qrels)
                print(f"{name:10} {label:20} {scores['nDCG@10']:8.3f} {scores['AP@100']:8.3f} {scores['P@10']:6.3f}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
