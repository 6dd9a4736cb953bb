"""The query language: every form in docs/queries.md, its fallbacks and its errors."""

from __future__ import annotations

from datetime import datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from searcher import Document, QueryError, SearcherError, SearchIndex

DOCS = [
    Document(doc_id="talks", title="Peace talks in Doha", body="Envoy Zalmay Khalilzad said the peace talks would re-set.",
             source="CBS News", authors=["Ann Martin"], sections=["Mixed messages"], published=datetime(2020, 3, 1)),
    Document(doc_id="peace", title="A quiet week", body="Peace returned to the valley; no talks were planned.",
             source="Reuters", published=datetime(2019, 6, 5)),
    Document(doc_id="war", title="Fighting in Kabul", body="Militants attacked Kabul. The Taliban denied it.",
             source="BBC", authors=["Bob Stone"], published=datetime(2020, 11, 20)),
    Document(doc_id="cafe", title="Café culture", body="The café in Zürich serves negotiators every morning.",
             source="Reuters"),
    Document(doc_id="iraq", title="Taliban and Iraq", body="Talks about Iraq and the Taliban.", source="BBC",
             published=datetime(2021, 1, 2)),
]


@pytest.fixture(scope="module")
def ix(tmp_path_factory):
    index = SearchIndex(tmp_path_factory.mktemp("q") / "ix")
    index.add(DOCS)
    yield index
    index.close()


def ids(results) -> list[str]:
    return [hit.doc_id for hit in results]


def test_all_words_rank_before_some(ix):
    found = ids(ix.search("peace talks"))
    assert set(found[:2]) == {"talks", "peace"}  # both hold both words
    assert "iraq" in found[2:]  # "talks" only


def test_stemming_case_and_accents(ix):
    assert ids(ix.search("TALKING")) and "talks" in ids(ix.search("talking"))
    assert ids(ix.search("cafe")) == ["cafe"]
    assert ids(ix.search("zurich")) == ["cafe"]
    assert ids(ix.search("negotiator")) == ["cafe"]


def test_phrase_and_proximity(ix):
    assert ids(ix.search('"peace talks"')) == ["talks"]
    assert ids(ix.search('"talks peace"')) == []
    assert "talks" in ids(ix.search('"khalilzad talks"~5'))
    assert ids(ix.search('"khalilzad talks"')) == []


def test_not_and_or_parentheses(ix):
    assert "iraq" not in ids(ix.search("taliban -iraq"))
    assert ids(ix.search("taliban NOT iraq")) == ["war"]
    assert ids(ix.search("kabul AND taliban")) == ["war"]
    assert set(ids(ix.search("kabul OR doha"))) == {"war", "talks"}
    assert set(ids(ix.search("taliban AND (kabul OR iraq)"))) == {"war", "iraq"}


def test_negation_alone_finds_nothing_without_error(ix):
    assert ix.search("-iraq").total == 0


def test_prefix_and_fuzzy(ix):
    assert ids(ix.search("negotiat*")) == ["cafe"]
    assert "talks" in ids(ix.search("khalilzd~"))


def test_fields_and_aliases(ix):
    assert ids(ix.search("title:kabul")) == ["war"]
    assert ids(ix.search("body:doha")) == []
    assert set(ids(ix.search("source:reuters"))) == {"peace", "cafe"}
    assert ids(ix.search("author:martin")) == ["talks"]
    assert ids(ix.search('section:"mixed messages"')) == ["talks"]


def test_boost_changes_order(ix):
    first = ids(ix.search("kabul^5 iraq"))[0]
    assert first == "war"
    assert ids(ix.search("kabul iraq^5"))[0] == "iraq"


def test_date_range_and_since_until(ix):
    assert set(ids(ix.search("published:[2020-01-01 TO 2020-12-31]"))) == {"talks", "war"}
    assert set(ids(ix.search("talks", since="2020-01-01"))) == {"talks", "iraq"}
    assert ids(ix.search("talks", until="2019-12-31")) == ["peace"]


@pytest.mark.parametrize("text", ['"peace talks', "(peace talks", "peace talks)", "peace AND", "AND peace",
                                  "title: peace", "peace OR OR talks"])
def test_broken_syntax_falls_back_to_words(ix, text):
    assert "talks" in ids(ix.search(text))


def test_unknown_field_names_the_fields(ix):
    with pytest.raises(QueryError, match="fields are .*title"):
        ix.search("colour:red")


@pytest.mark.parametrize("text", ["", "   "])
def test_empty_query_is_an_error(ix, text):
    with pytest.raises(QueryError):
        ix.search(text)


def test_words_mode_treats_syntax_as_words(ix):
    assert ids(ix.search("title:kabul AND (NOT taliban)", syntax=False))[0] == "war"
    assert "iraq" in ids(ix.search("taliban -iraq", syntax=False))


def test_sort_by_date_newest_first_undated_last(ix):
    found = ids(ix.search("the OR talks OR taliban OR cafe OR peace", sort="date", limit=10))
    assert found == ["iraq", "war", "talks", "peace", "cafe"]


def test_facets_count_sources_and_months(ix):
    results = ix.search("taliban", facets=True)
    assert results.facets["source"] == {"BBC": 2}  # as the documents write it (issue 11)
    assert results.facets["month"] == {"2020-11": 1, "2021-01": 1}


def test_did_you_mean_uses_real_words(ix):
    results = ix.search("Khalilzd re-set")
    assert results.suggestion == "Khalilzad re-set"
    assert ix.search("Khalilzad").suggestion is None


def test_explain_lists_fields_and_words(ix):
    hit = ix.search("peace talks", explain=True)[0]
    text = "\n".join(hit.explanation)
    assert "'peac'" in text and "title" in text and "body" in text
    hit = ix.search('"peace talks"', explain=True)[0]
    assert any("body" in line or "title" in line for line in hit.explanation)


def test_similar_excludes_itself(ix):
    results = ix.similar("war", limit=3)
    assert "war" not in ids(results)
    assert ids(results)[0] == "iraq"  # shares the Taliban


def test_similar_unknown_document(ix):
    with pytest.raises(SearcherError):
        ix.similar("nope")


def test_expand_still_ranks_the_obvious_hit_first(ix):
    assert ids(ix.search("kabul militants", expand=True))[0] == "war"


_ALPHABET = st.sampled_from(list('abc xyz"()[]{}:*?~^+-!\\/&|') + ["AND", "OR", "NOT", "TO", "title:", "published:",
                                                                    "é", "ß", "中文", "\x00", "\u200b", "~2", "^3"])


@settings(max_examples=200, deadline=None)
@given(st.lists(_ALPHABET, max_size=12).map("".join) | st.text(max_size=30))
def test_no_query_raises_anything_but_a_searcher_error(ix, text):
    for syntax in (True, False):
        try:
            ix.search(text, syntax=syntax, limit=3)
        except SearcherError:
            pass
