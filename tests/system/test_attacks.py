"""Issue 22's attacks on the command line and the library, each as it was made: a secret in a
cluster URL, seeds that are not regular files or that stall, input that crashed, a planted
pickle, ids the CLI cannot name. (The attacks over HTTP are tests/web/test_web_attacks.py.)"""

from __future__ import annotations

import base64
import json
import os
import pickle
import socket
import subprocess
import sys
import textwrap
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from searcher import Document, IndexDamagedError, QueryError, SearcherError, SearchIndex, read_jsonl
from searcher import redacted as searcher_redacted
from searcher.cli.app import cli as main
from conftest import ARTICLE, REPO, cli, opensearch_url

SECRET = "S3cretPassw0rd"
#: The user in the URL (a name no indexed text holds: "admin" is in "administration").
USER = "opsuser7"


def closed_port() -> int:
    """A loopback port nothing listens on (connection refused)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def run(*args: str) -> tuple[int, str]:
    """`searcher ARGS` in this process: (exit code, stderr)."""
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stderr


# ---------------------------------------------------------------------------- secrets in a location

@pytest.mark.parametrize("command", [["search", "oil"], ["stats"], ["show", "x"], ["index"], ["delete", "x"]])
def test_the_cluster_password_is_never_printed(tmp_path, command):
    location = f"http://{USER}:{SECRET}@127.0.0.1:{closed_port()}/news"
    code, err = run("--index", location, "--seeds-dir", str(REPO / "seeds"), *command)
    assert code == 2, err
    assert len(err.splitlines()) == 1 and "internal error" not in err, err
    assert "127.0.0.1" in err  # the cluster is still named
    assert SECRET not in err and USER not in err, err


@pytest.mark.slow
def test_the_password_is_not_in_the_verbose_log_either():
    location = f"http://{USER}:{SECRET}@127.0.0.1:{closed_port()}/news"
    found = cli("-vv", "--index", location, "search", "oil", timeout=120)
    assert found.returncode == 2
    assert SECRET not in found.stderr and USER not in found.stderr, found.stderr


def test_the_library_never_holds_the_password_in_what_it_shows():
    from searcher.engines.opensearch.location import parse_location

    location = f"https://{USER}:{SECRET}@127.0.0.1:{closed_port()}/news"
    where = parse_location(location)
    for shown in (str(where), where.url, repr(where), searcher_redacted(location)):
        assert SECRET not in shown and USER not in shown, shown
    with pytest.raises(SearcherError) as caught:  # the engine connects when it is opened
        SearchIndex(location)
    assert SECRET not in str(caught.value) and USER not in str(caught.value)
    # A key in a query string is refused (searcher sends none), and not shown either.
    with pytest.raises(SearcherError, match="query string") as caught:
        SearchIndex(f"https://{USER}:{SECRET}@127.0.0.1:9200/news?api_key=K3y")
    assert "K3y" not in str(caught.value) and SECRET not in str(caught.value)


@pytest.mark.parametrize("password", ["p@ss", "pa:ss", "pa/ss", "p@:/"])
def test_a_raw_at_colon_or_slash_in_the_password_is_one_clear_line(password):
    location = f"http://{USER}:{password}@127.0.0.1:{closed_port()}/news"
    code, err = run("--index", location, "stats")
    assert code == 2
    assert len(err.splitlines()) == 1 and "internal error" not in err, err
    assert "percent-encode" in err, err
    assert password not in err and USER not in err, err
    with pytest.raises(SearcherError, match="percent-encode"):
        SearchIndex(location)


class _Recorder(BaseHTTPRequestHandler):
    """Answers every request 401, keeping the Authorization header it was sent."""

    seen: list[str] = []

    def do_GET(self) -> None:  # noqa: N802 - the handler's name
        type(self).seen.append(self.headers.get("Authorization", ""))
        self.send_response(401)
        self.send_header("Content-Type", "application/json")
        body = b'{"error": "unauthorized", "status": 401}'
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_HEAD = do_GET

    def log_message(self, *args: object) -> None:
        pass


def test_a_percent_encoded_password_with_any_character_is_sent_as_given():
    password = "p@ss:w/o rd?#%€é"
    from urllib.parse import quote

    server = ThreadingHTTPServer(("127.0.0.1", 0), _Recorder)
    _Recorder.seen = []
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        location = f"http://{USER}:{quote(password, safe='')}@127.0.0.1:{server.server_address[1]}/news"
        code, err = run("--index", location, "stats")
    finally:
        server.shutdown()
        server.server_close()
    assert code == 2 and "(401" in err, err
    assert quote(password, safe="") not in err and USER not in err
    assert _Recorder.seen, "no request reached the server"
    kind, _, token = _Recorder.seen[0].partition(" ")
    assert kind == "Basic" and base64.b64decode(token).decode("utf-8") == f"{USER}:{password}"


@pytest.mark.cluster
def test_stats_of_a_cluster_index_given_with_a_password_shows_none(tmp_path):
    """The test cluster has no security plugin: it ignores the credentials, and we must not show them."""
    import uuid

    name = f"sec-{uuid.uuid4().hex[:10]}"
    base = opensearch_url()
    location = base.replace("://", f"://{USER}:{SECRET}@", 1) + f"/{name}"
    try:
        with SearchIndex(location) as ix:
            ix.add(Document(doc_id="a", title="Harbour", body="The harbour opens."))
            stats = ix.stats()
            assert SECRET not in stats.path and USER not in stats.path and name in stats.path
            assert SECRET not in json.dumps(stats.as_dict())
        code, err = run("--index", location, "stats")
        assert code == 0 and SECRET not in err
        result = CliRunner().invoke(main, ["--index", location, "stats", "--json"])
        assert result.exit_code == 0 and SECRET not in result.stdout and USER not in result.stdout
    finally:
        from opensearchpy import OpenSearch

        client = OpenSearch(hosts=[base])
        for index in client.indices.get(index=f"{name}--*", ignore=[404]) or {}:
            client.indices.delete(index=index, ignore=[404])


# ---------------------------------------------------------------------------- seeds that are not files

def test_a_fifo_among_the_seeds_is_named_and_skipped(tmp_path):
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    (seeds / "good.txt").write_text(ARTICLE.format(n=1))
    os.mkfifo(seeds / "pipe.txt")
    with SearchIndex(tmp_path / "index") as ix:
        report = ix.update(seeds)
    assert report.added == ["good.txt"]
    assert [(Path(s.path).name, "not a regular file" in s.reason) for s in report.failed] == [("pipe.txt", True)]


SWAP_AFTER_SCAN = textwrap.dedent("""
    import os, sys
    from pathlib import Path
    import searcher.indexing.update as update
    from searcher import SearchIndex

    seeds = Path(sys.argv[1])
    real_scan = update.scan_seeds

    def scan_then_swap(*args, **kwargs):
        result = real_scan(*args, **kwargs)
        for seed in result.pending:          # the seeds it found become FIFOs before they are read
            os.unlink(seed.path)
            os.mkfifo(seed.path)
        return result

    update.scan_seeds = scan_then_swap
    with SearchIndex(sys.argv[2]) as ix:
        report = ix.update(seeds, jobs=1)
    print(report.summary())
    for skipped in report.failed:
        print("SKIPPED", Path(skipped.path).name, skipped.reason)
""")


@pytest.mark.slow
def test_a_seed_swapped_for_a_fifo_after_the_scan_does_not_hang_the_indexer(tmp_path):
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    (seeds / "first.txt").write_text(ARTICLE.format(n=1))
    with SearchIndex(tmp_path / "index") as ix:  # not a first build: the incremental path
        ix.update(seeds)
    (seeds / "second.txt").write_text(ARTICLE.format(n=2))
    try:
        done = subprocess.run([sys.executable, "-c", SWAP_AFTER_SCAN, str(seeds), str(tmp_path / "index")],
                              capture_output=True, text=True, timeout=90)
    except subprocess.TimeoutExpired:
        pytest.fail("`searcher index` waited on a FIFO for 90 s")
    assert done.returncode == 0, done.stderr
    assert "SKIPPED second.txt" in done.stdout and "not a regular file" in done.stdout, done.stdout


def test_a_seed_that_stalls_is_skipped_by_the_wall_clock_budget(tmp_path, monkeypatch):
    """Sleeping uses no CPU: only a budget on the clock stops a seed stuck in a read that never returns."""
    import time

    from searcher.cleaning import cleaner
    from searcher.core.records import SeedFile, SkippedSeed
    from searcher.indexing import cleaning_pool

    seed = tmp_path / "stuck.txt"
    seed.write_text(ARTICLE.format(n=1))
    monkeypatch.setattr(cleaning_pool, "SEED_WALL_SECONDS", 0.5)
    woke = []

    def stuck(*_args: object, **_kwargs: object) -> None:
        time.sleep(30)
        woke.append(True)

    monkeypatch.setattr(cleaner, "clean_file", stuck)
    [item] = cleaning_pool.clean_seeds([SeedFile(str(seed), "stuck.txt", "text")], jobs=1)
    assert woke == []  # stopped by the budget, not by the sleep's end
    assert isinstance(item, SkippedSeed) and "took over" in item.reason and "wall" in item.reason, item


# ---------------------------------------------------------------------------- input that crashed

OUT_OF_RANGE = ["9999-12-31T23:59:59-14:00", "0001-01-01T00:00+14:00", "0001-01-01T00:00:00+14:00",
                "9999-12-31T23:59-00:01", "0001-01-01+01:00", "9999-12-31-01:00"]


@pytest.mark.parametrize("date", OUT_OF_RANGE)
def test_a_date_out_of_range_is_a_query_error(built_index, date):
    for option in ("since", "until"):
        with pytest.raises(QueryError, match="out of range"):
            built_index.search("zebra", **{option: date})


@pytest.mark.parametrize("date", OUT_OF_RANGE[:2])
def test_a_date_out_of_range_is_exit_2_on_the_cli(built_index, date):
    code, err = run("--index-dir", str(built_index.path), "search", "zebra", "--since", date)
    assert code == 2 and "internal error" not in err and "out of range" in err, err


NESTED = ["(" * 400 + "oil" + ")" * 400, "-(" * 300 + "oil" + ")" * 300, "title:(" * 200 + "oil" + ")" * 200,
          "(oil OR " * 300 + "gas" + ")" * 300]


@pytest.mark.parametrize("query", NESTED, ids=["parens", "minus", "field groups", "or chain"])
def test_nesting_past_the_limit_is_a_query_error(built_index, query):
    with pytest.raises(QueryError, match=r"nested too deeply: \d+ levels of parentheses, at most \d+"):
        built_index.search(query)


@pytest.mark.parametrize("query", ["NOT " * 400 + "oil", "+-" * 300 + "oil", '"' * 400, "[" * 300 + "a",
                                   "title:" * 300 + "oil", "oil^2" * 300, "a~" * 300])
def test_long_runs_of_operators_are_answered(built_index, query):
    built_index.search(query)  # results, or a QueryError naming a limit; never another exception


def test_nesting_past_the_limit_is_exit_2_on_the_cli(built_index):
    code, err = run("--index-dir", str(built_index.path), "search", NESTED[0])
    assert code == 2 and "internal error" not in err and "nested" in err, err


@pytest.fixture(scope="module")
def dated_index(tmp_path_factory):
    """Articles with dates, sources and authors: every field a query can name holds something."""
    from datetime import datetime

    ix = SearchIndex(tmp_path_factory.mktemp("dated") / "index")
    ix.add([Document(doc_id=f"d{n}", title=f"Harbour talks {n}", body=f"Oil and grain at the harbour, note {n}.",
                     source="Coast Gazette" if n % 2 else "Wire", authors=["Ann Lee"], sections=["Ports"],
                     url=f"https://example.org/{n}", language="en",
                     published=datetime(1 + n * 400, 1 + n % 12, 1 + n % 28, n % 24)) for n in range(25)])
    yield ix
    ix.close()


_QUERY_PIECES = st.sampled_from(
    ["harbour", "oil", "grain", "talks", " ", " AND ", " OR ", " NOT ", "-", "+", "(", ")", '"', "*", "?", "~", "~2",
     "^2", "^0", "title:", "body:", "source:", "author:", "section:", "published:", "date:", "url:", "lang:", "id:",
     "[", "]", "{", "}", " TO ", ">", "<=", "2019", "0001-01-01T00:00+14:00", "9999-12-31T23:59-14:00", "9999",
     "10000", "2019-13", "2019-02-30", "-00:01", "+14:00", "Z", "T", ":", "\\", "é", "\x00", "\u202e",
     "published:[2019 TO 2020]", "date:[0001-01-01T00:00+14:00 TO 9999]", "published:>2019"])
#: Dates at and past either end of time, with offsets that push them over.
_EDGES = st.sampled_from(["9999-12-31T23:59:59-14:00", "0001-01-01T00:00+14:00", "9999-12-31-01:00",
                          "0001-01-01+00:01", "9999", "0001", "9999-12-31T23:59:59.999999Z"])
_DATES = st.one_of(
    st.builds("{:04d}-{:02d}-{:02d}T{:02d}:{:02d}{}{:02d}:{:02d}".format, st.integers(0, 10000), st.integers(0, 13),
              st.integers(0, 32), st.integers(0, 25), st.integers(0, 61), st.sampled_from("+-"), st.integers(0, 24),
              st.integers(0, 60)),
    st.builds("{:04d}{}".format, st.integers(0, 10000), st.sampled_from(["", "-12", "-12-31", "Z", "+14:00"])),
    _EDGES, st.text(max_size=25), st.none())


@pytest.mark.slow
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(query=st.lists(_QUERY_PIECES, min_size=1, max_size=25).map("".join) | st.text(min_size=1, max_size=40),
       depth=st.integers(0, 40) | st.integers(300, 500), since=_DATES, until=_DATES,
       sort=st.sampled_from(["relevance", "date"]), explain=st.booleans(), syntax=st.booleans())
def test_any_query_and_dates_are_results_or_a_query_error(dated_index, query, depth, since, until, sort, explain,
                                                          syntax):
    """The query language, nesting and date filters, with every option a search takes: an answer
    or a QueryError/DocumentError, never another exception (the property the attacks broke)."""
    from searcher import DocumentError

    try:
        dated_index.search("(" * depth + query + ")" * depth, since=since, until=until, sort=sort,
                           explain=explain, syntax=syntax, facets=True, limit=5)
    except (QueryError, DocumentError):
        pass


@pytest.mark.slow
@settings(max_examples=200, deadline=None)
@given(year=st.integers(1, 9999), month=st.integers(1, 12), hours=st.integers(-23, 23), minutes=st.integers(0, 59))
def test_an_aware_date_at_either_end_of_time_is_a_filter_or_a_query_error(dated_index, year, month, hours, minutes):
    from datetime import datetime, timedelta, timezone

    when = datetime(year, month, 1, tzinfo=timezone(timedelta(hours=hours, minutes=minutes if hours >= 0 else -minutes)))
    for option in ("since", "until"):
        try:
            dated_index.search("harbour", **{option: when})
        except QueryError as exc:
            assert "out of range" in str(exc)


# ---------------------------------------------------------------------------- a planted pickle

class _Payload:
    """What an attacker plants: unpickling it makes a folder (it could as well run a shell)."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self):
        return os.mkdir, (str(self.marker),)


def _toc(index_dir: Path) -> Path:
    gen = index_dir / json.loads((index_dir / "searcher-index.json").read_text())["current"]
    return max(gen.glob("_MAIN_*.toc"), key=lambda p: int(p.stem.rsplit("_", 1)[1]))


def plant_in_toc(index_dir: Path, part: str, payload: bytes) -> Path:
    """Replace the TOC's pickled schema or its pickled segment list with ``payload``."""
    from io import BytesIO

    from whoosh.filedb.structfile import StructFile

    toc = _toc(index_dir)
    data = toc.read_bytes()
    stream = StructFile(BytesIO(data))
    for _ in range(3):
        stream.read_varint()
    stream.read_int(), stream.read_int()
    for _ in range(3):
        stream.read_varint()
    schema_at = stream.tell()
    length = stream.read_varint()
    schema_end = stream.tell() + length
    if part == "schema":
        out = BytesIO()
        StructFile(out).write_varint(len(payload))
        data = data[:schema_at] + out.getvalue() + payload + data[schema_end:]
    else:  # the segment list: after the generation and the segment counter
        data = data[:schema_end + 8] + payload
    toc.write_bytes(data)
    return toc


def plant_in_stored_fields(index_dir: Path, payload: object) -> None:
    """A document whose stored ``removed`` field is the payload, written with Whoosh itself."""
    from whoosh import index as windex

    gen = _toc(index_dir).parent
    writer = windex.open_dir(str(gen), indexname="MAIN").writer()
    writer.add_document(doc_id="planted", title="Harbour", body="harbour", removed=payload)
    writer.commit()


@pytest.fixture
def planted(seeds_dir, tmp_path):
    index_dir = tmp_path / "index"
    with SearchIndex(index_dir) as ix:
        ix.update(seeds_dir)
    return index_dir, tmp_path / "code-ran"


# Whoosh leaves the files it was reading to the garbage collector when reading fails: not ours to close.
@pytest.mark.filterwarnings("ignore::ResourceWarning", "ignore::pytest.PytestUnraisableExceptionWarning")
@pytest.mark.parametrize("part", ["schema", "segments", "stored fields"])
def test_a_planted_pickle_never_runs(planted, part):
    index_dir, marker = planted
    if part == "stored fields":
        plant_in_stored_fields(index_dir, _Payload(marker))
        named = ".seg"  # a small segment is one compound file
    else:
        named = plant_in_toc(index_dir, part, pickle.dumps(_Payload(marker), protocol=2)).name
    with SearchIndex(index_dir) as ix:
        with pytest.raises(IndexDamagedError) as caught:
            ix.search("harbour", limit=50)
            ix.get("planted")
    message = str(caught.value)
    assert not marker.exists(), "the planted pickle ran"
    assert named in message and ("posix.mkdir" in message or "os.mkdir" in message), message
    assert "new folder" in message and "--rebuild" not in message, message
    for command in (["search", "harbour"], ["stats"], ["show", "planted"]):
        code, err = run("--index-dir", str(index_dir), *command)
        assert not marker.exists(), f"the planted pickle ran on {command}"
        if part != "stored fields" or command[0] != "stats":  # stats reads no stored document
            assert code == 2 and "new folder" in err and "internal error" not in err, (command, err)
            assert "--index-dir NEW_FOLDER" in err and "--rebuild" not in err, err  # the CLI's advice fits


# ---------------------------------------------------------------------------- ids and JSON Lines

def test_an_id_with_a_control_character_is_refused_at_import_naming_the_line(tmp_path):
    source = tmp_path / "in.jsonl"
    lines = [{"id": "ok", "title": "Harbour", "text": "The harbour."},
             {"id": "a\u0000b", "title": "Nul", "text": "Nul in the id."},
             {"id": "tab\there", "title": "Tab", "text": "A tab in the id."},
             {"id": "line\nbreak", "title": "Break", "text": "A line break in the id."},
             {"id": "del\u007f", "title": "Del", "text": "DEL in the id."}]
    source.write_text("\n".join(json.dumps(line) for line in lines) + "\n")
    skipped: list = []
    docs = list(read_jsonl(source, skipped=skipped))
    assert [d.doc_id for d in docs] == ["ok"]
    assert [b.line for b in skipped] == [2, 3, 4, 5]
    assert all("control character" in b.reason for b in skipped), skipped
    # From code, an id may hold what a shell can type ($'a\tb'), but not U+0000, which no argument can.
    with SearchIndex(tmp_path / "index") as ix, pytest.raises(SearcherError, match="U\\+0000"):
        ix.add(Document(doc_id="a\x00b", title="Nul", body="Nul in the id."))


@pytest.mark.parametrize("value, named", [("1e400", "number"), ("1.5", "number"), ('""', "empty"),
                                          ("[1]", "list"), ('{"a": 1}', "object"), ("true", "true"),
                                          ("null", "null")])
def test_a_jsonl_warning_names_what_is_wrong_with_the_id(tmp_path, value, named):
    source = tmp_path / "in.jsonl"
    source.write_text('{"id": ' + value + ', "title": "Harbour", "text": "The harbour."}\n')
    skipped: list = []
    assert list(read_jsonl(source, skipped=skipped)) == []
    [bad] = skipped
    assert named in bad.reason and bad.reason != 'no "id"', bad.reason
