"""The cluster's part of a search: what the search pipeline (``search/pipeline.py``) asks
of an index on an OpenSearch cluster (:class:`ClusterBackend`).

Word queries (``syntax=False``, or typed without any operator) are ranked as the Whoosh
engine ranks them (word_ranking.py): the words analysed here as the index analyses them
(analysis.py; repeated words weigh more), candidates found by the cluster (documents
holding every word first), then scored with BM25F and re-ranked by pseudo-relevance
feedback here, from their stored texts, analysed here too. Structured queries are
compiled to the DSL (compile.py) and ranked by the cluster. Few round trips: one msearch
ranks (the tiers, or the compiled query), reads what the page, the folding of copies and
(for words) the scoring need of each hit, and counts the facets, the index's documents and
each query word's; a word query's second and last request reads the shards' field
statistics with the document counts of the words feedback will likely ask for (a third
only when it asks for one not guessed, or a candidate holds a word only the cluster can
analyse). The words a
snippet marks are those analysed to a query word (a compiled query's: those the cluster's
highlighter marked in the same search); explanations of structured queries are the
cluster's own. Keys are the documents' ``_id``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ...core.errors import DocumentNotFoundError, NoVectors
from ...core.records import ScorePart
from ...core.words import WORD_RE
from ...search.backend import Copy, FacetCounts, Plan, Stored, Window
from ...search.bm25 import idf, query_term_weights
from ...search.duplicates import read_signature
from ...search.fields import DEFAULT_FIELDS, WORD_FIELDS
from ...search.filters import SearchFilter
from ...search.limits import Deadline
from ...search.options import SearchOptions
from ...search.query_parser import WHOOSH3
from ...search.query_text import joined, word_units
from ...search.settings import RankingSettings
from ...search.suggestions import edits, max_edits
from .compile import INDEX_FIELDS, Query, compile_reading, epoch_millis, fold
from .explain import score_parts
from .mapping import doc_key, parse_date, stored_signature
from .analysis import local_terms, marked_words
from .word_ranking import (CANDIDATES, DocFreqs, Scorer, likely_words, rank, read_statistics, read_term_counts, read_texts,
                           term_counts)

if TYPE_CHECKING:
    from opensearchpy import OpenSearch

    from ...search.query_parser import ParsedQuery

#: Why a cluster index has no semantic side (issue 26: its k-NN plugin is not used yet).
NO_VECTORS = NoVectors("semantic search is an embedded-index feature for now: an index in a folder, "
                       "made with a model, ranks by meaning")

_MARKED = re.compile("\x02(.*?)\x03", re.S)
#: What a hit's page needs of the stored document.
_HIT_FIELDS = ["doc_id", "title", "body", "source", "published", "path", "url"]
#: What the ranking search reads of each hit, so that the page and the folding of copies
#: need no request of their own (the body only when snippets are made).
_RANKED_FIELDS = _HIT_FIELDS + ["signature"]
#: What a word query's ranking search reads of each candidate: the word fields' texts too,
#: whose term vectors are made here (word_ranking.read_texts).
_SCORED_FIELDS = _RANKED_FIELDS + ["sections"]


@dataclass(slots=True)
class _Words:
    """A word query: each term's weight (repeats count), and its clause at a given weight."""

    weights: dict[str, float]
    #: a hyphenated word's key -> (its parts' text, its joined word's stem or None)
    compounds: dict[str, tuple[str, str | None]]

    def clause(self, term: str, weight: float, field_weights: dict[str, float]) -> Query:
        """``term`` in any word field, each field's score times its weight times ``weight``."""
        subs = []
        for name in DEFAULT_FIELDS:
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

    def marked_terms(self) -> frozenset[str]:
        """The terms a snippet marks: each word's, a hyphenated word's parts and joined word."""
        terms = {t for t in self.weights if t not in self.compounds}
        for key, (_, whole) in self.compounds.items():
            terms.update(key.split(" "))
            if whole:
                terms.add(whole)
        return frozenset(terms)


@dataclass(slots=True)
class ClusterPlan(Plan):
    """A search as the cluster runs it."""

    #: the DSL query of the matching set (None: nothing to search for)
    query: Query | None = None
    #: the compiled --source/--since/--until, or None
    filter: Query | None = None
    #: a word query, ranked here from term vectors (None: the cluster ranks ``query``)
    terms: _Words | None = None
    #: the query whose matches the highlighter marks in snippets
    highlight: Query | None = None


class ClusterBackend:
    """One search on an index (or alias) of a cluster (see the module docstring)."""

    dialect = WHOOSH3
    query_fields = INDEX_FIELDS

    def __init__(self, client: "OpenSearch", index: str, settings: RankingSettings,
                 averages: dict[str, float] | None = None) -> None:
        self.client = client
        self.index = index
        self.settings = settings
        #: the word fields' average lengths as the last search read them (kept by the engine
        #: from one search to the next): a guess at which words feedback will look up
        self.averages = {} if averages is None else averages
        #: what the ranking searches read of their hits (``_RANKED_FIELDS``), by key
        self._read: dict[str, dict[str, Any]] = {}
        #: the words of each hit the cluster's highlighter marked (a ranking search of a
        #: query ranked by the cluster highlights its hits as it finds them)
        self._highlighted: dict[str, frozenset[str]] = {}
        #: the facet counts a ranking search counted alongside (``options.facets``)
        self._facets: FacetCounts | None = None

    @staticmethod
    def find_spans(text: str, words: frozenset[str]) -> list[tuple[int, int]]:
        """(start, end) of each word of ``text`` that is one of ``words`` (folded)."""
        return [m.span() for m in WORD_RE.finditer(text) if fold(m.group()) in words]

    def analyse(self, text: str) -> list[str]:
        """The terms the cluster searches for ``text`` (stop words dropped)."""
        return analyze(self.client, self.index, text)

    # ------------------------------------------------------------------ plans

    def structured(self, parsed: "ParsedQuery", options: SearchOptions, filt: SearchFilter | None,
                   deadline: Deadline) -> ClusterPlan:
        dsl, as_words = compile_reading(parsed, self.settings.field_weights())
        return ClusterPlan(options, searched_as_words=as_words, query=dsl, filter=filter_query(filt), highlight=dsl)

    def words(self, query: str, options: SearchOptions, filt: SearchFilter | None) -> ClusterPlan:
        words = words_of(self.client, self.index, query, self.settings)
        any_word = words.query(words.weights, self.settings.field_weights()) if words.weights else None
        return ClusterPlan(options, words=list(words.weights), query=any_word, filter=filter_query(filt),
                           terms=words, highlight=any_word)

    def like(self, doc_id: str, options: SearchOptions) -> tuple[str, ClusterPlan | None]:
        """The article's most telling words (tf x idf over its word fields, the 20 best) as a
        weighted word query, ranked by the cluster."""
        key = doc_key(doc_id)
        vectors = term_vectors(self.client, self.index, [key])
        if key not in vectors:
            raise DocumentNotFoundError(f"no document {doc_id!r} in the index ")
        counts, dfs, n = vectors[key]
        scored = {t: c * idf(n, dfs.get(t, 1)) for t, c in counts.items() if dfs.get(t, 0) > 1}
        best = dict(sorted(scored.items(), key=lambda kv: -kv[1])[:20])
        if not best:
            return key, None
        top = max(best.values())
        words = _Words({t: w / top for t, w in best.items()}, {})
        like = words.query(words.weights, self.settings.field_weights())
        return key, ClusterPlan(options, query={"bool": {"must": [like], "must_not": [{"ids": {"values": [key]}}]}},
                                highlight=like)

    # ------------------------------------------------------------------ ranking

    def rank(self, plan: ClusterPlan, limit: int, deadline: Deadline) -> Window[str]:
        if plan.terms is not None and not plan.options.by_date:
            return self._rank_words(plan, plan.terms, limit)
        return self._rank_dsl(plan, limit)

    def _rank_words(self, plan: ClusterPlan, words: _Words, limit: int) -> Window[str]:
        """The best ``limit`` of a word query (as the Whoosh engine's word path ranks them)."""
        settings = self.settings
        if not words.weights:
            return Window([], 0)
        fw = settings.field_weights()
        options = plan.options
        use_feedback = (settings.feedback if options.expand is None else options.expand) and settings.feedback_docs > 0
        depth = limit
        first = max(settings.feedback_docs, settings.feedback_depth) + depth if use_feedback else depth
        size = max(first, CANDIDATES)
        tiered = settings.tiers(len(words.weights))
        clauses = [words.clause(t, w, fw) for t, w in words.weights.items()]
        if tiered:
            all_words = {"bool": {"must": clauses}}
            rest = {"bool": {"should": clauses, "minimum_should_match": 1,
                             "must_not": [{"bool": {"filter": clauses}}]}}
            searches = [_filtered(all_words, plan.filter), _filtered(rest, plan.filter)]
        else:
            searches = [_filtered(words.query(words.weights, fw), plan.filter)]
        bodies: list[dict[str, Any]] = []
        for q in searches:
            bodies += [{}, {"query": q, "size": size, "_source": _SCORED_FIELDS, "track_total_hits": True}]
        # The index's document count and each query word's, in the same request.
        terms = list(words.weights)
        bodies += [{}, {"size": 0, "track_total_hits": True, "aggs": term_counts(terms, words.compounds)}]
        responses = self._msearch(plan, bodies)
        candidates: list[str] = []
        total = 0
        for response in responses[:len(searches)]:
            total += int(response["hits"]["total"]["value"])
            hits = response["hits"]["hits"][:size - len(candidates)]
            self._keep(hits)
            candidates += [hit["_id"] for hit in hits]
        if not candidates:
            return Window([], total)
        doc_count = int(responses[len(searches)]["hits"]["total"]["value"])
        dfs = DocFreqs(self.client, self.index, words.compounds, doc_count,
                       read_term_counts(responses[len(searches)], terms), _shards(responses[0]))
        vectors, unanalysed = read_texts(self._read, candidates)
        likely = likely_words(vectors, dfs, settings, words.compounds, words.weights, candidates, self.averages,
                              tiered=tiered) if use_feedback else []
        # The second and last request (unless feedback asks for a word not guessed).
        read_statistics(self.client, self.index, vectors, dfs, likely, unanalysed)
        self.averages.update((name, vectors.average(name)) for name in WORD_FIELDS)
        scorer = Scorer(vectors, dfs, settings, words.compounds)
        order, why, _ = rank(scorer, words.weights, candidates, tiered=tiered, depth=depth, feedback=use_feedback,
                             explain=options.explain)
        return Window(order, total, why)

    def _ranked_fields(self, options: SearchOptions) -> list[str]:
        return _RANKED_FIELDS if options.fragments else [f for f in _RANKED_FIELDS if f != "body"]

    def _msearch(self, plan: ClusterPlan, bodies: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """The responses to ``bodies`` (header, body pairs) in one request, with the facet
        counts of ``plan`` asked alongside (kept for :meth:`facet_counts`) when the search
        wants them and has not counted them yet."""
        facets = plan.options.facets and self._facets is None
        if facets:
            bodies = bodies + [{}, self._facet_body(plan)]
        responses = self.client.msearch(index=self.index, body=bodies)["responses"]
        for response in responses:
            _check(response)
        if facets:
            self._facets = read_facets(responses[-1])
        return responses

    def _keep(self, hits: list[dict[str, Any]]) -> None:
        """Keep what a ranking search read of its hits for the page and the copies."""
        for hit in hits:
            self._read[hit["_id"]] = hit.get("_source") or {}
            if "highlight" in hit:
                self._highlighted[hit["_id"]] = _marks(hit)

    def _rank_dsl(self, plan: ClusterPlan, limit: int) -> Window[str]:
        """The best ``limit`` of a query run by the cluster as it is (a compiled query,
        ``similar``'s, and any query sorted by date)."""
        if plan.query is None:
            return Window([], 0)
        options = plan.options
        body: dict[str, Any] = {"query": _filtered(plan.query, plan.filter), "size": limit,
                                "_source": self._ranked_fields(options), "track_total_hits": True}
        by_date = options.by_date
        if by_date:
            # Newest (or oldest) first, undated documents last (counted); equal dates in id order.
            direction = "desc" if options.sort == "date" else "asc"
            body["sort"] = [{"published": {"order": direction, "missing": "_last"}}, {"doc_id": "asc"}]
            body["aggs"] = {"undated": {"missing": {"field": "published"}}}
        elif options.explain:
            body["explain"] = True
        if options.fragments and plan.terms is None and plan.highlight is not None:
            body["highlight"] = _highlight(plan.highlight)
        response = self._msearch(plan, [{"search_type": "dfs_query_then_fetch"}, body])[0]
        hits = response["hits"]["hits"]
        self._keep(hits)
        order = [(0.0 if by_date else float(hit["_score"] or 0.0), hit["_id"]) for hit in hits]
        window = Window(order, int(response["hits"]["total"]["value"]))
        if by_date:
            window.undated = int(response["aggregations"]["undated"]["doc_count"])
        if options.explain and not by_date:
            window.why = {hit["_id"]: score_parts(hit["_explanation"], k1=self.settings.k1) for hit in hits}
        return window

    def explain(self, plan: ClusterPlan, key: str, score: float) -> list[ScorePart]:
        return []  # the cluster explains every hit it ranks (Window.why)

    # ------------------------------------------------------------------ stored documents

    def stored(self, plan: ClusterPlan, keys: Sequence[str], texts: bool) -> dict[str, Stored]:
        """The page's documents, as the ranking search read them (any it did not: in one
        request); the words of each the query matched (folded): for a word query, the words
        analysed to one of its terms, else those the cluster's highlighter marked."""
        missing = [k for k in keys if k not in self._read or (texts and "body" not in self._read[k])]
        if missing:
            self._read_page(plan, missing, texts)
        marked = plan.terms.marked_terms() if plan.terms is not None and texts else None
        out = {}
        for key in keys:
            source = self._read.get(key)
            if source is None:
                continue  # deleted meanwhile
            title, body = source.get("title") or "", source.get("body") or ""
            marks = marked_words([title, body], marked) if marked is not None else self._highlighted.get(key, frozenset())
            out[key] = Stored(doc_id=source["doc_id"], title=title, body=body if texts else "",
                              source=source.get("source") or None, published=parse_date(source.get("published")),
                              path=source.get("path"), url=source.get("url"), marks=marks)
        return out

    def _read_page(self, plan: ClusterPlan, keys: list[str], texts: bool) -> None:
        """Read ``keys`` for the page (highlighted by the cluster for a query it ranks)."""
        highlight = plan.highlight if texts and plan.terms is None else None
        body: dict[str, Any] = {"query": {"ids": {"values": list(keys)}}, "size": len(keys), "_source": _RANKED_FIELDS}
        if highlight is not None:
            body["highlight"] = _highlight(highlight)
        self._keep(self.client.search(index=self.index, body=body)["hits"]["hits"])

    def copies(self, keys: Sequence[str]) -> dict[str, Copy]:
        """Ids and signatures, as the ranking search read them (any it did not: in one
        request; a document stored without a signature, from an index made before them,
        gets one made from its stored body and title)."""
        missing = [k for k in keys if k not in self._read]
        if missing:
            self._read.update(self._sources(missing, _RANKED_FIELDS))
        plain = [k for k in keys if k in self._read and stored_signature(self._read[k]) is None
                 and "body" not in self._read[k]]
        texts = self._sources(plain, ["title", "body"]) if plain else {}
        out = {key: Copy(key, None) for key in keys}  # deleted meanwhile: never folds
        for key in keys:
            src = self._read.get(key)
            if src is None:
                continue
            text = texts.get(key, src)
            out[key] = Copy(src.get("doc_id") or key, read_signature(stored_signature(src), text.get("body") or "",
                                                                     text.get("title") or ""))
        return out

    def _sources(self, keys: list[str], fields: list[str]) -> dict[str, dict[str, Any]]:
        response = self.client.search(index=self.index, body={
            "query": {"ids": {"values": keys}}, "size": len(keys), "_source": fields})
        return {hit["_id"]: hit.get("_source") or {} for hit in response["hits"]["hits"]}

    # ------------------------------------------------------------------ facets, did-you-mean

    def facet_counts(self, plan: ClusterPlan) -> FacetCounts:
        """Aggregations by source (named by a document holding it) and by month, counted
        by the ranking search when it could."""
        if self._facets is None:
            self._facets = read_facets(self.client.search(index=self.index, body=self._facet_body(plan)))
        return self._facets

    @staticmethod
    def _facet_body(plan: ClusterPlan) -> dict[str, Any]:
        return {"query": _filtered(plan.query or {"match_none": {}}, plan.filter), "size": 0, "aggs": {
            "source": {"terms": {"field": "source_key", "size": 10_000},
                       "aggs": {"name": {"top_hits": {"size": 1, "_source": ["source"]}}}},
            "month": {"terms": {"field": "month", "size": 10_000}}}}

    # ------------------------------------------------------------------ vectors

    def dense(self) -> None:
        return None

    def no_dense(self) -> NoVectors:
        return NO_VECTORS

    def keys_of(self, doc_ids: Sequence[str]) -> dict[str, str]:
        return {}

    def matching(self, plan: Any, keys: Sequence[str]) -> set[str]:
        return set()

    def corrections(self, words: list[str], deadline: Deadline) -> dict[str, str]:
        """The nearest indexed word within the edits allowed for each unknown word (the most
        frequent of the nearest, as the Whoosh engine chooses), from the cluster's term
        suggester over the unstemmed words of titles and bodies (the ``spell`` field), so a
        correction is a real word; one request, within the deadline."""
        from opensearchpy.exceptions import ConnectionTimeout

        body = {"size": 0, "suggest": {f"w{i}": {"text": fold(w), "term": {
            "field": "spell", "suggest_mode": "missing", "max_edits": 2, "prefix_length": 0, "min_word_length": 3,
            "sort": "frequency", "string_distance": "damerau_levenshtein", "size": 10}} for i, w in enumerate(words)}}
        deadline.check("looking for a spelling suggestion")
        left = deadline.left()
        try:
            response = self.client.search(index=self.index, body=body,
                                          **({"request_timeout": left} if left is not None else {}))
        except ConnectionTimeout:
            raise deadline.error("looking for a spelling suggestion") from None
        chosen: dict[str, str] = {}
        for i, word in enumerate(words):
            entries = response.get("suggest", {}).get(f"w{i}", [])
            folded = fold(word)
            near = [(edits(folded, o["text"]), -o.get("freq", 0), o["text"])
                    for entry in entries for o in entry.get("options", []) if o["text"] != folded]
            choices = sorted(c for c in near if c[0] <= max_edits(word))
            if choices:
                chosen[word] = choices[0][2]
        return chosen


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


def analyze(client: "OpenSearch", index: str, text: str) -> list[str]:
    """The terms the cluster indexes ``text`` as in a word field (stems, no stop words):
    analysed here when it can be (analysis.py), else by the cluster."""
    if not text.strip():
        return []
    terms = local_terms(text)
    if terms is not None:
        return terms
    found = client.indices.analyze(index=index, body={"analyzer": "searcher_text", "text": text})
    return [t["token"] for t in found.get("tokens", [])]


def words_of(client: "OpenSearch", index: str, text: str, settings: RankingSettings) -> _Words:
    """The query's terms as the cluster analyses them; a hyphenated word is one term
    (its parts side by side, or written as one word), as for the Whoosh engine."""
    tokens: list[str] = []
    compounds: dict[str, tuple[str, str | None]] = {}
    plain: list[str] = []
    for unit, hyphenated in word_units(text):
        if hyphenated:
            parts = analyze(client, index, unit)
            if len(parts) >= 2:
                whole = analyze(client, index, joined(unit))
                key = " ".join(parts)
                compounds[key] = (" ".join(WORD_RE.findall(unit)), whole[0] if len(whole) == 1 else None)
                tokens.append(key)
                continue
        plain.append(unit)
    tokens = analyze(client, index, " ".join(plain)) + tokens
    return _Words(query_term_weights(tokens, settings.query_tf, settings.query_tf_log), compounds)


def term_vectors(client: "OpenSearch", index: str, keys: list[str]
                 ) -> dict[str, tuple[dict[str, int], dict[str, int], int]]:
    """Per document: (its word fields' term counts added up, each term's document frequency,
    documents with the field): what ``similar`` reads of the article."""
    if not keys:
        return {}
    found = client.mtermvectors(index=index, body={"ids": keys, "parameters": {
        "fields": list(DEFAULT_FIELDS), "term_statistics": True, "field_statistics": True,
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


def read_facets(response: dict[str, Any]) -> FacetCounts:
    aggs = response["aggregations"]
    return FacetCounts(sources=source_counts(aggs["source"]),
                       months={b["key"]: int(b["doc_count"]) for b in aggs["month"]["buckets"]})


def _highlight(query: Query) -> dict[str, Any]:
    """Whole fields highlighted by ``query`` with control characters around each match
    (read back by :func:`_marks`)."""
    return {"type": "unified", "number_of_fragments": 0, "pre_tags": ["\x02"], "post_tags": ["\x03"],
            "highlight_query": query, "fields": {"title": {}, "body": {}}, "max_analyzer_offset": 1_000_000}


def _marks(hit: dict[str, Any]) -> frozenset[str]:
    """The words (folded) the highlighter marked in a hit."""
    return frozenset(fold(w) for texts in (hit.get("highlight") or {}).values() for text in texts
                     for w in _MARKED.findall(text))


def _shards(response: dict[str, Any]) -> int:
    """The index's shards, as a search of it reports them (the shards it asked)."""
    return int((response.get("_shards") or {}).get("total") or 1)


def _check(response: dict[str, Any]) -> None:
    """A failed search inside an msearch raises as a lone search would."""
    if "error" in response:
        from opensearchpy.exceptions import TransportError

        raise TransportError(response.get("status", 500), str(response["error"].get("type", "error")),
                             response["error"])


def source_counts(agg: dict[str, Any]) -> dict[str, int]:
    """A terms aggregation on source_key, each bucket named by the source as a document writes it."""
    shown: dict[str, int] = {}
    for bucket in agg["buckets"]:
        hits = bucket.get("name", {}).get("hits", {}).get("hits", [])
        name = (hits[0]["_source"].get("source") if hits else None) or bucket["key"]
        shown[name] = shown.get(name, 0) + int(bucket["doc_count"])
    return shown
