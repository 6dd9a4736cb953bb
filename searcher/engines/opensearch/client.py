"""The connection to the cluster: the client, its errors as ClusterError, and bulk writes.

Every call to the cluster goes through :func:`cluster_errors`, the one place opensearch-py's
exceptions are turned into ours (a cluster that is down or refuses is one line naming it).
:func:`bulk_write` sends documents in batches and retries what the cluster could not take
for a moment (a node gone, a full queue) with growing pauses; what it still cannot write is
named in a ClusterError after the rest is written, so a partial failure loses nothing
silently and nothing that landed is written twice.
"""

from __future__ import annotations

import base64
import json
import logging
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from opensearchpy import OpenSearch
from opensearchpy import exceptions as osx

from ...core.errors import ClusterError, IndexNotFoundError
from .location import ClusterLocation

logger = logging.getLogger(__name__)

#: Documents and bytes per bulk request: big enough to amortise a round trip, small
#: enough that one request never nears the cluster's http.max_content_length (100 MB).
BULK_DOCS = 500
BULK_BYTES = 8 * 1024 * 1024
#: Pauses before each retry of what a bulk request could not write (seconds): about two
#: minutes in all, time for a cluster to promote replicas after losing a node.
RETRY_PAUSES = (0.5, 1, 2, 4, 8, 15, 30, 60)
#: Item statuses worth retrying: too many requests, and a shard that is not there just now.
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
#: Seconds a request may take before it counts as failed (and is retried).
REQUEST_TIMEOUT = 60


def connect(where: ClusterLocation, *, sniff: bool = False) -> OpenSearch:
    """A client for the cluster at ``where``. ``sniff``: learn the other nodes' addresses, so
    a long write goes on through another node when the one it started on dies."""
    kwargs: dict[str, Any] = {}
    if sniff:
        kwargs = {"sniff_on_start": True, "sniff_on_connection_fail": True, "sniffer_timeout": 60}
    if where.credentials is not None:
        kwargs["headers"] = {"authorization": basic_authorization(where.credentials.user, where.credentials.password)}
    try:
        return OpenSearch(hosts=[where.url], timeout=REQUEST_TIMEOUT, max_retries=3, retry_on_timeout=True,
                          retry_on_status=(502, 503, 504), **kwargs)
    except osx.OpenSearchException as exc:  # sniffing on start found no node
        raise ClusterError(describe(exc, where.url)) from None


def basic_authorization(user: str, password: str) -> str:
    """The Authorization header of HTTP basic authentication, in UTF-8 (RFC 7617), so a password
    may hold any character (the client's own encodes Latin-1 only)."""
    return "Basic " + base64.b64encode(f"{user}:{password}".encode("utf-8")).decode("ascii")


def describe(exc: BaseException, url: str) -> str:
    """One line saying what went wrong with the cluster at ``url``."""
    if isinstance(exc, osx.ConnectionTimeout):
        return f"the OpenSearch cluster at {url} did not answer in time: check that it is up and not overloaded"
    if isinstance(exc, osx.ConnectionError) or (isinstance(exc, osx.TransportError) and exc.status_code == "N/A"):
        return f"cannot reach the OpenSearch cluster at {url} (connection refused or lost): start it, or check --index"
    if isinstance(exc, osx.AuthenticationException) or isinstance(exc, osx.AuthorizationException):
        return f"the OpenSearch cluster at {url} refused access ({exc.status_code}): check the credentials in the URL"
    if isinstance(exc, osx.TransportError):
        return f"the OpenSearch cluster at {url} refused a request ({exc.status_code} {_reason(exc)})"
    return f"the OpenSearch cluster at {url} failed: {type(exc).__name__}: {exc}"


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
        raise ClusterError(describe(exc, url)) from None
    except OSError as exc:  # a socket error the client did not wrap
        raise ClusterError(f"cannot reach the OpenSearch cluster at {url} ({exc.strerror or exc})") from None


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


def bulk_write(client: OpenSearch, url: str, index: str, actions: Iterable[Action], *,
               written: Callable[[int], None] | None = None, pauses: tuple[float, ...] = RETRY_PAUSES) -> int:
    """Send ``actions`` to ``index`` in batches; returns how many were written.

    Items the cluster refuses for a moment (RETRY_STATUSES, or the whole request failing
    on a lost connection) are sent again after each pause in ``pauses``; a delete of a
    document that is not there counts as done. Items refused for good (a document the
    mapping rejects), or still failing after the last pause, are named in a ClusterError
    raised once every other batch is written. ``written(n)`` is called after each batch.
    """
    done = 0
    failed: list[tuple[str, str]] = []
    for batch in batches(actions, index):
        pending = batch
        for attempt in range(len(pauses) + 1):
            retry, permanent = _send(client, url, pending)
            failed.extend(permanent)
            done += len(pending) - len(retry) - len(permanent)
            if not retry:
                break
            if attempt == len(pauses):
                failed.extend((action.doc_id, reason) for (action, _), reason in retry)
                break
            logger.info("%d of %d writes refused for now (%s); again in %s s", len(retry), len(pending),
                        retry[0][1], pauses[attempt])
            time.sleep(pauses[attempt])
            pending = [item for item, _ in retry]
        if written is not None:
            written(done)
    if failed:
        shown = ", ".join(repr(doc_id) for doc_id, _ in failed[:5]) + (", ..." if len(failed) > 5 else "")
        raise ClusterError(f"{len(failed)} document(s) were not written to {url}/{index}: {shown} "
                           f"({failed[0][1]}); the other {done} were: run the same command again to retry")
    return done


def _send(client: OpenSearch, url: str, batch: list[tuple[Action, list[str]]]
          ) -> tuple[list[tuple[tuple[Action, list[str]], str]], list[tuple[str, str]]]:
    """One bulk request: (items to retry with their reason, (doc_id, reason) refused for good)."""
    body = "\n".join(line for _, lines in batch for line in lines) + "\n"
    try:
        response = client.bulk(body=body)
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
