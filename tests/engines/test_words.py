"""What a word is (core/words.py): a glued sentence end ("disabilities.A") splits two words,
abbreviations, numbers, domains and identifiers stay whole; the same words in Whoosh's
analyzer, every fast path, snippets and queries, on both engines. That the cluster's own
tokenizer (the Java form of the rule) agrees is tested against a real one in
test_opensearch_engine.py with :data:`CASES` and :func:`random_texts`."""

from __future__ import annotations

import random
import sys
import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from searcher import Document
from searcher.core.words import INSIDE_WORD, JAVA_WORD_PATTERN, LOWER, UPPER, WORD_RE, python_class

#: (text, its words): what the rule splits and what it keeps whole.
CASES = [
    ("with disabilities.A line of", ["with", "disabilities", "A", "line", "of"]),
    ("U.S. forces", ["U.S", "forces"]),
    ("the U.S.A.", ["the", "U.S.A"]),
    ("3.5 pct, 1.000.000", ["3.5", "pct", "1.000.000"]),
    ("H2A.Z histones", ["H2A.Z", "histones"]),
    ("ClinicalTrials.gov NCT0123", ["ClinicalTrials.gov", "NCT0123"]),
    ("e.g. this, i.e. that", ["e.g", "this", "i.e", "that"]),
    ("a Ph.D. thesis", ["a", "Ph.D", "thesis"]),
    ("www.x.com and mail.Example.org", ["www.x.com", "and", "mail", "Example.org"]),  # (a false split)
    ("Mr.Smith and Dr.Who", ["Mr.Smith", "and", "Dr.Who"]),  # one lower-case letter: an abbreviation
    ("the end.The start", ["the", "end", "The", "start"]),
    ("2019.The report", ["2019.The", "report"]),  # digits tell nothing of case: kept whole
    ("in the U.S.The talks", ["in", "the", "U.S.The", "talks"]),  # upper case before: an abbreviation
    ("the café.Le menu; ÉTÉ.Un", ["the", "café", "Le", "menu", "ÉTÉ.Un"]),
    ("αθήνα.Το σπίτι", ["αθήνα", "Το", "σπίτι"]),
    ("москва.Россия", ["москва", "Россия"]),
    ("straße.Über", ["straße", "Über"]),
    ("ends.\nNext one", ["ends", "Next", "one"]),
    ("iPhone.Apple", ["iPhone", "Apple"]),
    ("java.util.List", ["java.util", "List"]),  # a known false split: a mixed-case dotted name
    ("a.B ab.C abc.D", ["a.B", "ab", "C", "abc", "D"]),
    ("ab..Cd ab._C ab.1C", ["ab", "Cd", "ab._C", "ab.1C"]),
    ("Taliban's re-set", ["Taliban", "s", "re", "set"]),
]

#: Characters random texts are made of: both cases of Latin, accented, Greek and Cyrillic
#: letters, digits, periods (many), spaces and word punctuation. (Characters whose ``\w``
#: differs between Python and Java, such as combining marks, are a question apart.)
ALPHABET = "abzABZéÉñÑßσΣдД019" + "." * 8 + "  _-'"


def random_texts(count: int, seed: int = 26) -> list[str]:
    rng = random.Random(seed)
    return ["".join(rng.choice(ALPHABET) for _ in range(rng.randint(1, 30))) for _ in range(count)]


def reference_words(text: str) -> list[str]:
    """The rule spelled out character by character, with Unicode's own categories."""
    def word(ch: str) -> bool:
        return ch.isalnum() or ch == "_"

    words, current = [], ""
    for i, ch in enumerate(text):
        if word(ch):
            current += ch
            continue
        joins = (ch == "." and current and i + 1 < len(text) and word(text[i + 1])
                 and not (i >= 2 and unicodedata.category(text[i - 1]) == LOWER
                          and unicodedata.category(text[i - 2]) == LOWER
                          and unicodedata.category(text[i + 1]) == UPPER))
        if joins:
            current += ch
        elif current:
            words.append(current)
            current = ""
    return words + [current] if current else words


@pytest.mark.parametrize("text, words", CASES)
def test_a_glued_sentence_end_splits_and_dotted_names_stay_whole(text, words):
    from whoosh.analysis import RegexTokenizer

    from searcher.engines.whoosh.schema import TOKEN_PATTERN

    assert WORD_RE.findall(text) == words
    assert reference_words(text) == words
    assert [t.text for t in RegexTokenizer(TOKEN_PATTERN)(text)] == words


def test_the_case_classes_hold_every_cased_letter_of_unicode():
    # The classes scan the first two planes only: no lower- or upper-case letter lies beyond.
    beyond = [c for c in range(0x20000, sys.maxunicode + 1) if unicodedata.category(chr(c)) in (LOWER, UPPER)]
    assert beyond == []
    for category in (LOWER, UPPER):
        import re

        cls = re.compile(python_class(category))
        letters = [chr(c) for c in range(0x20000) if unicodedata.category(chr(c)) == category]
        assert all(cls.fullmatch(ch) for ch in letters)
        assert sum(1 for c in range(0x20000) if cls.fullmatch(chr(c))) == len(letters)


def test_the_java_pattern_is_the_same_template_with_named_categories():
    assert JAVA_WORD_PATTERN == r"\w+(?:\.(?!(?<=\p{Ll}\p{Ll}\.)\p{Lu})\w+)*"


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=ALPHABET, max_size=40))
def test_random_text_splits_as_the_rule_says(text):
    assert WORD_RE.findall(text) == reference_words(text)


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=ALPHABET + "Tt", max_size=60))
def test_fast_paths_find_the_analyzers_words_terms_and_spans(text):
    """index_terms, matching_spans (snippets) and INSIDE_WORD agree with the analyzer."""
    from searcher.engines.whoosh.schema import index_terms, matching_spans, text_analyzer

    # (Whoosh's analyzer yields one Token object over and over: copy what it says.)
    tokens = [(t.text, t.startchar, t.endchar) for t in text_analyzer()(text, chars=True, mode="index")]
    assert index_terms(text) == [term for term, _, _ in tokens]
    for marks in ({t[0] for t in tokens}, {t[0] for t in tokens[::2]}):
        assert matching_spans(text, frozenset(marks)) == [(s, e) for term, s, e in tokens if term in marks]
    for _, start, end in tokens:  # a word's neighbours never belong to it
        assert not (start and INSIDE_WORD.match(text, start - 1)) and not INSIDE_WORD.match(text, end)


def test_the_cluster_engines_local_analysis_splits_alike():
    from searcher.engines.opensearch.analysis import local_terms, marked_words

    assert local_terms("with disabilities.A line, the U.S.") == ["disabl", "line", "u."]  # (Porter: "u.s" -> "u.")
    assert marked_words(["Programs for disabilities.A"], frozenset({"disabl"})) == frozenset({"disabilities"})


def test_a_hyphenated_query_word_is_cut_where_the_words_are():
    from searcher.search.query_text import word_units

    assert word_units("disabilities.A-line") == [("disabilities.", False), ("A-line", True)]
    assert word_units("ab.c-d") == [("ab.c-d", True)]


GLUED = [
    Document(doc_id="glued", title="Transit", body="Programs for people with disabilities.A line of new buses serves the capital."),
    Document(doc_id="names", title="Registry", body="Trials listed on ClinicalTrials.gov in the U.S. cost 3.5 million."),
]


def test_queries_find_glued_words_on_both_engines(indexes):
    ix = indexes(GLUED)
    for query in ("disabilities", "disabilities.A", "disabilities.A line", "body:disabilities.A", "buses",
                  '"disabilities.A line"'):
        assert [h.doc_id for h in ix.search(query)] == ["glued"], query
    assert "**disabilities**.A **line**" in ix.search("disabilities line")[0].snippet
    for query in ("ClinicalTrials.gov", "U.S.", "3.5"):
        assert [h.doc_id for h in ix.search(query)] == ["names"], query
    assert len(ix.search("gov")) == 0 and len(ix.search("clinicaltrials")) == 0  # a domain stays whole


def test_a_folder_of_the_older_word_rule_is_rebuilt_even_with_its_marker_lost(tmp_path, monkeypatch):
    """A generation written before the rule (schema 6: "disabilities.A" one word) whose marker
    was lost is not taken for this schema when the marker is made again: update rebuilds it."""
    from whoosh.analysis import RegexTokenizer

    from searcher import IndexVersionError, SearchIndex
    from searcher.engines.whoosh import schema
    from searcher.engines.whoosh.storage import MARKER_NAME

    seeds, index_dir = tmp_path / "seeds", tmp_path / "ix"
    seeds.mkdir()
    (seeds / "glued.txt").write_text("Transit news\n\nPrograms for people with disabilities.A line of buses.\n")
    with monkeypatch.context() as patch:
        patch.setattr(schema, "text_analyzer", lambda: RegexTokenizer(r"\w+(?:\.\w+)*") | schema.TermFilter())
        patch.setattr(schema, "_TEXT_ANALYZER", None)
        with SearchIndex(index_dir) as ix:
            ix.update(seeds)
            assert len(ix.search("disabilities")) == 0  # the old rule's word is "disabilities.a"
    (index_dir / MARKER_NAME).unlink()
    with SearchIndex(index_dir) as ix:
        with pytest.raises(IndexVersionError, match="has schema version 0 .*: rebuild it$"):
            ix.update(seeds)  # the marker made again names the generation's schema as unknown
        assert ix.update(seeds).rebuilt
        assert [h.doc_id for h in ix.search("disabilities")] == ["glued.txt"]
