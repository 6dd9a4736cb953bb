"""Bulk writes to a cluster (engines/opensearch/client.py): parallel streams that keep a
document's last version, retries that stop after a time without progress with "run the same
command again", and never past the write lock's lease."""

from __future__ import annotations

import time
import uuid

import pytest

from searcher import ClusterSettings, ClusterUnavailableError, Document, SearchIndex
from searcher.engines.opensearch import client as bulk
from searcher.engines.opensearch.client import Action, BulkOptions, bulk_write
from searcher.engines.opensearch.locking import HEARTBEAT, lease_for
from searcher.engines.opensearch.mapping import to_source

from conftest import drop_cluster_index, opensearch_url


def _dead_client():
    from opensearchpy import OpenSearch

    return OpenSearch(hosts=["http://127.0.0.1:9"], max_retries=0)  # nothing listens on port 9


def _actions(count: int) -> list[Action]:
    return [Action(f"d{n}", f"d{n}", to_source(Document(doc_id=f"d{n}", body="text"))) for n in range(count)]


def test_a_write_stops_after_retry_for_without_progress():
    client = _dead_client()
    started = time.monotonic()
    with pytest.raises(ClusterUnavailableError) as caught:
        bulk_write(client, "http://127.0.0.1:9", "x", _actions(3), options=BulkOptions(streams=2, retry_for=1.5))
    elapsed = time.monotonic() - started
    assert elapsed >= 1.4, elapsed  # it retried for retry_for before giving up
    message = str(caught.value)
    assert "took no write for 2 s" in message and message.endswith("run the same command again")
    assert "\\n" not in message
    client.close()


def test_a_write_never_retries_past_the_locks_lease():
    client = _dead_client()
    with pytest.raises(ClusterUnavailableError, match="write lock .* could not be renewed"):
        bulk_write(client, "http://127.0.0.1:9", "x", _actions(2),
                   options=BulkOptions(retry_for=300, lease=lambda: bulk.REQUEST_TIMEOUT / 2))
    client.close()
    # The lease is longer than every retry it covers, with a request's timeout and two beats to spare.
    assert lease_for(300, bulk.REQUEST_TIMEOUT) >= 300 + bulk.REQUEST_TIMEOUT + 2 * HEARTBEAT
    assert lease_for(5, bulk.REQUEST_TIMEOUT) >= 60


@pytest.mark.cluster
def test_parallel_streams_keep_each_documents_last_version(monkeypatch):
    """Batches of 3, 4 streams: the same ids come back in later batches; the last version wins."""
    monkeypatch.setattr(bulk, "BULK_DOCS", 3)
    url = opensearch_url()
    name = f"t24w-{uuid.uuid4().hex[:10]}"
    try:
        with SearchIndex(f"{url}/{name}", cluster=ClusterSettings(sniff=False)) as ix:
            docs = [Document(doc_id=f"d{n % 7}", title=f"version {n // 7}", body=f"text {n}") for n in range(7 * 6)]
            assert ix.add(docs, jobs=4) == 7
            assert len(ix) == 7
            assert {ix.get(f"d{k}").title for k in range(7)} == {"version 5"}
    finally:
        drop_cluster_index(url, name)
