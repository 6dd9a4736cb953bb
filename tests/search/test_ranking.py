"""Ranking behaviour: BM25F field weights, query-term frequency, feedback, CLI explain and similar.

The byte-equality tests of the Whoosh internals readers are in test_internals.py.
"""

from __future__ import annotations

import pytest

from searcher import Document, SearchIndex
from searcher.cli import cli
from searcher.search.bm25 import idf
from searcher.search.settings import DEFAULT_SETTINGS


@pytest.fixture
def ix(tmp_path):
    index = SearchIndex(tmp_path / "ix")
    index.add([
        Document(doc_id="t", title="Drought in Bahia", body="Cocoa farmers wait for rain."),
        Document(doc_id="b", title="Weekly review", body="The drought in Bahia hurt the cocoa crop this week."),
        Document(doc_id="c", title="Coffee prices", body="Coffee rose. Coffee fell. Cocoa was flat."),
    ])
    yield index
    index.close()


def test_idf_is_never_negative_and_falls_with_frequency():
    assert idf(100, 1) > idf(100, 50) > idf(100, 100) >= 0.0


def test_title_match_outranks_body_match(ix):
    assert [h.doc_id for h in ix.search("drought bahia")][:2] == ["t", "b"]


def test_repeated_query_word_weighs_more(ix):
    assert ix.search("coffee coffee cocoa", syntax=False)[0].doc_id == "c"


def test_hit_count_is_exact(ix):
    assert ix.search("cocoa").total == 3


def test_cli_explain_and_similar(ix, runner):
    result = runner.invoke(cli, ["--index-dir", str(ix.path), "search", "drought", "--explain", "--no-color"])
    assert result.exit_code == 0, result.output
    assert "total" in result.stdout and "'drought'" in result.stdout
    result = runner.invoke(cli, ["--index-dir", str(ix.path), "similar", "t", "--json"])
    assert result.exit_code == 0, result.output
    assert '"doc_id": "b"' in result.stdout and '"doc_id": "t"' not in result.stdout


def test_cli_did_you_mean(ix, runner):
    result = runner.invoke(cli, ["--index-dir", str(ix.path), "search", "Bahai", "drougt", "--no-color"])
    assert "Did you mean: Bahia drought?" in result.stderr


def test_question_words_are_stop_words(ix):
    # "what", "which", "there" say nothing about the topic: they are not searched.
    from searcher.engines.whoosh.schema import build_schema

    analyzer = build_schema()["body"].analyzer
    assert [t.text for t in analyzer("What is there about which drought", mode="query")] == ["drought"]
    assert [h.doc_id for h in ix.search("what about the drought in Bahia")][:2] == ["t", "b"]


def test_feedback_keeps_hits_to_the_query_words_and_explain_adds_up(ix):
    plain = ix.search("cocoa", syntax=False, expand=False)
    expanded = ix.search("cocoa", syntax=False, expand=True, explain=True)
    # Expansion words re-rank but never add hits: the hit count follows the user's words.
    assert expanded.total == plain.total == 3
    assert {h.doc_id for h in expanded} == {h.doc_id for h in plain}
    for hit in expanded:
        parts = [float(line.split()[0]) for line in hit.explanation[1:] if line.split()[1:2] and line.split()[1][0] == "'"]
        assert abs(sum(parts) - hit.score) <= 0.0005 * len(parts) + 1e-9, hit.explanation
    assert DEFAULT_SETTINGS.feedback_docs > 0


def test_fast_index_terms_match_the_analyzer():
    from searcher.engines.whoosh.schema import index_terms, text_analyzer

    text = ("THE U.S . FORCES in Viet Nam's capital; Café, naïve résumés 3.14 & what-about running "
            "runners RAN ran—the İstanbul ß straße ﬁnance x_y 1,000 co-operation Über élan")
    assert index_terms(text) == [t.text for t in text_analyzer()(text)]


def test_feedback_is_on_by_default_and_can_be_turned_off(ix, runner):
    assert DEFAULT_SETTINGS.feedback
    result = runner.invoke(cli, ["--index-dir", str(ix.path), "search", "cocoa", "--no-expand", "--no-color"])
    assert result.exit_code == 0, result.output
    result = runner.invoke(cli, ["--index-dir", str(ix.path), "search", "cocoa", "--expand", "--no-color"])
    assert result.exit_code == 0, result.output


def test_feedback_pool_scores_equal_posting_scores(ix):
    # Expansion words are scored from each pooled document's own text: the same BM25F
    # as reading their posting lists.
    from searcher.engines.whoosh import word_ranking
    from searcher.engines.whoosh.word_stats import stats_for

    stats = stats_for(ix.engine.searcher())
    weights = {"cocoa": 0.3, "drought": 0.2, "coffe": 0.5, "week": 0.1}
    from_postings = word_ranking._score_terms(stats, DEFAULT_SETTINGS, weights, None, False)[0]
    pool = list(range(stats.doc_count))
    from_text = word_ranking._score_pool(stats, DEFAULT_SETTINGS, weights, pool, None)
    assert from_postings.keys() == from_text.keys()
    for docnum, score in from_postings.items():
        assert abs(score - from_text[docnum]) < 1e-9


def test_term_filter_without_a_stemmer_keeps_words_whole():
    # lang="" is the relevance benchmark's no-stemming ablation.
    from whoosh.analysis import RegexTokenizer

    from searcher.engines.whoosh.schema import STOP_WORDS_EN, TOKEN_PATTERN, TermFilter

    analyzer = RegexTokenizer(TOKEN_PATTERN) | TermFilter(STOP_WORDS_EN, "")
    assert [t.text for t in analyzer("The Runners RAN running races")] == ["runners", "ran", "running", "races"]


def test_one_step_term_filter_equals_whooshs_filter_chain():
    """TermFilter must index exactly what Lowercase | Charset | Stop | Stem would."""
    import random

    from whoosh.analysis import CharsetFilter, LowercaseFilter, RegexTokenizer, StemFilter, StopFilter
    from whoosh.support.charset import accent_map

    from searcher.engines.whoosh.schema import TOKEN_PATTERN, STEMMER, STOP_WORDS_EN, text_analyzer

    chain = (RegexTokenizer(TOKEN_PATTERN) | LowercaseFilter() | CharsetFilter(accent_map)
             | StopFilter(stoplist=STOP_WORDS_EN, minsize=1) | StemFilter(lang=STEMMER))
    ours = text_analyzer()
    rng = random.Random(3)
    words = ("The Taliban's re-set U.S. talks were about Café naïve Ünïcödé running RUNS ran a an of "
             "it's 4,500 3.14 what which there negotiators Khalilzad 11:21 über STRAßE").split()
    texts = ["", "the of a", "Mr. Trump's re-set as planned"] + [
        " ".join(rng.choice(words) for _ in range(rng.randint(1, 40))) for _ in range(200)]
    for text in texts:
        for kw in ({"mode": "index", "positions": True, "chars": True},
                   {"mode": "query"},
                   {"mode": "index", "positions": True, "removestops": False}):
            def seen(analyzer):
                return [(t.text, t.pos if kw.get("positions") else None,
                         (t.startchar, t.endchar) if kw.get("chars") else None, t.stopped)
                        for t in analyzer(text, **kw)]
            assert seen(ours) == seen(chain), (text, kw)


def test_fast_scores_equal_explained_scores(varied_index):
    from searcher.engines.whoosh.word_ranking import _score_terms
    from searcher.engines.whoosh.word_stats import stats_for

    ix = varied_index
    stats = stats_for(ix.engine.searcher())
    for weights in ({"oil": 1.0}, {"oil": 1.0, "price": 2.0}, {"cocoa": 1.0, "rareword": 1.0, "nosuchword": 1.0},
                    {"thrice": 1.0, "twice": 0.5, "oil": 1.0}):
        fast, full, _, _ = _score_terms(stats, DEFAULT_SETTINGS, weights, None, False)
        slow, slow_full, _, _ = _score_terms(stats, DEFAULT_SETTINGS, weights, None, True)
        assert list(fast.items()) == list(slow.items())  # same values and the same (tie-breaking) key order
        assert full == slow_full
        allowed = set(range(0, 400, 3))
        fast, full, _, _ = _score_terms(stats, DEFAULT_SETTINGS, weights, allowed, False)
        slow, slow_full, _, _ = _score_terms(stats, DEFAULT_SETTINGS, weights, allowed, True)
        assert list(fast.items()) == list(slow.items()) and full == slow_full
    ix.close()


def test_feedback_rerank_equals_a_full_reorder(varied_index):
    # Feedback re-sorts only its pool and the next documents of the first pass; the
    # explain path re-scores and re-sorts every match: the same order.
    from searcher.engines.whoosh.word_ranking import rank_words

    ix = varied_index
    searcher = ix.engine.searcher()
    for tokens in (["oil"], ["oil", "price"], ["cocoa", "gold", "yen"], ["rareword", "oil"]):
        for limit, feedback in ((1, True), (10, True), (45, True), (10, False), (100, False)):
            # (Common words: enough documents hold them all for the first pass to score only those.)
            fast = rank_words(searcher, tokens, settings=DEFAULT_SETTINGS, limit=limit, feedback=feedback)
            slow = rank_words(searcher, tokens, settings=DEFAULT_SETTINGS, limit=limit, feedback=feedback, explain=True)
            assert [d for _, d in fast.order] == [d for _, d in slow.order], tokens
            assert all(abs(a - b) < 1e-9 for (a, _), (b, _) in zip(fast.order, slow.order))
            assert fast.total == slow.total
    ix.close()


def test_feedback_term_counts_equal_index_terms():
    from collections import Counter

    from whoosh.analysis import RegexTokenizer

    from searcher.engines.whoosh import schema

    texts = ["THE U.S . FORCES in Viet Nam's capital; Café, naïve résumés 3.14 & what-about running",
             "runners RAN ran—the İstanbul ß straße ﬁnance x_y 1,000 co-operation Über élan U.S.. a.b.c. .5 x.",
             "", "...", "Oil prices rose 3.5 pct in N.Y. trading, oil traders said. Oil."]
    for text in texts:
        assert schema.TOKEN_RE.findall(text) == [t.text for t in RegexTokenizer(schema.TOKEN_PATTERN)(text)]
        counts = schema.word_counts({"body": text}).get("body", {})
        assert list(counts.items()) == list(Counter(schema.index_terms(text)).items())


def test_doc_terms_equal_each_fields_analysis(varied_index):
    from collections import Counter

    from searcher.engines.whoosh import schema
    from searcher.engines.whoosh.word_stats import WORD_FIELDS, stats_for

    ix = varied_index
    searcher = ix.engine.searcher()
    stats = stats_for(searcher)
    for docnum in range(0, 400, 7):
        stored = searcher.stored_fields(docnum)
        per_field = stats.doc_terms(docnum)
        whole: Counter = Counter()
        for fieldname in WORD_FIELDS:
            expected = Counter(schema.index_terms(str(stored.get(fieldname) or "")))
            whole.update(expected)
            for term in set(expected) | set(per_field[""]):
                assert (per_field[fieldname].get(term) or 0) == expected[term], (docnum, fieldname, term)
        assert list(per_field[""].items()) == list(whole.items())  # the same counts in the same order
        assert stats.doc_length(docnum) == sum(whole.values())
    ix.close()


def test_rank_stats_go_with_their_searcher(varied_index):
    # The per-searcher statistics hold memory maps of the term files: they must not
    # outlive the searcher (no reference cycle waiting for the garbage collector).
    import weakref

    from searcher.engines.whoosh.word_stats import stats_for

    ix = varied_index
    assert ix.search("oil price").total
    stats = weakref.ref(stats_for(ix.engine.searcher()))
    assert stats() is not None and stats()._term_index
    ix.close()
    assert stats() is None


def test_stored_term_counts_are_the_analysed_text(tmp_path):
    """Feedback reads a document's terms from the stored ``terms`` field; they must be what
    analysing its stored text gives (same counts, same order)."""
    from collections import Counter

    from searcher.engines.whoosh.word_stats import WORD_FIELDS, WordStats
    from searcher.engines.whoosh.schema import index_terms

    docs = [
        Document(doc_id=f"d{i}", title=f"Cocoa {word} talks in Ghana", sections=["Exports", "Prices and quotas"],
                 body=f"Cocoa exporters met. The {word} quota plan (U.S. cents 3.14) was re-set; running, ran." * (i + 1))
        for i, word in enumerate(["quota", "price", "export", "crop"])
    ]
    index = SearchIndex(tmp_path / "ix")
    index.add(docs)
    searcher = index.engine.searcher()
    stats = WordStats(searcher)
    for docnum in range(searcher.doc_count_all()):
        stored = searcher.stored_fields(docnum)
        assert "terms" not in stored  # a column of its own, not read with the stored text
        column = searcher.reader().column_reader("terms")
        for name in WORD_FIELDS:
            expected = Counter(index_terms(stored.get(name) or ""))
            got = column[docnum].get(name, {})
            assert list(got.items()) == list(expected.items())
            assert list(stats.doc_terms(docnum)[name].items()) == list(expected.items())
    index.close()


def test_repeated_query_words_weigh_their_count_or_one_plus_its_log():
    import math

    from searcher.search.bm25 import query_term_weights

    tokens = ["oil", "price", "oil", "oil"]
    assert query_term_weights(tokens, True, False) == {"oil": 3.0, "price": 1.0}
    assert query_term_weights(tokens, True, True) == {"oil": 1.0 + math.log(3), "price": 1.0}
    assert query_term_weights(tokens, False, True) == {"oil": 1.0, "price": 1.0}
    assert list(query_term_weights(tokens, True, True)) == ["oil", "price"]
