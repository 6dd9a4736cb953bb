"""SegmentBuilder writes what Whoosh's own SegmentWriter writes: files, postings, stored fields, results."""

from __future__ import annotations

import os
import random
from datetime import datetime
from pathlib import Path

import pytest
from whoosh import index as windex
from whoosh.qparser import MultifieldParser, OrGroup

from searcher import SearchIndex
from searcher.engines.whoosh import writing
from searcher.engines.whoosh import segments
from searcher.core.records import Document, RemovedLine
from searcher.sources.jsonl import read_jsonl
from searcher.engines.whoosh.fields import document_to_fields
from searcher.engines.whoosh.schema import build_schema
from conftest import shared_data

WORDS = ("the cocoa coffee of sugar and grain wheat oil bank rates trade deficit talks peace minister bond "
         "shares profit loss dollar yen gold copper strike port harvest rain drought export U.S. 1.5 "
         "café crêpes naïve Zürich it's running runs ran").split()


def synthetic(n: int, seed: int = 7) -> list[Document]:
    """Documents covering the edge cases: stop words first, repeats, empty fields, accents, names."""
    rng = random.Random(seed)
    docs = []
    for i in range(n):
        body = " ".join(rng.choice(WORDS) for _ in range(rng.randint(0, 120)))
        docs.append(Document(
            doc_id=f"doc-{i}",
            title="The " + " ".join(rng.choice(WORDS) for _ in range(rng.randint(0, 6))) if i % 9 else "",
            body=body if i % 13 else "the of and",  # all stop words: no terms, length 0
            source=rng.choice([None, "Reuters", "José García Press", "AP"]),
            sections=rng.sample(["Markets", "World News", "Café Society"], rng.randint(0, 2)),
            published=datetime(1987, 1 + i % 12, 1 + i % 28, i % 24, i % 60, 1, 790000) if i % 5 else None,
            authors=rng.sample(["Anne Müller", "Bob Smith", "O'Neil"], rng.randint(0, 2)),
            url=f"https://example.com/{i}" if i % 3 else None,
            language=rng.choice([None, "en", "fr"]),
            path=f"/seeds/{i}.txt" if i % 2 else None,
            content_hash=f"{i:08x}" if i % 2 else None,
            removed=[RemovedLine("Share this", "share", "boilerplate")] if i % 11 == 0 else [],
        ))
    return docs


def corpus() -> list[Document]:
    docs = synthetic(300)
    reuters = shared_data("data", "news", "reuters21578.jsonl", required=False)  # the synthetic ones suffice
    if reuters is not None:
        for n, doc in enumerate(read_jsonl(reuters, skipped=[], noted=[])):
            if n >= 200:
                break
            docs.append(doc)
    return docs


def whoosh_segment(folder: Path, docs: list[Document]) -> object:
    folder.mkdir()
    ix = windex.create_in(str(folder), build_schema(), indexname="MAIN")
    writer = ix.writer(compound=False)
    for doc in docs:
        writer.add_document(**document_to_fields(doc))
    writer.commit()
    return windex.open_dir(str(folder), indexname="MAIN")


def builder_segment(folder: Path, docs: list[Document]) -> object:
    folder.mkdir()
    ix = windex.create_in(str(folder), build_schema(), indexname="MAIN")
    writer = ix.writer(compound=False)
    builder = segments.SegmentBuilder(writer.storage, writer.indexname, writer.schema)
    for doc in docs:
        builder.add_document(document_to_fields(doc))
    writing._commit(writer, [builder.finish()])
    return windex.open_dir(str(folder), indexname="MAIN")


def segment_files(ix: object) -> dict[str, bytes]:
    (segment,) = ix._segments()  # type: ignore[attr-defined]
    prefix = f"MAIN_{segment.segid}."
    folder = ix.storage.folder  # type: ignore[attr-defined]
    return {name[len(prefix):]: Path(folder, name).read_bytes() for name in os.listdir(folder)
            if name.startswith(prefix)}


def postings(reader: object) -> dict:
    out = {}
    for fieldname, text in reader.all_terms():  # type: ignore[attr-defined]
        info = reader.term_info(fieldname, text)  # type: ignore[attr-defined]
        m = reader.postings(fieldname, text)  # type: ignore[attr-defined]
        items = []
        while m.is_active():
            positions = m.value_as("positions") if m.supports("positions") else None
            items.append((m.id(), m.weight(), positions))
            m.next()
        out[fieldname, text] = (info.doc_frequency(), info.weight(), info.min_length(), info.max_length(),
                                info.max_weight(), items)
    return out


@pytest.fixture(scope="module")
def docs() -> list[Document]:
    return corpus()


def test_segment_files_are_byte_identical_to_whoosh(tmp_path: Path, docs: list[Document], monkeypatch) -> None:
    monkeypatch.setattr(segments, "SHARE_VALUES", False)
    theirs = segment_files(whoosh_segment(tmp_path / "whoosh", docs))
    ours = segment_files(builder_segment(tmp_path / "ours", docs))
    assert sorted(theirs) == sorted(ours)
    for name in theirs:
        assert theirs[name] == ours[name], name


@pytest.mark.slow
def test_postings_stored_fields_lengths_and_results_match_whoosh(tmp_path: Path, docs: list[Document]) -> None:
    theirs = whoosh_segment(tmp_path / "whoosh", docs)
    ours = builder_segment(tmp_path / "ours", docs)
    with theirs.reader() as a, ours.reader() as b:
        assert list(a.all_terms()) == list(b.all_terms())
        assert postings(a) == postings(b)
        assert list(a.all_stored_fields()) == list(b.all_stored_fields())
        for fieldname in ("title", "body", "sections", "source", "authors"):
            assert a.field_length(fieldname) == b.field_length(fieldname)
            assert [a.doc_field_length(n, fieldname) for n in range(len(docs))] == \
                   [b.doc_field_length(n, fieldname) for n in range(len(docs))]
    parser = MultifieldParser(["title", "body", "sections"], theirs.schema, group=OrGroup)
    for text in ("cocoa", "coffee prices", '"trade deficit"', "café", "source:reuters", "authors:müller",
                 "published:[19870301 TO 19870601]", "oil OR gold", "u.s. dollar"):
        q = parser.parse(text)
        with theirs.searcher() as sa, ours.searcher() as sb:
            ra = [(h.docnum, round(h.score, 6)) for h in sa.search(q, limit=50)]
            rb = [(h.docnum, round(h.score, 6)) for h in sb.search(q, limit=50)]
        assert ra == rb, text
        assert ra or text.startswith("authors"), text


@pytest.mark.slow
def test_multiprocess_add_matches_one_whoosh_writer(tmp_path: Path, docs: list[Document], monkeypatch) -> None:
    monkeypatch.setattr(writing, "BULK_MIN_DOCS", 50)
    monkeypatch.setattr(writing, "SEGMENT_POSTINGS", 5000)  # several segments per worker
    theirs = whoosh_segment(tmp_path / "whoosh", docs)
    with SearchIndex(tmp_path / "ix") as ix:
        assert ix.add(docs, jobs=2) == len(docs)
        ours = ix.engine.whoosh_index()
        assert len(ours._segments()) > 2
        with theirs.reader() as a, ours.reader() as b:
            assert list(a.all_terms()) == list(b.all_terms())
            for fieldname, text in a.all_terms():
                assert a.doc_frequency(fieldname, text) == b.doc_frequency(fieldname, text)
            by_id = {f["doc_id"]: f for f in b.all_stored_fields()}
            assert [by_id[f["doc_id"]] for f in a.all_stored_fields()] == list(a.all_stored_fields())


def test_unsupported_schema_is_refused() -> None:
    from whoosh.fields import TEXT, Schema

    assert segments.supported(build_schema())
    assert not segments.supported(Schema(body=TEXT(vector=True)))


def test_worker_failure_raises_and_keeps_the_committed_index(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(writing, "BULK_MIN_DOCS", 50)
    good = synthetic(120)
    with SearchIndex(tmp_path / "ix") as ix:
        ix.add(good[:60], jobs=2)
        bad = good[60:] + [Document(doc_id="bad-\ud800", title="cocoa")]  # cannot be encoded as UTF-8
        with pytest.raises(Exception):
            ix.add(bad, jobs=2)
        assert len(ix) == 60
        assert ix.add(good[60:], jobs=2) == 60  # the lock was released
        assert len(ix) == 120


KILL_SCRIPT = """
import sys
sys.path.insert(0, {root!r})
from searcher import SearchIndex
from searcher.engines.whoosh import writing
from searcher.core.records import Document
writing.BULK_MIN_DOCS = 50
writing.SEGMENT_POSTINGS = 20000
words = "cocoa coffee sugar grain wheat oil bank rates trade deficit talks peace minister bond".split()
docs = (Document(doc_id=f"k-{{i}}", title=words[i % 14], body=" ".join(words[(i * j) % 14] for j in range(300)))
        for i in range(20000))
with SearchIndex({ix!r}) as ix:
    ix.add(docs, jobs=2)
"""


def _processes_with(marker: str) -> list[int]:
    found = []
    for pid in os.listdir("/proc"):
        try:
            if pid.isdigit() and marker in Path("/proc", pid, "cmdline").read_bytes().decode(errors="replace"):
                found.append(int(pid))
        except OSError:
            continue
    return found


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc").is_dir(), reason="needs /proc")
def test_kill_9_during_a_multiprocess_add_leaves_no_workers_and_a_usable_index(tmp_path: Path) -> None:
    import signal
    import subprocess
    import sys
    import time

    root = str(Path(__file__).resolve().parents[2])
    index_dir = tmp_path / "ix"
    with SearchIndex(index_dir) as ix:
        ix.add(synthetic(10))
    script = tmp_path / "kill-me-marker.py"
    script.write_text(KILL_SCRIPT.format(root=root, ix=str(index_dir)))
    before = 10
    delays_done: list[float] = []
    for delay in (0.5, 1.5, 3.0):
        proc = subprocess.Popen([sys.executable, str(script)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(delay)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        deadline = time.monotonic() + 5
        while _processes_with("kill-me-marker") and time.monotonic() < deadline:
            time.sleep(0.1)
        assert _processes_with("kill-me-marker") == []
        with SearchIndex(index_dir, wait=5) as ix:
            count = len(ix)
            assert count == before or count >= before + 50  # the old state, or a committed batch
            assert ix.search("zebra", limit=1).total == sum(d in delays_done for d in (0.5, 1.5, 3.0))
            ix.add([Document(doc_id=f"after-{delay}", title="zebra")])  # the lock is free
            before = len(ix)
            delays_done.append(delay)


def test_multiprocess_builds_are_reproducible(tmp_path: Path, docs: list[Document], monkeypatch) -> None:
    monkeypatch.setattr(writing, "BULK_MIN_DOCS", 50)
    monkeypatch.setattr(writing, "WORKER_CHUNK", 16)
    orders = []
    for n in range(2):
        with SearchIndex(tmp_path / f"ix{n}") as ix:
            ix.add(docs, jobs=2)
            with ix.engine.whoosh_index().reader() as reader:
                orders.append([f["doc_id"] for f in reader.all_stored_fields()])
    assert orders[0] == orders[1]
    assert sorted(orders[0]) == sorted(d.doc_id for d in docs)


def test_the_fast_term_writer_is_in_use() -> None:
    """_TermWriter must calibrate byte for byte against this Whoosh's codec for our fields:
    when it does not, SegmentBuilder quietly falls back to the codec's writer (right, but slow)."""
    from whoosh.codec import default_codec

    codec = default_codec()
    schema = build_schema()
    for name in ("title", "body", "source", "doc_id", "source_key"):
        fmt = schema[name].format
        assert segments._calibrate(codec, fmt, codec._blocklimit, codec._compression) is not None, name
