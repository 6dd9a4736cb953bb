"""Near-duplicate folding: signatures (search/duplicates.py) and folded search results."""

from __future__ import annotations

import json
import random

import pytest

import searcher
from searcher import Document, SearchIndex
from searcher.search.duplicates import (FOLD_AT, MIN_SHINGLES, SKETCH_SIZE, Signature, are_copies, body_signature,
                                        collapse, fold, shingle_hashes, signature_of, similarity)
from searcher.engines.whoosh.searching import stored_signature

from searcher.engines.whoosh.storage import MARKER_NAME

from conftest import CHROME, WORDS, article

# ---------------------------------------------------------------------------- signatures


def test_signature_is_a_pure_function_of_the_body_and_round_trips():
    text = article(1)
    assert signature_of(text) == signature_of(text)
    assert body_signature(Document("a", title="One", body=text)) == body_signature(Document("b", title="one", body=text))
    assert signature_of(text, "One").sketch == signature_of(text, "Two").sketch  # the title is only in the exact hash
    stored = signature_of(text).to_bytes()
    assert len(stored) == 4 * (SKETCH_SIZE + 3) and Signature.from_bytes(stored) == signature_of(text)
    assert Signature.from_bytes(b"\x00" * 7) is None and Signature.from_bytes(None) is None  # damaged: made again


def test_the_estimate_follows_the_exact_jaccard_similarity():
    base = article(2, 400)
    for cut in (0.0, 0.1, 0.3, 0.6):  # the same article with more and more of it replaced
        words = base.split()
        kept = words[:int(len(words) * (1 - cut))]
        other = " ".join(kept + article(50 + int(cut * 10), int(len(words) * cut)).split())
        a, b = shingle_hashes(base), shingle_hashes(other)
        exact = len(a & b) / len(a | b)
        assert abs(similarity(signature_of(base), signature_of(other)) - exact) < 0.2


def test_a_copy_with_other_chrome_folds():
    body = article(3)
    assert are_copies(signature_of(body), signature_of(f"Menu Home World\n\n{body}\n\n{CHROME}"))
    assert are_copies(signature_of(body), signature_of(body.upper()))  # case does not count


def test_a_capture_that_kept_much_more_chrome_still_folds():
    body = article(14, 300)
    chrome = " ".join(f"Related headline number {n} about {w} and more." for n, w in enumerate(WORDS))  # ~200 words
    a, b = signature_of(body), signature_of(f"{body}\n\n{chrome}")
    assert similarity(a, b) < FOLD_AT and are_copies(a, b)


def test_a_brief_quoted_inside_a_long_roundup_does_not_fold():
    brief = article(15, 80)
    roundup = " ".join([article(16, 300), brief, article(17, 300)])
    assert not are_copies(signature_of(brief), signature_of(roundup))


def test_different_articles_sharing_chrome_do_not_fold():
    a, b = article(4), article(5)
    assert not are_copies(signature_of(f"{a}\n\n{CHROME}"), signature_of(f"{b}\n\n{CHROME}"))


def test_short_bodies_fold_only_when_title_and_body_are_the_same_words():
    notice = "Qtly div 20 cts vs 20 cts prior. Pay April 15. Record March 23."
    sig = signature_of(notice, "Quaker Oats regular dividend")
    assert sig.shingles < MIN_SHINGLES and not sig.foldable
    assert are_copies(sig, signature_of(notice.upper(), "QUAKER OATS REGULAR DIVIDEND"))  # the same item again
    assert not are_copies(sig, signature_of(notice, "Unibancorp regular dividend"))  # another company's notice
    assert not are_copies(sig, signature_of(notice.replace("20", "25"), "Quaker Oats regular dividend"))
    assert not are_copies(signature_of(""), signature_of(""))


def test_templated_articles_with_other_facts_do_not_fold():
    # The same frame sentence by sentence, with other names and figures in it: a weekly
    # report for another week, an earnings note for another company.
    frame = ("The {0} council said on {1} that exports of {2} rose {3} percent in the week to {4}, "
             "against {5} percent a year earlier, and that stocks at the ports stood at {6} tonnes. ")
    rng = random.Random(6)

    def report(seed: int) -> str:
        rng.seed(seed)
        return "".join(frame.format(*(rng.choice(WORDS) if i % 2 == 0 else str(rng.randint(1, 999))
                                      for i in range(7))) for _ in range(8))

    a, b = signature_of(report(1)), signature_of(report(2))
    assert a.foldable and b.foldable and not are_copies(a, b)


# ---------------------------------------------------------------------------- fold()


def _sig(seed: int, variant: int = 0) -> Signature:
    return signature_of(article(seed) + (f" Extra words {variant}." if variant else ""))


def test_fold_keeps_the_best_ranked_copy_and_the_order():
    ranked = [("a1", _sig(1)), ("b1", _sig(2)), ("a2", _sig(1, 1)), ("c1", _sig(3)), ("b2", _sig(2, 2)),
              ("short", signature_of("too short to fold", "A")), ("short2", signature_of("too short to fold", "B")),
              ("none", None), ("a3", _sig(1, 3)), ("short3", signature_of("Too short to fold.", "a")), ("none2", None)]
    groups = fold(ranked)
    assert [(g.key, g.copies) for g in groups] == [("a1", ["a2", "a3"]), ("b1", ["b2"]), ("c1", []),
                                                   ("short", ["short3"]), ("short2", []), ("none", []), ("none2", [])]


def test_fold_of_a_prefix_is_a_prefix_of_the_fold():
    rng = random.Random(8)
    ranked = [(f"d{i}", _sig(rng.randrange(12), i)) for i in range(60)]
    whole = [g.key for g in fold(ranked)]
    for cut in (5, 17, 40):
        assert whole[:len(fold(ranked[:cut]))] == [g.key for g in fold(ranked[:cut])]


def test_fold_does_not_chain_copies():
    words = [f"w{i}" for i in range(460)]
    a, b, c = (signature_of(" ".join(words[shift:shift + 400])) for shift in (0, 30, 60))
    # exact Jaccard: a~b and b~c 0.86, a~c 0.74
    assert similarity(a, b) >= FOLD_AT and similarity(b, c) >= FOLD_AT and similarity(a, c) < FOLD_AT
    assert [(g.key, g.copies) for g in fold([("a", a), ("b", b), ("c", c)])] == [("a", ["b"]), ("c", [])]


def test_collapse_ranks_again_until_the_page_fills():
    keys = [f"k{i}" for i in range(200)]
    sigs = {k: _sig(0 if i < 150 else i, i) for i, k in enumerate(keys)}  # 150 copies of one article first
    asked = []

    def rank(n: int):
        asked.append(n)
        return keys[:n], len(keys)

    groups, copies = collapse(rank, sigs.__getitem__, 10)
    assert asked == [30, 60, 120, 240] and [g.key for g in groups[:2]] == ["k0", "k150"]
    assert len(groups[0].copies) == 149 and copies == 149 and len(groups) == 51


def test_a_document_stored_without_a_signature_gets_one_from_its_body():
    body = article(12)
    assert stored_signature({"body": body, "title": "T"}) == signature_of(body, "T")
    assert stored_signature({"body": body, "title": "T", "signature": b"garbage"}) == signature_of(body, "T")


# ---------------------------------------------------------------------------- searching
















def test_an_older_index_is_rebuilt_with_signatures(built_index, seeds_dir, index_dir):
    """An index written before signatures (schema 3) cannot fold: searching it says to rebuild,
    and an update rebuilds it, imported documents included, which then fold."""
    body = article(13)
    built_index.add([Document("imported-1", title="Imported", body=body),
                     Document("imported-2", title="Imported again", body=body + " " + CHROME)])
    built_index.close()
    marker = index_dir / MARKER_NAME
    data = json.loads(marker.read_text())
    data["schema_version"] = 3
    marker.write_text(json.dumps(data))
    with pytest.raises(searcher.IndexVersionError, match="schema version 3.*searcher index --rebuild"):
        SearchIndex(index_dir).search("harbour")
    with SearchIndex(index_dir) as ix:
        assert ix.update(seeds_dir).rebuilt
        hits = list(ix.search(body.split(".")[0], syntax=False))
        assert hits[0].doc_id in ("imported-1", "imported-2") and len(hits[0].duplicates) == 1
