"""Bad input, crashes and concurrent writers never cost the user their index."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import searcher
from searcher import SearchIndex
from searcher.engines.whoosh.locking import WriteLock
from searcher.engines.whoosh.storage import MARKER_NAME
from conftest import ARTICLE, GOLD_DOC, GOLD_ID, cli, write_articles

pytestmark = pytest.mark.slow



# ------------------------------------------------------------------ bad seeds


@pytest.fixture
def bad_seeds(seeds_dir: Path, tmp_path: Path) -> Path:
    s = seeds_dir
    (s / "empty.txt").write_bytes(b"")
    (s / "blank.txt").write_bytes(b"  \n\n \t\n")
    (s / "image.png").write_bytes(b"\x89PNG\r\n\x1a\n" + os.urandom(512))
    (s / "doc.pdf").write_bytes(b"%PDF-1.4\n" + os.urandom(512))
    (s / "archive.zip").write_bytes(b"PK\x03\x04" + os.urandom(512))
    (s / "image.txt").write_bytes(b"\x89PNG\r\n\x1a\n" + os.urandom(512))  # content decides, whatever the name
    (s / "doc.html").write_bytes(b"%PDF-1.4\n" + os.urandom(512))
    (s / "nul.txt").write_bytes(b"Nul headline\n\nText with a stray\x00 NUL byte about zeppelins in it.\n")
    (s / "badutf8.txt").write_bytes(b"Broken headline\n\nCaf\xc3 bytes that are not UTF-8 about quinoa farming.\xff\n")
    (s / "cp1252.txt").write_bytes("Café headline\n\n“Smart quotes” and a résumé about crêpes in Brittany.\n".encode("cp1252"))
    (s / "latin1.txt").write_bytes("Größe\n\nÜber die Straße gingen die Bürger in München, sagte er.\n".encode("latin-1"))
    (s / "utf16.txt").write_bytes("UTF-16 headline\n\nA paragraph about wombats in Tasmania.\n".encode("utf-16"))
    (s / "malformed.html").write_text("<html><body><p>Unclosed <b>bold <div>about kangaroos</p></span></body")
    (s / "nobody.html").write_text("<html><head><title>Only a title about emus</title></head></html>")
    (s / "deep.html").write_text("<html><body>" + "<div>" * 10000 + "deep text about lemurs" + "</div>" * 10000 + "</body></html>")
    (s / "huge.txt").write_bytes(b"x" * (11 * 1024 * 1024))
    (s / ".hidden.txt").write_text("hidden\n\nshould never be indexed\n")
    (s / "draft.txt~").write_text("temp\n\nshould never be indexed\n")
    (s / ".draft.txt.swp").write_bytes(b"\x00swap")
    (s / "sub").mkdir()
    (s / "sub" / "nested.txt").write_text("Nested headline\n\nA paragraph about narwhals in the Arctic sea.\n")
    (s / "sub" / "loop").symlink_to(s / "sub", target_is_directory=True)
    outside = tmp_path / "outside.txt"
    outside.write_text("Outside\n\nA secret paragraph that lives outside the seeds folder.\n")
    (s / "outside-link.txt").symlink_to(outside)
    return s


def test_bad_seeds_are_named_the_rest_indexed(bad_seeds, index_dir):
    with SearchIndex(index_dir) as ix:
        report = ix.update(bad_seeds)
        failed = {Path(f.path).name: f.reason for f in report.failed}
        assert failed["empty.txt"] == "empty file"
        assert failed["blank.txt"] == "empty file"
        assert failed["image.png"] == "a .png file, not indexed (seeds are .txt, .text, .html, .htm, .xhtml files)"
        assert failed["doc.pdf"].startswith("a .pdf file, not indexed")
        assert failed["archive.zip"].startswith("a .zip file, not indexed")
        assert failed["image.txt"] == "not a text or HTML page (PNG image)"
        assert failed["doc.html"] == "not a text or HTML page (PDF document)"
        assert "seed size cap" in failed["huge.txt"]
        assert "not followed" in failed["outside-link.txt"]
        indexed = set(report.added)
        for name in ("nul.txt", "badutf8.txt", "cp1252.txt", "latin1.txt", "utf16.txt", "malformed.html", "nobody.html",
                     "sub/nested.txt", GOLD_DOC):
            assert name in indexed, (name, failed)
        assert not any(name.startswith(".") or name.endswith("~") for name in indexed)
        # decoded properly, not dropped or mangled
        assert ix.search("crêpes").hits[0].doc_id == "cp1252.txt"
        assert ix.search("München").hits[0].doc_id == "latin1.txt"
        assert ix.search("wombats").hits[0].doc_id == "utf16.txt"
        assert ix.search("zeppelins").hits[0].doc_id == "nul.txt"
        assert ix.search("secret").total == 0
        assert "deep.html" in indexed or "deep.html" in failed


def test_index_command_exit_1_names_every_skipped_seed(bad_seeds, index_dir):
    result = cli("--index-dir", str(index_dir), "index", str(bad_seeds))
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    for name in ("empty.txt", "image.png", "doc.pdf", "archive.zip", "huge.txt"):
        assert f"{name}:" in result.stderr


def test_size_cap_is_configurable(seeds_dir, index_dir):
    (seeds_dir / "big.txt").write_text("Big headline\n\n" + "A long paragraph about pelicans. " * 40000)
    small = cli("--index-dir", str(index_dir), "index", str(seeds_dir), "--max-size", "0.5")
    assert small.returncode == 1 and "big.txt" in small.stderr
    large = cli("--index-dir", str(index_dir), "index", str(seeds_dir), "--max-size", "5")
    assert large.returncode == 0, large.stderr


def test_unreadable_seed_is_skipped_and_its_old_version_kept(seeds_dir, index_dir, monkeypatch):
    with SearchIndex(index_dir) as ix:
        ix.update(seeds_dir)
        real_open = os.open  # seeds are opened with os.open (without blocking, then checked with fstat)

        def refuse(path, *args, **kwargs):
            if str(path).endswith(f"{GOLD_ID}.txt"):
                raise PermissionError(13, "Permission denied")
            return real_open(path, *args, **kwargs)

        (seeds_dir / f"{GOLD_ID}.txt").write_text("changed\n\ncontent that cannot be read\n")
        monkeypatch.setattr("os.open", refuse)
        report = ix.update(seeds_dir)
        monkeypatch.undo()
        assert [f.reason for f in report.failed] == ["permission denied"]
        assert report.removed == [] and ix.search("Khalilzad").total == 1


def test_seed_turned_binary_keeps_indexed_version(seeds_dir, index_dir):
    with SearchIndex(index_dir) as ix:
        ix.update(seeds_dir)
        (seeds_dir / f"{GOLD_ID}.txt").write_bytes(b"%PDF-1.7 " + os.urandom(64))
        report = ix.update(seeds_dir)
        assert len(report.failed) == 1 and report.removed == []
        assert ix.search("Khalilzad").total == 1


def test_files_that_are_not_seeds_are_named_and_not_indexed(seeds_dir, index_dir):
    """Only .txt/.text and .html/.htm/.xhtml files are seeds; the rest are skipped, each named."""
    prose = "A heading\n\nA paragraph of prose about seed folders, long enough to be an article.\n"
    for name in ("readme.md", "data.json", "notes", "Makefile", "sub/page.php", "page.HTM", "caps.TXT"):
        (seeds_dir / name).parent.mkdir(exist_ok=True)
        (seeds_dir / name).write_text(prose)
    with SearchIndex(index_dir) as ix:
        report = ix.update(seeds_dir)
        failed = {Path(f.path).relative_to(seeds_dir).as_posix(): f.reason for f in report.failed}
        assert sorted(failed) == ["Makefile", "data.json", "notes", "readme.md", "sub/page.php"]
        assert failed["readme.md"] == "a .md file, not indexed (seeds are .txt, .text, .html, .htm, .xhtml files)"
        assert failed["notes"].startswith("a file without a suffix, not indexed")
        assert sorted(report.added) == [GOLD_DOC, "caps.TXT", "page.HTM"]
        assert ix.search("folders").total == 2
    result = cli("--index-dir", str(index_dir), "--seeds-dir", str(seeds_dir), "index")
    assert result.returncode == 1 and result.stderr.count("not indexed (seeds are") == 5
    assert f"skipped {seeds_dir / 'readme.md'}: a .md file" in result.stderr


def test_an_index_that_holds_non_seeds_drops_them_and_names_them(seeds_dir, index_dir, monkeypatch):
    """readme.md indexed by an older searcher: removed from the index, and named as skipped."""
    import searcher.sources.seeds as seeds

    (seeds_dir / "readme.md").write_text("Readme\n\nThis folder holds the seeds of the news archive, one a file.\n")
    with monkeypatch.context() as patch:
        patch.setattr(seeds, "not_a_seed", lambda name: None)
        with SearchIndex(index_dir) as ix:
            assert "readme.md" in ix.update(seeds_dir).added
    with SearchIndex(index_dir) as ix:
        report = ix.update(seeds_dir)
        assert report.removed == ["readme.md"] and [Path(f.path).name for f in report.failed] == ["readme.md"]
        assert len(ix) == 1 and ix.search("Khalilzad").total == 1


def _binary(kind: str, rng: random.Random) -> bytes:
    import struct

    page = (ARTICLE.format(n=1) * 3).encode()
    if kind == "random bytes":
        return bytes(rng.randrange(256) for _ in range(20 * 1024))
    if kind == "UTF-8 byte-order mark, then control bytes":
        return b"\xef\xbb\xbf" + bytes(rng.randrange(128) for _ in range(20 * 1024))
    if kind == "16-bit integers (UTF-16-like)":
        return b"".join(struct.pack("<h", rng.randrange(256)) for _ in range(10 * 1024))
    if kind == "a text head, then a binary body":
        return page * 4 + bytes(rng.randrange(128) for _ in range(20 * 1024))
    raise AssertionError(kind)


@pytest.mark.parametrize("name", ["binary.txt", "page.html"])
@pytest.mark.parametrize("kind", ["random bytes", "UTF-8 byte-order mark, then control bytes",
                                  "16-bit integers (UTF-16-like)", "a text head, then a binary body"])
def test_binary_content_is_refused_whatever_the_name(tmp_path, name, kind):
    from searcher.core.errors import SeedError
    from searcher.sources.seeds import read_seed

    for seed in range(5):
        path = tmp_path / name
        path.write_bytes(_binary(kind, random.Random(seed)))
        with pytest.raises(SeedError, match="not"):
            read_seed(path)


def test_binary_seeds_are_named_in_the_update_report(seeds_dir, index_dir):
    rng = random.Random(11)
    for i, kind in enumerate(["random bytes", "UTF-8 byte-order mark, then control bytes",
                              "16-bit integers (UTF-16-like)", "a text head, then a binary body"]):
        (seeds_dir / f"binary-{i}.txt").write_bytes(_binary(kind, rng))
    with SearchIndex(index_dir) as ix:
        report = ix.update(seeds_dir)
        assert report.added == [GOLD_DOC]
        assert sorted(Path(f.path).name for f in report.failed) == [f"binary-{i}.txt" for i in range(4)]
        assert all(f.reason.startswith("not ") for f in report.failed), report.failed


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.binary(max_size=2048), suffix=st.sampled_from([".txt", ".html", ".bin"]))
def test_random_bytes_give_a_document_or_a_seed_error(tmp_path, data, suffix):
    path = tmp_path / f"random{suffix}"
    path.write_bytes(data)
    try:
        doc = searcher.clean_file(path)
    except searcher.SeedError:
        return
    assert isinstance(doc, searcher.Document)


# ------------------------------------------------------------------ folders and versions


def test_folder_that_is_not_an_index_is_never_touched(tmp_path, seeds_dir):
    precious = tmp_path / "notes"
    precious.mkdir()
    (precious / "thesis.txt").write_text("years of work")
    with pytest.raises(searcher.NotAnIndexError):
        SearchIndex(precious).update(seeds_dir)
    with pytest.raises(searcher.NotAnIndexError):
        SearchIndex(precious).search("x")
    assert [p.name for p in precious.iterdir()] == ["thesis.txt"]
    result = cli("--index-dir", str(precious), "index", str(seeds_dir))
    assert result.returncode == 2 and "left untouched" in result.stderr


def test_other_schema_version_says_rebuild_and_update_rebuilds(built_index, seeds_dir, index_dir):
    built_index.close()
    marker = index_dir / MARKER_NAME
    data = json.loads(marker.read_text())
    data["schema_version"] = 0
    marker.write_text(json.dumps(data))
    with pytest.raises(searcher.IndexVersionError, match="searcher index --rebuild"):
        SearchIndex(index_dir).search("Khalilzad")
    report = SearchIndex(index_dir).update(seeds_dir)
    assert report.rebuilt and SearchIndex(index_dir).search("Khalilzad").total == 1


def test_first_build_killed_before_marker_is_recovered(tmp_path, seeds_dir):
    index_dir = tmp_path / "ix"
    (index_dir / "gen-000001").mkdir(parents=True)  # what a crash before the marker leaves
    report = SearchIndex(index_dir).update(seeds_dir)
    assert report.added == [GOLD_DOC]


# ------------------------------------------------------------------ crashes


@pytest.mark.parametrize("command", [["index"], ["index", "--rebuild"]])
def test_kill_9_at_any_moment_leaves_a_searchable_index(tmp_path, command):
    seeds, index_dir = tmp_path / "seeds", tmp_path / "ix"
    write_articles(seeds, 40)
    assert cli("--index-dir", str(index_dir), "index", str(seeds)).returncode == 0
    write_articles(seeds, 400, start=40)
    rng = random.Random(7)
    for delay in [0.05, 0.2, 0.4, 0.7, 1.0, 1.5] + [rng.uniform(0.05, 2.0) for _ in range(3)]:
        proc = subprocess.Popen([sys.executable, "-m", "searcher", "--index-dir", str(index_dir), *command, str(seeds)],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(delay)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        with SearchIndex(index_dir) as ix:  # opens and answers: old state or new
            count = ix.search("harbour", limit=1).total
            assert count >= 40 and count == len(ix)
    finish = cli("--index-dir", str(index_dir), "index", str(seeds))
    assert finish.returncode == 0, finish.stderr
    with SearchIndex(index_dir) as ix:
        assert len(ix) == 440 and ix.search("word439").total == 1
    again = cli("--index-dir", str(index_dir), "index", str(seeds))
    assert again.stderr.startswith("0 added, 0 changed, 0 removed, 440 unchanged")


# ------------------------------------------------------------------ concurrency


def test_second_writer_waits_then_names_the_holder(built_index, index_dir, seeds_dir):
    built_index.close()
    with WriteLock(index_dir / "write.lock"):
        started = time.monotonic()
        result = cli("--index-dir", str(index_dir), "index", str(seeds_dir), "--wait", "0.5")
        waited = time.monotonic() - started
        assert result.returncode == 2
        assert f"index is being updated by process {os.getpid()}" in result.stderr
        assert waited >= 0.5
        # readers are never blocked by a writer
        assert SearchIndex(index_dir).search("Khalilzad").total == 1
    with pytest.raises(searcher.IndexLockedError):
        with WriteLock(index_dir / "write.lock"):
            SearchIndex(index_dir, wait=0.1).add(searcher.Document(doc_id="x", title="x"))


def test_lock_left_by_a_dead_process_is_cleared(built_index, index_dir, seeds_dir):
    built_index.close()
    (index_dir / "write.lock").write_text(json.dumps({"pid": 999999, "host": "gone", "since": 0}))
    result = cli("--index-dir", str(index_dir), "index", str(seeds_dir), "--wait", "0")
    assert result.returncode == 0, result.stderr


def test_two_writers_and_readers_at_once(tmp_path):
    seeds_a, seeds_b, index_dir = tmp_path / "a", tmp_path / "b", tmp_path / "ix"
    write_articles(seeds_a, 150)
    write_articles(seeds_b, 150, start=1000)
    SearchIndex(index_dir).add(searcher.Document(doc_id="anchor", title="harbour anchor", body="harbour"))
    writers = [
        subprocess.Popen([sys.executable, "-m", "searcher", "--index-dir", str(index_dir), "index", str(seeds), "--wait", "60"],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for seeds in (seeds_a, seeds_b)
    ]
    searches = 0
    with SearchIndex(index_dir) as reader:
        while any(w.poll() is None for w in writers):
            assert reader.search("harbour", limit=5).total >= 1  # never raises
            searches += 1
    outputs = [w.communicate() for w in writers]
    assert [w.returncode for w in writers] == [0, 0], outputs
    assert searches > 0
    with SearchIndex(index_dir) as ix:
        # the two folders are two different seed sets: each update removes the other's
        # seeds, so exactly one set (plus the document added from code) is left
        assert len(ix) in (151,) and "anchor" in ix


def test_cli_never_opens_an_index_inside_the_seeds_folder(built_index, seeds_dir):
    result = cli("--index-dir", str(seeds_dir / "index"), "--seeds-dir", str(seeds_dir), "search", "x")
    assert result.returncode == 2 and "overlap" in result.stderr
