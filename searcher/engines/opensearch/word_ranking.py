"""Word queries ranked as the Whoosh engine ranks them: BM25F, all words first, RM3 feedback.

The cluster finds the candidates (its own per-field BM25, documents holding every word
first) and counts the hits; the best ``CANDIDATES`` of them are then scored here with the
word path's formula (``search.bm25``: field frequencies combined with the field weights
and length normalisation before saturating once, one idf per word), from their term
vectors and the index's own document frequencies. Feedback (``search.feedback.rm3``) reads
the top hits' term vectors and re-scores the first pass's best ``feedback_depth`` the same
way. So the order is the Whoosh engine's wherever the cluster's candidates hold its top
hits; explanations are the parts computed here, which add up to the score.

The term vectors are made here from the texts the ranking search read (analysis.py), so
the scoring costs one more request only (:func:`read_statistics`): each shard's field
statistics (the average lengths) and the document counts of the words feedback will most
likely ask for (:func:`likely_words`, guessed with the averages the last search read).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ...core.records import ScorePart
from ...search.bm25 import idf, term_score
from ...search.feedback import model_words, rm3
from ...search.fields import WORD_FIELDS
from ...search.settings import RankingSettings
from ...search.tiers import with_tier_bonus
from .analysis import field_terms
from .routing import shard_routings

if TYPE_CHECKING:
    from opensearchpy import OpenSearch

#: At least this many of the cluster's best candidates are re-scored with BM25F (more when
#: the page or feedback needs more). nDCG@10 (top 10, with feedback) TIME / CISI / Cranfield:
#: 40 candidates 0.716 / 0.419 / 0.399, 100: 0.709 / 0.424 / 0.403 (the Whoosh engine, which
#: scores every match: 0.721 / 0.428 / 0.399). Feedback re-ranks with the top hits' words, so
#: candidates the cluster's per-field scoring ranked low still get their chance.
CANDIDATES = 100
#: Expansion words whose document frequency is fetched at once (RM3 looks at the most
#: likely words first and stops early; a miss fetches the next batch).
DF_BATCH = 250
#: Without averages read by an earlier search, the guess of feedback's words takes this many
#: times the top hits and words.
COLD_WIDER = 2


@dataclass(slots=True)
class Vectors:
    """The candidates' term counts per word field and field lengths, and what their shards
    say of each word field: its summed length and its documents."""

    counts: dict[str, dict[str, dict[str, int]]] = field(default_factory=dict)
    lengths: dict[str, dict[str, int]] = field(default_factory=dict)
    #: per shard (copy): each word field's summed length, and its documents (the most of the fields')
    shard_sums: dict[int, dict[str, int]] = field(default_factory=dict)
    shard_docs: dict[int, int] = field(default_factory=dict)
    #: each field's average length until shards' statistics are read (a guess)
    assumed: dict[str, float] = field(default_factory=dict)
    _seen: set[tuple[str, int, int]] = field(default_factory=set)

    def average(self, name: str) -> float:
        """A field's average length over every document (as the Whoosh engine averages it:
        documents without the field count as 0), over the shards read (every one, up to
        MAX_SHARDS_ASKED); before any is read, the ``assumed`` one."""
        docs = sum(self.shard_docs.values())
        if not docs and name in self.assumed:
            return self.assumed[name]
        return sum(sums.get(name, 0) for sums in self.shard_sums.values()) / docs if docs else 1.0

    def add_shard(self, term_vectors: dict[str, Any]) -> None:
        """Count a shard's word-field statistics, as one document's term vectors show them
        (``field_statistics``), unless another document showed them already (a shard is
        known by its fields' document counts and summed lengths)."""
        stats = {name: vector.get("field_statistics") or {} for name, vector in term_vectors.items()
                 if name in WORD_FIELDS}
        marks = [(name, int(s.get("doc_count", 0)), int(s.get("sum_ttf", 0))) for name, s in stats.items()
                 if int(s.get("doc_count", 0)) > 0]
        if not marks or any(m in self._seen for m in marks):
            return
        shard = len(self.shard_sums)
        self._seen.update(marks)
        self.shard_sums[shard] = {name: max(int(s.get("sum_ttf", 0)), 0) for name, s in stats.items()}
        self.shard_docs[shard] = max(int(s.get("doc_count", 0)) for s in stats.values())

    def doc_terms(self, key: str) -> dict[str, int]:
        """A document's term counts over all word fields together."""
        out: dict[str, int] = {}
        for counts in self.counts.get(key, {}).values():
            for term, n in counts.items():
                out[term] = out.get(term, 0) + n
        return out


#: The most shards whose field statistics are read (the average field lengths of the
#: others are taken to be theirs).
MAX_SHARDS_ASKED = 16
#: The same copy of a shard answers every look-up (replicas may differ a little in their
#: statistics until merged: the same search then ranks the same way).
PREFERENCE = "searcher-statistics"


def read_texts(sources: Mapping[str, Mapping[str, Any]], keys: list[str]) -> tuple[Vectors, list[str]]:
    """The term vectors of ``keys``, analysed here from the stored texts the ranking search
    read (no request), and the keys whose text the cluster must analyse (analysis.py)."""
    found = Vectors()
    unanalysed: list[str] = []
    for key in keys:
        source = sources.get(key) or {}
        per_field: dict[str, dict[str, int]] = {}
        for name in WORD_FIELDS:
            value = source.get(name)
            counts = field_terms(value if isinstance(value, list) else [value] if value else [])
            if counts is None:
                unanalysed.append(key)
                break
            per_field[name] = counts
        else:
            found.counts[key] = per_field
            found.lengths[key] = {name: sum(counts.values()) for name, counts in per_field.items()}
    return found, unanalysed


def read_statistics(client: "OpenSearch", index: str, vectors: Vectors, dfs: "DocFreqs", words: list[str],
                    unanalysed: list[str]) -> None:
    """In one request: each shard's word-field statistics (``vectors``' averages), the
    document frequencies of ``words`` (into ``dfs``), and the term vectors of the
    ``unanalysed`` documents (into ``vectors``)."""
    plain = dfs.plain_unknown(words)
    docs = dfs.look_ups(plain)
    docs += [{"_id": key, "fields": list(WORD_FIELDS), "term_statistics": False, "field_statistics": True,
              "positions": False, "offsets": False, "payloads": False} for key in unanalysed]
    found = client.mtermvectors(index=index, body={"docs": docs}, preference=PREFERENCE).get("docs", [])
    asked = len(docs) - len(unanalysed)
    for doc in found:
        vectors.add_shard(doc.get("term_vectors") or {})
    dfs.read_look_up(found[0] if found else {}, plain)
    for doc in found[asked:]:
        term_vectors = doc.get("term_vectors") or {}
        if doc.get("found") and term_vectors:
            per_field = {name: {t: int(info.get("term_freq", 0)) for t, info in vector.get("terms", {}).items()}
                         for name, vector in term_vectors.items()}
            vectors.counts[doc["_id"]] = per_field
            vectors.lengths[doc["_id"]] = {name: sum(counts.values()) for name, counts in per_field.items()}


class DocFreqs:
    """Documents holding a word in any word field (the most of the fields, as the Whoosh
    engine counts it), and the document count: the query's words' counted exactly by the
    search that found the candidates; feedback's words looked up with the field statistics
    (:func:`read_statistics`), and any other asked of the cluster with the next likely ones."""

    def __init__(self, client: "OpenSearch", index: str, compounds: dict[str, tuple[str, str | None]],
                 doc_count: int = 0, known: dict[str, int] | None = None, shards: int = 1) -> None:
        self.client = client
        self.index = index
        self.compounds = compounds
        self.known: dict[str, int] = dict(known or {})
        self.doc_count = doc_count
        #: the index's shards (the statistics are read of each)
        self.shards = max(shards, 1)
        #: words likely to be asked for next, in order: a miss fetches the next batch of them
        self.upcoming: list[str] = []

    def plain_unknown(self, terms: Iterable[str]) -> list[str]:
        """Those of ``terms`` not known yet that a look-up can count (not hyphenated words)."""
        return [t for t in dict.fromkeys(terms) if t not in self.known and t not in self.compounds and " " not in t]

    def look_ups(self, words: list[str]) -> list[dict[str, Any]]:
        """The mtermvectors documents that look ``words`` up, and read each shard's field
        statistics: an artificial document routed to each shard (up to MAX_SHARDS_ASKED),
        the first (shard 0) holding the words in every word field, analysed by whitespace
        only (they are indexed terms already)."""
        text = " ".join(words) or "_"
        return [{"doc": {name: text if i == 0 else "_" for name in WORD_FIELDS}, "routing": routing,
                 "fields": list(WORD_FIELDS), "per_field_analyzer": {name: "whitespace" for name in WORD_FIELDS},
                 "term_statistics": bool(words) and i == 0, "field_statistics": True, "positions": False,
                 "offsets": False, "payloads": False}
                for i, routing in enumerate(shard_routings(min(self.shards, MAX_SHARDS_ASKED)))]

    def read_look_up(self, doc: dict[str, Any], words: list[str]) -> None:
        """The document frequencies of ``words`` from the first look-up's answer.

        Shard 0 answers; with several shards its counts are scaled up by its share of the
        documents (shards hold documents at random, so the estimate is close; looking every
        shard up costs a look-up per shard, and on the dev collections the estimate ranks
        as well: TIME's nDCG@10 0.729 against 0.717 with exact counts, a 423-document
        collection in two shards).
        """
        vectors = {name: v for name, v in (doc.get("term_vectors") or {}).items() if name in WORD_FIELDS}
        shard_docs = max((int(v.get("field_statistics", {}).get("doc_count", 0)) for v in vectors.values()), default=0)
        scale = self.doc_count / shard_docs if shard_docs and shard_docs < self.doc_count else 1.0
        for term in words:
            df = max((int(v.get("terms", {}).get(term, {}).get("doc_freq", 0)) for v in vectors.values()), default=0)
            self.known[term] = min(round(df * scale), self.doc_count)

    def fetch(self, terms: Iterable[str]) -> None:
        """Learn the document frequencies of ``terms`` (and the document count) in one request
        (a hyphenated word's is a search of its own: filters aggregation)."""
        wanted = [t for t in dict.fromkeys(terms) if t not in self.known]
        if not self.doc_count:
            self.doc_count = int(self.client.count(index=self.index)["count"])
        plain = self.plain_unknown(wanted)
        if plain:
            response = self.client.mtermvectors(index=self.index, body={"docs": self.look_ups(plain)[:1]},
                                                preference=PREFERENCE)
            self.read_look_up((response.get("docs") or [{}])[0], plain)
        compounds = [t for t in wanted if t not in plain]
        if compounds:
            response = self.client.search(index=self.index, body={"size": 0, "aggs": term_counts(compounds, self.compounds)})
            self.known.update(read_term_counts(response, compounds))

    def __call__(self, term: str) -> int:
        if term not in self.known:
            self.fetch([term] + [t for t in self.upcoming if t not in self.known][:DF_BATCH - 1])
        return self.known[term]


def term_counts(terms: list[str], compounds: dict[str, tuple[str, str | None]]) -> dict[str, Any]:
    """The aggregation counting the documents of each of ``terms`` per word field (a
    hyphenated word: its parts side by side or its joined word); read by :func:`read_term_counts`."""
    filters = {}
    for i, term in enumerate(terms):
        for name in WORD_FIELDS:
            if term in compounds:
                parts, whole = compounds[term]
                should: list[dict[str, Any]] = [{"match_phrase": {name: parts}}]
                if whole:
                    should.append({"term": {name: whole}})
                filters[f"{i}|{name}"] = {"bool": {"should": should}}
            else:
                filters[f"{i}|{name}"] = {"term": {name: term}}
    return {"df": {"filters": {"filters": filters}}}


def read_term_counts(response: dict[str, Any], terms: list[str]) -> dict[str, int]:
    """Each of ``terms``' documents (the most of the fields) from :func:`term_counts`."""
    buckets = response.get("aggregations", {}).get("df", {}).get("buckets", {})
    return {term: max(int(buckets.get(f"{i}|{name}", {}).get("doc_count", 0)) for name in WORD_FIELDS)
            for i, term in enumerate(terms)}


@dataclass(slots=True)
class Scorer:
    """BM25F over candidates' term vectors, as the Whoosh engine's word path scores."""

    vectors: Vectors
    dfs: DocFreqs
    settings: RankingSettings
    compounds: dict[str, tuple[str, str | None]]

    #: (field, weight, b, average length) of each weighted word field, once the averages are known
    _norms: list[tuple[str, float, float, float]] | None = field(default=None, init=False)

    def count(self, key: str, name: str, term: str) -> int:
        return self._count(self.vectors.counts.get(key, {}).get(name, {}), term)

    def _count(self, counts: Mapping[str, int], term: str) -> int:
        if term in self.compounds:
            # A hyphenated word: term vectors hold no positions, so its parts side by side
            # are counted as the rarest part's count (at most the true number), plus the
            # joined word.
            parts, whole = self.compounds[term]
            found = min((counts.get(p, 0) for p in term.split(" ")), default=0)
            return found + (counts.get(whole, 0) if whole else 0)
        return counts.get(term, 0)

    def score(self, key: str, weights: dict[str, float], kind: str = "word",
              parts: list[ScorePart] | None = None) -> float:
        """``key``'s BM25F score for ``weights`` (term -> query weight); with ``parts``,
        a ScorePart per term that scored is appended."""
        settings = self.settings
        if self._norms is None:
            self._norms = [(name, weight, settings.field_b(name), self.vectors.average(name) or 1.0)
                           for name, weight in settings.field_weights().items() if weight]
        lengths = self.vectors.lengths.get(key, {})
        doc = self.vectors.counts.get(key, {})
        n = self.dfs.doc_count or 1
        total = 0.0
        for term, qweight in weights.items():
            tf = 0.0
            fields: dict[str, float] = {}
            for name, weight, b, avg in self._norms:
                c = self._count(doc.get(name, {}), term)
                if not c:
                    continue
                fields[name] = c
                tf += c * weight / ((1.0 - b) + b * lengths.get(name, 0) / avg)
            if not tf:
                continue
            term_idf = idf(n, self.dfs(term))
            s = term_score(term_idf * qweight, tf, settings.k1, settings.delta)
            total += s
            if parts is not None:
                parts.append(ScorePart(kind, term, s, fields, idf=term_idf, query_weight=qweight))
        return total

    def holds_all(self, key: str, terms: Iterable[str]) -> bool:
        return all(any(self.count(key, name, t) for name in WORD_FIELDS) for t in terms)


def _feedback_pool(vectors: Vectors, settings: RankingSettings, order: list[tuple[float, str]]) -> list[str]:
    """The first pass's best documents feedback re-scores: up to ``feedback_depth``, and no
    more once ``feedback_read_words`` words were read (as the Whoosh engine's pool)."""
    pool: list[str] = []
    read = 0
    for _, key in order[:settings.feedback_depth]:
        if pool and read >= settings.feedback_read_words and len(pool) >= settings.feedback_docs:
            break
        pool.append(key)
        read += sum(vectors.lengths.get(key, {}).values())
    return pool


def likely_words(vectors: Vectors, dfs: DocFreqs, settings: RankingSettings, compounds: dict[str, tuple[str, str | None]],
                 weights: dict[str, float], candidates: list[str], averages: Mapping[str, float], *,
                 tiered: bool) -> list[str]:
    """The words whose document frequencies feedback will most likely ask for, most likely
    first (``DF_BATCH`` of them): the words of the top hits of a first pass that takes the
    field lengths' ``averages`` as an earlier search read them (the index's are not read
    yet; none known: the candidates', a poorer guess as matches run long), in the order
    RM3 asks for them. Needs no request: the query's words are counted already."""
    guess = Vectors(vectors.counts, vectors.lengths, assumed=dict(averages))
    if not averages:
        sums = guess.shard_sums.setdefault(0, {})
        for lengths in vectors.lengths.values():
            for name, n in lengths.items():
                sums[name] = sums.get(name, 0) + n
        guess.shard_docs[0] = len(vectors.lengths)
    scorer = Scorer(guess, dfs, settings, compounds)
    scores = {key: scorer.score(key, weights) for key in candidates}
    full = {k for k in candidates if scorer.holds_all(k, weights)} if tiered else set()
    order = sorted(candidates, key=lambda k: (k in full, scores[k]), reverse=True)
    widen = 1 if averages else COLD_WIDER
    top = _top_documents(scorer, [(scores[k], k) for k in order], widen * settings.feedback_docs)
    return model_words(top)[:widen * DF_BATCH]


def _top_documents(scorer: Scorer, order: list[tuple[float, str]], docs: int = 0
                   ) -> list[tuple[float, dict[str, int], int]]:
    """What feedback learns from: the first pass's best ``feedback_docs`` (or ``docs``) (score, term counts, length)."""
    vectors = scorer.vectors
    return [(s, vectors.doc_terms(k), sum(vectors.lengths.get(k, {}).values()))
            for s, k in order[:max(docs or scorer.settings.feedback_docs, 1)]]


def rank(scorer: Scorer, weights: dict[str, float], candidates: list[str], *, tiered: bool, depth: int,
         feedback: bool, explain: bool) -> tuple[list[tuple[float, str]], dict[str, list[ScorePart]], dict[str, float]]:
    """(score, key) best first (the top ``depth``), each key's score parts if ``explain``,
    and the query's final weights (with feedback's words)."""
    settings = scorer.settings
    why: dict[str, list[ScorePart]] = {}
    scores: dict[str, float] = {}
    for key in candidates:
        parts: list[ScorePart] | None = [] if explain else None
        scores[key] = scorer.score(key, weights, "word", parts)
        if parts is not None:
            why[key] = parts
    full = {k for k in candidates if scorer.holds_all(k, weights)} if tiered else set()

    def shown(items: list[tuple[float, str]]) -> list[tuple[float, str]]:
        # The tier's bonus in the scores, so that they fall as the rank does.
        return with_tier_bonus(items, full, why if explain else None) if tiered else items

    def ordered(items: list[tuple[float, str]]) -> list[tuple[float, str]]:
        # Stable: equal scores keep the cluster's order.
        return sorted(items, key=(lambda sd: (sd[1] in full, sd[0])) if tiered else (lambda sd: sd[0]), reverse=True)

    order = ordered([(scores[k], k) for k in candidates])
    if not (feedback and order):
        return shown(order[:depth]), why, weights
    top = _top_documents(scorer, order)
    # A word not looked up yet is fetched with the next ones RM3 will ask for.
    scorer.dfs.upcoming = model_words(top)
    scale, extra = rm3(weights, top, scorer.dfs, scorer.dfs.doc_count or 1, settings)
    if not extra:
        return shown(order[:depth]), why, weights
    pool = _feedback_pool(scorer.vectors, settings, order)
    rescored = []
    for s, k in order[:len(pool) + depth]:
        s *= scale
        if explain:
            why[k] = [ScorePart(p.kind, p.term, p.contribution * scale, p.fields, p.idf,
                                (p.query_weight or 0.0) * scale) for p in why.get(k, [])]
        if k in pool:
            parts = [] if explain else None
            s += scorer.score(k, extra, "feedback", parts)
            if parts:
                why[k] += parts
        rescored.append((s, k))
    expanded = {t: scale * w for t, w in weights.items()}
    for t, w in extra.items():
        expanded[t] = expanded.get(t, 0.0) + w
    return shown(ordered(rescored)[:depth]), why, expanded
