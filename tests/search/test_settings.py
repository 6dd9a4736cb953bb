"""The ranking settings: one object, read by the word path and the structured path alike;
the BM25 formula and feedback's term model, which both paths share, on plain numbers."""

from __future__ import annotations

import dataclasses
import random

import pytest

from searcher import Document, SearchIndex
from searcher.search import bm25
from searcher.search.feedback import rm3
from searcher.search.settings import DEFAULT_SETTINGS, RankingSettings

DOCS = [
    Document(doc_id="t", title="Drought in Bahia", body="Cocoa farmers wait for rain. The drought goes on."),
    Document(doc_id="b", title="Weekly review", body="The drought in Bahia hurt the cocoa crop this week."),
    Document(doc_id="c", title="Coffee prices", body="Coffee rose. Coffee fell. Cocoa was flat."),
    Document(doc_id="d", title="Cocoa talks", body="Exporters met in Accra about cocoa quotas.", sections=["Drought"]),
]


def _scores(path, settings, query, **kwargs):
    with SearchIndex(path, settings=settings) as ix:
        return {hit.doc_id: hit.score for hit in ix.search(query, limit=10, **kwargs)}


@pytest.fixture
def path(tmp_path):
    with SearchIndex(tmp_path / "ix") as ix:
        ix.add(DOCS)
    return tmp_path / "ix"


def test_settings_are_frozen_and_default_when_not_given(path):
    with pytest.raises(dataclasses.FrozenInstanceError):
        DEFAULT_SETTINGS.k1 = 2.0  # type: ignore[misc]
    assert SearchIndex(path).settings is DEFAULT_SETTINGS
    assert DEFAULT_SETTINGS.field_weights() == {"title": 2.0, "sections": 1.5, "body": 1.0}
    for query, kwargs in (("drought cocoa", {}), ("drought OR cocoa", {}), ('"cocoa crop" OR title:drought', {})):
        assert _scores(path, None, query, **kwargs) == _scores(path, RankingSettings(), query, **kwargs)


def test_the_word_fields_and_their_weights_are_one_list():
    """Both orders name the same fields, and every one has a weight setting (fields.py says
    why a structured query lists them in another order)."""
    from searcher.search.fields import DEFAULT_FIELDS, WORD_FIELDS

    assert sorted(DEFAULT_FIELDS) == sorted(WORD_FIELDS)
    assert list(DEFAULT_SETTINGS.field_weights()) == list(WORD_FIELDS)
    heavier = dataclasses.replace(DEFAULT_SETTINGS, sections_weight=4.0)
    assert heavier.field_weights()["sections"] == 4.0


@pytest.mark.parametrize("query", ["drought OR cocoa", "\"drought in bahia\" OR cocoa*", "drought cocoa"])
def test_field_weights_and_k1_reach_both_paths(path, query):
    # "drought cocoa" is a word query (rank_words), the others structured (Whoosh's
    # searcher with make_weighting and the parser's field boosts): every one moves.
    base = _scores(path, DEFAULT_SETTINGS, query)
    heavier_title = _scores(path, dataclasses.replace(DEFAULT_SETTINGS, title_weight=3.0), query)
    other_k1 = _scores(path, dataclasses.replace(DEFAULT_SETTINGS, k1=1.2), query)
    assert base and base.keys() == heavier_title.keys() == other_k1.keys()
    assert heavier_title["t"] > base["t"]  # a title match counts more
    assert other_k1 != base


def test_structured_field_boosts_follow_the_settings(path):
    from whoosh import query as wq

    from searcher.engines.whoosh.compile import compile_query
    from searcher.engines.whoosh.schema import build_schema
    from searcher.search.query_parser import parse_query

    settings = dataclasses.replace(DEFAULT_SETTINGS, title_weight=3.0, sections_weight=0.5)
    compiled = compile_query(parse_query("drought"), build_schema(), field_boosts=settings.field_weights())
    boosts = {t.fieldname: t.boost for t in compiled.leaves() if isinstance(t, wq.Term)}
    assert boosts == {"title": 3.0, "body": 1.0, "sections": 0.5}


def test_bulk_bm25_gives_the_bits_of_term_score():
    rng = random.Random(5)
    tfs = {d: rng.random() * rng.choice((0.1, 1, 7, 40)) for d in range(300)}
    for k1, delta, w in ((1.4, 0.0, 2.3), (1.2, 0.5, 0.07), (2.0, 0.0, 11.0)):
        single = {d: bm25.term_score(w, tf, k1, delta) for d, tf in tfs.items()}
        assert bm25.term_scores(w, tfs, k1, delta) == single
        docs = list(tfs)[::3]
        assert list(bm25.term_scores_of(w, tfs, docs, k1, delta).items()) == [(d, single[d]) for d in docs]
        base = {d: rng.random() for d in docs}
        assert bm25.add_term_scores(base, w, tfs, k1, delta) == {d: s + single[d] for d, s in base.items()}


def test_field_score_is_whooshs_bm25_bit_for_bit():
    from whoosh.scoring import bm25 as whoosh_bm25

    rng = random.Random(9)
    for _ in range(2000):
        args = (rng.random() * 8, float(rng.randint(1, 30)), float(rng.randint(0, 900)), rng.random() * 300 + 1,
                rng.choice((0.5, 0.75, 1.0)), rng.choice((1.2, 1.4, 2.0)))
        assert bm25.field_score(*args) == whoosh_bm25(*args)


def test_rm3_takes_words_typical_of_the_top_documents():
    # Engine-neutral: term counts, lengths and a document-frequency function, no index.
    top = [
        (3.0, {"cocoa": 4, "ghana": 3, "quota": 2, "the": 9}, 18),
        (1.0, {"cocoa": 1, "ghana": 1, "price": 1, "the": 5}, 8),
    ]
    df = {"cocoa": 5, "ghana": 4, "quota": 3, "price": 6, "the": 100}.__getitem__
    settings = dataclasses.replace(DEFAULT_SETTINGS, feedback_terms=3, feedback_max_df=0.1)
    scale, extra = rm3({"cocoa": 1.0}, top, df, 100, settings)
    assert scale == settings.feedback_original
    assert list(extra) == ["cocoa", "ghana", "quota"]  # "the" is in every document, "price" in the weaker one
    assert sum(extra.values()) == pytest.approx(1.0 - settings.feedback_original)


def test_the_weight_of_a_hyphenated_words_parts_is_a_setting(tmp_path):
    docs = [Document(doc_id="a", title="Talks", body="The re-set of the talks: a re-set, then set rules, re-run."),
            Document(doc_id="b", title="Other", body="Nothing of the kind here at all.")]
    with SearchIndex(tmp_path / "ix") as ix:
        ix.add(docs)
    with_parts = _scores(tmp_path / "ix", DEFAULT_SETTINGS, "re-set", expand=False)
    without = _scores(tmp_path / "ix", dataclasses.replace(DEFAULT_SETTINGS, compound_part_weight=0.0), "re-set",
                      expand=False)
    assert with_parts.keys() == without.keys() == {"a"}  # the parts never make a match
    assert with_parts["a"] > without["a"]


def test_phrase_pairs_lift_the_words_side_by_side(tmp_path):
    # The same words, once side by side and in order, once apart: only the pair features tell them apart.
    filler = "Trade rose, exports grew, markets opened, factories hired, wages climbed."
    docs = [Document(doc_id="apart", title="", body=f"Nam was quiet in the south. {filler} Viet officials met."),
            Document(doc_id="together", title="", body=f"{filler} Viet Nam was quiet in the south. Officials met.")]
    with SearchIndex(tmp_path / "ix") as ix:
        ix.add(docs)
    plain = _scores(tmp_path / "ix", DEFAULT_SETTINGS, "viet nam", expand=False)
    assert plain["apart"] == pytest.approx(plain["together"])
    for knob in ("phrase_weight", "proximity_weight"):
        paired = _scores(tmp_path / "ix", dataclasses.replace(DEFAULT_SETTINGS, **{knob: 0.2}), "viet nam", expand=False)
        assert paired["together"] > paired["apart"] == pytest.approx(plain["apart"]), knob


def test_feedback_weighs_less_on_short_queries_when_set():
    from searcher.search.feedback import original_weight

    assert original_weight(2, 1.0, DEFAULT_SETTINGS) == DEFAULT_SETTINGS.feedback_original  # off by default
    settings = dataclasses.replace(DEFAULT_SETTINGS, feedback_original=0.6, feedback_full_words=10, feedback_full_spread=0)
    assert original_weight(10, 1.0, settings) == pytest.approx(0.6) == original_weight(30, 1.0, settings)
    assert original_weight(5, 1.0, settings) == pytest.approx(0.8)  # half the words, half feedback's share
    top = [(2.0, {"cocoa": 3, "ghana": 2}, 5)]
    scale, extra = rm3({"cocoa": 1.0}, top, {"cocoa": 2, "ghana": 2}.__getitem__, 100, settings)
    assert scale == pytest.approx(0.96) and sum(extra.values()) == pytest.approx(0.04)  # one word of ten


def test_feedback_weighs_less_when_the_top_hits_score_alike():
    from searcher.search.feedback import original_weight

    settings = dataclasses.replace(DEFAULT_SETTINGS, feedback_original=0.6, feedback_full_spread=0.4)
    assert original_weight(10, 0.4, settings) == pytest.approx(0.6) == original_weight(10, 0.9, settings)
    assert original_weight(10, 0.1, settings) == pytest.approx(0.9)  # a quarter of the spread, of the share
    df = {"cocoa": 2, "ghana": 2}.__getitem__
    alike = [(2.0, {"cocoa": 3, "ghana": 2}, 5), (2.0, {"cocoa": 1, "ghana": 4}, 5)]
    assert rm3({"cocoa": 1.0}, alike, df, 100, settings) == (1.0, {})  # no spread: no feedback
    steep = [(4.0, {"cocoa": 3, "ghana": 2}, 5), (1.0, {"cocoa": 1, "ghana": 4}, 5)]
    scale, extra = rm3({"cocoa": 1.0}, steep, df, 100, settings)
    assert scale == pytest.approx(0.6) and sum(extra.values()) == pytest.approx(0.4)


def test_the_all_words_tier_is_for_short_queries():
    assert DEFAULT_SETTINGS.tiers(2) and DEFAULT_SETTINGS.tiers(DEFAULT_SETTINGS.all_words_max)
    assert not DEFAULT_SETTINGS.tiers(1) and not DEFAULT_SETTINGS.tiers(DEFAULT_SETTINGS.all_words_max + 1)
    assert dataclasses.replace(DEFAULT_SETTINGS, all_words_max=0).tiers(30)
    assert not dataclasses.replace(DEFAULT_SETTINGS, all_words_first=False).tiers(2)


def test_explain_names_the_all_words_tier_only_when_it_applies(path):
    with SearchIndex(path) as ix:
        short = ix.search("drought cocoa", explain=True, expand=False)
        long = ix.search("drought cocoa bahia farmers rain week", explain=True, expand=False)
    assert any("rank first" in line for line in short[0].explanation)
    assert not any("rank first" in line for hit in long for line in hit.explanation)
