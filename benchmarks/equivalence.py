"""Prove that a refactoring left searcher's behaviour unchanged: dump what it does, then compare dumps.

usage::

    python benchmarks/equivalence.py dump OUT.json [--workdir DIR]
    python benchmarks/equivalence.py compare A.json B.json

``dump`` runs a fixed workload through the public API only (``import searcher``; nothing from
its submodules, so the same file runs before and after modules move) on the checkout this
file is in (its root goes first on ``sys.path``, whatever the environment has installed) and
writes what came out as JSON with sorted keys:

* index: ``len(ix)``, ``ix.stats()`` (without path and size), ``ix.get()`` and ``in`` for a
  few ids, and the lines ``read_jsonl`` skipped, after building an index of
  ``../shared/data/news/reuters21578.jsonl`` (Reuters-21578) with
  ``SearchIndex(path).add(searcher.read_jsonl(file))``;
* word queries: the 200 queries of ``benchmarks/scale.py`` (its ``make_queries()``) with
  ``ix.search(q, limit=10)`` (snippets and feedback on), and again with ``expand=False``;
* structured queries: every row of docs/queries.md's query table, broken syntax, errors, and the
  search options (sort, source/since/until, facets, explain, syntax=False, paging,
  highlight formats);
* did-you-mean: misspelled queries that get a ``suggestion``;
* similar: ``ix.similar(doc_id)`` for 10 documents (and one missing id);
* dev collections: each judged query of ``../shared/data/ir`` (TIME, CISI, Cranfield, each
  collection indexed as ``benchmarks/relevance.py`` indexes it) with ``ix.search(q, limit=10,
  syntax=False)``, and again as typed (their AND, OR and parentheses read as syntax);
* clean_text / clean_html: ``doc.as_dict()`` for every page of ``../shared/data/cleaner-dev``
  (called as ``benchmarks/cleaner_eval.py`` calls them: the page text alone).

Each search records total, suggestion, facets, page, limit and, per hit, every field of
``Hit`` with the score as ``repr(score)`` (full precision). An error is recorded as its class
name and message. Nothing timed or machine-specific is dumped (``Results.seconds``, the index
size and path are left out), and the per-term lines of a structured query's explanation are
sorted (searcher lists them in the order of a Python set, which differs between processes), so
two dumps of the same code are byte-identical.

The build takes 15-40 s. With ``--workdir DIR`` the index is kept in ``DIR/index`` and reused
by the next dump, but only while the package's source files are byte for byte the ones that
built it (a fingerprint is kept beside it); any change to the code rebuilds it, so a dump of
changed code always tests the changed indexer too. Without ``--workdir`` a temporary folder is
used and removed. Run the "before" and "after" dumps on the same machine: bulk builds split
documents between one worker per core, so the core count is part of the build.

``compare`` prints one line per section (``word queries (feedback on): 200/200 identical``)
and, under it, each case that differs with its first differing field; it exits 0 when every
case is identical, 1 otherwise. Exit 2: missing shared data or an unreadable dump.

With ``--index URL`` (``http://host:9200``) the same workload runs on an OpenSearch cluster:
Reuters and the dev collections are indexed under ``equivalence-<random>-<name>`` there and
deleted afterwards. Two builds of the same documents on a cluster do not rank ties alike (nor
give the same term statistics), so to compare two checkouts give the URL a name,
``http://host:9200/NAME``: the indexes ``NAME-reuters``, ``NAME-time``... are made by the first
dump, kept, and searched as they are by the next (delete ``NAME-*--*`` when done).

Typical use around a restructure::

    python benchmarks/equivalence.py dump /tmp/before.json --workdir /tmp/eq-before   # old code
    python benchmarks/equivalence.py dump /tmp/after.json --workdir /tmp/eq-after     # new code
    python benchmarks/equivalence.py compare /tmp/before.json /tmp/after.json
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.util
import json
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Iterable
from datetime import date
from functools import partial
from pathlib import Path
from types import ModuleType
from typing import Any, NoReturn

REPO = Path(__file__).resolve().parents[1]
# Test the checkout this file is in, whatever is installed in the environment (as
# benchmarks/cleaner_eval.py does): a venv installed from another checkout must not be
# what a dump of this one measures.
sys.path.insert(0, str(REPO))

import searcher  # noqa: E402
SHARED = REPO.parent / "shared" / "data"
CORPUS = SHARED / "news" / "reuters21578.jsonl"
CLEANER_DEV = SHARED / "cleaner-dev"
IR = SHARED / "ir"
COLLECTIONS = ("time", "cisi", "cranfield")
FORMAT = 1

Record = dict[str, Any]

# ---------------------------------------------------------------------------- the workload

#: (query, search keyword arguments). Every row of docs/queries.md's query table, then options.
STRUCTURED: list[tuple[str, dict[str, Any]]] = [
    # words (ranked by searcher's own BM25F + feedback, as the word queries are)
    ("peace talks", {}),
    ("oil oil prices", {}),
    ("Café Zürich économie", {}),
    ("the of and", {}),
    # phrases and proximity
    ('"oil prices"', {}),
    ('"crude oil" opec', {}),
    ('"interest rates"~3', {}),
    ('"bank of england"', {}),
    ('"trade deficit" japan', {}),
    # without a word
    ("opec -saudi", {}),
    ("cocoa NOT brazil", {}),
    ("coffee -quota -brazil", {}),
    # boolean logic
    ("oil AND (opec OR saudi)", {}),
    ("(wheat OR corn) AND export", {}),
    ("gold OR silver", {}),
    ("kuwait AND (iran OR iraq) NOT tanker", {}),
    # prefix, fuzzy
    ("oil*", {}),
    ("negotiat*", {}),
    ("opec~", {}),
    ("yeuter~", {}),
    ("khalilzd~", {}),
    # one field
    ("title:cocoa", {}),
    ("title:(gold OR silver)", {}),
    ('body:"trade deficit"', {}),
    ("body:sugar", {}),
    ("source:reuters", {}),
    ("source:Reuters-21578", {}),
    ("author:martin", {}),
    ('section:"mixed messages"', {}),
    ("lang:en", {}),
    ("url:reuters", {}),
    # weights, required words
    ("opec^2 oil", {}),
    ("title:gold^3 mine", {}),
    ("+opec oil", {}),
    ("+gold +silver price", {}),
    # dates
    ("published:[1987-03-01 TO 1987-03-31]", {}),
    ("published:1987", {}),
    ("oil published:[1987-04-01 TO 1987-04-30]", {}),
    ("date:[1987-10-19 TO 1987-10-20] stocks", {}),
    # broken syntax: searched as plain words
    ('"oil prices', {}),
    ("oil (opec", {}),
    ("gold AND", {}),
    ("title:", {}),
    ("OR opec", {}),
    (")wheat( corn", {}),
    # errors
    ("nosuchfield:oil", {}),
    ("", {}),
    ("   ", {}),
    ("oil", {"sort": "size"}),
    ("oil", {"since": "1987-05-01", "until": "1987-03-01"}),
    ("oil", {"limit": 0}),
    # sort by date
    ("cocoa", {"sort": "date"}),
    ("title:gold OR title:silver", {"sort": "date"}),
    ("coffee quota", {"sort": "date", "limit": 5, "page": 3}),
    # filters
    ("oil prices", {"source": "Reuters-21578"}),
    ("oil prices", {"source": "bbc"}),
    ("opec", {"since": "1987-04-01"}),
    ("opec", {"until": "1987-03-15"}),
    ("wheat", {"since": "1987-03-01", "until": "1987-03-31"}),
    ("title:wheat", {"since": date(1987, 3, 1), "until": date(1987, 3, 31)}),
    ("stocks crash", {"since": "1987-10-19", "until": "1987-10-20", "sort": "date"}),
    # facets, explain
    ("oil prices", {"facets": True}),
    ('"crude oil" OR gasoline', {"facets": True}),
    ("gold", {"facets": True, "since": "1987-04-01"}),
    ("cocoa exports", {"explain": True}),
    ("cocoa exports", {"explain": True, "expand": False}),
    ("title:cocoa AND brazil", {"explain": True}),
    ("sugar", {"explain": True, "sort": "date", "limit": 3}),
    # plain words whatever the text, paging, output options
    ('title:cocoa "oil (opec', {"syntax": False}),
    ("opec -saudi", {"syntax": False}),
    ("bank rates", {"limit": 5, "page": 2}),
    ("bank rates", {"limit": 7, "page": 400}),
    ("dollar yen", {"fragments": 1, "context": 5}),
    ("dollar yen", {"fragments": 0}),
    ("dollar yen", {"highlight": "html"}),
    ("dollar yen", {"highlight": "none"}),
    ("title:dollar", {"highlight": "html", "fragments": 2}),
    ("oil", {"expand": True}),
]

#: Misspellings that find fewer than 3 documents, so the result carries a did-you-mean (the
#: last four get none: they find documents, or no indexed word is close).
MISSPELLED: list[str] = [
    "cocao", "petrolium", "kuwiat", "Brazillian", "treasurey", "opecc", "yeuttr", "govrnment",
    "currancy", "Volckr Greenspn", "sugr exprts", "Kuwiat tankr", "title:cocao", "+cocao",
    '"cocao prices"', "cocao OR kuwiat", "yuetter", "goverment", "bahai", "xqzvw",
]

SIMILAR_IDS: list[str] = [
    "reuters-1", "reuters-2", "reuters-5", "reuters-100", "reuters-1000", "reuters-5000",
    "reuters-10000", "reuters-15000", "reuters-20000", "reuters-21578",
]
MISSING_ID = "no-such-document"

# ---------------------------------------------------------------------------- records


def error_record(exc: Exception, index_path: Path) -> Record:
    """An exception as data; the index's own path is replaced, so folders may differ."""
    return {"error": type(exc).__name__, "message": str(exc).replace(str(index_path), "<index>")}


#: How a per-term line of a structured (Whoosh-run) query's explanation ends. Those lines come
#: in the order of a Python set of terms, which changes from process to process (string hash
#: randomisation): ``title:cocoa AND brazil`` lists cocoa then brazil in one run, brazil then
#: cocoa in the next. Their order is the one thing left out: the dump keeps them sorted.
UNORDERED_LINE = "(before boosts)"


def explanation_record(lines: list[str]) -> list[str]:
    """The explanation with its set-ordered lines sorted in place (see UNORDERED_LINE)."""
    unordered = iter(sorted(line for line in lines if line.endswith(UNORDERED_LINE)))
    return [next(unordered) if line.endswith(UNORDERED_LINE) else line for line in lines]


def hit_record(hit: Any) -> Record:
    """Every field of a Hit, the score as its repr (all digits)."""
    return {
        "rank": hit.rank, "doc_id": hit.doc_id, "title": hit.title, "score": repr(hit.score),
        "source": hit.source, "published": hit.published.isoformat() if hit.published else None,
        "path": hit.path, "url": hit.url, "snippet": hit.snippet, "explanation": explanation_record(hit.explanation),
    }


def results_record(results: Any) -> Record:
    """Everything in a Results page except its timing (``seconds``)."""
    return {
        "query": results.query, "total": results.total, "page": results.page, "limit": results.limit,
        "suggestion": results.suggestion, "facets": results.facets,
        "hits": [hit_record(hit) for hit in results],
    }


def attempt(call: Callable[[], Any], index_path: Path) -> Record:
    """``results_record(call())``, or the exception it raised (a SearcherError is expected for
    bad queries; any other is recorded too, so compare names the case instead of crashing)."""
    try:
        return results_record(call())
    except Exception as exc:  # noqa: BLE001
        return error_record(exc, index_path)


def case_label(query: str, kwargs: dict[str, Any]) -> str:
    options = ", ".join(f"{k}={v!r}" for k, v in kwargs.items())
    return f"{query!r}" + (f" [{options}]" if options else "")


# ---------------------------------------------------------------------------- the index


def code_fingerprint() -> str:
    """A hash of the searcher package's source files (sub-packages too) and of the corpus's size and time."""
    digest = hashlib.sha256()
    package = Path(searcher.__file__).resolve().parent
    for path in sorted(package.rglob("*.py")):
        digest.update(str(path.relative_to(package)).encode() + b"\0" + path.read_bytes() + b"\0")
    stat = CORPUS.stat()
    digest.update(f"{CORPUS}:{stat.st_size}:{stat.st_mtime_ns}".encode())
    return digest.hexdigest()


def prepare_index(workdir: Path) -> tuple[Path, list[Record]]:
    """The index folder in ``workdir`` (built unless one built by this exact code is there)
    and the lines ``read_jsonl`` skipped while building it."""
    index_path, marker = workdir / "index", workdir / "index-fingerprint.json"
    fingerprint = code_fingerprint()
    if index_path.exists() and marker.exists():
        saved = json.loads(marker.read_text())
        if saved.get("fingerprint") == fingerprint:
            log(f"reusing the index in {index_path} (built by this code)")
            return index_path, saved["skipped"]
        log(f"the index in {index_path} was built by other code: rebuilding it")
    shutil.rmtree(index_path, ignore_errors=True)
    marker.unlink(missing_ok=True)
    workdir.mkdir(parents=True, exist_ok=True)
    skipped: list[Any] = []
    started = time.perf_counter()
    with searcher.SearchIndex(index_path) as ix:
        count = ix.add(searcher.read_jsonl(CORPUS, skipped=skipped))
    log(f"built {index_path}: {count} documents in {time.perf_counter() - started:.1f} s")
    lines = [{"line": bad.line, "reason": bad.reason} for bad in skipped]
    marker.write_text(json.dumps({"fingerprint": fingerprint, "skipped": lines}))
    return index_path, lines


def prepare_cluster(location: str) -> tuple[str, list[Record]]:
    """Reuters indexed on a cluster at ``location`` (kept if it is there), and the lines
    ``read_jsonl`` skipped."""
    skipped: list[Any] = []
    started = time.perf_counter()
    with searcher.SearchIndex(location) as ix:
        if ix.exists():
            for _ in searcher.read_jsonl(CORPUS, skipped=skipped):
                pass
            log(f"reusing {location}")
        else:
            count = ix.add(searcher.read_jsonl(CORPUS, skipped=skipped))
            log(f"built {location}: {count} documents in {time.perf_counter() - started:.1f} s")
    return location, [{"line": bad.line, "reason": bad.reason} for bad in skipped]


def drop_cluster_indexes(url: str, prefix: str) -> None:
    """Delete every index the dump made on the cluster (their names start with ``prefix``)."""
    from opensearchpy import OpenSearch

    client = OpenSearch(hosts=[url.rstrip("/")])
    try:
        client.indices.delete(index=f"{prefix}*", ignore_unavailable=True, allow_no_indices=True)
    finally:
        client.close()


def index_section(ix: Any, index_path: Path, skipped: list[Record]) -> Record:
    """len(ix), stats without path and size, get() and ``in`` for a few ids, the skipped lines."""
    stats = ix.stats().as_dict()
    for key in ("path", "size_bytes"):
        stats.pop(key)
    if "://" in str(index_path):
        stats.pop("segments")  # a cluster merges its segments when it likes
    documents = {}
    for doc_id in [*SIMILAR_IDS, MISSING_ID]:
        try:
            documents[doc_id] = {"in": doc_id in ix, "get": ix.get(doc_id).as_dict()}
        except Exception as exc:  # noqa: BLE001 (recorded, see attempt)
            documents[doc_id] = {"in": doc_id in ix, "get": error_record(exc, index_path)}
    return {"len": len(ix), "stats": stats, "documents": documents,
            "skipped_lines": {"count": len(skipped), "first": skipped[:20]}}


# ---------------------------------------------------------------------------- sections


def load_scale_queries() -> list[str]:
    """The 200 queries of benchmarks/scale.py, as the strings it searches for."""
    spec = importlib.util.spec_from_file_location("scale_benchmark", Path(__file__).with_name("scale.py"))
    assert spec and spec.loader
    scale: ModuleType = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(scale)
    return [" ".join(words) for words in scale.make_queries()]


def cases(records: Iterable[tuple[str, Record]]) -> list[Record]:
    """(label, result) pairs as the dump's list of cases, in order."""
    return [{"case": label, "result": result} for label, result in records]


def search_section(ix: Any, index_path: Path) -> Record:
    words = load_scale_queries()
    workload: dict[str, list[tuple[str, Callable[[], Any]]]] = {
        "word queries (feedback on)": [(q, partial(ix.search, q, limit=10)) for q in words],
        "word queries (expand=False)": [(q, partial(ix.search, q, limit=10, expand=False)) for q in words],
        "structured queries": [(case_label(q, kw), partial(ix.search, q, **kw)) for q, kw in STRUCTURED],
        "did-you-mean": [(q, partial(ix.search, q)) for q in MISSPELLED],
        "similar": [(doc_id, partial(ix.similar, doc_id)) for doc_id in [*SIMILAR_IDS, MISSING_ID]],
    }
    out: Record = {}
    for name, calls in workload.items():
        started = time.perf_counter()
        out[name] = cases((label, attempt(call, index_path)) for label, call in calls)
        log(f"  {name}: {len(calls)} in {time.perf_counter() - started:.1f} s")
    return out


def collection_documents(name: str) -> list[Any]:
    """A dev collection's corpus as Documents (as benchmarks/relevance.py builds them)."""
    with open(IR / name / "corpus.jsonl", encoding="utf-8") as handle:
        rows = [json.loads(line) for line in handle if line.strip()]
    return [searcher.Document(doc_id=str(d["id"]), title=d.get("title") or "", body=d.get("text") or "") for d in rows]


def collection_queries(name: str) -> list[str]:
    with open(IR / name / "queries.jsonl", encoding="utf-8") as handle:
        return [json.loads(line)["text"] for line in handle if line.strip()]


def collections_section(location: Callable[[str], str], index_path: Path) -> Record:
    """Every judged query of each dev collection, as plain words and as typed."""
    out: Record = {}
    for name in COLLECTIONS:
        started = time.perf_counter()
        where = location(name)
        with searcher.SearchIndex(where) as ix:
            if not ix.exists():
                ix.add(collection_documents(name))
            queries = collection_queries(name)
            out[f"dev collection {name}"] = cases(
                [(f"words: {q}", attempt(partial(ix.search, q, limit=10, syntax=False), index_path)) for q in queries]
                + [(f"typed: {q}", attempt(partial(ix.search, q, limit=10), index_path)) for q in queries])
        log(f"  dev collection {name}: {2 * len(queries)} in {time.perf_counter() - started:.1f} s")
    return out


def whoosh_collection(workdir: Path, name: str) -> str:
    """The folder of a dev collection's Whoosh index in ``workdir``, reused only when built by this code."""
    folder, marker = workdir / f"ir-{name}", workdir / f"ir-{name}-fingerprint"
    fingerprint = code_fingerprint()
    if not (marker.exists() and marker.read_text() == fingerprint):
        shutil.rmtree(folder, ignore_errors=True)
        with searcher.SearchIndex(folder) as ix:
            ix.add(collection_documents(name))
        marker.write_text(fingerprint)
    return str(folder)


def page_ids() -> list[str]:
    """The page ids of cleaner-dev, sorted (as benchmarks/cleaner_eval.py reads them)."""
    with open(CLEANER_DEV / "truth.jsonl", encoding="utf-8") as handle:
        return sorted(json.loads(line)["id"] for line in handle if line.strip())


def cleaner_section() -> Record:
    pages = CLEANER_DEV / "pages"
    out: Record = {}
    for name, suffix, clean in (("clean_text", ".txt", searcher.clean_text), ("clean_html", ".html", searcher.clean_html)):
        started = time.perf_counter()
        records = []
        for page in page_ids():
            text = (pages / f"{page}{suffix}").read_text(encoding="utf-8")
            try:
                result: Record = clean(text).as_dict()
            except Exception as exc:  # noqa: BLE001 (recorded, see attempt)
                result = error_record(exc, pages)
            records.append((page, result))
        out[name] = cases(records)
        log(f"  {name}: {len(records)} pages in {time.perf_counter() - started:.1f} s")
    return out


# ---------------------------------------------------------------------------- dump


def check_data() -> None:
    for path in (CORPUS, CLEANER_DEV / "truth.jsonl", CLEANER_DEV / "pages", *(IR / n for n in COLLECTIONS)):
        if not path.exists():
            fail(f"shared data missing: {path} (expected beside the checkout, as benchmarks/scale.py finds it)")


def dump(out: Path, workdir: Path | None, url: str | None = None) -> None:
    check_data()
    log(f"searcher {searcher.__version__} from {Path(searcher.__file__).parent}")
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="searcher-equivalence-") as tmp:
        if url is None:
            index_path, skipped = prepare_index(workdir or Path(tmp))
            where: str | Path = index_path
            folder = workdir or Path(tmp)
            data: Record = dict(collections_section(partial(whoosh_collection, folder), index_path))
        else:
            import uuid
            from urllib.parse import urlsplit

            parts = urlsplit(url)
            kept = parts.path.strip("/")
            base = f"{parts.scheme}://{parts.netloc}"
            prefix = f"{kept}-" if kept else f"equivalence-{uuid.uuid4().hex[:8]}-"
            try:
                where, skipped = prepare_cluster(f"{base}/{prefix}reuters")
                index_path = where  # a URL: error messages name it as given
                data = dict(collections_section(lambda name: f"{base}/{prefix}{name}", index_path))
                with searcher.SearchIndex(where) as ix:
                    data.update({"index": index_section(ix, index_path, skipped), **search_section(ix, index_path)})
            finally:
                if not kept:
                    drop_cluster_indexes(base, prefix)
        if url is None:
            with searcher.SearchIndex(where) as ix:
                data.update({"index": index_section(ix, index_path, skipped), **search_section(ix, index_path)})
    data["format"] = FORMAT
    data.update(cleaner_section())
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(data, sort_keys=True, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    log(f"wrote {out} in {time.perf_counter() - started:.1f} s")


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def fail(message: str) -> NoReturn:
    """One line on stderr, exit 2."""
    print(f"equivalence: {message}", file=sys.stderr)
    sys.exit(2)


# ---------------------------------------------------------------------------- compare

#: Sections in the order compare reports them, with what "identical" covers.
SECTIONS: dict[str, str] = {
    "word queries (feedback on)": "hits, scores, snippets, totals",
    "word queries (expand=False)": "hits, scores, snippets, totals",
    "structured queries": "hits, scores, snippets, totals, facets, explanations, errors",
    "did-you-mean": "suggestions, hits",
    "similar": "hits, scores, snippets",
    **{f"dev collection {name}": "hits, scores, snippets, totals" for name in COLLECTIONS},
    "clean_text": "Document.as_dict()",
    "clean_html": "Document.as_dict()",
}


def first_difference(a: Any, b: Any, where: str = "") -> str | None:
    """Where ``a`` and ``b`` first differ (``hits[3].score: '1.5' != '1.25'``), or None."""
    if isinstance(a, dict) and isinstance(b, dict):
        for key in sorted(set(a) | set(b)):
            if key not in a or key not in b:
                return f"{where}.{key}: only in {'B' if key in b else 'A'}".lstrip(".")
            found = first_difference(a[key], b[key], f"{where}.{key}")
            if found:
                return found
        return None
    if isinstance(a, list) and isinstance(b, list):
        for i, (x, y) in enumerate(zip(a, b)):
            found = first_difference(x, y, f"{where}[{i}]")
            if found:
                return found
        if len(a) != len(b):
            return f"{where}: {len(a)} items != {len(b)}".lstrip(".")
        return None
    if a != b:
        return f"{where}: {differing_values(a, b)}".lstrip(".")
    return None


def differing_values(a: Any, b: Any, context: int = 30) -> str:
    """``a != b`` for the report; for long strings, the stretch around their first difference."""
    if not (isinstance(a, str) and isinstance(b, str)) or max(len(a), len(b)) <= 2 * context:
        return f"{short(a)} != {short(b)}"
    at = next((i for i, (x, y) in enumerate(zip(a, b)) if x != y), min(len(a), len(b)))
    start = max(0, at - context)
    return f"at character {at}: {short(a[start:at + context])} != {short(b[start:at + context])}"


def short(value: Any, width: int = 80) -> str:
    text = repr(value)
    return text if len(text) <= width else text[:width - 3] + "..."


def compare_cases(name: str, a: list[Record], b: list[Record], detail: str) -> bool:
    """Print the section's line and its differences; True when every case is identical."""
    problems = []
    for i, (x, y) in enumerate(zip(a, b)):
        if x["case"] != y["case"]:
            problems.append(f"  #{i}: different cases: {short(x['case'])} vs {short(y['case'])}")
            continue
        found = first_difference(x["result"], y["result"])
        if found:
            problems.append(f"  {short(x['case'])}: {found}")
    identical = min(len(a), len(b)) - len(problems)
    if len(a) != len(b):
        problems.append(f"  {len(a)} cases in A, {len(b)} in B")
    print(f"{name}: {identical}/{max(len(a), len(b))} identical ({detail})")
    for line in problems:
        print(line)
    return not problems


def compare(path_a: Path, path_b: Path) -> int:
    try:
        a, b = (json.loads(p.read_text(encoding="utf-8")) for p in (path_a, path_b))
    except (OSError, ValueError) as exc:
        fail(f"cannot read a dump: {exc}")
    ok = True
    for name, detail in SECTIONS.items():
        ok &= compare_cases(name, a.get(name, []), b.get(name, []), detail)
    found = first_difference(a.get("index"), b.get("index"))
    print(f"index (len, stats, get, skipped lines): {'identical' if not found else 'DIFFERENT'}")
    if found:
        print(f"  {found}")
    ok &= found is None
    extra = sorted((set(a) | set(b)) - set(SECTIONS) - {"index", "format"})
    for name in extra:
        same = a.get(name) == b.get(name)
        print(f"{name}: {'identical' if same else 'DIFFERENT: ' + str(first_difference(a.get(name), b.get(name)))}")
        ok &= same
    print("ALL IDENTICAL" if ok else "DIFFERENCES FOUND")
    return 0 if ok else 1


# ---------------------------------------------------------------------------- main


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("dump", help="run the workload and write what it returned as JSON")
    run.add_argument("out", type=Path)
    run.add_argument("--workdir", type=Path, help="keep (and reuse) the Reuters index here")
    run.add_argument("--index", dest="url", metavar="URL", help="run on this OpenSearch cluster (http://host:9200)")
    check = commands.add_parser("compare", help="compare two dumps; exit 0 when identical")
    check.add_argument("a", type=Path)
    check.add_argument("b", type=Path)
    args = parser.parse_args(argv)
    if args.command == "dump":
        dump(args.out, args.workdir, args.url)
        return 0
    return compare(args.a, args.b)


if __name__ == "__main__":
    sys.exit(main())
