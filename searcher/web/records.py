"""What the web face sends of the library's records: their ``as_dict()``, less the file-system
paths and the index's location.

A client has no use for where the server keeps its index or its seeds, and a path (or a
cluster URL) tells an attacker about the machine; so the records of `searcher ... --json`
go out without their ``path`` fields, and nothing else the server sends names either.
"""

from __future__ import annotations

from typing import Any

from .. import Document, IndexStats, Results


def results_record(results: Results) -> dict[str, Any]:
    """A page of hits as `searcher search --json` prints it, without each hit's seed path."""
    record = results.as_dict()
    for hit in record["hits"]:
        hit.pop("path", None)
    return record


def document_record(doc: Document) -> dict[str, Any]:
    """A document as `searcher show --json` prints it, without its seed path."""
    record = doc.as_dict()
    record.pop("path", None)
    return record


def stats_record(stats: IndexStats) -> dict[str, Any]:
    """What the index holds, as `searcher stats --json` prints it, without where it is."""
    record = stats.as_dict()
    record.pop("path", None)
    return record
