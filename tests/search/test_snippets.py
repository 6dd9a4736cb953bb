"""Snippets: passages around the matches, sentence-aware edges, and safe formats."""

from __future__ import annotations

import pytest

from searcher import Document, SearchIndex
from searcher.engines.whoosh.schema import span_finder, text_analyzer
from searcher.search.snippets import MARK_END, MARK_START, make_snippet, render

FILLER = " ".join(f"Sentence number {i} talks about nothing in particular." for i in range(3000))


@pytest.fixture(scope="module")
def ix(tmp_path_factory):
    index = SearchIndex(tmp_path_factory.mktemp("s") / "ix")
    index.add([
        Document(doc_id="long", title="A long report", body=FILLER + " The envoy met Khalilzad in Doha today. " + FILLER),
        Document(doc_id="evil", title="Injection", body='Khalilzad wrote <script>alert("x")</script> & left.'),
        Document(doc_id="title-only", title="Zebra news", body="Nothing here matches."),
    ])
    yield index
    index.close()


def test_match_deep_in_a_long_article_is_found(ix):
    hit = ix.search("khalilzad doha")[0]
    assert hit.doc_id == "long"
    assert len(FILLER) > 32_000
    assert "**Khalilzad**" in hit.snippet and "**Doha**" in hit.snippet


def test_fragments_start_and_end_at_sentence_or_word_edges():
    body = "First sentence here. The envoy met Khalilzad in Doha today and then went home. Last one."
    text = make_snippet(body, "", {"khalilzad"}, span_finder(text_analyzer()), fragments=1, context=3)
    plain = render(text, "none")
    assert plain.startswith("The envoy") and plain.endswith("went home.")
    for word in plain.replace("…", " ").split():
        assert word.strip(".") in body


def test_several_fragments_and_context():
    body = " ".join(["alpha " * 40, "Khalilzad spoke.", "beta " * 40, "Doha answered.", "gamma " * 40])
    text = make_snippet(body, "", {"khalilzad", "doha"}, span_finder(text_analyzer()), fragments=2, context=4)
    assert text.count(MARK_START) == 2 and "…" in text
    one = make_snippet(body, "", {"khalilzad", "doha"}, span_finder(text_analyzer()), fragments=1, context=4)
    assert one.count(MARK_START) == 1


def test_html_escapes_article_text(ix):
    hit = ix.search("khalilzad", highlight="html", source=None, limit=5)
    snippet = next(h.snippet for h in hit if h.doc_id == "evil")
    assert "<script>" not in snippet and "&lt;script&gt;" in snippet
    assert "<mark>Khalilzad</mark>" in snippet and "&amp;" in snippet


def test_ansi_and_plain_formats(ix):
    assert "\x1b[1;31mKhalilzad\x1b[0m" in ix.search("khalilzad", highlight="ansi")[0].snippet
    assert "**" not in ix.search("khalilzad", highlight="none")[0].snippet


def test_marks_in_the_text_cannot_forge_markup():
    text = make_snippet(f"a {MARK_START}b{MARK_END} Khalilzad", "", {"khalilzad"}, span_finder(text_analyzer()))
    assert render(text, "html").count("<mark>") == 1


def test_title_only_match_shows_the_title(ix):
    hit = ix.search("zebra")[0]
    assert "**Zebra**" in hit.snippet


def test_no_snippet_when_fragments_is_zero(ix):
    assert ix.search("khalilzad", fragments=0)[0].snippet == ""


def test_fast_match_spans_equal_the_analyzers():
    """Snippets find matches without running the analyzer; the spans must be the analyzer's."""
    import pickle

    from searcher.engines.whoosh.schema import is_text_analyzer, matching_spans, name_analyzer

    text = ("THE U.S . FORCES in Viet Nam's capital; Café, naïve résumés 3.14 & what-about running "
            "runners RAN ran—the İstanbul ß straße ﬁnance x_y 1,000 co-operation Über élan. toil oil "
            "a.oil oil.b oil_x _oil oil. oil.. U.S. u.s U.S.A.oil 3.14.15 oil's OIL.Oil ... oil")
    analyzer = text_analyzer()
    # Whoosh reuses one Token object: copy each as it comes.
    tokens = [(t.text, t.startchar, t.endchar) for t in analyzer(text, chars=True, mode="index")]
    stored = pickle.loads(pickle.dumps(analyzer))  # as the index's schema gives it back
    assert is_text_analyzer(stored) and not is_text_analyzer(name_analyzer())
    vocabulary = sorted({term for term, _, _ in tokens})
    for terms in [{t} for t in vocabulary] + [set(vocabulary), {"oil", "u.s", "run"}, {"absent"}]:
        expected = [(start, end) for term, start, end in tokens if term in terms]
        assert matching_spans(text, frozenset(terms)) == expected, terms
        assert span_finder(stored)(text, frozenset(terms)) == expected
    # Any other analyzer still decides what matches: names are not stemmed.
    assert span_finder(name_analyzer())("Runners at the Café", frozenset({"runners"})) == [(0, 7)]
    assert span_finder(stored)("Runners at the Café", frozenset({"runners"})) == []
