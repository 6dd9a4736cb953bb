"""Whoosh's pickles are read by a restricted unpickler: everything an index of ours holds is
admitted (on whoosh3 and Whoosh 2.7.4 alike), nothing that could run code is, and what is read
is what pickle itself reads. (A planted pickle end to end: tests/system/test_attacks.py.)"""

from __future__ import annotations

import os
import pickle
import subprocess
from datetime import datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from searcher import Document, SearchIndex
from searcher.engines.whoosh import unpickling
from searcher.engines.whoosh.unpickling import ALLOWED, ForbiddenPickle, loads
from conftest import article, write_articles


@pytest.mark.slow
def test_a_rich_index_names_only_what_is_allowed(tmp_path, monkeypatch):
    """Every global the pickles of an index name, over every kind of write and read we make:
    if this fails after a change to the schema or a Whoosh upgrade, add the names it lists
    to unpickling.ALLOWED (after checking that they cannot run code)."""
    seen: set[tuple[str, str]] = set()

    def record(self, module, name):
        seen.add((module, name))
        return pickle.Unpickler.find_class(self, module, name)

    monkeypatch.setattr(unpickling._Restricted, "find_class", record)
    seeds = tmp_path / "seeds"
    write_articles(seeds, 70)  # past PARALLEL_MIN_SEEDS: cleaned in the pool, written in bulk
    (seeds / "page.html").write_text("<html><head><title>Harbour page</title></head><body><nav>Menu</nav>"
                                     f"<article><h1>Harbour news</h1><p>{article(3)}</p></article></body></html>")
    with SearchIndex(tmp_path / "index") as ix:
        ix.update(seeds)
        ix.add([Document(doc_id=f"imp{n}", title=f"Imported {n}", body=article(n), source="Wire", authors=["A B"],
                         sections=["World"], url="https://example.org/a", language="en",
                         published=datetime(2020, 1 + n % 12, 1 + n % 27, 3, 4)) for n in range(200)], jobs=2)
        ix.add(Document(doc_id="aware", title="Aware", body="harbour", published="2021-05-05T10:00:00+02:00"))
        ix.delete("imp3")
        (seeds / "article-00005.txt").write_text("Changed headline\n\n" + article(99))
        ix.update(seeds)
        for query in ("harbour", '"harbour authority"', "harb*", "harbour~1", "title:harbour", "source:wire",
                      "published:[2020-01 TO 2020-06]", "harbour -tariff", "author:b", "harbuor"):
            for sort in ("relevance", "date"):
                ix.search(query, sort=sort, facets=True, explain=True, limit=20)
        ix.similar("imp5")
        ix.get("imp7")
        ix.stats()
        ix.rebuild(seeds)
        ix.search("harbour", facets=True)
    assert seen, "nothing was unpickled through the restricted unpickler"
    assert seen <= ALLOWED, f"add to unpickling.ALLOWED: {sorted(seen - ALLOWED)}"


class _Runs:
    def __init__(self, call: tuple) -> None:
        self.call = call

    def __reduce__(self):
        return self.call


@pytest.mark.parametrize("call", [(os.system, ("true",)), (eval, ("1+1",)), (getattr, ("", "join")),
                                  (subprocess.Popen, (["true"],)), (exec, ("x = 1",))],
                         ids=["os.system", "eval", "getattr", "Popen", "exec"])
@pytest.mark.parametrize("protocol", range(pickle.HIGHEST_PROTOCOL + 1))
def test_what_could_run_code_is_refused(call, protocol):
    data = pickle.dumps([1, {"a": _Runs(call)}], protocol=protocol)
    with pytest.raises(ForbiddenPickle) as caught:
        loads(data)
    assert caught.value.name == call[0].__name__


def test_whoosh_reads_its_pickles_through_it():
    import whoosh.codec.whoosh3
    import whoosh.columns
    import whoosh.filedb.structfile
    import whoosh.formats
    import whoosh.index

    assert whoosh.codec.whoosh3.loads is whoosh.columns.loads is whoosh.formats.loads is loads
    structfile = vars(whoosh.filedb.structfile)
    assert structfile.get("load", structfile.get("load_pickle")) is unpickling.load
    assert whoosh.index.pickle.loads is loads and not whoosh.index.toc_loaders


VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text() | st.binary()
    | st.datetimes(min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 30)),
    lambda inner: st.lists(inner, max_size=5) | st.tuples(inner, inner) | st.dictionaries(st.text(max_size=5), inner,
                                                                                            max_size=5),
    max_leaves=30)


class _AdmitsAll(unpickling._Restricted):
    """The restricted unpickler's reading of bytes, with every name admitted: how it reads is tested
    here, whatever a value's pickle names (bytes in protocol 0 name __builtin__.bytes)."""

    def find_class(self, module, name):
        return pickle.Unpickler.find_class(self, module, name)


def read(data) -> object:
    return _AdmitsAll(unpickling._Bytes(data)).load()


@settings(max_examples=200, deadline=None)
@given(value=VALUES, protocol=st.integers(0, pickle.HIGHEST_PROTOCOL), trailing=st.binary(max_size=8))
def test_it_reads_what_pickle_reads(value, protocol, trailing):
    data = pickle.dumps(value, protocol=protocol)
    assert read(data + trailing) == pickle.loads(data + trailing) == value
    assert read(memoryview(data)) == value


@settings(max_examples=100, deadline=None)
@given(value=VALUES, protocol=st.integers(0, pickle.HIGHEST_PROTOCOL), cut=st.integers(0, 200))
def test_a_truncated_pickle_fails_as_pickle_fails(value, protocol, cut):
    data = pickle.dumps(value, protocol=protocol)[:cut]
    try:
        expected = pickle.loads(data)
    except Exception as exc:
        with pytest.raises(type(exc)):
            read(data)
    else:
        assert read(data) == expected
