"""The Whoosh internals readers (searcher/engines/whoosh/internals.py) against Whoosh's own
answers, value for value: run these after any Whoosh upgrade (they pass on whoosh3 and 2.7.4)."""

from __future__ import annotations

from searcher import Document, SearchIndex
from searcher.engines.whoosh import internals
from searcher.engines.whoosh.word_stats import WORD_FIELDS, stats_for


def test_bulk_field_lengths_equal_whooshs_own(tmp_path):
    ix = SearchIndex(tmp_path / "ix")
    ix.add([Document(doc_id=str(i), title="word " * (i % 7), body="text body " * i, sections=["A head"] if i % 3 else [])
            for i in range(40)])
    ix.delete("5")
    searcher = ix.engine.searcher()
    for leaf, _ in searcher.reader().leaf_readers():
        for field in ("title", "body", "sections"):
            expected = [leaf.doc_field_length(n, field, 0) or 0 for n in range(leaf.doc_count_all())]
            assert internals.leaf_lengths(leaf, field) == expected
    ix.close()


def test_block_ids_and_weights_equal_whooshs_own(varied_index):
    ix = varied_index
    searcher = ix.engine.searcher()
    stats = stats_for(searcher)
    blocks = fast = 0
    for leaf, _ in searcher.reader().leaf_readers():
        for field in WORD_FIELDS:
            for text in leaf.lexicon(field):
                text = text.decode("utf-8") if isinstance(text, bytes) else text
                # Ours opened through the in-memory term index, theirs by Whoosh.
                ours, theirs = stats.term_index(leaf).postings(field, text), leaf.postings(field, text)
                assert type(ours) is type(theirs)
                if not internals.is_block_matcher(ours):
                    continue
                while ours.is_active():
                    ids, weights = internals.block_ids_weights(ours, 5)
                    fast += ours._data is None  # read without unpickling the positions
                    theirs._read_ids()
                    theirs._read_weights()
                    assert list(ids) == [d + 5 for d in theirs._ids] and list(weights) == list(theirs._weights), (field, text)
                    blocks += 1
                    ours._next_block()
                    theirs._next_block()
    assert blocks > 50 and fast == blocks
    ix.close()


def test_block_readers_equal_the_public_matcher(varied_index):
    # remaining_blocks and block_postings, from a block's start and from inside one
    # (after skip_to), give the postings Whoosh's id()/weight()/next() give.
    searcher = varied_index.engine.searcher()
    checked = inside = 0
    for leaf, _ in searcher.reader().leaf_readers():
        for field in WORD_FIELDS:
            for text in leaf.lexicon(field):
                text = text.decode("utf-8") if isinstance(text, bytes) else text
                public = leaf.postings(field, text)
                expected = []
                while public.is_active():
                    expected.append((public.id() + 7, public.weight()))
                    public.next()
                for skip in (None, expected[len(expected) // 2][0] - 7):
                    want = [p for p in expected if skip is None or p[0] - 7 >= skip]
                    for read in ("blocks", "postings"):
                        m = leaf.postings(field, text)
                        assert internals.is_block_matcher(m)
                        if skip is not None:
                            m.skip_to(skip)
                            inside += m._i > 0  # starting inside a block
                        if read == "blocks":
                            got = [(d, w) for ids, weights in internals.remaining_blocks(m, 7) for d, w in zip(ids, weights)]
                        else:
                            got = list(internals.block_postings(m, 7))
                        assert got == want, (field, text, skip, read)
                        checked += 1
    assert checked > 100 and inside > 10


def test_term_index_doc_frequency_equals_whooshs(varied_index):
    ix = varied_index
    ix.add([Document(doc_id=f"x{i}", title="gold", body=f"gold bars word{i}") for i in range(5)])  # a second segment
    stats = stats_for(ix.engine.searcher())
    words = ["oil", "price", "gold", "rareword", "twice", "thrice", "nosuchword", "", "x", "word3", "bar", "market"]
    checked = 0
    for leaf, _ in stats.leaves:
        index = stats.term_index(leaf)
        assert isinstance(index, internals.TermIndex)  # the fast path on a plain file index
        for fieldname in ("title", "sections", "body", "nosuchfield"):
            for word in words:
                expected = leaf.doc_frequency(fieldname, word) if fieldname in leaf.schema else 0
                assert index.doc_frequency(fieldname, word) == expected, (fieldname, word)
                checked += 1
    assert checked > 90
    ix.close()


def test_bytes_and_numeric_columns_equal_whooshs_own(tmp_path):
    from datetime import datetime

    ix = SearchIndex(tmp_path / "ix")
    ix.add([Document(doc_id=str(i), title=f"t {i}", body="cocoa " * (i % 5 + 1), source=["A", "b", "A"][i % 3],
                     published=datetime(2020, 1, 1 + i % 28) if i % 4 else None) for i in range(30)])
    ix.add([Document(doc_id=f"x{i}", title="x", body="tea", source="C") for i in range(3)])  # another segment
    ix.delete("4")
    reader = ix.engine.searcher().reader()
    for name in ("terms", "signature"):
        ours, theirs = internals.BytesColumn(reader, name), reader.column_reader(name, translate=False)
        assert [ours[d] for d in range(reader.doc_count_all())] == [theirs[d] for d in range(reader.doc_count_all())]
    for leaf, _ in reader.leaf_readers():
        values, default = internals.numeric_column(leaf, "published")
        public = leaf.column_reader("published", translate=False)
        assert [int(v) for v in values] == [public[d] for d in range(leaf.doc_count_all())]
        refs, uniques = internals.ref_column(leaf, "source")
        public = leaf.column_reader("source", translate=False)
        assert [uniques[r] for r in refs] == [public[d] for d in range(leaf.doc_count_all())]
        assert sorted(internals.deleted_docnums(leaf)) == [d for d in range(leaf.doc_count_all()) if leaf.is_deleted(d)]
    ix.close()


def test_matching_keys_are_those_the_query_matches_in_every_segment(tmp_path):
    """The dense side's filter (WhooshBackend.matching) skips through each segment's matches;
    it must keep exactly the keys the query matches, deleted documents out."""
    from types import SimpleNamespace

    from whoosh import query as wq

    import numpy as np

    from searcher.engines.whoosh.columns import DocMask
    from searcher.engines.whoosh.searching import WhooshBackend
    from searcher.search.settings import DEFAULT_SETTINGS

    ix = SearchIndex(tmp_path / "ix")
    ix.add([Document(doc_id=f"a{i}", title="t", body="oil" if i % 3 else "gold") for i in range(60)])
    ix.add([Document(doc_id=f"b{i}", title="t", body="oil price" if i % 2 else "gold") for i in range(60)])
    ix.delete("a1")
    searcher = ix.engine.searcher()
    assert len(list(searcher.leaf_searchers())) == 2
    backend = WhooshBackend(searcher, DEFAULT_SETTINGS)
    query = wq.Term("body", "oil")
    every = set(searcher.docs_for_query(query))
    keys = list(range(searcher.doc_count_all()))[::-1]  # any order, deleted ones too
    assert backend.matching(SimpleNamespace(query=query, allowed=None), keys) == every
    assert backend.matching(SimpleNamespace(query=query, allowed=None), keys[::7]) == every & set(keys[::7])
    priced = set(searcher.docs_for_query(wq.Term("body", "price")))
    mask = np.zeros(searcher.doc_count_all(), dtype=bool)
    mask[list(priced)] = True
    assert backend.matching(SimpleNamespace(query=query, allowed=DocMask(mask)), keys) == every & priced
    ix.close()
