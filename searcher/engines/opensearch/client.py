"""The connection to the cluster: the client, its errors as ClusterError, and bulk writes.

Every call to the cluster goes through :func:`cluster_errors`, the one place opensearch-py's
exceptions are turned into ours (a cluster that is down or refuses is one line naming it;
a certificate problem names the setting that fixes it). :func:`connect` tries each host of
the location in turn, checks the server is an OpenSearch we support, and learns the other
nodes' addresses where the cluster publishes reachable ones. :func:`bulk_write` sends
documents in parallel streams and retries what the cluster could not take for a moment (a
node gone, a full queue) until it makes no progress for a while; what it cannot write is
named in a ClusterError, so a partial failure loses nothing silently.
"""

from __future__ import annotations

import json
import logging
import socket
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from opensearchpy import OpenSearch
from opensearchpy import exceptions as osx

from ...core.errors import ClusterError, ClusterUnavailableError, IndexNotFoundError
from .connection import ClusterSettings, certificate_hint, check_server, client_options
from .location import ClusterLocation

logger = logging.getLogger(__name__)

#: Documents and bytes per bulk request: big enough to amortise a round trip, small
#: enough that one request never nears the cluster's http.max_content_length (100 MB).
BULK_DOCS = 500
BULK_BYTES = 8 * 1024 * 1024
#: The first pause before retrying what a bulk request could not write, and the longest;
#: pauses double in between, and retries go on until no write succeeded for ``retry_for``.
FIRST_PAUSE = 0.5
LONGEST_PAUSE = 20.0
#: Item statuses worth retrying: too many requests, and a shard that is not there just now.
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
#: HTTP statuses meaning the cluster cannot answer now (not that the request is wrong).
UNAVAILABLE_STATUSES = frozenset({429, 502, 503, 504})
#: Seconds a request may take before it counts as failed (and is retried).
REQUEST_TIMEOUT = 60


@dataclass
class Cluster:
    """A connected client, and what :func:`connect` learnt: the version, whether it sniffs."""

    client: OpenSearch
    url: str
    version: str
    sniffing: bool = False


def connect(where: ClusterLocation, settings: ClusterSettings) -> Cluster:
    """A client for the cluster at ``where``: each of its hosts tried in turn; the server's
    version checked (ClusterError if it is not OpenSearch 2.x or 3.x); and, where the cluster
    allows it (``settings.sniff``), every node's published address added, so a long write or a
    server goes on through the others when the nodes it named die."""
    settings = settings.with_credentials(where.user, where.password)
    hosts = [_host(where, h.host, h.port) for h in where.hosts]
    options = client_options(where.scheme, hosts, settings, where.url)
    client = OpenSearch(timeout=REQUEST_TIMEOUT, max_retries=max(3, len(hosts)), retry_on_timeout=True,
                        retry_on_status=(502, 503, 504), **options)
    cluster = Cluster(client, where.url, version="?")
    if settings.aws_service == "aoss" and settings.aws_region:
        return cluster  # serverless collections answer no GET /
    with cluster_errors(where.url):
        cluster.version = check_server(client.info(), where.url)
    if settings.sniff is False or settings.aws_region or where.prefix:
        return cluster
    published = _published_hosts(client)
    listed = {(_address(h.host), h.port) for h in where.hosts}
    if published and (settings.sniff or listed <= set(published)):
        extra = [_host(where, host, port) for host, port in published if (host, port) not in listed]
        if extra:
            client.close()
            options = client_options(where.scheme, hosts + extra, settings, where.url)
            client = OpenSearch(timeout=REQUEST_TIMEOUT, max_retries=len(hosts + extra) + 1, retry_on_timeout=True,
                                retry_on_status=(502, 503, 504), sniff_on_connection_fail=True, sniff_timeout=2,
                                **options)
            cluster.client = client
        cluster.sniffing = True
    return cluster


def _host(where: ClusterLocation, host: str, port: int) -> dict[str, Any]:
    return {"host": host.strip("[]"), "port": port, "url_prefix": where.prefix,
            "use_ssl": where.scheme == "https"}


def _address(host: str) -> str:
    """A host name as the cluster publishes it (an IP address), or the name if it cannot be resolved."""
    try:
        return socket.gethostbyname(host.strip("[]"))
    except OSError:
        return host


def _published_hosts(client: OpenSearch) -> list[tuple[str, int]]:
    """Every node's published HTTP address (host, port); empty if the cluster does not say
    (a managed service, a user without the cluster:monitor permission)."""
    try:
        nodes = client.nodes.info(node_id="_all", metric="http")["nodes"].values()
    except (osx.OpenSearchException, OSError, KeyError):
        return []
    found = []
    for node in nodes:
        address = str((node.get("http") or {}).get("publish_address") or "")
        address = address.rpartition("/")[2]  # "name/1.2.3.4:9200"
        host, _, port = address.rpartition(":")
        if host and port.isdigit():
            found.append((host.strip("[]"), int(port)))
    return found


def describe(exc: BaseException, url: str) -> str:
    """One line saying what went wrong with the cluster at ``url``."""
    if isinstance(exc, osx.ConnectionTimeout):
        return f"the OpenSearch cluster at {url} did not answer in time: check that it is up and not overloaded"
    if isinstance(exc, osx.ConnectionError):
        hint = certificate_hint(str(exc.info or exc.error), url) if isinstance(exc, osx.SSLError) \
            or "ssl" in str(exc.info).lower() else None
        if hint:
            return hint
    if isinstance(exc, osx.ConnectionError) and url.startswith("http://") and "Connection aborted" in str(exc):
        return (f"the server at {url} closed the connection without an answer: if it serves HTTPS (a TLS port, "
                "where a certificate is needed), use https:// in the location")
    if isinstance(exc, osx.ConnectionError) or (isinstance(exc, osx.TransportError) and exc.status_code == "N/A"):
        return f"cannot reach the OpenSearch cluster at {url} (connection refused or lost): start it, or check --index"
    if isinstance(exc, osx.AuthenticationException) or isinstance(exc, osx.AuthorizationException):
        what = "refused the credentials" if exc.status_code == 401 else "refused this user the request"
        return (f"the OpenSearch cluster at {url} {what} ({exc.status_code} {_reason(exc)}): check "
                "SEARCHER_OPENSEARCH_USER / _PASSWORD or _API_KEY, and the user's permissions (docs/opensearch.md)")
    if isinstance(exc, osx.TransportError):
        return f"the OpenSearch cluster at {url} refused a request ({exc.status_code} {_reason(exc)})"
    return f"the OpenSearch cluster at {url} failed: {type(exc).__name__}: {exc}"


def unavailable(exc: BaseException) -> bool:
    """True if ``exc`` says the cluster cannot answer now (rather than that a request is wrong)."""
    if isinstance(exc, osx.SSLError):
        return False
    if isinstance(exc, osx.ConnectionError):
        return True
    return isinstance(exc, osx.TransportError) and exc.status_code in UNAVAILABLE_STATUSES


def _reason(exc: osx.TransportError) -> str:
    info = exc.info if isinstance(exc.info, dict) else {}
    error = info.get("error")
    if isinstance(error, dict):
        root = (error.get("root_cause") or [error])[0]
        return f"{root.get('type', '')}: {root.get('reason', '')}".strip(": ")[:300]
    return str(exc.error)[:300]


@contextmanager
def cluster_errors(url: str, missing: str | None = None) -> Iterator[None]:
    """Turn opensearch-py's exceptions raised inside into a one-line ClusterError; an index
    that is not there into IndexNotFoundError(``missing``) when that message is given."""
    try:
        yield
    except osx.NotFoundError as exc:
        if missing is not None and "index_not_found" in str(exc.error):
            raise IndexNotFoundError(missing) from None
        raise ClusterError(describe(exc, url)) from None
    except osx.OpenSearchException as exc:
        kind = ClusterUnavailableError if unavailable(exc) else ClusterError
        raise kind(describe(exc, url)) from None
    except OSError as exc:  # a socket error the client did not wrap
        raise ClusterUnavailableError(f"cannot reach the OpenSearch cluster at {url} ({exc.strerror or exc})") \
            from None


#: The client's errors this package catches by name (a missing document, a lost race).
NotFound = osx.NotFoundError
Conflict = osx.ConflictError


@dataclass(frozen=True, slots=True)
class Action:
    """One write of a bulk request: index ``source`` under ``key`` (the doc's _id), delete
    ``key`` (source None), or merge ``partial`` into the stored document."""

    key: str
    doc_id: str
    source: dict[str, Any] | None = None
    partial: dict[str, Any] | None = None

    def lines(self, index: str) -> list[str]:
        if self.partial is not None:
            return [json.dumps({"update": {"_index": index, "_id": self.key}}),
                    json.dumps({"doc": self.partial}, ensure_ascii=False)]
        if self.source is None:
            return [json.dumps({"delete": {"_index": index, "_id": self.key}})]
        return [json.dumps({"index": {"_index": index, "_id": self.key}}),
                json.dumps(self.source, ensure_ascii=False)]


def batches(actions: Iterable[Action], index: str) -> Iterator[list[tuple[Action, list[str]]]]:
    """``actions`` in groups of at most BULK_DOCS and about BULK_BYTES of request body."""
    batch: list[tuple[Action, list[str]]] = []
    size = 0
    for action in actions:
        lines = action.lines(index)
        batch.append((action, lines))
        size += sum(len(line) for line in lines)
        if len(batch) >= BULK_DOCS or size >= BULK_BYTES:
            yield batch
            batch, size = [], 0
    if batch:
        yield batch


#: Seconds a write goes on retrying while the cluster takes nothing (the CLI's --retry-for).
DEFAULT_RETRY_FOR = 300.0


@dataclass(frozen=True)
class BulkOptions:
    """How :func:`bulk_write` sends: ``streams`` requests at once; retries until nothing was
    written for ``retry_for`` seconds; and, if ``lease`` is given, a retry only while it
    returns more seconds than the retry may take (the write lock's lease left)."""

    streams: int = 1
    retry_for: float = DEFAULT_RETRY_FOR
    lease: Callable[[], float] | None = None


@dataclass
class _Tally:
    """What the streams of one bulk write share: counts, the last success, why they stopped."""

    done: int = 0
    last_success: float = field(default_factory=time.monotonic)
    failed: list[tuple[str, str]] = field(default_factory=list)
    unwritten: int = 0
    stopped: str | None = None
    stop: threading.Event = field(default_factory=threading.Event)
    guard: threading.Lock = field(default_factory=threading.Lock)

    def give_up(self, why: str, left: int) -> None:
        with self.guard:
            self.unwritten += left
            if self.stopped is None:
                self.stopped = why
        self.stop.set()


def bulk_write(client: OpenSearch, url: str, index: str, actions: Iterable[Action], *,
               written: Callable[[int], None] | None = None, options: BulkOptions = BulkOptions()) -> int:
    """Send ``actions`` to ``index`` in batches, ``options.streams`` at a time; returns how many
    were written.

    Batches are made here while earlier ones are on the wire (JSON encoding overlaps the
    cluster's work); a batch that holds a key still in flight waits for it, so a document
    given twice ends as its last version. Items the cluster refuses for a moment
    (RETRY_STATUSES, or the request failing on a lost connection) are sent again after
    growing pauses; a delete of a document that is not there counts as done. When no write
    succeeded for ``options.retry_for`` seconds (or the lock's lease would run out) the write
    stops: ClusterUnavailableError, "run the same command again". Items refused for good (a
    document the mapping rejects) are named in a ClusterError once the rest is written.
    ``written(n)`` is called (in this thread) as batches complete.
    """
    tally = _Tally()
    inflight: dict[Future[None], set[str]] = {}

    def harvest(finished: Iterable[Future[None]]) -> None:
        for future in finished:
            inflight.pop(future, None)
            future.result()  # a stream's error (a request the cluster refuses for good)
        if written is not None:
            written(tally.done)

    with ThreadPoolExecutor(max_workers=max(1, options.streams), thread_name_prefix="searcher-bulk") as pool:
        try:
            for batch in batches(actions, index):
                if tally.stop.is_set():
                    break
                keys = {action.key for action, _ in batch}
                while True:
                    blocking = [future for future, held in inflight.items() if held & keys]
                    if not blocking and len(inflight) < max(1, options.streams):
                        break
                    finished, _ = wait(blocking or list(inflight), return_when=FIRST_COMPLETED)
                    harvest(finished)
                inflight[pool.submit(_write_batch, client, url, batch, tally, options)] = keys
            while inflight:
                finished, _ = wait(list(inflight), return_when=FIRST_COMPLETED)
                harvest(finished)
        except BaseException:
            tally.stop.set()  # the other streams stop retrying; the pool waits for their request
            raise
    if tally.stopped is not None:
        raise ClusterUnavailableError(f"{tally.stopped}; {tally.done} document(s) were written, {tally.unwritten} of "
                                      "the batches in flight were not: run the same command again")
    if tally.failed:
        failed = tally.failed
        shown = ", ".join(repr(doc_id) for doc_id, _ in failed[:5]) + (", ..." if len(failed) > 5 else "")
        raise ClusterError(f"{len(failed)} document(s) were not written to {url}/{index}: {shown} "
                           f"({failed[0][1]}); the other {tally.done} were: run the same command again to retry")
    return tally.done


def _write_batch(client: OpenSearch, url: str, batch: list[tuple[Action, list[str]]], tally: _Tally,
                 options: BulkOptions) -> None:
    """One batch, with its retries (a stream of :func:`bulk_write`)."""
    pending = batch
    pause = FIRST_PAUSE
    while True:
        retry, permanent = _send(client, url, pending)
        with tally.guard:
            tally.failed.extend(permanent)
            landed = len(pending) - len(retry) - len(permanent)
            tally.done += landed
            if landed:
                tally.last_success = time.monotonic()
            stalled = time.monotonic() - tally.last_success
        if not retry:
            return
        reason = retry[0][1]
        if tally.stop.is_set():
            tally.give_up(tally.stopped or "stopped", len(retry))
            return
        if stalled >= options.retry_for:
            tally.give_up(f"the OpenSearch cluster at {url} took no write for {options.retry_for:.0f} s ({reason})",
                          len(retry))
            return
        if options.lease is not None and options.lease() < pause + REQUEST_TIMEOUT:
            tally.give_up(f"the write lock on {url} could not be renewed while the cluster refused writes "
                          f"({reason}); stopped before it could run out", len(retry))
            return
        logger.info("%d of %d writes refused for now (%s); again in %s s", len(retry), len(pending), reason, pause)
        tally.stop.wait(min(pause, max(options.retry_for - stalled, 0.05)))
        pause = min(pause * 2, LONGEST_PAUSE)
        pending = [item for item, _ in retry]


def _send(client: OpenSearch, url: str, batch: list[tuple[Action, list[str]]]
          ) -> tuple[list[tuple[tuple[Action, list[str]], str]], list[tuple[str, str]]]:
    """One bulk request: (items to retry with their reason, (doc_id, reason) refused for good)."""
    body = "\n".join(line for _, lines in batch for line in lines) + "\n"
    try:
        response = client.bulk(body=body)
    except osx.SSLError as exc:  # a certificate problem does not go away by waiting
        raise ClusterError(describe(exc, url)) from None
    except (osx.ConnectionError, osx.ConnectionTimeout) as exc:
        return [(item, describe(exc, url)) for item in batch], []
    except osx.TransportError as exc:
        if isinstance(exc.status_code, int) and exc.status_code in RETRY_STATUSES:
            return [(item, describe(exc, url)) for item in batch], []
        raise ClusterError(describe(exc, url)) from None
    if not response.get("errors"):
        return [], []
    retry, permanent = [], []
    for item, result in zip(batch, response["items"]):
        outcome = next(iter(result.values()))
        status = outcome.get("status", 0)
        if status < 300 or (status == 404 and "delete" in result):
            continue
        error = outcome.get("error") or {}
        reason = f"{status} {error.get('type', '')}: {error.get('reason', '')}"[:300] if isinstance(error, dict) \
            else f"{status} {error}"[:300]
        if status in RETRY_STATUSES:
            retry.append((item, reason))
        else:
            permanent.append((item[0].doc_id, reason))
    return retry, permanent
