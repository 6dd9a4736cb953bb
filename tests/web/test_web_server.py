"""`searcher serve` as a real process: it binds loopback by default, says so when it does not,
serves a new index generation without a restart, and without the web extra exits 2 in one line."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest

from conftest import ARTICLE, REPO, cli
from web_server import start_server, stop_server

pytestmark = pytest.mark.slow

pytest.importorskip("fastapi", reason="the web extra is not installed (pip install \"searcher[web]\")")


@pytest.fixture(scope="module")
def folders(tmp_path_factory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("serve")
    shutil.copytree(REPO / "seeds", root / "seeds")
    assert cli("--index-dir", str(root / "index"), "--seeds-dir", str(root / "seeds"), "index").returncode == 0
    return root / "index", root / "seeds"


def get_json(url: str) -> dict:
    with urllib.request.urlopen(url, timeout=30) as response:
        return json.loads(response.read())


def test_serves_a_new_index_generation_without_restart(folders):
    index_dir, seeds_dir = folders
    proc, url, lines = start_server(index_dir, seeds_dir)
    try:
        assert url.startswith("http://127.0.0.1:")  # loopback unless told otherwise
        assert not any("listening on" in line for line in lines)
        assert get_json(url + "api/search?q=harbours")["total"] == 0
        (seeds_dir / "harbour.txt").write_text(ARTICLE.format(n=1) + "Marker zanzibarword.\n", encoding="utf-8")
        update = cli("--index-dir", str(index_dir), "--seeds-dir", str(seeds_dir), "index")
        assert update.returncode == 0, update.stderr
        found = get_json(url + "api/search?q=zanzibarword")
        assert [h["doc_id"] for h in found["hits"]] == ["harbour.txt"]
        # A rebuild swaps in a new generation folder: still served, no restart.
        (seeds_dir / "harbour.txt").write_text(ARTICLE.format(n=2) + "Marker quokkaword.\n", encoding="utf-8")
        rebuild = cli("--index-dir", str(index_dir), "--seeds-dir", str(seeds_dir), "index", "--rebuild")
        assert rebuild.returncode == 0, rebuild.stderr
        assert get_json(url + "api/search?q=quokkaword")["total"] == 1
        assert get_json(url + "api/search?q=zanzibarword")["total"] == 0
        with urllib.request.urlopen(url + "search?q=quokkaword", timeout=30) as page:
            assert "<mark>quokkaword</mark>" in page.read().decode().lower()
    finally:
        code, err = stop_server(proc)
    assert code == 130 and "Traceback" not in err


def test_another_host_is_announced_on_stderr(folders):
    index_dir, seeds_dir = folders
    proc, url, lines = start_server(index_dir, seeds_dir, "--host", "0.0.0.0")
    try:
        warning = [line for line in lines if "listening on 0.0.0.0" in line]
        assert len(warning) == 1 and "anyone who can reach" in warning[0]
    finally:
        stop_server(proc)


def _children(pid: int) -> list[int]:
    """The processes whose parent is ``pid`` (from /proc)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs /proc to see the worker processes")
def test_workers_share_the_socket_and_stop_with_the_server(folders):
    index_dir, seeds_dir = folders
    proc, url, lines = start_server(index_dir, seeds_dir, "--workers", "2")
    try:
        assert any("with 2 worker processes" in line for line in lines)
        workers = _children(proc.pid)
        assert len(workers) == 1  # the server itself is the other one
        documents = get_json(url + "api/stats")["documents"]
        assert documents > 0
        assert all(get_json(url + "api/stats")["documents"] == documents for _ in range(6))
    finally:
        code, err = stop_server(proc)
    assert code == 130 and "Traceback" not in err
    assert not any(_alive(pid) for pid in workers)


def test_a_port_in_use_is_one_line_and_exit_2(folders):
    index_dir, seeds_dir = folders
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = cli("--index-dir", str(index_dir), "--seeds-dir", str(seeds_dir), "serve", "--port", str(port),
                     timeout=60)
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [f"searcher: error: cannot listen on 127.0.0.1 port {port}: "
                                                  "address already in use"]


def test_without_the_web_extra_serve_is_one_line_and_exit_2(folders):
    index_dir, seeds_dir = folders
    code = ("import sys; sys.modules['fastapi'] = None; from searcher.cli import main; "
            f"sys.argv = ['searcher', '--index-dir', {str(index_dir)!r}, 'serve']; main()")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "searcher: error: searcher serve needs the web extra (fastapi is not installed): "
        'pip install "searcher[web]"']
