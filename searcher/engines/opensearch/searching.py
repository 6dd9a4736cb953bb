"""The read path on a cluster: a query parsed by our parser, run by OpenSearch, shown by us.

Word queries (``syntax=False``, or typed without any operator) are ranked as the Whoosh
engine ranks them (word_ranking.py): the words analysed by the cluster (repeated words
weigh more), candidates found by the cluster (documents holding every word first, one
search per tier), then scored with BM25F and re-ranked by pseudo-relevance feedback here,
from their term vectors.
Structured queries are compiled to the DSL (compile.py). Snippets are our snippets module
over the stored text, the matched words found by the cluster's highlighter (so they agree
with its analysis); facets are aggregations; explanations are the cluster's own.
Near-duplicates fold as on the Whoosh engine: the ranking goes through the shared
``search.duplicates.collapse`` with the signatures stored beside each document.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ...core.errors import DocumentNotFoundError, QueryError
from ...core.records import Hit, Results, ScorePart
from ...search.bm25 import idf
from ...search.duplicates import Signature, are_copies, collapse, read_signature
from ...search.empty import empty_reason
from ...search.explain import explanation_lines
from ...search.filters import SearchFilter, make_filter
from ...search.limits import Deadline, check_query_size
from ...search.options import SearchOptions
from ...search.query_text import is_plain, joined, query_words, word_units
from ...search.snippets import make_snippet, render, split_marks
from ...search.suggestions import SUGGEST_BELOW, SUGGEST_MAX_WORDS, corrected_query, edits, max_edits
from .compile import INDEX_FIELDS, Query, compile_reading, epoch_millis, fold
from .explain import score_parts
from .mapping import doc_key, parse_date, stored_signature
from .word_ranking import CANDIDATES, DocFreqs, Scorer, fetch_vectors, rank

if TYPE_CHECKING:
    from ...search.query_parser import ParsedQuery
    from .engine import OpenSearchEngine

WORD_FIELDS = ("title", "body", "sections")
_MARKED = re.compile("\x02(.*?)\x03", re.S)
_TOKEN = re.compile(r"\w+(?:\.\w+)*")
#: What a hit's page needs of the stored document.
_HIT_FIELDS = ["doc_id", "title", "body", "source", "published", "path", "url"]


@dataclass(slots=True)
class _Ranking:
    """(score, _id) best first, the hit count, and what the page needs."""

    order: list[tuple[float, str]]
    total: int
    #: the query that finds the words to highlight
    highlight: Query | None
    tokens: list[str] | None = None
    why: dict[str, list[ScorePart]] = field(default_factory=dict)
    facets: dict[str, dict[str, int]] = field(default_factory=dict)
    #: (sorted by date) how many matches have no date
    undated: int = 0


@dataclass(slots=True)
class _Entry:
    """One hit to show: its score and _id, and the _ids of the copies folded into it."""

    score: float
    key: str
    copies: list[str] = field(default_factory=list)


class _Signatures:
    """The near-duplicate signatures (and doc ids) of ranked documents, read from the
    cluster in one request per window and kept for the search."""

    def __init__(self, engine: "OpenSearchEngine", index: str) -> None:
        self.engine = engine
        self.index = index
        self.found: dict[str, tuple[str, Signature]] = {}

    def read(self, keys: Iterable[str]) -> None:
        """Learn the signatures of ``keys`` not read yet. A document stored without one (an
        index made before signatures) gets one made from its stored body and title."""
        wanted = [k for k in dict.fromkeys(keys) if k not in self.found]
        if not wanted:
            return
        sources = self._sources(wanted, ["doc_id", "signature"])
        plain = [k for k, src in sources.items() if stored_signature(src) is None]
        bodies = self._sources(plain, ["title", "body"]) if plain else {}
        for key, src in sources.items():
            text = bodies.get(key, {})
            self.found[key] = (src.get("doc_id") or key, read_signature(stored_signature(src), text.get("body") or "",
                                                                        text.get("title") or ""))

    def _sources(self, keys: list[str], fields: list[str]) -> dict[str, dict[str, Any]]:
        response = self.engine.client.search(index=self.index, body={
            "query": {"ids": {"values": keys}}, "size": len(keys), "_source": fields})
        return {hit["_id"]: hit.get("_source") or {} for hit in response["hits"]["hits"]}

    def get(self, key: str) -> Signature | None:
        """``key``'s signature (None for a document deleted meanwhile: it never folds)."""
        found = self.found.get(key)
        return found[1] if found else None

    def doc_id(self, key: str) -> str:
        found = self.found.get(key)
        return found[0] if found else key


def run_search(engine: "OpenSearchEngine", index: str, query: str, options: SearchOptions) -> Results:
    """One page of ranked hits for ``query`` (see the module docstring); QueryError for a
    query that cannot run. With ``options.collapse`` near-duplicates fold into the
    best-ranked copy, as on the Whoosh engine."""
    started = time.perf_counter()
    if not query or not query.strip():
        raise QueryError("empty query: give at least one word to search for")
    check_query_size(query)
    deadline = Deadline(options.seconds)
    filt = filter_query(make_filter(options.source, options.since, options.until))
    as_words = None
    parsed: "ParsedQuery | None" = None
    signatures = _Signatures(engine, index)
    with engine.errors():
        if not options.syntax or is_plain(query):
            words = words_of(engine, index, query)

            def rank(limit: int) -> _Ranking:
                return _rank_words(engine, index, words, filt, options, limit)
        else:
            from ...search.query_parser import parse_query

            parsed = parse_query(query, syntax=True, index_fields=INDEX_FIELDS)
            dsl, as_words = compile_reading(parsed, engine.settings.field_weights())

            def rank(limit: int) -> _Ranking:
                return _rank_dsl(engine, index, dsl, filt, options, limit)

        ranking, entries, copies = _ranked_entries(rank, options, signatures, deadline)
        deadline.check()
        hits = _page(engine, index, ranking, entries, options, signatures)
    results = Results(query=query, hits=hits, total=ranking.total, page=options.page, limit=options.limit,
                      facets=ranking.facets, searched_as_words=as_words, copies=copies, undated=ranking.undated)
    if ranking.total < SUGGEST_BELOW:
        results.suggestion = suggest(engine, index, query)
    if not ranking.total:
        with engine.errors():
            results.empty_reason = empty_reason(query, parsed, lambda text: analyze(engine, index, text))
    results.seconds = time.perf_counter() - started
    return results


def _ranked_entries(rank: Callable[[int], _Ranking], options: SearchOptions, signatures: _Signatures,
                    deadline: Deadline) -> tuple[_Ranking, list[_Entry], int]:
    """The ranking, its hits in order (copies folded into the best-ranked one when
    ``options.collapse``, by the shared ``collapse``) and how many were folded."""
    if not options.collapse:
        ranking = rank(options.wanted)
        return ranking, [_Entry(score, key) for score, key in ranking.order], 0
    last: list[_Ranking] = []

    def keys(limit: int) -> tuple[list[str], int]:
        deadline.check()
        last[:] = [rank(limit)]
        found = [key for _, key in last[0].order]
        signatures.read(found)
        return found, last[0].total

    groups, copies = collapse(keys, signatures.get, options.wanted)
    ranking = last[0]
    scores = {key: score for score, key in ranking.order}
    return ranking, [_Entry(scores[g.key], g.key, g.copies) for g in groups], copies


def filter_query(filt: SearchFilter | None) -> Query | None:
    """--source / --since / --until as a DSL filter (the source's words in order, as
    ``source:"..."`` finds them)."""
    if filt is None:
        return None
    parts: list[Query] = []
    if filt.sources:
        wanted = [{"match_phrase": {"source": name}} for name in filt.sources]
        parts.append(wanted[0] if len(wanted) == 1 else {"bool": {"should": wanted, "minimum_should_match": 1}})
    if filt.since or filt.until:
        bounds: dict[str, Any] = {"format": "epoch_millis"}
        if filt.since:
            bounds["gte"] = epoch_millis(filt.since)
        if filt.until:
            bounds["lte"] = epoch_millis(filt.until)
        parts.append({"range": {"published": bounds}})
    return {"bool": {"filter": parts}} if parts else None


def _filtered(q: Query, filt: Query | None) -> Query:
    return {"bool": {"must": [q], "filter": [filt]}} if filt is not None else q


# ---------------------------------------------------------------------------- word queries


@dataclass(slots=True)
class _Words:
    """A word query: each term's weight (repeats count), and its clause at a given weight."""

    weights: dict[str, float]
    #: a hyphenated word's key -> (its parts' text, its joined word's stem or None)
    compounds: dict[str, tuple[str, str | None]]

    def clause(self, term: str, weight: float, field_weights: dict[str, float]) -> Query:
        """``term`` in any word field, each field's score times its weight times ``weight``."""
        subs = []
        for name in WORD_FIELDS:
            boost = field_weights.get(name, 1.0) * weight
            if boost <= 0:
                continue
            if term in self.compounds:
                parts, whole = self.compounds[term]
                subs.append({"match_phrase": {name: {"query": parts, "boost": boost}}})
                if whole:
                    subs.append({"term": {name: {"value": whole, "boost": boost}}})
            else:
                subs.append({"term": {name: {"value": term, "boost": boost}}})
        return {"bool": {"should": subs, "minimum_should_match": 1}}

    def query(self, weights: dict[str, float], field_weights: dict[str, float]) -> Query:
        return {"bool": {"should": [self.clause(t, w, field_weights) for t, w in weights.items()],
                         "minimum_should_match": 1}}


def analyze(engine: "OpenSearchEngine", index: str, text: str) -> list[str]:
    """The terms the cluster indexes ``text`` as in a word field (stems, no stop words)."""
    if not text.strip():
        return []
    found = engine.client.indices.analyze(index=index, body={"analyzer": "searcher_text", "text": text})
    return [t["token"] for t in found.get("tokens", [])]


def words_of(engine: "OpenSearchEngine", index: str, text: str) -> _Words:
    """The query's terms as the cluster analyses them; a hyphenated word is one term
    (its parts side by side, or written as one word), as for the Whoosh engine."""
    tokens: list[str] = []
    compounds: dict[str, tuple[str, str | None]] = {}
    plain: list[str] = []
    for unit, hyphenated in word_units(text):
        if hyphenated:
            parts = analyze(engine, index, unit)
            if len(parts) >= 2:
                whole = analyze(engine, index, joined(unit))
                key = " ".join(parts)
                compounds[key] = (" ".join(_TOKEN.findall(unit)), whole[0] if len(whole) == 1 else None)
                tokens.append(key)
                continue
        plain.append(unit)
    tokens = analyze(engine, index, " ".join(plain)) + tokens
    weights: dict[str, float] = {}
    query_tf = engine.settings.query_tf
    for t in tokens:
        weights[t] = weights.get(t, 0.0) + 1.0 if query_tf else 1.0
    return _Words(weights, compounds)


def _rank_words(engine: "OpenSearchEngine", index: str, words: _Words, filt: Query | None,
                options: SearchOptions, limit: int) -> _Ranking:
    """The best ``limit`` of a word query (as the Whoosh engine's word path ranks them)."""
    settings = engine.settings
    fw = settings.field_weights()
    if not words.weights:
        return _Ranking([], 0, None, [])
    tokens = list(words.weights)
    any_word = words.query(words.weights, fw)
    if options.by_date:
        ranking = _rank_dsl(engine, index, any_word, filt, options, limit)
        ranking.tokens = tokens
        return ranking
    use_feedback = (settings.feedback if options.expand is None else options.expand) and settings.feedback_docs > 0
    depth = limit
    first = max(settings.feedback_docs, settings.feedback_depth) + depth if use_feedback else depth
    size = max(first, CANDIDATES)
    tiered = settings.tiers(len(words.weights))
    clauses = [words.clause(t, w, fw) for t, w in words.weights.items()]
    if tiered:
        all_words = {"bool": {"must": clauses}}
        rest = {"bool": {"should": clauses, "minimum_should_match": 1, "must_not": [{"bool": {"filter": clauses}}]}}
        searches = [_filtered(all_words, filt), _filtered(rest, filt)]
    else:
        searches = [_filtered(any_word, filt)]
    bodies: list[dict[str, Any]] = []
    for q in searches:
        bodies += [{}, {"query": q, "size": size, "_source": False, "track_total_hits": True}]
    responses = engine.client.msearch(index=index, body=bodies)["responses"]
    candidates: list[str] = []
    total = 0
    for response in responses:
        _check(response)
        total += int(response["hits"]["total"]["value"])
        candidates += [hit["_id"] for hit in response["hits"]["hits"]][:size - len(candidates)]
    scorer = Scorer(fetch_vectors(engine.client, index, candidates), DocFreqs(engine.client, index, words.compounds),
                    settings, words.compounds)
    scorer.dfs.fetch(words.weights)
    order, why, _ = rank(scorer, words.weights, candidates, tiered=tiered, depth=depth, feedback=use_feedback,
                         explain=options.explain)
    ranking = _Ranking(order, total, any_word, tokens, why)
    if options.facets and total:
        ranking.facets = _facets(engine, index, _filtered(any_word, filt))
    return ranking


def term_vectors(engine: "OpenSearchEngine", index: str, keys: list[str]
                 ) -> dict[str, tuple[dict[str, int], dict[str, int], int]]:
    """Per document: (its word fields' term counts added up, each term's document frequency,
    documents with the field): what feedback and ``similar`` read of the top hits."""
    if not keys:
        return {}
    found = engine.client.mtermvectors(index=index, body={"ids": keys, "parameters": {
        "fields": list(WORD_FIELDS), "term_statistics": True, "field_statistics": True,
        "positions": False, "offsets": False, "payloads": False}})
    out: dict[str, tuple[dict[str, int], dict[str, int], int]] = {}
    for doc in found.get("docs", []):
        if not doc.get("found"):
            continue
        counts: dict[str, int] = {}
        dfs: dict[str, int] = {}
        docs_with = 0
        for fieldname, vector in (doc.get("term_vectors") or {}).items():
            docs_with = max(docs_with, int(vector.get("field_statistics", {}).get("doc_count", 0)))
            for term, info in vector.get("terms", {}).items():
                counts[term] = counts.get(term, 0) + int(info.get("term_freq", 0))
                dfs[term] = max(dfs.get(term, 0), int(info.get("doc_freq", 0)))
        out[doc["_id"]] = (counts, dfs, docs_with)
    return out


# ---------------------------------------------------------------------------- structured queries


def _rank_dsl(engine: "OpenSearchEngine", index: str, dsl: Query | None, filt: Query | None,
              options: SearchOptions, limit: int) -> _Ranking:
    """The best ``limit`` of a compiled query run by the cluster as it is (and of any
    query sorted by date)."""
    if dsl is None:
        return _Ranking([], 0, None)
    body: dict[str, Any] = {"query": _filtered(dsl, filt), "size": limit, "_source": False,
                            "track_total_hits": True}
    by_date = options.by_date
    if by_date:
        # Newest (or oldest) first, undated documents last (counted); equal dates in id order.
        direction = "desc" if options.sort == "date" else "asc"
        body["sort"] = [{"published": {"order": direction, "missing": "_last"}}, {"doc_id": "asc"}]
        body["aggs"] = {"undated": {"missing": {"field": "published"}}}
    elif options.explain:
        body["explain"] = True
    response = engine.client.search(index=index, body=body, search_type="dfs_query_then_fetch")
    hits = response["hits"]["hits"]
    order = [(0.0 if by_date else float(hit["_score"] or 0.0), hit["_id"]) for hit in hits]
    ranking = _Ranking(order, int(response["hits"]["total"]["value"]), dsl)
    if by_date:
        ranking.undated = int(response["aggregations"]["undated"]["doc_count"])
    if options.explain and not by_date:
        ranking.why = {hit["_id"]: score_parts(hit["_explanation"], k1=engine.settings.k1) for hit in hits}
    if options.facets and ranking.total:
        ranking.facets = _facets(engine, index, body["query"])
    return ranking


def _check(response: dict[str, Any]) -> None:
    """A failed search inside an msearch raises as a lone search would."""
    if "error" in response:
        from opensearchpy.exceptions import TransportError

        raise TransportError(response.get("status", 500), str(response["error"].get("type", "error")),
                             response["error"])


def _facets(engine: "OpenSearchEngine", index: str, query: Query) -> dict[str, dict[str, int]]:
    """Hit counts by source (shown by its name as written) and by month."""
    response = engine.client.search(index=index, body={"query": query, "size": 0, "aggs": {
        "source": {"terms": {"field": "source_key", "size": 10_000},
                   "aggs": {"name": {"top_hits": {"size": 1, "_source": ["source"]}}}},
        "month": {"terms": {"field": "month", "size": 10_000}}}})
    aggs = response["aggregations"]
    months = {b["key"]: int(b["doc_count"]) for b in aggs["month"]["buckets"]}
    return {"source": dict(sorted(source_counts(aggs["source"]).items(), key=lambda kv: (-kv[1], kv[0]))),
            "month": dict(sorted(months.items(), key=lambda kv: (-kv[1], kv[0])))}


def source_counts(agg: dict[str, Any]) -> dict[str, int]:
    """A terms aggregation on source_key, each bucket named by the source as a document writes it."""
    shown: dict[str, int] = {}
    for bucket in agg["buckets"]:
        hits = bucket.get("name", {}).get("hits", {}).get("hits", [])
        name = (hits[0]["_source"].get("source") if hits else None) or bucket["key"]
        shown[name] = shown.get(name, 0) + int(bucket["doc_count"])
    return shown


# ---------------------------------------------------------------------------- the page


def _page(engine: "OpenSearchEngine", index: str, ranking: _Ranking, entries: list[_Entry], options: SearchOptions,
          signatures: _Signatures) -> list[Hit]:
    """The hits of the requested page: stored fields, snippets, folded copies, explanations."""
    page = entries[options.first:options.wanted]
    if not page:
        return []
    stored = _stored(engine, index, [e.key for e in page], ranking.highlight if options.fragments else None)
    settings = engine.settings
    hits = []
    for position, entry in enumerate(page, options.first + 1):
        score, key = entry.score, entry.key
        source, words = stored.get(key, ({}, set()))
        if not source:
            continue  # deleted between the two requests
        hit = to_hit(source, position, score, words, options)
        hit.duplicates = [signatures.doc_id(k) for k in entry.copies]
        if options.explain:
            hit.score_parts = ranking.why.get(key, [])
            tokens = ranking.tokens or []
            tiered = settings.tiers(len(set(tokens)))
            hit.explanation = explanation_lines(score, hit.score_parts, sorted_by_date=options.by_date,
                                                all_words_first=sorted(set(tokens)) if tiered and hit.score_parts
                                                else None)
        hits.append(hit)
    return hits


def _stored(engine: "OpenSearchEngine", index: str, keys: list[str], highlight: Query | None
            ) -> dict[str, tuple[dict[str, Any], set[str]]]:
    """Per _id: its stored fields, and the words of it the query matched (folded), as the
    cluster's highlighter finds them."""
    fields = _HIT_FIELDS if highlight is not None else [f for f in _HIT_FIELDS if f != "body"]
    body: dict[str, Any] = {"query": {"ids": {"values": keys}}, "size": len(keys), "_source": fields}
    if highlight is not None:
        body["highlight"] = {
            "type": "unified", "number_of_fragments": 0, "pre_tags": ["\x02"], "post_tags": ["\x03"],
            "highlight_query": highlight, "fields": {"title": {}, "body": {}},
            "max_analyzer_offset": 1_000_000,
        }
    response = engine.client.search(index=index, body=body)
    out = {}
    for hit in response["hits"]["hits"]:
        words = {fold(w) for texts in (hit.get("highlight") or {}).values() for text in texts
                 for w in _MARKED.findall(text)}
        out[hit["_id"]] = (hit["_source"], words)
    return out


def surface_spans(text: str, words: frozenset[str]) -> list[tuple[int, int]]:
    """(start, end) of each word of ``text`` that is one of ``words`` (folded)."""
    return [m.span() for m in _TOKEN.finditer(text) if fold(m.group()) in words]


def to_hit(source: dict[str, Any], rank: int, score: float, words: set[str], options: SearchOptions) -> Hit:
    snippet = text = ""
    matches: list[tuple[int, int]] = []
    if options.fragments:
        marked = make_snippet(source.get("body") or "", source.get("title") or "", words, surface_spans,
                              fragments=options.fragments, context=options.context)
        snippet = render(marked, options.highlight)
        text, matches = split_marks(marked)
    return Hit(rank=rank, doc_id=source["doc_id"], title=source.get("title") or "", score=float(score),
               source=source.get("source") or None, published=parse_date(source.get("published")),
               path=source.get("path"), url=source.get("url"), snippet=snippet, snippet_text=text, matches=matches)


# ---------------------------------------------------------------------------- similar, did-you-mean


def run_similar(engine: "OpenSearchEngine", index: str, doc_id: str, options: SearchOptions) -> Results:
    """The articles most like ``doc_id``: its most telling words (tf x idf over title and
    body, the 20 best) as a weighted word query, itself excluded.

    With ``options.collapse`` copies of the article itself are left out too (counted in
    ``Results.copies``) and copies among the rest fold, as on the Whoosh engine.
    """
    started = time.perf_counter()
    key = doc_key(doc_id)
    signatures = _Signatures(engine, index)
    with engine.errors():
        vectors = term_vectors(engine, index, [key])
        if key not in vectors:
            raise DocumentNotFoundError(f"no document {doc_id!r} in the index")
        counts, dfs, n = vectors[key]
        scored = {t: c * idf(n, dfs.get(t, 1)) for t, c in counts.items() if dfs.get(t, 0) > 1}
        best = dict(sorted(scored.items(), key=lambda kv: -kv[1])[:20])
        hits: list[Hit] = []
        total = copies = 0
        if best:
            top = max(best.values())
            words = _Words({t: w / top for t, w in best.items()}, {})
            like = words.query(words.weights, engine.settings.field_weights())
            q = {"bool": {"must": [like], "must_not": [{"ids": {"values": [key]}}]}}

            def rank(limit: int) -> _Ranking:
                response = engine.client.search(index=index, body={"query": q, "size": limit, "_source": False,
                                                                   "track_total_hits": True},
                                                search_type="dfs_query_then_fetch")
                order = [(float(h["_score"]), h["_id"]) for h in response["hits"]["hits"]]
                return _Ranking(order, int(response["hits"]["total"]["value"]), like)

            shown = SearchOptions(limit=options.limit, fragments=options.fragments, context=options.context,
                                  highlight=options.highlight, collapse=options.collapse)
            own_copies = 0
            if options.collapse:
                signatures.read([key])
                own = signatures.get(key)

                def rank_others(limit: int) -> _Ranking:
                    # The article's own copies are taken out before folding; the window grows
                    # past them as past any copy.
                    nonlocal own_copies
                    found = rank(limit)
                    signatures.read([k for _, k in found.order])
                    theirs = {k for _, k in found.order if are_copies(own, signatures.get(k))}
                    found.order = [(s, k) for s, k in found.order if k not in theirs]
                    found.total -= len(theirs)
                    own_copies = len(theirs)
                    return found

                ranking, entries, copies = _ranked_entries(rank_others, shown, signatures, Deadline(options.seconds))
                copies += own_copies
                ranking.total += own_copies
            else:
                ranking, entries, copies = _ranked_entries(rank, shown, signatures, Deadline(options.seconds))
            total = ranking.total
            hits = _page(engine, index, ranking, entries, shown, signatures)
    results = Results(query=f"like:{doc_id}", hits=hits, total=total, page=1, limit=options.limit, copies=copies)
    results.seconds = time.perf_counter() - started
    return results


def suggest(engine: "OpenSearchEngine", index: str, query: str) -> str | None:
    """The query with each unknown word replaced by the most frequent indexed word within the
    edits allowed for it (``search.suggestions``), or None. The vocabulary is the unstemmed
    words of titles and bodies (the ``spell`` field), so a suggestion is a real word."""
    words = query_words(query)
    if len(words) > SUGGEST_MAX_WORDS:
        return None
    wanted = [w for w in dict.fromkeys(words) if len(w) >= 3 and not w.isdigit()]
    if not wanted:
        return None
    body = {"suggest": {f"w{i}": {"text": fold(w), "term": {
        "field": "spell", "suggest_mode": "missing", "max_edits": 2, "prefix_length": 0, "min_word_length": 3,
        "sort": "frequency", "string_distance": "damerau_levenshtein", "size": 5}} for i, w in enumerate(wanted)}}
    with engine.errors():
        response = engine.client.search(index=index, body={"size": 0, **body})
    chosen: dict[str, str] = {}
    for i, word in enumerate(wanted):
        entries = response.get("suggest", {}).get(f"w{i}", [])
        options = [o["text"] for entry in entries for o in entry.get("options", [])]
        allowed = max_edits(word)
        folded = fold(word)
        choices = [o for o in options if edits(folded, o) <= allowed and o != folded]
        if choices:
            chosen[word] = choices[0]
    return corrected_query(query, chosen)
