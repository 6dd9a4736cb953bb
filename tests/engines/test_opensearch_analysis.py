"""The cluster's word analysis done without the cluster (engines/opensearch/analysis.py); that it
equals the cluster's own is tested against a real one in test_opensearch_engine.py."""

from searcher.engines.opensearch.analysis import local_terms, marked_words
from searcher.engines.opensearch.porter import stem


def test_porter_stems_as_lucene_does_where_the_reference_departs_from_the_paper():
    assert [stem(w) for w in ("generalizations", "sensibility", "analogy", "hopping", "agreed", "skies")] == [
        "gener", "sensibl", "analog", "hop", "agre", "ski"]
    assert stem("as") == "as" and stem("by") == "by"  # one or two letters are left alone


def test_local_terms_drop_stop_words_fold_accents_and_give_up_on_other_scripts():
    assert local_terms("The Café and the talks") == ["cafe", "talk"]
    assert local_terms("Ærø") is None and local_terms("Москва") is None  # the cluster must fold these


def test_marked_words_are_the_words_of_a_text_that_analyse_to_a_term():
    marks = marked_words(["Talks in Kabul", "talking of KABUL; the talk"], frozenset({"talk", "kabul"}))
    assert marks == frozenset({"talks", "kabul", "talking", "talk"})


def test_field_terms_count_a_fields_terms_and_give_up_where_the_index_may_tokenise_otherwise():
    from searcher.engines.opensearch.analysis import field_terms

    counts = field_terms(["Talks in Kabul: the talks “went well”", "U.S. talk — Café 1.5"])
    assert counts == {"talk": 3, "kabul": 1, "went": 1, "well": 1, "u.": 1, "cafe": 1, "1.5": 1}
    assert field_terms([]) == {} and field_terms(["the of and"]) == {}
    assert field_terms(["Ærø"]) is None and field_terms(["Москва"]) is None  # folded otherwise by Lucene
    # A combining mark: Java's \w takes it for part of a word, Python's not.
    assert field_terms(["cafe\u0301 talks"]) is None
    # A fraction or a superscript: Python's \w takes it, Java's not (a space to the index).
    assert field_terms(["3½ cups, x² talks"]) == {"3": 1, "cup": 1, "x": 1, "talk": 1}
