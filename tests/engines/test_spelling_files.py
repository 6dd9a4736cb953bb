"""The deletion index written beside each segment at commit (engines/whoosh/spelling.py)
gives what the one built in memory gives, and goes with its segment."""

from __future__ import annotations

import random

from searcher import Document, SearchIndex
from searcher.engines.whoosh import near_terms, spelling

WORDS = ("cocoa exporters quota plan prices market bahia harvest shipment tonnes traders "
         "government minister reserves currency dollar interest").split()


def _docs(n: int, seed: int = 1) -> list[Document]:
    rng = random.Random(seed)
    return [Document(doc_id=f"d{i}", title=" ".join(rng.sample(WORDS, 3)),
                     body=" ".join(rng.choice(WORDS) + rng.choice(["", "s", "ed", "ing"]) for _ in range(40)))
            for i in range(n)]


def _misspellings(words: list[str], seed: int = 2) -> list[str]:
    rng = random.Random(seed)
    out = []
    for word in words:
        i = rng.randrange(len(word))
        out += [word[:i] + word[i + 1:], word[:i] + "x" + word[i:], word[:i] + "q" + word[i + 1:]]
    return out


def test_written_index_finds_what_the_memory_index_finds(tmp_path):
    ix = SearchIndex(tmp_path / "ix")
    ix.add(_docs(60))
    ix.add(_docs(20, seed=3)[:5])  # a second commit: a second segment
    reader = ix.engine.searcher().reader()
    leaves = [leaf for leaf, _ in reader.leaf_readers()]
    assert len(leaves) >= 2 and all(spelling.segment_spelling(leaf, "body") for leaf in leaves)
    words = _misspellings(near_terms.lexicon(reader, "body"))
    for word in words:
        for maxdist in (1, 2):
            for swaps in (False, True):
                written = near_terms.terms_within(reader, "body", word, maxdist, swaps=swaps)
                memory = near_terms._Deletions(near_terms.lexicon(reader, "body")).within(word, maxdist, swaps=swaps)
                assert written == memory, (word, maxdist, swaps)
    assert ix.search("harvset").suggestion.startswith("harvest")
    ix.close()


def test_spelling_files_follow_their_segments(tmp_path):
    ix = SearchIndex(tmp_path / "ix")
    for batch in range(3):
        ix.add(_docs(10, seed=batch))
    gen = next((tmp_path / "ix").glob("gen-*"))
    segments = {leaf.segment().segment_id() for leaf, _ in ix.engine.searcher().reader().leaf_readers()}
    files = {p.name[:-len(spelling.SUFFIX)] for p in gen.glob(f"*{spelling.SUFFIX}")}
    assert files == segments  # one per live segment; a merged-away segment's went with it
    ix.close()


def test_a_damaged_spelling_file_is_built_in_memory_instead(tmp_path):
    ix = SearchIndex(tmp_path / "ix")
    ix.add(_docs(30))
    for path in (tmp_path / "ix").glob(f"gen-*/*{spelling.SUFFIX}"):
        path.write_bytes(path.read_bytes()[:100])
    spelling.OPEN_FILES.clear()
    fresh = SearchIndex(tmp_path / "ix")
    assert fresh.search("harvset").suggestion.startswith("harvest")
    fresh.close()
    ix.close()
