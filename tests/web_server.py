"""`searcher serve` as a real process on a free loopback port, for the server and browser tests."""

from __future__ import annotations

import os
import re
import select
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

#: Seconds a server may take to start (a loaded CI machine imports slowly).
START_SECONDS = 60


def start_server(index_dir: Path, seeds_dir: Path, *args: str,
                 global_args: tuple[str, ...] = ()) -> tuple[subprocess.Popen, str, list[str]]:
    """A `searcher serve --port 0` process, the URL it serves, and the stderr lines it printed up to it
    (``global_args``: options of `searcher` itself, such as ``--index URL``)."""
    proc = subprocess.Popen([sys.executable, "-m", "searcher", "--index-dir", str(index_dir), "--seeds-dir",
                             str(seeds_dir), *global_args, "serve", "--port", "0", *args],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, "PYTHONUNBUFFERED": "1"})
    lines: list[str] = []
    deadline = time.monotonic() + START_SECONDS
    assert proc.stderr is not None
    # Read the pipe's bytes, not lines: readline() would buffer a second line that select() then
    # never reports (two lines written at once: the server never seemed to start).
    fd = proc.stderr.fileno()
    pending = ""
    while time.monotonic() < deadline:
        ready, _, _ = select.select([fd], [], [], 0.5)
        if ready:
            chunk = os.read(fd, 65536)
            if not chunk:
                break
            pending += chunk.decode("utf-8", "replace")
            *complete, pending = pending.split("\n")
            for line in complete:
                lines.append(line)
                found = re.search(r" at (http://\S+/) \(Ctrl-C stops\)", line)
                if found:
                    return proc, found.group(1), lines
        elif proc.poll() is not None:
            break
    proc.kill()
    proc.communicate()
    raise AssertionError(f"searcher serve did not start: {lines}")


def stop_server(proc: subprocess.Popen, timeout: float = 20) -> tuple[int, str]:
    """Ctrl-C the server; (its exit code, the rest of its stderr)."""
    if proc.poll() is None:
        proc.send_signal(signal.SIGINT)
    try:
        _out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        _out, err = proc.communicate()
    return proc.returncode, err or ""


@contextmanager
def running_server(index_dir: Path, seeds_dir: Path, *args: str) -> Iterator[str]:
    """The URL of a server running for the ``with`` block."""
    proc, url, _lines = start_server(index_dir, seeds_dir, *args)
    try:
        yield url
    finally:
        stop_server(proc)
