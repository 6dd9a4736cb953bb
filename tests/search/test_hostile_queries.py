"""No query may take the machine (issue 16): every query is bounded in size.

Before: on a 2,000-document index ``*`` took 16 s, ``?*`` 55 s, ``oil~9`` over 120 s, a
100-letter word 4.2 s (did-you-mean), a pasted 5,000-letter word up to 66 s. These tests
check what bounds the work (each limit refuses with its message; anything else is results
or a QueryError); the times themselves are measured, beside an ordinary query, by
``python benchmarks/hostile.py --only queries``, never asserted here (a busy machine is
not a bug).
"""

from __future__ import annotations

import random
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from searcher import Document, QueryError, SearcherError, SearchIndex
from searcher.search.limits import (MAX_EDITS, MAX_EXPANSION, MAX_PHRASE_WORDS, MAX_QUERY_CHARS, MAX_QUERY_WORDS,
                                    MAX_WORD_CHARS)
from searcher.search.options import SearchOptions

ARTICLES = 3_000
_SYLLABLES = ["ba", "ko", "ri", "tan", "mel", "so", "pra", "ve", "lun", "dor", "qui", "est", "ach", "ny", "or",
              "il", "pe", "tro", "gas", "cen", "ta", "mi", "lo", "sun", "rag", "fe", "bul", "ex", "ant", "ion"]


def make_articles(count: int = ARTICLES, seed: int = 16) -> list[Document]:
    """``count`` articles of 60-140 words over a Zipf-like vocabulary of about 20,000 words."""
    rnd = random.Random(seed)
    vocab = sorted({"".join(rnd.choice(_SYLLABLES) for _ in range(rnd.randint(1, 5))) for _ in range(30_000)})
    rnd.shuffle(vocab)
    weights = [1.0 / (rank + 1) for rank in range(len(vocab))]
    docs = []
    for n in range(count):
        words = rnd.choices(vocab, weights, k=rnd.randint(60, 140))
        title = " ".join(rnd.choices(vocab, weights, k=6)).capitalize()
        docs.append(Document(doc_id=f"a{n:05d}", title=title, body=" ".join(words) + ".", source="Wire"))
    return docs


@pytest.fixture(scope="module")
def ix(tmp_path_factory):
    index = SearchIndex(tmp_path_factory.mktemp("hostile") / "ix")
    index.add(make_articles())
    index.search("tan~1 bakox")  # the deletion index is built once per reader: not part of a search's time
    yield index
    index.close()


def outcome(ix, query: str, **kw) -> object:
    """The search's results, or the SearcherError it raised."""
    try:
        return ix.search(query, **kw)
    except SearcherError as e:
        return e


@pytest.mark.slow
@pytest.mark.parametrize("query", ["*", "?*", "title:*", "*a*", "b*", "t?n*"])
def test_wildcards_standing_for_too_many_words_are_refused_at_once(ix, query):
    out = outcome(ix, query)
    assert isinstance(out, QueryError) and "give more letters" in str(out) and str(MAX_EXPANSION) in str(out)


def test_a_narrow_wildcard_still_runs(ix):
    assert ix.search("tanmel*").total > 0


@pytest.mark.parametrize("query", ["tan~9", "tan~3", "title:tan~5"])
def test_fuzzy_words_allow_at_most_two_edits(ix, query):
    out = outcome(ix, query)
    assert isinstance(out, QueryError) and f"at most {MAX_EDITS} edits" in str(out)


def test_fuzzy_finds_what_whoosh_s_automaton_accepts(ix):
    from whoosh.automata.lev import levenshtein_automaton

    from searcher.engines.whoosh.near_terms import terms_within

    reader = ix.engine.searcher().reader()
    lexicon = [t.decode() for t in reader.lexicon("body")]
    for word in ["tan", "bakor", "melso", "gasion", "tronyqui"]:
        for k in (1, 2):
            dfa = levenshtein_automaton(word, k).to_dfa()
            assert terms_within(reader, "body", word, k) == [t for t in lexicon if dfa.accept(t)]
    assert ix.search("tanmel~2").total > 0


def test_long_words_and_long_queries_are_refused_at_once(ix):
    cases = {
        "x" * 5_000: f"words are at most {MAX_WORD_CHARS}",
        "oil " * (MAX_QUERY_WORDS + 1): f"at most {MAX_QUERY_WORDS:,}",
        "o" * 50 + " " + "p" * (MAX_QUERY_CHARS - 50): f"at most {MAX_QUERY_CHARS:,}",
        '"' + " ".join(["tan mel"] * MAX_PHRASE_WORDS) + '"': f"at most {MAX_PHRASE_WORDS} words",
    }
    for query, said in cases.items():
        out = outcome(ix, query)
        assert isinstance(out, QueryError) and said in str(out), (query[:30], out)


def test_a_word_of_the_longest_allowed_length_gets_no_suggestion(ix):
    for word in ["x" * MAX_WORD_CHARS, "tanmelso" * 12]:
        out = outcome(ix, word)
        assert not isinstance(out, Exception) and out.total == 0 and out.suggestion is None


def test_did_you_mean_still_finds_close_words(ix):
    results = ix.search("tanmelsx")
    if results.total < 3:
        assert results.suggestion


def test_the_time_budget_stops_a_search_with_a_query_error(ix):
    for query in ["tan mel so", "tan OR mel OR so", "tanmel*"]:
        with pytest.raises(QueryError, match="budget"):
            ix.engine.search(query, SearchOptions(seconds=1e-9).checked())
    with pytest.raises(QueryError, match="more than 0"):
        SearchOptions(seconds=0).checked()
    assert ix.engine.search("tan", SearchOptions(seconds=None).checked()).total > 0


_PIECES = st.sampled_from(["*", "?", "~", "~1", "~2", "~9", '"', "(", ")", " ", " AND ", " OR ", "-", "^2", ":",
                           "title:", "tan", "mel", "so", "x" * 120, "a" * 40])
_TEXT = st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=0x24F), max_size=200)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                   HealthCheck.too_slow])
@given(parts=st.lists(st.one_of(_PIECES, _TEXT), max_size=60), repeat=st.integers(1, 200))
def test_any_query_up_to_10000_characters_is_results_or_a_query_error(ix, parts, repeat):
    query = ("".join(parts) * repeat)[:10_000]
    if not query.strip():
        return
    out = outcome(ix, query)
    assert not isinstance(out, Exception) or isinstance(out, SearcherError)


def test_a_query_of_the_most_words_allowed_is_answered(ix):
    query = " ".join(f"zq{i}" for i in range(MAX_QUERY_WORDS))  # every word unknown: no did-you-mean for each
    out = outcome(ix, query)
    assert not isinstance(out, Exception) and out.total == 0 and out.suggestion is None
