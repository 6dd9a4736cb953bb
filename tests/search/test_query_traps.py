"""Issue 25: the query language without traps (field case, url:, open ranges, scores that
fall with rank, no needless did-you-mean, empty results that say why, oldest first)."""

from __future__ import annotations

from datetime import datetime

import pytest

from searcher import Document, SearchIndex

DOCS = [
    Document(doc_id="cbs", title="U.S. and Taliban agree to talks", source="CBS News", published=datetime(2019, 11, 19, 22),
             url="https://cbsnews.com/a", body="Khalilzad said the talks in Kabul would cut violence."),
    Document(doc_id="gear", title="Phone review", source="SlashGear", published=datetime(2019, 11, 18),
             url="https://www.slashgear.com/phone-review-18600000/", body="The phone has a good camera and talks back."),
    Document(doc_id="gear-old", title="Tablet review", source="SlashGear", published=datetime(2012, 5, 1),
             url="http://www.slashgear.com/2012/tablet/", body="The tablet is thin."),
    Document(doc_id="times", title="Trade war", source="New York Times", published=datetime(2019, 11, 20),
             url="https://www.nytimes.com/2019/11/18/business/trade.html", body="Trade talks with China stall."),
    Document(doc_id="look-alike", title="Community notes", source="Other", published=datetime(2019, 1, 1),
             url="https://slashgear.community/notes", body="Notes of the community."),
    Document(doc_id="undated", title="Talks without a date", source="Wire", body="Talks in Kabul, undated."),
]


@pytest.fixture(scope="module")
def ix(tmp_path_factory):
    index = SearchIndex(tmp_path_factory.mktemp("traps") / "ix")
    index.add(DOCS)
    yield index
    index.close()


def ids(results) -> list[str]:
    return sorted(h.doc_id for h in results)


@pytest.mark.parametrize("typed, lower", [("Title:review", "title:review"), ("SOURCE:slashgear", "source:slashgear"),
                                          ("Url:slashgear.com", "url:slashgear.com"), ("Date:2019-11", "date:2019-11")])
def test_a_field_name_in_any_case_is_that_field(ix, typed, lower):
    assert ids(ix.search(typed)) == ids(ix.search(lower)) != []
    assert ids(ix.search("Title:talks")) == ["cbs", "undated"]  # not the bodies that say "talks"


@pytest.mark.parametrize("query, expected", [
    ("url:slashgear.com", ["gear", "gear-old"]),  # a domain: any scheme, with or without www.
    ("url:www.slashgear.com", ["gear", "gear-old"]),
    ("url:www.nytimes.com", ["times"]), ("url:nytimes.com", ["times"]), ("url:cbsnews.com", ["cbs"]),
    ("url:slashgear.com/2012/", ["gear-old"]),  # a path prefix
    ("url:https://www.slashgear.com/phone-review-18600000/", ["gear"]),  # the whole address
    ("url:https://www.slashgear.com", ["gear"]),  # a scheme keeps to itself
    ("url:slashgear.co", []), ("url:gear.com", []),  # a host ends where the address says so
    ("url:*slashgear*", ["gear", "gear-old", "look-alike"]),  # a wildcard still works
])
def test_url_matches_a_host_a_domain_and_a_path_prefix(ix, query, expected):
    assert ids(ix.search(query)) == expected


def test_url_values_get_no_did_you_mean(ix):
    assert ix.search("url:www.nytimes.co").suggestion is None


@pytest.mark.parametrize("query, expected", [
    ("published:{2019-11-19 TO *}", ["times"]), ("published:[2019-11-19 TO *]", ["cbs", "times"]),
    ("published:[* TO 2012]", ["gear-old"]), ("date:[* TO *]", ["cbs", "gear", "gear-old", "look-alike", "times"]),
])
def test_a_star_is_an_open_end_of_a_range(ix, query, expected):
    results = ix.search(query)
    assert ids(results) == expected and results.searched_as_words is None


def test_no_suggestion_for_a_query_that_found_what_it_asked_for(ix):
    fuzzy = ix.search("Khalilzd~")
    assert ids(fuzzy) == ["cbs"] and fuzzy.suggestion is None
    assert ix.search("Khalilzd").suggestion == "Khalilzad"  # the plain misspelling still gets one
    assert ix.search("Khal*").suggestion is None


def test_shown_scores_fall_as_the_rank_does(tmp_path):
    """A document with both words ranks first even when one word alone scores more elsewhere:
    its score shows the tier (``searcher search 'Microsoft EU'``: rank 1 scored 1.79, rank 2 3.85)."""
    with SearchIndex(tmp_path / "ix") as index:
        index.add([Document(doc_id="both", title="Notes", body="Microsoft " + "and other things " * 60 + "EU"),
                   Document(doc_id="one", title="Microsoft Microsoft", body="Microsoft Microsoft Microsoft news.")]
                  + [Document(doc_id=f"filler-{i}", title="Filler", body=f"Nothing here {i}.") for i in range(20)])
        for explain in (False, True):
            results = index.search("Microsoft EU", explain=explain, expand=False)
            assert [h.doc_id for h in results] == ["both", "one"]
            scores = [h.score for h in results]
            assert scores == sorted(scores, reverse=True) and scores[0] > scores[1]
        tier = [p for p in results[0].score_parts if p.kind == "coordination"]
        assert len(tier) == 1 and tier[0].term == "all words" and tier[0].contribution >= 100
        assert not [p for p in results[1].score_parts if p.kind == "coordination"]
        assert sum(p.contribution for p in results[0].score_parts) == pytest.approx(results[0].score)


@pytest.mark.parametrize("query, reason", [
    ("-talks", "the query only says what to leave out (-talks): give a word to look for too"),
    ("-talks -kabul", "the query only says what to leave out (-talks -kabul)"),
    ("the", "'the' is too common a word to be indexed"),
    ("the of", "'the', 'of' are too common to be indexed"),
    ("the -talks", "'the' is too common a word to be indexed"),
])
def test_a_query_that_cannot_find_anything_says_why(ix, query, reason):
    results = ix.search(query)
    assert results.total == 0 and results.empty_reason.startswith(reason)
    assert results.as_dict()["empty_reason"] == results.empty_reason


@pytest.mark.parametrize("query", ["zzzqqq", "talks -talks", "title:zzz", "published:1900"])
def test_a_query_that_only_found_nothing_gives_no_reason(ix, query):
    results = ix.search(query)
    assert results.total == 0 and results.empty_reason is None


def test_oldest_first_and_the_undated_counted_last(ix):
    newest = ix.search("talks", sort="date")
    oldest = ix.search("talks", sort="oldest")
    assert [h.doc_id for h in newest] == ["times", "cbs", "gear", "undated"]
    assert [h.doc_id for h in oldest] == ["gear", "cbs", "times", "undated"]
    assert newest.undated == oldest.undated == 1 and newest.as_dict()["undated"] == 1
    assert ix.search("talks").undated == 0  # by relevance nothing is said
    assert ix.search("talks", sort="date", since="2019").undated == 0


def test_several_sources_at_once(ix):
    assert ids(ix.search("talks", source=["CBS News", "SlashGear"])) == ["cbs", "gear"]
    assert ids(ix.search("talks", source=("cbs",))) == ["cbs"]
    results = ix.search("review OR talks", source=["slashgear", "wire"], facets=True)
    assert ids(results) == ["gear", "gear-old", "undated"] and set(results.facets["source"]) == {"SlashGear", "Wire"}
