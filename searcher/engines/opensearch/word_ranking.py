"""Word queries ranked as the Whoosh engine ranks them: BM25F, all words first, RM3 feedback.

The cluster finds the candidates (its own per-field BM25, documents holding every word
first) and counts the hits; the best ``CANDIDATES`` of them are then scored here with the
word path's formula (``search.bm25``: field frequencies combined with the field weights
and length normalisation before saturating once, one idf per word), from their term
vectors and the index's own document frequencies. Feedback (``search.feedback.rm3``) reads
the top hits' term vectors and re-scores the first pass's best ``feedback_depth`` the same
way. So the order is the Whoosh engine's wherever the cluster's candidates hold its top
hits; explanations are the parts computed here, which add up to the score.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ...core.records import ScorePart
from ...search.bm25 import idf, term_score
from ...search.feedback import rm3
from ...search.fields import WORD_FIELDS
from ...search.settings import RankingSettings

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


@dataclass(slots=True)
class Vectors:
    """The candidates' term counts per word field and field lengths, and the index's averages."""

    counts: dict[str, dict[str, dict[str, int]]] = field(default_factory=dict)
    lengths: dict[str, dict[str, int]] = field(default_factory=dict)
    #: each word field's summed length over the shard, and the documents with the field there
    field_sums: dict[str, int] = field(default_factory=dict)
    field_docs: dict[str, int] = field(default_factory=dict)

    def average(self, name: str) -> float:
        """A field's average length over every document (as the Whoosh engine averages it:
        documents without the field count as 0), from the shard's statistics."""
        docs = max(self.field_docs.values(), default=0)
        return self.field_sums.get(name, 0) / docs if docs else 1.0

    def doc_terms(self, key: str) -> dict[str, int]:
        """A document's term counts over all word fields together."""
        out: dict[str, int] = {}
        for counts in self.counts.get(key, {}).values():
            for term, n in counts.items():
                out[term] = out.get(term, 0) + n
        return out


def fetch_vectors(client: "OpenSearch", index: str, keys: list[str]) -> Vectors:
    """Term vectors of ``keys`` (no per-term statistics: those come from :class:`DocFreqs`)."""
    found = Vectors()
    if not keys:
        return found
    response = client.mtermvectors(index=index, body={"ids": keys, "parameters": {
        "fields": list(WORD_FIELDS), "term_statistics": False, "field_statistics": True,
        "positions": False, "offsets": False, "payloads": False}})
    for doc in response.get("docs", []):
        if not doc.get("found"):
            continue
        per_field: dict[str, dict[str, int]] = {}
        lengths: dict[str, int] = {}
        for name, vector in (doc.get("term_vectors") or {}).items():
            counts = {t: int(info.get("term_freq", 0)) for t, info in vector.get("terms", {}).items()}
            per_field[name] = counts
            lengths[name] = sum(counts.values())
            stats = vector.get("field_statistics") or {}
            found.field_sums[name] = max(found.field_sums.get(name, 0), int(stats.get("sum_ttf", 0)))
            found.field_docs[name] = max(found.field_docs.get(name, 0), int(stats.get("doc_count", 0)))
        found.counts[doc["_id"]] = per_field
        found.lengths[doc["_id"]] = lengths
    return found


class DocFreqs:
    """Documents holding a word in any word field (the most of the fields, as the Whoosh
    engine counts it), asked of the cluster in batches and cached; and the document count."""

    def __init__(self, client: "OpenSearch", index: str, compounds: dict[str, tuple[str, str | None]]) -> None:
        self.client = client
        self.index = index
        self.compounds = compounds
        self.known: dict[str, int] = {}
        self.doc_count = 0
        #: words likely to be asked for next, in order: a miss fetches the next batch of them
        self.upcoming: list[str] = []

    def fetch(self, terms: Iterable[str]) -> None:
        """Learn the document frequencies of ``terms`` (and the document count) in one request.

        Words are looked up as a term vector of an artificial document holding them, analysed
        by whitespace only (they are indexed terms already): the index's own statistics, one
        lookup per word. A shard answers; with several shards its counts are scaled up by its
        share of the documents (shards hold documents at random, so the estimate is close).
        A hyphenated word's count is a search of its own (filters aggregation).
        """
        wanted = [t for t in dict.fromkeys(terms) if t not in self.known]
        if not self.doc_count:
            self.doc_count = int(self.client.count(index=self.index)["count"])
        plain = [t for t in wanted if t not in self.compounds and " " not in t]
        if plain:
            text = " ".join(plain)
            response = self.client.termvectors(index=self.index, body={
                "doc": {name: text for name in WORD_FIELDS},
                "per_field_analyzer": {name: "whitespace" for name in WORD_FIELDS},
                "term_statistics": True, "field_statistics": True, "positions": False, "offsets": False})
            vectors = response.get("term_vectors") or {}
            shard_docs = max((int(v.get("field_statistics", {}).get("doc_count", 0)) for v in vectors.values()),
                             default=0)
            scale = self.doc_count / shard_docs if shard_docs and shard_docs < self.doc_count else 1.0
            for term in plain:
                df = max((int(v.get("terms", {}).get(term, {}).get("doc_freq", 0)) for v in vectors.values()),
                         default=0)
                self.known[term] = min(round(df * scale), self.doc_count)
        compounds = [t for t in wanted if t not in plain]
        if compounds:
            filters = {f"{i}|{name}": self._clause(term, name) for i, term in enumerate(compounds)
                       for name in WORD_FIELDS}
            response = self.client.search(index=self.index, body={
                "size": 0, "aggs": {"df": {"filters": {"filters": filters}}}})
            buckets = response.get("aggregations", {}).get("df", {}).get("buckets", {})
            for i, term in enumerate(compounds):
                self.known[term] = max(int(buckets.get(f"{i}|{name}", {}).get("doc_count", 0))
                                       for name in WORD_FIELDS)

    def _clause(self, term: str, name: str) -> dict[str, Any]:
        if term in self.compounds:
            parts, whole = self.compounds[term]
            should: list[dict[str, Any]] = [{"match_phrase": {name: parts}}]
            if whole:
                should.append({"term": {name: whole}})
            return {"bool": {"should": should}}
        return {"term": {name: term}}

    def __call__(self, term: str) -> int:
        if term not in self.known:
            self.fetch([term] + [t for t in self.upcoming if t not in self.known][:DF_BATCH - 1])
        return self.known[term]


@dataclass(slots=True)
class Scorer:
    """BM25F over candidates' term vectors, as the Whoosh engine's word path scores."""

    vectors: Vectors
    dfs: DocFreqs
    settings: RankingSettings
    compounds: dict[str, tuple[str, str | None]]

    def count(self, key: str, name: str, term: str) -> int:
        counts = self.vectors.counts.get(key, {}).get(name, {})
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
        lengths = self.vectors.lengths.get(key, {})
        n = self.dfs.doc_count or 1
        total = 0.0
        for term, qweight in weights.items():
            tf = 0.0
            fields: dict[str, float] = {}
            for name, weight in settings.field_weights().items():
                if not weight:
                    continue
                c = self.count(key, name, term)
                if not c:
                    continue
                fields[name] = c
                b = settings.field_b(name)
                avg = self.vectors.average(name) or 1.0
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

    def ordered(items: list[tuple[float, str]]) -> list[tuple[float, str]]:
        # Stable: equal scores keep the cluster's order.
        return sorted(items, key=(lambda sd: (sd[1] in full, sd[0])) if tiered else (lambda sd: sd[0]), reverse=True)

    order = ordered([(scores[k], k) for k in candidates])
    if not (feedback and order):
        return order[:depth], why, weights
    top = [(s, scorer.vectors.doc_terms(k), sum(scorer.vectors.lengths.get(k, {}).values()))
           for s, k in order[:max(settings.feedback_docs, 1)]]
    model_words: dict[str, float] = {}
    for _, counts, _ in top:
        for t, c in counts.items():
            model_words[t] = model_words.get(t, 0) + c
    # RM3 asks for the most frequent words of the top hits first: fetch theirs in batches.
    scorer.dfs.upcoming = sorted(model_words, key=model_words.__getitem__, reverse=True)
    scorer.dfs.fetch(scorer.dfs.upcoming[:DF_BATCH])
    scale, extra = rm3(weights, top, scorer.dfs, scorer.dfs.doc_count or 1, settings)
    if not extra:
        return order[:depth], why, weights
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
    return ordered(rescored)[:depth], why, expanded
