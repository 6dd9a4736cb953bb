"""Every ranking knob in one place: what the word path and the structured path both read.

A :class:`RankingSettings` travels as an argument (``SearchIndex(path, settings=...)``
hands it to the engine), so a benchmark or a test tries a variant by building one with
:func:`dataclasses.replace`, never by changing module state. The comment beside each knob
says why its default helps in general, not on one collection; the figures are nDCG@10
from ``benchmarks/relevance.py`` (TIME / CISI / Cranfield). Defaults are chosen by its
leave-one-collection-out figure (a setting picked on two collections, scored on the
third) and its ablation table: what holds on every collection over what wins one.
"""

from __future__ import annotations

from dataclasses import dataclass

from .fields import WORD_FIELDS


@dataclass(frozen=True, slots=True)
class RankingSettings:
    """How hits are scored: BM25F, coordination, proximity and pseudo-relevance feedback."""

    #: BM25 term-frequency saturation. 1.4 (between Lucene's 1.2 and the 1.6-2.0 that suit
    #: long documents): a word repeated 20 times still does not drown the other query words.
    #: Measured: 1.2 -> 1.4 gains a little on CISI and Cranfield, neutral on TIME.
    k1: float = 1.4
    #: Length normalisation of the body. 0.75 is the standard; news bodies vary from a
    #: paragraph to thousands of words, so full normalisation (1.0) over-punishes long reports.
    b: float = 0.75
    #: Length normalisation of titles and headings: short fields, little to normalise.
    title_b: float = 0.5
    #: BM25+ lower bound: a matching document gets at least delta x idf per word, however
    #: long (word path).
    delta: float = 0.0
    #: How much one occurrence counts in each field, relative to the body (BM25F weights
    #: on the word path, field boosts of the structured query parser). A title names what
    #: the article is about; headings less so; one title hit is worth a few body hits, not
    #: dozens. A weight of 0 leaves the field out of word queries.
    title_weight: float = 2.0
    sections_weight: float = 1.5
    body_weight: float = 1.0
    #: A hyphenated word ("re-set") matches as one thing (its parts side by side, or joined);
    #: its parts also score, in the documents the query matches anyway (never making a match:
    #: "re" alone is not "re-set"), together weighing this much of the word (word path).
    #: nDCG@10 TIME / CISI / Cranfield with feedback: before compounds 0.720 / 0.429 / 0.400;
    #: compounds alone 0.715 / 0.427 / 0.397; parts at 0.5: 0.720 / 0.427 / 0.399; at 1.0:
    #: 0.721 / 0.428 / 0.399; at 2.0: 0.720 / 0.431 / 0.393.
    compound_part_weight: float = 1.0
    #: A word typed twice weighs twice (long natural-language queries repeat their topic).
    query_tf: bool = True
    #: ... and 1 + ln(count) times instead of count times. Off: on, nDCG@10 on TIME / CISI /
    #: Cranfield is 0.732 / 0.420 / 0.402 against 0.731 / 0.427 / 0.399 linear, and
    #: leave-one-collection-out keeps linear for TIME and Cranfield and would pick the log for
    #: CISI at -0.007 (issue 26 measured MEDLINE +0.017; MEDLINE is not in ../shared).
    query_tf_log: bool = False
    #: Documents holding every distinct query word rank before those holding only some,
    #: whatever their scores (a hard coordination rule BM25 does not make), for queries of
    #: at most ``all_words_max`` distinct words (0: any length). Search-box queries of two
    #: or three words expect it (a long article naming both places above a short one naming
    #: one); in long natural-language queries it ranks by word count instead of by score and
    #: picks the documents feedback learns from that way. Measured against up to 4 words:
    #: off -0.006 / -0.002 / +0.000 nDCG@10, any length -0.010 / +0.001 / +0.000, up to 8
    #: words -0.011 / +0.001 / +0.000.
    all_words_first: bool = True
    all_words_max: int = 4
    #: Sequential dependence (term dependence, re-scoring the top ``proximity_depth``
    #: documents): each pair of consecutive query words scores like one more query word,
    #: BM25-saturated count times the pair's mean idf times the weight: ``phrase_weight``
    #: for the two side by side in order, ``proximity_weight`` for the two within
    #: ``proximity_window`` positions. Measured over the defaults: phrase 0.1 +0.000 /
    #: +0.002 / -0.000, 0.25 -0.014 / +0.000 / +0.001; proximity 0.1 -0.006 / -0.002 /
    #: +0.001; reading the top 100 documents' positions costs 1.3-1.5x a Reuters query's
    #: CPU time (6.8 -> 8.7-9.9 ms, phrase 0.1): both off.
    proximity_weight: float = 0.0
    phrase_weight: float = 0.0
    proximity_window: int = 8
    proximity_depth: int = 100
    #: Pseudo-relevance feedback (RM3, on by default for word queries; ``search(expand=False)``,
    #: CLI ``--no-expand`` turn it off): take ``feedback_terms`` expansion words from the top
    #: ``feedback_docs`` hits and mix them in with the query kept at ``feedback_original``. It
    #: finds relevant articles that use other words. Measured (with the stop list): off
    #: 0.712 / 0.419 / 0.379; 10 words at 0.7 0.710 / 0.433 / 0.399; 20 words at 0.75
    #: 0.725 / 0.433 / 0.401 (0.8: 0.720 / 0.430 / 0.400; 30 words at 0.8: 0.713 / 0.429 /
    #: 0.399; 5 documents lose 0.02 on TIME). More, lighter words spread the feedback instead
    #: of letting a few drift the query off topic. Cheap because the first pass is reused and
    #: the top documents' stored term counts are read: about 2-3x the plain-query time.
    feedback: bool = True
    feedback_docs: int = 10
    feedback_terms: int = 20
    feedback_original: float = 0.75
    #: Query-adaptive feedback. ``feedback_full_spread``: when the first pass's top
    #: ``feedback_docs`` scores fall by less than this share of the best from first to last,
    #: feedback's share shrinks in proportion: top hits that score alike show no clear topic
    #: to expand on. On every collection the flattest third of the queries gained least from
    #: feedback (-0.016 / -0.014 / +0.012 against about +0.02 for the rest); 0.2 against
    #: off: +0.000 / +0.002 / +0.001 (0.3: +0.001 / +0.001 / +0.000 against off).
    #: ``feedback_full_words``: the same by query length (distinct words); at 10: -0.003 /
    #: -0.003 / -0.001, so it is off (0).
    feedback_full_spread: float = 0.2
    feedback_full_words: int = 0
    #: Feedback re-ranks the first pass's best ``feedback_depth`` documents, scoring the
    #: expansion words from those documents' own text (stopping early once
    #: ``feedback_read_words`` words were read, for long pages): re-scoring every match would
    #: read the expansion words' whole posting lists, 5-8x the plain-query time on
    #: Reuters-size indexes. Deeper re-ranks gain a little everywhere: 50 +0.004 / +0.002 /
    #: +0.000, 100 +0.004 / +0.003 / +0.000 (1000: no further change), but reading more
    #: top documents' terms costs 1.4x / 1.6x a Reuters query's CPU time (7.8 -> 11.5 /
    #: 12.6 ms, benchmarks/scale.py's queries), so 30.
    feedback_depth: int = 30
    feedback_read_words: int = 20_000
    #: Expansion words in more than this share of documents are skipped: they say little
    #: about the topic and their long posting lists are what feedback costs.
    feedback_max_df: float = 0.1

    #: Hybrid ranking (an index with a model's vectors): the semantic share of the linear mix
    #: of the keyword top 100 and the dense top 100, each min-max normalised
    #: (searcher.search.fusion); 0 is keyword-only, 1 semantic-only. Chosen over every
    #: collection and every known model by the smallest gain over keyword-only (the
    #: leave-one-collection-out choices were 0.5 / 0.4 / 0.4 holding out TIME / CISI /
    #: Cranfield). nDCG@10 at 0.4 with bge-small: 0.755 / 0.467 / 0.430 against keyword-only
    #: 0.734 / 0.427 / 0.399; bge alone would choose 0.6 (0.767 / 0.476 / 0.437), e5 0.4.
    semantic_weight: float = 0.4

    def tiers(self, words: int) -> bool:
        """True if documents holding all of a query's ``words`` distinct words rank first."""
        return self.all_words_first and words > 1 and (self.all_words_max <= 0 or words <= self.all_words_max)

    def field_weights(self) -> dict[str, float]:
        """Weight of each word field, relative to the body, in WORD_FIELDS order:
        ``{"title": ..., "sections": ..., "body": ...}``."""
        return {name: getattr(self, f"{name}_weight") for name in WORD_FIELDS}

    def field_b(self, fieldname: str) -> float:
        """BM25 length normalisation of a word field: ``b`` for the body, ``title_b`` for the short ones."""
        return self.b if fieldname == "body" else self.title_b


#: The settings every index searches with unless given others.
DEFAULT_SETTINGS = RankingSettings()
