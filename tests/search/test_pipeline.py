"""The search pipeline on a small in-memory engine: what it does itself (checks, windows,
folding, the page, snippets, explanations, facets, did-you-mean, similar) whatever an
engine ranks. The real engines run the same contract in tests/library/test_contract.py."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime

import pytest

from searcher import DEFAULT_SETTINGS, DocumentNotFoundError, QueryError, SearchOptions, VectorsUnavailableError
from searcher.core.errors import NoVectors
from searcher.core.records import ScorePart
from searcher.search import pipeline
from searcher.search.backend import Copy, FacetCounts, Plan, Stored, Window
from searcher.search.duplicates import signature_of
from searcher.search.limits import Deadline
from searcher.search.query_parser import WHOOSH3

from conftest import CHROME, article


#: The words the fake engine does not index.
STOP_WORDS = {"the", "a", "of"}


@dataclass
class Doc:
    doc_id: str
    title: str = ""
    body: str = ""
    source: str | None = None
    published: datetime | None = None


@dataclass(slots=True)
class FakePlan(Plan):
    terms: list[str] = field(default_factory=list)
    sources: tuple[str, ...] = ()
    exclude: int | None = None


class FakeBackend:
    """Scores a document by how often the query's words occur in its title (twice) and
    body; keys are list positions. Every call is logged for the tests to look at."""

    dialect = WHOOSH3
    query_fields = ("title", "body", "source")

    def __init__(self, docs: list[Doc], known: Sequence[str] = ()) -> None:
        self.docs = docs
        self.settings = DEFAULT_SETTINGS
        self.known = list(known)
        self.calls: list[tuple[str, object]] = []
        self.gone: set[int] = set()  # deleted after ranking, before reading

    def find_spans(self, text: str, marks: frozenset[str]) -> list[tuple[int, int]]:
        return [m.span() for m in re.finditer(r"\w+", text) if m.group().lower() in marks]

    def analyse(self, text: str) -> list[str]:
        return [w for w in text.lower().split() if w not in STOP_WORDS]

    def words(self, query, options, filt):
        self.calls.append(("words", query))
        terms = query.lower().split()
        return FakePlan(options, words=terms, terms=terms, sources=filt.sources if filt else ())

    def structured(self, parsed, options, filt, deadline):
        self.calls.append(("structured", parsed.text))
        terms = re.findall(r"\w+", parsed.text.lower())
        return FakePlan(options, terms=terms, searched_as_words=parsed.broken_reason or None,
                        sources=filt.sources if filt else ())

    def like(self, doc_id, options):
        key = next((k for k, d in enumerate(self.docs) if d.doc_id == doc_id), None)
        if key is None:
            raise DocumentNotFoundError(doc_id)
        terms = self.docs[key].title.lower().split()
        return key, FakePlan(options, terms=terms, exclude=key) if terms else None

    def _score(self, plan: FakePlan, doc: Doc) -> float:
        words = re.findall(r"\w+", f"{doc.title} {doc.title} {doc.body}".lower())
        return float(sum(words.count(t) for t in plan.terms))

    def rank(self, plan, limit, deadline):
        self.calls.append(("rank", limit))
        found = [(self._score(plan, d), k) for k, d in enumerate(self.docs)
                 if k != plan.exclude and (not plan.sources or d.source in plan.sources)]
        found = [(s, k) for s, k in found if s > 0]
        undated = 0
        if plan.options.by_date:
            dated = sorted((k for _, k in found if self.docs[k].published), key=lambda k: self.docs[k].published,
                           reverse=plan.options.sort == "date")
            undated = len(found) - len(dated)
            found = [(0.0, k) for k in dated + [k for _, k in found if not self.docs[k].published]]
        else:
            found.sort(key=lambda sk: (-sk[0], sk[1]))
        why = {k: [ScorePart("word", "x", s)] for s, k in found if k % 2} if plan.options.explain else {}
        return Window(found[:limit], len(found), why, undated=undated)

    def stored(self, plan, keys, texts):
        self.calls.append(("stored", (list(keys), texts)))
        return {k: Stored(self.docs[k].doc_id, self.docs[k].title, self.docs[k].body if texts else "",
                          self.docs[k].source, self.docs[k].published, marks=frozenset(plan.terms))
                for k in keys if k not in self.gone}

    def copies(self, keys):
        self.calls.append(("copies", list(keys)))
        return {k: Copy(self.docs[k].doc_id, signature_of(self.docs[k].body, self.docs[k].title)) for k in keys}

    def explain(self, plan, key, score):
        return [ScorePart("other", "walked", score)]

    def facet_counts(self, plan):
        matching = [self.docs[k] for _, k in self.rank(plan, len(self.docs), Deadline(None)).order]
        sources: dict[str, int] = {}
        months: dict[str, int] = {}
        for d in matching:
            if d.source:
                sources[d.source] = sources.get(d.source, 0) + 1
            if d.published:
                months[d.published.strftime("%Y-%m")] = months.get(d.published.strftime("%Y-%m"), 0) + 1
        return FacetCounts(sources, months)

    def corrections(self, words, deadline):
        self.calls.append(("corrections", list(words)))
        deadline.check()
        return {w: k for w in words for k in self.known
                if len(k) == len(w) and sum(a != b for a, b in zip(k, w.lower())) == 1}

    # The semantic side: None unless a test gives it FakeDense.
    dense_side = None

    def dense(self):
        return self.dense_side

    def no_dense(self):
        return NoVectors("the index has none", "make")

    def keys_of(self, doc_ids):
        return {d.doc_id: k for k, d in enumerate(self.docs) if d.doc_id in set(doc_ids) and k not in self.gone}

    def matching(self, plan, keys):
        self.calls.append(("matching", list(keys)))
        return {k for k in keys if not plan.sources or self.docs[k].source in plan.sources}

    def called(self, name: str) -> list[object]:
        return [args for what, args in self.calls if what == name]


def corpus(n: int = 30) -> list[Doc]:
    """n articles about harbours, the k-th saying "harbour" k+1 times (so the ranking is known)."""
    return [Doc(f"d{k}", title=f"Report {k}", body=" ".join(["harbour"] * (k + 1)) + f" note{k}.",
                source=["Reuters", "bbc", "AP"][k % 3], published=datetime(2020, 1 + k % 12, 1)) for k in range(n)]


def run(backend, query="harbour", **changes):
    return pipeline.search(backend, query, replace(SearchOptions(), **changes))


def test_pages_follow_the_ranking_and_number_their_hits():
    backend = FakeBackend(corpus())
    pages = [run(backend, limit=7, page=p, collapse=False) for p in (1, 2, 5)]
    assert [h.doc_id for h in pages[0]] == [f"d{k}" for k in range(29, 22, -1)]
    assert [h.rank for h in pages[1]] == list(range(8, 15)) and pages[1][0].doc_id == "d22"
    assert [h.doc_id for h in pages[2]] == ["d1", "d0"] and pages[2][0].rank == 29
    assert all(r.total == 30 and r.pages == 5 for r in pages)
    assert backend.called("rank") == [7, 14, 35]  # page x limit, one ranking each
    assert backend.called("stored") == [([29, 28, 27, 26, 25, 24, 23], True), ([22, 21, 20, 19, 18, 17, 16], True),
                                        ([1, 0], True)]  # the page's keys only


@pytest.mark.parametrize("query, changes, message", [
    ("", {}, "empty query"), ("   ", {}, "empty query"), ("x" * 200, {}, "a word of 200 characters"),
    ("harbour", {"limit": 0}, "limit and page"), ("harbour", {"sort": "size"}, "unknown sort"),
    ("harbour", {"highlight": "bold"}, "unknown highlight"), ("harbour", {"seconds": 0}, "seconds"),
    ("harbour", {"since": "2020-05", "until": "2020-01"}, "since .* is after until"),
])
def test_a_bad_query_or_option_is_refused_before_the_engine_is_asked(query, changes, message):
    backend = FakeBackend(corpus())
    with pytest.raises(QueryError, match=message):
        run(backend, query, **changes)
    assert backend.calls == []


def test_words_and_syntax_take_their_own_paths():
    backend = FakeBackend(corpus())
    assert run(backend, "harbour").searched_as_words is None and backend.calls[0] == ("words", "harbour")
    broken = run(backend, '"harbour note5')
    assert backend.called("structured") == ['"harbour note5'] and "quote" in broken.searched_as_words
    run(backend, "harbour AND note5", syntax=False)
    assert backend.called("words")[-1] == "harbour AND note5"


def test_copies_fold_into_the_best_ranked_and_the_window_grows_until_the_page_fills():
    # Every article four times (the same words): 15 stories, 60 documents.
    docs = [Doc(f"s{k}-{c}", title=f"Story {k}", body=article(k) + " zqx" * (k + 1)) for k in range(15)
            for c in range(4)]
    backend = FakeBackend(docs)
    first = run(backend, "zqx", limit=4)
    assert [h.doc_id for h in first] == ["s14-0", "s13-0", "s12-0", "s11-0"]
    assert first[0].duplicates == ["s14-1", "s14-2", "s14-3"] and all(len(h.duplicates) == 3 for h in first)
    assert (first.total, first.copies) == (60, 18 - 5)  # 18 ranked: 5 stories
    assert backend.called("rank") == [2 * 4 + 10]
    third = run(backend, "zqx", limit=4, page=3)
    assert [h.doc_id for h in third] == ["s6-0", "s5-0", "s4-0", "s3-0"] and third[0].rank == 9
    assert backend.called("rank")[1:] == [2 * 12 + 10, 68]  # 34 held 9 stories: ranked again, twice as deep
    assert (third.total, third.copies, third.distinct) == (60, 45, 15)
    read = [k for keys in backend.called("copies") for k in keys]
    assert len(read) == 18 + 60  # per search, each key's signature is read once
    every = run(backend, "zqx", limit=60, collapse=False)
    assert len(every) == 60 and every.copies == 0 and not any(h.duplicates for h in every)


def test_a_hit_deleted_after_ranking_is_left_out_without_a_gap_in_the_ranks():
    backend = FakeBackend(corpus())
    backend.gone = {28}
    results = run(backend, limit=5, collapse=False)
    assert [h.doc_id for h in results] == ["d29", "d27", "d26", "d25"]
    assert [h.rank for h in results] == [1, 2, 3, 4]


def test_snippets_mark_the_engines_words_in_the_asked_format():
    backend = FakeBackend(corpus())
    hit = run(backend, "note3", highlight="html", collapse=False)[0]
    assert hit.doc_id == "d3" and "<mark>note3</mark>" in hit.snippet
    assert hit.snippet_text[hit.matches[0][0]:hit.matches[0][1]] == "note3"
    plain = run(backend, "note3", fragments=0, collapse=False)[0]
    assert plain.snippet == "" and plain.matches == []
    assert backend.called("stored")[-1] == ([3], False)  # no texts read for no snippets


def test_explanations_come_from_the_ranking_or_else_from_the_engine():
    backend = FakeBackend(corpus())
    hits = run(backend, "harbour note29", explain=True, collapse=False).hits
    by_ranking = [h for h in hits if int(h.doc_id[1:]) % 2]
    walked = [h for h in hits if not int(h.doc_id[1:]) % 2]
    assert all(h.score_parts[0].kind == "word" for h in by_ranking)
    assert all(h.score_parts == [ScorePart("other", "walked", h.score)] for h in walked)
    assert "rank first" in hits[0].explanation[1]  # two words: documents holding both first
    assert hits[0].explanation[0].endswith("total")
    by_date = run(backend, "harbour", explain=True, sort="date", collapse=False)
    assert by_date[0].explanation[0].endswith("total (sorted by date)")


def test_facets_count_most_first_and_tie_by_name_case_aside():
    docs = [Doc(f"d{k}", body="harbour", source=s, published=datetime(2020, m, 1))
            for k, (s, m) in enumerate([("bbc", 1), ("CNN", 2), ("AP", 2), ("ap news", 3), ("Reuters", 3),
                                        ("Reuters", 1)])]
    backend = FakeBackend(docs)
    facets = run(backend, facets=True).facets
    assert list(facets["source"].items()) == [("Reuters", 2), ("AP", 1), ("ap news", 1), ("bbc", 1), ("CNN", 1)]
    assert list(facets["month"].items()) == [("2020-01", 2), ("2020-02", 2), ("2020-03", 2)]
    assert run(backend, "nothing", facets=True).facets == {} and run(backend).facets == {}


def test_date_orders_count_the_undated_and_an_empty_search_says_why():
    docs = [Doc("d0", body="harbour strike", published=datetime(2020, 1, 1)), Doc("d1", body="harbour fees"),
            Doc("d2", body="harbour dredging", published=datetime(2021, 1, 1))]
    backend = FakeBackend(docs)
    newest, oldest = run(backend, sort="date"), run(backend, sort="oldest")
    assert [h.doc_id for h in newest] == ["d2", "d0", "d1"] and [h.doc_id for h in oldest] == ["d0", "d2", "d1"]
    assert newest.undated == oldest.undated == 1 and run(backend).undated == 0
    assert "too common" in run(backend, "the of").empty_reason  # the engine's analysis keeps no word
    assert run(backend, "boat").empty_reason is None  # a word that could have been found
    assert run(backend).empty_reason is None


def test_did_you_mean_asks_the_engine_for_the_words_it_may_correct():
    backend = FakeBackend(corpus(), known=["harbour", "report"])
    results = run(backend, "Harbrxr 1999 of reporz")
    assert results.total == 0 and results.suggestion == "Harbrxr 1999 of report"  # two letters off: none
    assert backend.called("corrections") == [["Harbrxr", "reporz"]]  # not "1999", not "of"
    assert run(backend, "Harbobr").suggestion == "Harbour"  # the word's capital kept
    assert run(backend, "harbour").suggestion is None and len(backend.called("corrections")) == 2  # 30 hits
    pasted = " ".join(f"word{n}" for n in range(40))
    assert run(backend, pasted).suggestion is None and len(backend.called("corrections")) == 2


def test_did_you_mean_runs_within_the_searchs_budget():
    class Slow(FakeBackend):
        def corrections(self, words, deadline):
            deadline.end = 0.0  # the budget ran out while looking
            return super().corrections(words, deadline)

    with pytest.raises(QueryError, match="budget"):
        run(Slow(corpus()), "harbobr")


def test_similar_leaves_out_the_article_and_its_copies_and_counts_them():
    docs = [Doc("a", title="Zqx yvw", body=article(1)), Doc("a-copy", title="Zqx yvw", body=article(1)),
            Doc("b", title="Zqx yvw talks", body=article(2)),
            Doc("b-copy", title="Zqx yvw talks", body=article(2) + " " + CHROME),
            Doc("c", title="Yvw over", body=article(3))]
    backend = FakeBackend(docs)
    results = pipeline.similar(backend, "a", SearchOptions())
    assert results.query == "like:a" and [h.doc_id for h in results] == ["b", "c"]
    assert results[0].duplicates == ["b-copy"] and results.copies == 2 and results.total == 4
    every = pipeline.similar(backend, "a", SearchOptions(collapse=False))
    assert [h.doc_id for h in every] == ["a-copy", "b", "b-copy", "c"] and every.copies == 0
    untitled = pipeline.similar(FakeBackend([Doc("x", body="words")]), "x", SearchOptions())
    assert untitled.total == 0 and untitled.hits == []


@pytest.mark.parametrize("changes", [{"sort": "date"}, {"source": "bbc"}, {"facets": True}, {"explain": True},
                                     {"syntax": False}, {"expand": False}])
def test_similar_refuses_the_options_it_has_no_use_for(changes):
    with pytest.raises(QueryError, match=f"similar does not take {next(iter(changes))}"):
        pipeline.similar(FakeBackend(corpus()), "d1", replace(SearchOptions(), **changes))


# ---------------------------------------------------------------------------- semantic and hybrid


class FakeDense:
    """A semantic side with fixed cosines per doc id (best first); logs the texts it was asked."""

    model = "fake-model"

    def __init__(self, cosines: dict[str, float]) -> None:
        self.cosines = dict(sorted(cosines.items(), key=lambda kv: -kv[1]))
        self.asked: list[tuple[str, int]] = []

    def top(self, text, k):
        self.asked.append((text, k))
        return list(self.cosines.items())[:k]


def with_dense(cosines: dict[str, float], docs=None) -> FakeBackend:
    backend = FakeBackend(docs or corpus(6))
    backend.dense_side = FakeDense(cosines)
    return backend


def test_hybrid_is_the_default_with_vectors_and_mixes_min_max_scores_at_the_settings_weight():
    # keyword scores: d5 6+2.., the k-th document scores k+1 (harbour) — d5 best, d0 worst
    backend = with_dense({"d0": 0.9, "d1": 0.5, "d5": 0.1})
    got = run(backend, collapse=False, limit=6)
    w = DEFAULT_SETTINGS.semantic_weight
    keyword = {f"d{k}": (k + 1 - 1) / 5 for k in range(6)}  # min-max of 1..6
    semantic = {"d0": 1.0, "d1": 0.5, "d5": 0.0}
    expected = {d: (1 - w) * keyword[d] + w * semantic.get(d, 0.0) for d in keyword}
    assert {h.doc_id: round(h.score, 9) for h in got} == {d: round(v, 9) for d, v in expected.items()}
    assert [h.doc_id for h in got] == sorted(expected, key=lambda d: -expected[d])
    assert backend.dense_side.asked[0][0] == "harbour"


def test_keyword_mode_never_asks_the_semantic_side():
    backend = with_dense({"d0": 0.9})
    got = run(backend, mode="keyword", collapse=False)
    assert [h.doc_id for h in got][:3] == ["d5", "d4", "d3"] and backend.dense_side.asked == []


def test_semantic_mode_ranks_by_cosine_alone_and_finds_documents_without_the_words():
    docs = corpus(4) + [Doc("other", title="Ships", body="vessels in port")]
    backend = with_dense({"other": 0.8, "d1": 0.6, "d3": 0.2}, docs)
    got = run(backend, mode="semantic", collapse=False)
    assert [(h.doc_id, h.score) for h in got] == [("other", 0.8), ("d1", 0.6), ("d3", 0.2)]
    assert got.total == 3


def test_the_semantic_side_respects_the_filters():
    backend = with_dense({"d0": 0.9, "d1": 0.8, "d3": 0.7, "d4": 0.6})  # sources: Reuters bbc AP Reuters bbc AP
    got = run(backend, mode="semantic", source="Reuters", collapse=False)
    assert [h.doc_id for h in got] == ["d0", "d3"]
    assert backend.called("matching")


def test_semantic_ranking_without_vectors_is_a_clear_error_and_default_is_keyword():
    backend = FakeBackend(corpus(6))
    with pytest.raises(VectorsUnavailableError, match="^semantic ranking needs the index's vectors: the index has none$") as raised:
        run(backend, mode="semantic")
    assert raised.value.remedy == "make"  # the faces word what to do; the library says what is wrong
    assert [h.doc_id for h in run(backend, collapse=False)][:2] == ["d5", "d4"]
    with pytest.raises(QueryError, match="unknown mode"):
        run(backend, mode="dense")


def test_sorting_by_date_is_keyword_ranking_and_an_explicit_hybrid_refuses_it():
    backend = with_dense({"d0": 0.9})
    assert run(backend, sort="date", collapse=False).hits and backend.dense_side.asked == []
    with pytest.raises(QueryError, match="orders by meaning, not by date"):
        run(backend, sort="date", mode="hybrid")


def test_explain_shows_the_keyword_part_the_semantic_part_and_the_mix():
    backend = with_dense({"d0": 0.9, "d5": 0.3})
    got = run(backend, explain=True, collapse=False, limit=6)
    by_id = {h.doc_id: h for h in got}
    top = by_id["d5"]
    assert "hybrid" in top.explanation[0] and "keyword part" in top.explanation[1]
    assert "semantic part" in top.explanation[2] and "cosine 0.300" in top.explanation[2]
    assert any("the keyword score" in line for line in top.explanation)
    assert sum(p.contribution for p in top.score_parts) == pytest.approx(top.score)
    assert [p.kind for p in top.score_parts] == ["keyword", "semantic"]
    absent = by_id["d2"]  # in the keyword top only
    assert "not in the semantic top" in absent.explanation[2]


def test_a_misspelt_word_gets_its_correction_in_hybrid_mode_too():
    backend = with_dense({"d0": 0.9, "d1": 0.8})
    backend.known = ["harbour"]
    got = run(backend, "harbonr")
    assert got.total == 2 and got.suggestion == "harbour"  # the semantic side found two; keywords none
