"""The terminal and the process: closed pipes, Ctrl-C, unwritable folders, one error format.

Real processes, real signals and real files: each test runs `python -m searcher`.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from searcher import SearchIndex
from conftest import GOLD_ID, cli, write_articles

pytestmark = pytest.mark.slow



# ------------------------------------------------------------------ a closed pipe


@pytest.mark.parametrize("command", [
    ["search", "taliban"], ["search", "taliban", "--json"], ["show", GOLD_ID], ["stats"],
    ["clean", "SEEDS/" + GOLD_ID + ".txt", "--removed"], ["index"],
])
def test_output_read_by_a_closed_pipe_ends_quietly(built_index, index_dir, seeds_dir, command):
    """`searcher search ... | head -1`: the reader is gone before we write (deterministic)."""
    built_index.close()
    read_end, write_end = os.pipe()
    os.close(read_end)  # like `head` that has read its line and exited
    args = [a.replace("SEEDS", str(seeds_dir)) for a in command]
    target = {"stderr": write_end} if command == ["index"] else {"stdout": write_end}  # index talks on stderr
    proc = subprocess.run([sys.executable, "-m", "searcher", "--index-dir", str(index_dir), "--seeds-dir",
                           str(seeds_dir), *args], **({"stdout": subprocess.PIPE, "stderr": subprocess.PIPE} | target))
    os.close(write_end)
    assert proc.returncode == 0, proc.stderr
    if command != ["index"]:
        assert proc.stderr == b""


# ------------------------------------------------------------------ error lines


def test_every_error_is_one_line_in_one_format(built_index, index_dir, seeds_dir, tmp_path):
    built_index.close()
    base = ("--index-dir", str(index_dir), "--seeds-dir", str(seeds_dir))
    cases = {
        "library": cli(*base, "search", "nosuchfield:x"),
        "usage": cli(*base, "search", "x", "--limit", "zero"),
        "command": cli(*base, "nosuchcommand"),
        "missing": cli("--index-dir", str(tmp_path / "none"), "stats"),
        "both": cli(*base, "search", "x", "--json", "--jsonl"),
    }
    for name, result in cases.items():
        lines = result.stderr.splitlines()
        assert result.returncode == 2, (name, result.stderr)
        assert lines[0].startswith("searcher: error: "), (name, result.stderr)
        assert "Traceback" not in result.stderr and "Error:" not in result.stderr
        if name in ("usage", "command", "both"):
            assert len(lines) == 2 and "--help" in lines[1], (name, result.stderr)
        else:
            assert len(lines) == 1, (name, result.stderr)


def test_a_query_word_taken_for_an_option_says_to_quote_it(built_index, index_dir, seeds_dir):
    built_index.close()
    base = ("--index-dir", str(index_dir), "--seeds-dir", str(seeds_dir))
    result = cli(*base, "search", "taliban", "-kangaroo")
    assert result.returncode == 2
    assert "quote the query" in result.stderr and "put -- before it" in result.stderr
    assert cli(*base, "search", "--", "taliban", "-kangaroo").returncode == 0
    assert cli(*base, "search", "taliban -kangaroo").returncode == 0
    assert cli(*base, "search", "--", "taliban", "-khalilzad").returncode == 1  # the NOT worked


def test_a_page_past_the_last_says_so(tmp_path):
    seeds, index_dir = tmp_path / "seeds", tmp_path / "ix"
    write_articles(seeds, 7)
    base = ("--index-dir", str(index_dir), "--seeds-dir", str(seeds))
    assert cli(*base, "index").returncode == 0
    past = cli(*base, "search", "harbour", "-n", "3", "--page", "4")
    assert past.returncode == 1 and past.stdout == ""
    assert "7 hits; page 4 is past the last page (3)" in past.stderr
    last = cli(*base, "search", "harbour", "-n", "3", "--page", "3")
    assert last.returncode == 0 and "7 hits (page 3 of 3)" in last.stderr


# ------------------------------------------------------------------ Ctrl-C


def _alive(pgid: int) -> list[str]:
    """Processes of a process group that still run (zombies are dead, waiting to be reaped)."""
    out = subprocess.run(["ps", "-o", "stat=,pid=,args=", "-g", str(pgid)], capture_output=True, text=True).stdout
    return [line for line in out.splitlines() if line.strip() and not line.split()[0].startswith("Z")]


def _as_foreground_job() -> None:
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def _interrupt_build(seeds: Path, index_dir: Path, delay: float) -> tuple[subprocess.Popen, str, float]:
    """Start `searcher index`, press Ctrl-C ``delay`` s after it took the lock: (process, stderr, s to exit)."""
    # Ctrl-C reaches the whole foreground process group: the indexer and its workers. A job
    # started in the background by a shell without job control (as CI may run us) inherits
    # SIGINT ignored; a terminal's foreground job has it at its default, as here.
    proc = subprocess.Popen([sys.executable, "-m", "searcher", "--index-dir", str(index_dir), "index", str(seeds)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True,
                            preexec_fn=_as_foreground_job)
    deadline = time.monotonic() + 30
    while not (index_dir / "write.lock").exists() and time.monotonic() < deadline:
        time.sleep(0.005)
    time.sleep(delay)
    os.killpg(proc.pid, signal.SIGINT)
    interrupted = time.monotonic()
    _out, err = proc.communicate(timeout=60)
    return proc, err, time.monotonic() - interrupted


def test_ctrl_c_during_a_first_build_keeps_what_was_indexed_and_the_next_run_goes_on(tmp_path):
    seeds, index_dir = tmp_path / "seeds", tmp_path / "ix"
    write_articles(seeds, 2000)
    # The moment cleaning starts varies with the machine's load: press later until it had begun.
    for delay in (0.6, 0.9, 1.2, 1.6, 2.0, 2.5, 3.0):
        proc, err, seconds = _interrupt_build(seeds, index_dir, delay)
        assert proc.returncode == 130, err
        assert err.count("\n") == 1 and err.startswith("searcher: interrupted; ") and "Traceback" not in err, err
        # Promptly: 0.4-1 s on a quiet machine; the bound only says seconds, not the minutes a
        # pool draining its queue took, so that a loaded CI machine does not fail it.
        assert seconds < 30
        time.sleep(0.3)
        assert _alive(proc.pid) == []  # no worker outlives the indexer
        if "nothing was indexed" not in err:
            break
        assert not index_dir.exists()  # a first build stopped before its first commit leaves nothing
    with SearchIndex(index_dir) as ix:
        kept = len(ix)
        assert f"the index holds {kept:,} documents; run `searcher index` to go on" in err
        assert kept > 0 and ix.search("harbour", limit=1).total == kept
    again = cli("--index-dir", str(index_dir), "index", str(seeds))
    assert again.returncode == 0, again.stderr
    assert again.stderr.startswith(f"{2000 - kept} added, 0 changed, 0 removed, {kept} unchanged")
    with SearchIndex(index_dir) as ix:
        assert len(ix) == 2000 and ix.search("word1999").total == 1


def test_ctrl_c_before_anything_is_indexed_leaves_nothing(tmp_path):
    seeds, index_dir = tmp_path / "seeds", tmp_path / "ix"
    write_articles(seeds, 2000)
    proc, err, _seconds = _interrupt_build(seeds, index_dir, 0.0)
    assert proc.returncode == 130 and err.count("\n") == 1 and "Traceback" not in err, err
    if "nothing was indexed" in err:
        assert not index_dir.exists()


# ------------------------------------------------------------------ a failed first build, an empty index


def test_a_failed_first_build_creates_nothing(tmp_path):
    index_dir = tmp_path / "ix3"
    result = cli("--index-dir", str(index_dir), "--seeds-dir", str(tmp_path / "none"), "search", "apple")
    assert result.returncode == 2 and "seeds folder not found" in result.stderr
    assert not index_dir.exists()
    index_dir.mkdir()  # a folder the user made: kept, and left as it was
    result = cli("--index-dir", str(index_dir), "index", str(tmp_path / "none"))
    assert result.returncode == 2 and list(index_dir.iterdir()) == []


def test_searching_an_empty_index_says_it_is_empty(tmp_path):
    (tmp_path / "seeds").mkdir()
    base = ("--index-dir", str(tmp_path / "ix"), "--seeds-dir", str(tmp_path / "seeds"))
    assert cli(*base, "index").returncode == 0
    result = cli(*base, "search", "apple")
    assert result.returncode == 1 and "is empty" in result.stderr and "searcher index" in result.stderr


# ------------------------------------------------------------------ folders the user cannot write or read


@pytest.mark.parametrize("umask", [0o022, 0o027, 0o077])
def test_index_files_follow_the_umask(tmp_path, seeds_dir, umask):
    index_dir = tmp_path / "ix"
    result = cli("--index-dir", str(index_dir), "index", str(seeds_dir), preexec_fn=lambda: os.umask(umask))
    assert result.returncode == 0, result.stderr
    files = [p for p in index_dir.rglob("*") if p.is_file()]
    assert any(p.name == "searcher-index.json" for p in files) and any(p.name == "manifest.json" for p in files)
    for path in files:  # readable by whom the umask lets read, and by no one else
        mode = os.stat(path).st_mode & 0o777
        assert mode & umask == 0 and mode & 0o444 == 0o444 & ~umask, (path, oct(mode))


def test_a_folder_that_cannot_be_written_is_one_line(built_index, index_dir, seeds_dir, tmp_path):
    """Read-only to everyone, root included: an immutable folder (chattr +i)."""
    built_index.close()
    frozen = tmp_path / "frozen"
    frozen.mkdir()
    if subprocess.run(["chattr", "+i", str(frozen)], capture_output=True).returncode != 0:
        pytest.skip("chattr +i is not available here (needs root and a file system that supports it)")
    try:
        for index in (frozen, frozen / "index"):
            result = cli("--index-dir", str(index), "index", str(seeds_dir))
            assert result.returncode == 2, result.stderr
            assert result.stderr == f"searcher: error: cannot write {index}/: operation not permitted" + (
                f" ({index / 'write.lock'})\n" if index == frozen else "\n"), result.stderr
    finally:
        subprocess.run(["chattr", "-i", str(frozen)])


def test_a_full_disk_while_writing_is_one_line_and_keeps_the_index(built_index, index_dir, seeds_dir):
    """Writes past a size limit fail as on a full disk (RLIMIT_FSIZE, SIGXFSZ ignored)."""
    import resource

    built_index.close()
    write_articles(seeds_dir, 300)

    def small_files() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (20_000, 20_000))

    result = cli("--index-dir", str(index_dir), "index", str(seeds_dir), "--rebuild", preexec_fn=small_files)
    assert result.returncode == 2, result.stderr
    assert result.stderr.startswith(f"searcher: error: cannot write {index_dir}/: file too large")
    assert result.stderr.count("\n") == 1
    with SearchIndex(index_dir) as ix:
        assert ix.search("Khalilzad").total == 1


def _python_for_nobody(folder: Path) -> tuple[list[str], str] | None:
    """(command, PYTHONPATH) that run this checkout's searcher as user `nobody`, or None.

    Our venv and checkout may sit in folders only root may enter (CI's are), so the package and
    the dependencies a search imports are copied into ``folder``, which anyone may read.
    """
    import importlib.util
    import shutil

    from conftest import REPO

    lib = folder / "lib"
    shutil.copytree(REPO / "searcher", lib / "searcher", ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("whoosh", "click", "charset_normalizer", "numpy"):
        spec = importlib.util.find_spec(name)
        if spec is not None and spec.submodule_search_locations:
            where = Path(next(iter(spec.submodule_search_locations)))
            shutil.copytree(where, lib / name, ignore=shutil.ignore_patterns("__pycache__"))
            bundled = where.parent / f"{name}.libs"  # a wheel's shared libraries (numpy's BLAS)
            if bundled.is_dir():
                shutil.copytree(bundled, lib / bundled.name)
    for path in [folder, *folder.rglob("*")]:
        path.chmod(0o755 if path.is_dir() else 0o644)
    for python in (sys.executable, "/usr/bin/python3", "/usr/local/bin/python3"):
        try:
            probe = subprocess.run([python, "-c", "import searcher, whoosh, click"], capture_output=True,
                                   env={**os.environ, "PYTHONPATH": str(lib)}, preexec_fn=_as_nobody, cwd="/")
        except OSError:  # not executable by nobody
            continue
        if probe.returncode == 0:
            return [python, "-m", "searcher"], str(lib)
    return None


def _as_nobody() -> None:
    os.setgid(65534)
    os.setgroups([])
    os.setuid(65534)


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root to run a process as another user")
def test_another_user_can_search_an_index_it_may_read_and_is_told_it_cannot_write(seeds_dir):
    import shutil
    import tempfile

    shared = Path(tempfile.mkdtemp(prefix="searcher-shared-"))  # pytest's tmp_path is closed to other users
    try:
        shared.chmod(0o755)
        found_python = _python_for_nobody(shared / "python")
        if found_python is None:
            pytest.fail("no Python that user nobody may run (tried this one and /usr/bin/python3)")
        command, lib = found_python
        env = {**os.environ, "PYTHONPATH": lib}
        index_dir = shared / "index"
        built = cli("--index-dir", str(index_dir), "index", str(seeds_dir), preexec_fn=lambda: os.umask(0o022))
        assert built.returncode == 0, built.stderr

        def as_nobody(*args: str) -> subprocess.CompletedProcess:
            return subprocess.run([*command, "--index-dir", str(index_dir), *args], capture_output=True, text=True,
                                  env=env, preexec_fn=_as_nobody, cwd="/")

        found = as_nobody("search", "Khalilzad")
        assert found.returncode == 0, found.stderr
        written = as_nobody("index", str(seeds_dir))
        assert written.returncode == 2
        assert written.stderr.startswith(f"searcher: error: cannot write {index_dir}/: permission denied"), \
            written.stderr
        (index_dir / "searcher-index.json").chmod(0o600)  # as an older searcher wrote it
        unreadable = as_nobody("search", "Khalilzad")
        assert unreadable.returncode == 2
        assert unreadable.stderr == \
            f"searcher: error: cannot read {index_dir / 'searcher-index.json'}: permission denied\n"
    finally:
        shutil.rmtree(shared, ignore_errors=True)


# ------------------------------------------------------------------ the space a rebuild frees


def _generations(index_dir: Path) -> list[str]:
    return sorted(p.name for p in index_dir.glob("gen-*"))


def _folder_bytes(index_dir: Path) -> int:
    return sum(p.stat().st_size for p in index_dir.rglob("*") if p.is_file())


def test_a_rebuild_frees_the_old_generation_once_no_reader_holds_it(tmp_path):
    seeds, index_dir = tmp_path / "seeds", tmp_path / "ix"
    write_articles(seeds, 300)
    base = ("--index-dir", str(index_dir))
    assert cli(*base, "index", str(seeds)).returncode == 0
    before = _folder_bytes(index_dir)
    stats = json.loads(cli(*base, "stats", "--json").stdout)
    assert stats["size_bytes"] <= before

    assert cli(*base, "index", "--rebuild", str(seeds)).returncode == 0  # no reader: freed at once
    assert len(_generations(index_dir)) == 1
    after = _folder_bytes(index_dir)
    assert after < 1.2 * before  # not twice the size
    assert json.loads(cli(*base, "stats", "--json").stdout)["size_bytes"] <= after

    with SearchIndex(index_dir) as reader:  # a long-lived reader (a web server) holds its generation
        assert reader.search("harbour", limit=1).total == 300
        held = _generations(index_dir)
        assert cli(*base, "index", "--rebuild", str(seeds)).returncode == 0
        assert set(held) < set(_generations(index_dir))  # kept for the reader
        assert reader.search("word7").total == 1  # which moves to the new generation at its next query
        assert cli(*base, "index", str(seeds)).returncode == 0  # the next write frees it
        assert len(_generations(index_dir)) == 1
        assert reader.search("word8").total == 1


# ------------------------------------------------------------------ workers end with the indexer, forks start afresh


def _cleaning_workers(pgid: int) -> list[int]:
    """Running processes of the group forked by a fork server (the cleaning pool's workers)."""
    out = subprocess.run(["ps", "-ww", "-o", "stat=,pid=,ppid=,args=", "-g", str(pgid)], capture_output=True, text=True).stdout
    rows = [line.split(None, 3) for line in out.splitlines() if line.strip()]
    servers = {row[1] for row in rows if "multiprocessing.forkserver" in row[3]}
    return [int(row[1]) for row in rows if row[2] in servers and not row[0].startswith("Z")]


def test_an_indexer_killed_on_timeout_lets_go_of_its_pipes_at_once(tmp_path):
    # What `subprocess` documents for a timeout: kill() on TimeoutExpired, then communicate() for
    # the output. The indexer is killed but not yet reaped (a zombie), and its cleaning workers
    # (children of a fork server, holding its stdout and stderr) must end anyway: they used to
    # take the zombie for alive, and communicate() waited for ever.
    seeds, index_dir = tmp_path / "seeds", tmp_path / "ix"
    write_articles(seeds, 2000)
    proc = subprocess.Popen([sys.executable, "-m", "searcher", "--index-dir", str(index_dir), "index", str(seeds)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
    try:
        deadline = time.monotonic() + 30
        while not _cleaning_workers(proc.pid) and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.01)
        assert _cleaning_workers(proc.pid), "the cleaning pool never started"
        with pytest.raises(subprocess.TimeoutExpired):
            proc.communicate(timeout=0.05)
        proc.kill()
        killed = time.monotonic()
        proc.communicate(timeout=10)
        while _alive(proc.pid) and time.monotonic() - killed < 10:
            time.sleep(0.01)
        assert _alive(proc.pid) == []  # workers, fork server, resource tracker: all gone
    finally:
        try:
            os.killpg(proc.pid, signal.SIGKILL)  # only if the test failed
        except ProcessLookupError:
            pass
        proc.wait()


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")
def test_library_calls_work_in_a_forked_child(tmp_path):
    seeds, index_dir = tmp_path / "seeds", tmp_path / "ix"
    write_articles(seeds, 100)  # enough seeds to clean them in a process pool
    with SearchIndex(index_dir) as ix:
        assert len(ix.update(seeds, jobs=2).added) == 100  # starts this process's fork server
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child never returns into pytest
        code = 1
        try:
            os.close(read)
            with SearchIndex(index_dir) as ix:
                message = ix.rebuild(seeds, jobs=2).summary()
            code = 0
        except BaseException as exc:
            message = f"{type(exc).__name__}: {exc}"
        finally:
            os.write(write, message.encode()[:4000])
            os._exit(code)
    os.close(write)
    with os.fdopen(read, "rb") as pipe:
        message = pipe.read().decode()
    _pid, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0, message  # was ChildProcessError: No child processes
    assert message.startswith("100 added"), message
    write_articles(seeds, 100, start=100)
    with SearchIndex(index_dir) as ix:  # and the parent's own pool still works
        assert len(ix.update(seeds, jobs=2).added) == 100 and len(ix) == 200
