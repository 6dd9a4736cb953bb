"""Ranking quality of searcher on the classic test collections, beside stock engines.

Per collection in ``shared/data/ir`` (TIME, CISI, Cranfield), in one run:

* the stock engines: ``fts5`` (SQLite FTS5 bm25, porter tokenizer, title+text, words
  OR-ed), ``whoosh`` (plain Whoosh: default BM25F over title+text, words in an OR group),
  ``rank_bm25`` (BM25Okapi over lower-cased title+text words, if rank-bm25 is installed);
* ``ours``: SearchIndex.search(syntax=False, limit=100, no snippets) with the shipped
  RankingSettings (and the median and p95 latency of its queries);
* ``tuned``: the best setting of a small grid (GRID) on that collection itself, an
  optimistic figure;
* ``leave-one-out``: the grid setting chosen on the other collections (the one whose
  smallest margin over their best stock engine is largest: what holds everywhere), scored
  on this one: the honest figure for a collection the settings never saw;
* an ablation table: nDCG@10 of the shipped settings with one thing changed (feedback,
  its depth and weight, the all-words tier, proximity, field weights, k1/b, and the
  index-time stop list and stemming), per collection.

Indexes are built once per collection and analysis and cached (``--cache``); every
query-time setting reopens the same index. A script that prints figures, not a test::

    python benchmarks/relevance.py                      # everything (a few minutes)
    python benchmarks/relevance.py --quick              # stock engines and ours only
    python benchmarks/relevance.py --only cisi --set FEEDBACK_DOCS=10 --set K1=1.4

``--index URL`` also builds each collection on an OpenSearch cluster (``http://host:9200``
or ``http://host:9200/prefix``: the index is ``prefix-<collection>``, deleted afterwards)
and prints its rows (``opensearch``) beside the Whoosh engine's, with the difference::

    python benchmarks/relevance.py --index http://127.0.0.1:9200 --no-refs

``--mode hybrid`` (needs the ``semantic`` extra and fetched models) indexes each collection with
each model as a user would (``SearchIndex(model=...).add``, cached in ``--cache``) and scores
keyword-only (ours, on the index without a model), semantic-only and hybrid
(``SearchIndex.search(mode=...)``), with the CPU time per query of each; the mix of the two top
100s (:mod:`searcher.search.fusion`) at every weight of WEIGHTS, and the weight chosen by
leave-one-collection-out::

    python benchmarks/relevance.py --mode hybrid --no-refs                 # every fetched model
    python benchmarks/relevance.py --mode hybrid --model ~/.cache/searcher/models/bge-small-en-v1.5

``--glue-sentences SHARE`` also scores a copy of each collection whose documents lost the space
after that share of their sentence ends (a period after a word character, white space, then an
upper-case letter: "disabilities. A line" -> "disabilities.A line", as scraped text has it; chosen
at random with a fixed seed, so every run glues the same ones), in rows ``ours, glued``::

    python benchmarks/relevance.py --quick --no-refs --glue-sentences 0.5

``--set NAME=VALUE`` changes a field of the ranking settings for the whole run (any case:
``K1``, ``TITLE_WEIGHT``, ``feedback_docs``; see ``searcher/search/settings.py``);
``--variant LABEL:NAME=VALUE,...`` adds a row to the ablation.
Needs the ``bench`` extra (``pip install -e '.[bench]'``: ir-measures, rank-bm25).
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import hashlib
import itertools
import json
import os
import random
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
DEFAULT_CACHE = Path(tempfile.gettempdir()) / "searcher-relevance"

#: Semantic shares of the hybrid mix tried (--mode hybrid); 0 is keyword-only, 1 semantic-only.
WEIGHTS = tuple(round(0.1 * i, 1) for i in range(11))
#: Reciprocal rank fusion's constant (the usual 60), a reference row beside the linear mix.
RRF_K = 60

#: The tuning grid: every combination is scored on every collection (query-time knobs only).
GRID: dict[str, tuple] = {
    "all_words_first": (True, False),
    "feedback_original": (0.65, 0.75, 0.85),
    "feedback_full_spread": (0.0, 0.2),
    "phrase_weight": (0.0, 0.1),
}

#: The ablation rows: (label, query-time changes to the shipped settings, index analysis).
ABLATION: list[tuple[str, list[str], str]] = [
    ("feedback off", ["FEEDBACK=false"], "default"),
    ("feedback 5 docs", ["FEEDBACK_DOCS=5"], "default"),
    ("feedback 20 docs", ["FEEDBACK_DOCS=20"], "default"),
    ("feedback 10 words", ["FEEDBACK_TERMS=10"], "default"),
    ("feedback 40 words", ["FEEDBACK_TERMS=40"], "default"),
    ("feedback weight 0.35", ["FEEDBACK_ORIGINAL=0.65"], "default"),
    ("feedback weight 0.15", ["FEEDBACK_ORIGINAL=0.85"], "default"),
    ("feedback re-rank 50", ["FEEDBACK_DEPTH=50"], "default"),
    ("feedback re-rank 100", ["FEEDBACK_DEPTH=100"], "default"),
    ("feedback by length 10", ["FEEDBACK_FULL_WORDS=10"], "default"),
    ("feedback by spread off", ["FEEDBACK_FULL_SPREAD=0"], "default"),
    ("feedback by spread 0.3", ["FEEDBACK_FULL_SPREAD=0.3"], "default"),
    ("all-words tier off", ["ALL_WORDS_FIRST=false"], "default"),
    ("all-words tier any length", ["ALL_WORDS_MAX=0"], "default"),
    ("all-words tier to 8 words", ["ALL_WORDS_MAX=8"], "default"),
    ("proximity 0.1", ["PROXIMITY_WEIGHT=0.1"], "default"),
    ("phrase pairs 0.1", ["PHRASE_WEIGHT=0.1"], "default"),
    ("phrase pairs 0.25", ["PHRASE_WEIGHT=0.25"], "default"),
    ("title weight 1", ["TITLE_WEIGHT=1"], "default"),
    ("title weight 3", ["TITLE_WEIGHT=3"], "default"),
    ("k1 1.2", ["K1=1.2"], "default"),
    ("k1 1.8", ["K1=1.8"], "default"),
    ("b 0.6", ["B=0.6"], "default"),
    ("b 0.9", ["B=0.9"], "default"),
    ("title b 0.75", ["TITLE_B=0.75"], "default"),
    ("short stop list", [], "short-stops"),
    ("no stop list", [], "no-stops"),
    ("no stemming", [], "no-stemming"),
]
_WORD = re.compile(r"\w+")
#: The space after a sentence end: a period after a word character, white space, then a word
#: character (glued only before an upper-case letter: see glue_sentences).
_SENTENCE_GAP = re.compile(r"(?<=\w\.)\s+(?=\w)")
GLUE_SEED = 26


def collections(data: Path) -> list[str]:
    """Every collection folder in ``data``: the three dev collections first, then any other."""
    found = sorted(p.name for p in data.iterdir() if (p / "corpus.jsonl").is_file())
    return [n for n in COLLECTIONS if n in found] + [n for n in found if n not in COLLECTIONS]


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


def glue_sentences(corpus: list[dict], share: float, seed: int = GLUE_SEED) -> tuple[list[dict], int, int]:
    """A copy of ``corpus`` whose documents' texts lost the space after ``share`` of their
    sentence ends (chosen with a seeded generator: the same ones every run); with the number
    glued and the number of sentence ends there were. Titles and queries are left alone."""
    rng = random.Random(seed)
    counts = [0, 0]

    def glue(match: re.Match) -> str:
        if not match.string[match.end()].isupper():
            return match.group()
        counts[1] += 1
        if rng.random() < share:
            counts[0] += 1
            return ""
        return match.group()

    copy = [{**d, "text": _SENTENCE_GAP.sub(glue, d.get("text") or "")} for d in corpus]
    return copy, counts[0], counts[1]


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


@contextlib.contextmanager
def analysis(name: str):
    """Index and search with another text analysis (the stop-list and stemming ablation).

    Swaps the schema module's analyzer, stop list and stemmer for the block: the analyzer
    is pickled into a new index, and the stored term counts feedback reads are made with
    the module's stop list and stemmer. "default" changes nothing.
    """
    if name == "default":
        yield
        return
    from whoosh.analysis import STOP_WORDS, RegexTokenizer
    from whoosh.lang import stemmer_for_language

    from searcher.engines.whoosh import schema

    stops, lang = {"short-stops": (frozenset(STOP_WORDS), schema.STEMMER), "no-stops": (frozenset(), schema.STEMMER),
                   "no-stemming": (schema.STOP_WORDS_EN, "")}[name]
    saved = schema.text_analyzer, schema.STOP_WORDS_EN, list(schema._STEM)
    schema.text_analyzer = lambda: RegexTokenizer(schema.TOKEN_PATTERN) | schema.TermFilter(stops, lang)
    schema.STOP_WORDS_EN = stops
    schema._STEM[0] = stemmer_for_language(lang) if lang else str
    schema._TERMS.clear()
    schema._TEXT_ANALYZER = None
    try:
        yield
    finally:
        schema.text_analyzer, schema.STOP_WORDS_EN, schema._STEM[:] = saved
        schema._TERMS.clear()
        schema._TEXT_ANALYZER = None


def cached_index(corpus: list[dict], folder: Path, cache: Path, name: str, how: str, copy: str = "") -> Path:
    """The index of ``corpus`` analysed ``how``, built once into ``cache`` (keyed by the data,
    the schema and ``copy``, what was done to the collection's documents: "" for nothing)."""
    from searcher.engines.whoosh.schema import SCHEMA_VERSION

    key = (folder / "corpus.jsonl").read_bytes() + f"{SCHEMA_VERSION}/{how}/{copy}".encode()
    path = cache / f"{name}{'-' + copy if copy else ''}-{how}-{hashlib.sha1(key).hexdigest()[:12]}"
    if not (path / "done").exists():
        import shutil

        shutil.rmtree(path, ignore_errors=True)
        path.mkdir(parents=True)
        with analysis(how):
            ix, _ = build_ours(corpus, path)
            ix.close()
        (path / "done").write_text("built\n")
    return path / "ix"


def open_ours(path: Path, settings, model: Path | None = None):
    """The built index opened with these ranking settings (and the model its vectors were
    made with: an index names no model file, its user gives the model)."""
    from searcher import SearchIndex

    return SearchIndex(path, settings=settings, model=model)


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


def run_rank_bm25(corpus: list[dict], queries: list[dict]) -> dict[str, dict[str, float]] | None:
    """rank_bm25's BM25Okapi (k1 1.5, b 0.75) over lower-cased title+text words; None if not installed."""
    try:
        from rank_bm25 import BM25Okapi
    except ImportError:
        return None
    ids = [str(d["id"]) for d in corpus]
    bm25 = BM25Okapi([_WORD.findall(f"{d.get('title') or ''} {d.get('text') or ''}".lower()) for d in corpus])
    run = {}
    for q in queries:
        scores = bm25.get_scores(_WORD.findall(q["text"].lower()))
        best = sorted(range(len(ids)), key=lambda i: -scores[i])[:DEPTH]
        run[str(q["id"])] = ranked([ids[i] for i in best if scores[i] > 0])
    return run



# ------------------------------------------------------------------------------ hybrid (--mode hybrid)

def cpu_now() -> float:
    """This process's CPU seconds, every thread counted (ONNX Runtime and BLAS run their own)."""
    return time.process_time()


def model_index(corpus: list[dict], folder: Path, cache: Path, name: str, model_folder: Path) -> tuple[Path, float | None]:
    """The collection indexed with the model, as a user would (``SearchIndex(model=...).add``:
    keyword index and vectors), built once into ``cache`` (keyed by the data, the schema and
    the model's files); with the seconds the build took, wall clock (None when cached: the
    encoding runs in worker processes whose CPU time this process cannot count)."""
    import shutil

    from searcher import Document, SearchIndex
    from searcher.engines.whoosh.schema import SCHEMA_VERSION

    key = hashlib.sha1((folder / "corpus.jsonl").read_bytes() + f"{SCHEMA_VERSION}".encode())
    for part in ("searcher-model.json", "model.onnx", "tokenizer.json"):
        key.update(f"{part}:{(model_folder / part).stat().st_size}".encode())
    key.update((model_folder / "searcher-model.json").read_bytes())
    path = cache / f"{name}-model-{model_folder.name}-{key.hexdigest()[:12]}"
    if (path / "done").exists():
        return path / "ix", None
    shutil.rmtree(path, ignore_errors=True)
    path.mkdir(parents=True)
    started = time.perf_counter()
    with SearchIndex(path / "ix", model=str(model_folder)) as ix:
        ix.add([Document(doc_id=str(d["id"]), title=d.get("title") or "", body=d.get("text") or "") for d in corpus])
    spent = time.perf_counter() - started
    (path / "done").write_text("built\n")
    return path / "ix", spent


def mode_runs(ix, queries: list[dict], mode: str) -> tuple[dict[str, dict[str, float]], list[float]]:
    """The top DEPTH per query searched in ``mode`` through SearchIndex.search, with its scores
    (in rank order), and each query's CPU seconds (every thread: ONNX Runtime's too)."""
    run, cpu = {}, []
    ix.search("warm up", limit=DEPTH, syntax=False, fragments=0, mode=mode)
    for q in queries:
        started = cpu_now()
        results = ix.search(q["text"], limit=DEPTH, syntax=False, fragments=0, mode=mode)
        cpu.append(cpu_now() - started)
        run[str(q["id"])] = {hit.doc_id: hit.score for hit in results}
    return run, cpu


def fused_run(keyword: dict[str, dict[str, float]], dense: dict[str, dict[str, float]],
              weight: float) -> tuple[dict[str, dict[str, float]], list[float]]:
    """The hybrid run at ``weight`` (the semantic share) and each query's CPU seconds for the mix."""
    from searcher.search.fusion import fuse

    run, cpu = {}, []
    for qid in keyword:
        started = cpu_now()
        mixed = fuse(keyword[qid], dense.get(qid, {}), weight)[:DEPTH]
        cpu.append(cpu_now() - started)
        run[qid] = ranked([f.doc_id for f in mixed])  # the order a user sees: ties as fuse() broke them
    return run, cpu


def in_order(run: dict[str, dict[str, float]]) -> dict[str, dict[str, float]]:
    """A run scored by rank (its lists are in rank order), so equal scores keep their order."""
    return {qid: ranked(list(docs)) for qid, docs in run.items()}


def rrf_run(keyword: dict[str, dict[str, float]], dense: dict[str, dict[str, float]]) -> dict[str, dict[str, float]]:
    """Reciprocal rank fusion (1 / (RRF_K + rank) summed over the two lists): the reference mix."""
    run = {}
    for qid in keyword:
        mixed: dict[str, float] = {}
        for ranking in (keyword[qid], dense.get(qid, {})):
            for rank, doc in enumerate(ranking, 1):
                mixed[doc] = mixed.get(doc, 0.0) + 1.0 / (RRF_K + rank)
        run[qid] = dict(sorted(mixed.items(), key=lambda kv: -kv[1])[:DEPTH])
    return run


def hybrid_models(folders: list[Path]) -> list[Path]:
    """The model folders to measure: those given, else every known model in the cache."""
    if folders:
        return folders
    from searcher.semantic import KNOWN_MODELS, model_cache

    found = [model_cache() / name for name in KNOWN_MODELS if (model_cache() / name / "model.onnx").is_file()]
    if not found:
        raise SystemExit(f"no model in {model_cache()}: `searcher model fetch NAME` or pass --model DIR")
    return found


def choose_weight(scores: dict[float, dict[str, float]], keyword: dict[str, float], names: list[str]) -> float:
    """The weight whose smallest gain over keyword-only on ``names`` is largest (ties: the larger mean)."""
    return max(scores, key=lambda w: (round(min(scores[w][n] - keyword[n] for n in names), 4),
                                      round(sum(scores[w][n] for n in names) / len(names), 4)))


def median_ms(values: list[float]) -> float:
    return statistics.median(values) * 1000 if values else 0.0


def main_hybrid(args, base, names: list[str]) -> int:
    """--mode hybrid: keyword-only, semantic-only and hybrid per collection and model."""
    from searcher.semantic import EmbeddingModel

    started = time.perf_counter()
    models = [EmbeddingModel(folder, threads=1) for folder in hybrid_models(args.model)]
    shipped = base.semantic_weight
    print(f"load average {os.getloadavg()[0]:.1f}; shipped SEMANTIC_WEIGHT {shipped}; CPU ms are medians per query")
    header = (f"{'collection':10} {'model':18} {'system':22} {'nDCG@10':>8} {'MAP@100':>8} {'P@10':>6} "
              f"{'cpu ms':>7} {'x kw':>5}")
    print(header)
    print("-" * len(header))
    keyword_ndcg: dict[str, float] = {}
    keyword_cpu: dict[str, float] = {}
    # per model: weight -> collection -> nDCG@10
    by_weight: dict[str, dict[float, dict[str, float]]] = {m.config.name: {w: {} for w in WEIGHTS} for m in models}
    hybrid_cpu: dict[str, dict[str, float]] = {m.config.name: {} for m in models}
    for name in names:
        folder = args.data / name
        corpus, queries, qrels = load(folder)
        path = cached_index(corpus, folder, args.cache, name, "default")
        with open_ours(path, base) as ix:
            keyword, kw_cpu = mode_runs(ix, queries, "keyword")
        scores = evaluate(in_order(keyword), qrels)
        keyword_ndcg[name] = scores["nDCG@10"]
        keyword_cpu[name] = median_ms(kw_cpu)
        print(line2(name, "-", "keyword (ours)", scores, keyword_cpu[name], 1.0), flush=True)
        for model in models:
            label = model.config.name
            index_path, spent = model_index(corpus, folder, args.cache, name, model.folder)
            if spent is not None:
                print(f"{name:10} {label:18} indexed with the model: {len(corpus)} documents in {spent:.0f} s "
                      f"(keyword index and vectors, load {os.getloadavg()[0]:.1f}): {len(corpus) / spent:.1f} "
                      "documents per second", flush=True)
            with open_ours(index_path, base, model.folder) as ix:
                dense, dense_cpu = mode_runs(ix, queries, "semantic")
                product, product_cpu = mode_runs(ix, queries, "hybrid")
                ix_keyword, ix_keyword_cpu = mode_runs(ix, queries, "keyword")
            scores = evaluate(in_order(dense), qrels)
            print(line2(name, label, "semantic", scores, median_ms(dense_cpu), median_ms(dense_cpu) / keyword_cpu[name]),
                  flush=True)
            for weight in WEIGHTS:
                run, _ = fused_run(ix_keyword, dense, weight)
                by_weight[label][weight][name] = evaluate(run, qrels)["nDCG@10"]
            # What a user gets: SearchIndex.search(mode="hybrid") on the index made with the model,
            # its CPU against keyword mode on the same index, query by query in the same run.
            hybrid_cpu[label][name] = median_ms(product_cpu)
            ratio = statistics.median(h / k for h, k in zip(product_cpu, ix_keyword_cpu) if k > 0)
            print(line2(name, label, f"hybrid {shipped} (shipped)", evaluate(in_order(product), qrels),
                        hybrid_cpu[label][name], ratio), flush=True)
            offline = by_weight[label][shipped][name]
            print(f"{name:10} {label:18} {'(offline mix at ' + str(shipped) + ')':22} {offline:8.3f}", flush=True)
            keyword = ix_keyword
            rrf = evaluate(in_order(rrf_run(keyword, dense)), qrels)
            print(line2(name, label, f"rrf k={RRF_K}", rrf, None, None), flush=True)
            print(f"{name:10} {label:18} {'by weight':22} " +
                  " ".join(f"{w}:{by_weight[label][w][name]:.3f}" for w in WEIGHTS), flush=True)
    print()
    print(f"{'held out':10} {'model':18} {'keyword':>8} {'leave-one-out':>14} {'gain':>7}  weight chosen on the others")
    for model in models:
        label = model.config.name
        table = by_weight[label]
        if len(names) > 1:
            for name in names:
                weight = choose_weight(table, keyword_ndcg, [n for n in names if n != name])
                figure = table[weight][name]
                print(f"{name:10} {label:18} {keyword_ndcg[name]:8.3f} {figure:14.3f} {figure - keyword_ndcg[name]:+7.3f}  {weight}")
        print(f"{'all':10} {label:18} chosen on every collection: {choose_weight(table, keyword_ndcg, names)}")
    if len(models) > 1 and len(names) > 1:
        # One weight for every model (RankingSettings holds one): chosen over every (model, collection).
        joint = {w: {(m, n): by_weight[m][w][n] for m in by_weight for n in names} for w in WEIGHTS}
        base_of = {(m, n): keyword_ndcg[n] for m in by_weight for n in names}
        for name in names:
            others = [(m, n) for m in by_weight for n in names if n != name]
            weight = choose_weight(joint, base_of, others)
            print(f"{name:10} {'every model':18} held out: weight {weight} -> " +
                  ", ".join(f"{m} {by_weight[m][weight][name]:.3f} ({by_weight[m][weight][name] - keyword_ndcg[name]:+.3f})"
                            for m in by_weight))
        print(f"{'all':10} {'every model':18} chosen on every collection and model: "
              f"{choose_weight(joint, base_of, list(base_of))}")
    print(f"\n({time.perf_counter() - started:.0f} s, load average {os.getloadavg()[0]:.1f})")
    return 0


def line2(name: str, model: str, label: str, scores: dict[str, float], cpu: float | None, ratio: float | None) -> str:
    tail = f" {cpu:7.1f} {ratio:5.2f}" if cpu is not None and ratio is not None else ""
    return f"{name:10} {model:18} {label:22} {scores['nDCG@10']:8.3f} {scores['AP@100']:8.3f} {scores['P@10']:6.3f}{tail}"


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


def grid_settings(base) -> list[tuple[str, object]]:
    """(label, settings) of every GRID combination over ``base``."""
    out = []
    for values in itertools.product(*GRID.values()):
        changes = dict(zip(GRID, values))
        label = " ".join(f"{k}={str(v).lower()}" for k, v in changes.items())
        out.append((label, dataclasses.replace(base, **changes)))
    return out


def choose(scores: dict[str, dict[str, float]], best_stock: dict[str, float], names: list[str],
           rule: str = "worst") -> str:
    """The grid setting best on ``names``: by its smallest margin over the best stock engine
    (``worst``: what holds everywhere; ties by the mean), or by its mean nDCG@10 (``mean``)."""
    def mean(label: str) -> float:
        return round(sum(scores[label][n] for n in names) / len(names), 4)

    if rule == "mean":
        return max(scores, key=mean)
    return max(scores, key=lambda label: (round(min(scores[label][n] - best_stock[n] for n in names), 4), mean(label)))


def score_ours(path: Path, settings, queries: list[dict], qrels: list) -> tuple[dict[str, float], list[float]]:
    with open_ours(path, settings) as ix:
        run, lat = run_ours(ix, queries)
    return evaluate(run, qrels), lat


def line(name: str, label: str, scores: dict[str, float], extra: str = "") -> str:
    return f"{name:10} {label:24} {scores['nDCG@10']:8.3f} {scores['AP@100']:8.3f} {scores['P@10']:6.3f} {extra}"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA, help="folder holding the collections")
    ap.add_argument("--only", action="append", help="run only this collection (repeatable)")
    ap.add_argument("--set", action="append", default=[], metavar="NAME=VALUE", help="change a ranking setting (searcher/search/settings.py)")
    ap.add_argument("--variant", action="append", default=[], metavar="LABEL:NAME=VALUE,...",
                    help="add this setting to the ablation table")
    ap.add_argument("--quick", action="store_true", help="stock engines and ours only: no grid, no ablation")
    ap.add_argument("--no-refs", action="store_true", help="skip the stock engines")
    ap.add_argument("--cache", type=Path, default=DEFAULT_CACHE, help=f"where built indexes are kept (default {DEFAULT_CACHE})")
    ap.add_argument("--glue-sentences", type=float, metavar="SHARE",
                    help="also score a copy whose documents lost the space after this share of sentence ends")
    ap.add_argument("--index", metavar="URL", help="also run on an OpenSearch cluster (http://host:9200[/prefix])")
    ap.add_argument("--mode", choices=("keyword", "hybrid"), default="keyword",
                    help="hybrid: keyword-only, semantic-only and hybrid with each model (see above)")
    ap.add_argument("--model", action="append", type=Path, default=[], metavar="DIR",
                    help="a model folder for --mode hybrid (repeatable; default: every fetched known model)")
    args = ap.parse_args(argv)
    if not args.data.is_dir():
        raise SystemExit(f"no collections at {args.data}: pass --data")
    started = time.perf_counter()
    base = apply_settings(args.set)
    names = args.only or collections(args.data)
    if args.mode == "hybrid":
        return main_hybrid(args, base, names)
    grid = [] if args.quick else grid_settings(base)
    ablation = [] if args.quick else ABLATION + [
        (label, [p for p in spec.split(",") if p], "default") for label, _, spec in (v.partition(":") for v in args.variant)]
    print(f"load average {os.getloadavg()[0]:.1f}")
    header = f"{'collection':10} {'system':24} {'nDCG@10':>8} {'MAP@100':>8} {'P@10':>6} median/p95 ms, margin"
    print(header)
    print("-" * len(header))
    best_stock: dict[str, float] = {}
    ours: dict[str, float] = {}
    grid_scores: dict[str, dict[str, float]] = {label: {} for label, _ in grid}
    ablated: dict[str, dict[str, float]] = {label: {} for label, _, _ in ablation}
    for name in names:
        folder = args.data / name
        corpus, queries, qrels = load(folder)
        stock = {}
        if not args.no_refs:
            for label, fn in (("fts5", run_fts5), ("whoosh", run_whoosh_defaults), ("rank_bm25", run_rank_bm25)):
                run = fn(corpus, queries)
                if run is not None:
                    stock[label] = evaluate(run, qrels)
                    print(line(name, label, stock[label]), flush=True)
        best_stock[name] = max((s["nDCG@10"] for s in stock.values()), default=0.0)
        path = cached_index(corpus, folder, args.cache, name, "default")
        scores, lat = score_ours(path, base, queries, qrels)
        ours[name] = scores["nDCG@10"]
        lat_ms = sorted(x * 1000 for x in lat)
        p95 = lat_ms[min(len(lat_ms) - 1, int(0.95 * len(lat_ms)))]
        margin = f"  {ours[name] - best_stock[name]:+.3f}" if stock else ""
        print(line(name, "ours", scores, f"{statistics.median(lat_ms):6.1f} / {p95:5.1f}{margin}"), flush=True)
        if args.index:
            run_cluster(args.index, name, corpus, queries, qrels, base, ours[name])
        if args.glue_sentences is not None:
            glued, count, ends = glue_sentences(corpus, args.glue_sentences)
            copy = f"glued{args.glue_sentences:g}"
            scores, lat = score_ours(cached_index(glued, folder, args.cache, name, "default", copy), base, queries, qrels)
            print(line(name, "ours, glued", scores, f"  {scores['nDCG@10'] - ours[name]:+.3f} vs ours; "
                       f"{count} of {ends} sentence ends glued"), flush=True)
            if args.index:
                run_cluster(args.index, f"{name}-glued", glued, queries, qrels, base, scores["nDCG@10"])
        # nDCG@10 per (analysis, settings): a setting in both the grid and the ablation runs once.
        seen = {("default", base): ours[name]}
        for label, settings in grid:
            if ("default", settings) not in seen:
                seen["default", settings] = score_ours(path, settings, queries, qrels)[0]["nDCG@10"]
            grid_scores[label][name] = seen["default", settings]
        for label, pairs, how in ablation:
            settings = apply_settings(pairs, base)
            if (how, settings) not in seen:
                index = cached_index(corpus, folder, args.cache, name, how)
                with analysis(how):
                    seen[how, settings] = score_ours(index, settings, queries, qrels)[0]["nDCG@10"]
            ablated[label][name] = seen[how, settings]
        if grid:
            tuned = choose(grid_scores, best_stock, [name])
            print(f"{name:10} {'tuned':24} {grid_scores[tuned][name]:8.3f}   ({tuned})")
    if grid and len(names) > 1:
        print()
        print(f"{'held out':10} {'rule':6} {'leave-one-out nDCG@10':>22} {'margin':>7}   setting chosen on the others")
        for rule in ("worst", "mean"):
            for name in names:
                label = choose(grid_scores, best_stock, [n for n in names if n != name], rule)
                figure = grid_scores[label][name]
                print(f"{name:10} {rule:6} {figure:22.3f} {figure - best_stock[name]:+7.3f}   {label}")
            label = choose(grid_scores, best_stock, names, rule)
            print(f"{'all':10} {rule:6} {'chosen on every one:':>22}           {label}")
        print("(rule worst: the largest smallest margin over the best stock engine; mean: the largest mean nDCG@10)")
    if ablation:
        print()
        print(f"{'ablation (nDCG@10, change)':30} " + " ".join(f"{n:>16}" for n in names))
        print(f"{'shipped settings':30} " + " ".join(f"{ours[n]:16.3f}" for n in names))
        for label, _, _ in ablation:
            print(f"{label:30} " + " ".join(f"{ablated[label][n]:8.3f} ({ablated[label][n] - ours[n]:+.3f})" for n in names))
    print(f"\n({time.perf_counter() - started:.0f} s, load average {os.getloadavg()[0]:.1f})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
