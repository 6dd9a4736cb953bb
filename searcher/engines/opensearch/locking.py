"""The write lock of an index on a cluster: one document, created only if absent.

``acquire`` creates the lock document with ``op_type=create``, which the cluster refuses
while another writer's exists; the document names its owner (host, pid) and when its
lease expires. The owner pushes the expiry forward every HEARTBEAT seconds while it writes, so
a lock whose expiry has passed, or whose owner is a process of this host that is gone, is
stale: it is removed (only if unchanged since read: a compare-and-set on its sequence
number) and taken. A second writer waits up to ``wait`` seconds, then IndexLockedError
names the owner.

The lease (``ttl``) is longer than the retries of a write it covers (``retry_for``, plus a
request's timeout and two heartbeats), and the writer asks :meth:`ClusterLock.remaining`
before each retry: while the cluster refuses writes and heartbeats alike, the write stops
before its lease could run out, so no other writer can take the lock while ours still writes.
"""

from __future__ import annotations

import os
import socket
import threading
import time
from typing import Any

from opensearchpy import OpenSearch

from ...core.errors import IndexLockedError
from .client import Conflict, NotFound, cluster_errors

#: Seconds a lock lives without a heartbeat at least; a writer that died more than its
#: lease ago has left a stale lock.
TTL = 60.0
#: Seconds between heartbeats (well inside TTL, so a loaded machine does not lose the lock).
HEARTBEAT = 15.0


def lease_for(retry_for: float, request_timeout: float) -> float:
    """A lease that outlives ``retry_for`` seconds of retries, each request up to ``request_timeout``."""
    return max(TTL, retry_for + request_timeout + 2 * HEARTBEAT)
LOCK_ID = "write"


class ClusterLock:
    """The lock document ``LOCK_ID`` in the lock index of an alias (see the module docstring)."""

    def __init__(self, client: OpenSearch, url: str, index: str, *, wait: float, location: str,
                 ttl: float = TTL) -> None:
        self.client = client
        self.ttl = ttl
        self._renewed = 0.0  # when the last successful write of the lock document was sent
        self.url = url
        self.index = index
        self.wait = wait
        self.location = location
        self._version: tuple[int, int] | None = None
        self._stop = threading.Event()
        self._beat: threading.Thread | None = None
        self._guard = threading.Lock()

    def _owner(self) -> dict[str, Any]:
        now = time.time()
        return {"host": socket.gethostname(), "pid": os.getpid(), "since": now, "expires": now + self.ttl}

    def remaining(self) -> float:
        """Seconds our lease has left for certain (counted from when its last renewal was sent)."""
        return self._renewed + self.ttl - time.time()

    def acquire(self) -> None:
        deadline = time.monotonic() + self.wait
        with cluster_errors(self.url):
            self._ensure_index()
            pause = 0.1
            while True:
                try:
                    owner = self._owner()
                    made = self.client.index(index=self.index, id=LOCK_ID, body=owner, op_type="create",
                                             refresh=True)
                    self._renewed = owner["since"]
                    self._version = (made["_seq_no"], made["_primary_term"])
                    break
                except Conflict:
                    holder = self._holder()
                    if holder is not None and self._stale(holder[0]):
                        self._remove(holder[1])
                        continue
                    if time.monotonic() >= deadline:
                        raise IndexLockedError(self._locked_message(holder[0] if holder else {})) from None
                    time.sleep(min(pause, max(deadline - time.monotonic(), 0.01)))
                    pause = min(pause * 2, 1.0)
        self._stop.clear()
        self._beat = threading.Thread(target=self._heartbeat, name="searcher-lock-heartbeat", daemon=True)
        self._beat.start()

    def release(self) -> None:
        self._stop.set()
        if self._beat is not None:
            self._beat.join(timeout=5)
            self._beat = None
        with self._guard:
            version, self._version = self._version, None
        if version is None:
            return
        try:
            with cluster_errors(self.url):
                self._remove(version)
        except Exception:  # the cluster is gone: the lock expires on its own after TTL
            pass

    def _ensure_index(self) -> None:
        if not self.client.indices.exists(index=self.index):
            try:
                self.client.indices.create(index=self.index, body={"settings": {
                    "index": {"number_of_shards": 1, "auto_expand_replicas": "0-1"}}})
            except Exception as exc:  # made by another writer meanwhile
                if "resource_already_exists" not in str(exc):
                    raise

    def _holder(self) -> tuple[dict[str, Any], tuple[int, int]] | None:
        try:
            found = self.client.get(index=self.index, id=LOCK_ID)
        except NotFound:
            return None
        return found["_source"], (found["_seq_no"], found["_primary_term"])

    def _stale(self, owner: dict[str, Any]) -> bool:
        if owner.get("expires", 0) < time.time():
            return True
        if owner.get("host") == socket.gethostname() and isinstance(owner.get("pid"), int):
            return not _alive(owner["pid"])
        return False

    def _remove(self, version: tuple[int, int]) -> None:
        try:
            self.client.delete(index=self.index, id=LOCK_ID, if_seq_no=version[0], if_primary_term=version[1],
                               refresh=True)
        except (NotFound, Conflict):
            pass  # gone already, or taken by another writer first

    def _heartbeat(self) -> None:
        while not self._stop.wait(HEARTBEAT):
            with self._guard:
                if self._version is None:
                    return
                try:
                    owner = self._owner()
                    done = self.client.index(index=self.index, id=LOCK_ID, body=owner,
                                             if_seq_no=self._version[0], if_primary_term=self._version[1])
                    self._version = (done["_seq_no"], done["_primary_term"])
                    self._renewed = owner["since"]
                except Exception:  # a node down for a moment: try again at the next beat
                    continue

    def _locked_message(self, owner: dict[str, Any]) -> str:
        who = f"process {owner.get('pid', '?')} on {owner.get('host', '?')}"
        expires = owner.get("expires")
        until = f"; its lease ends at {time.strftime('%H:%M:%S', time.localtime(expires))} unless renewed" \
            if isinstance(expires, (int, float)) else ""
        return (f"another writer ({who}) is writing to {self.location}{until}; waited {self.wait:.0f} s: "
                "try again later, or give --wait")


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
