"""Index locations that name a cluster: ``http(s)://host:port/name``.

A location is a folder (the Whoosh engine) unless it starts with ``http://`` or
``https://``; then the last path segment is the index name (an alias on the cluster) and
the rest is the cluster's URL.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

from ...core.errors import SearcherError

#: What OpenSearch allows in an index name, kept to a safe subset: lower case letters,
#: digits, "_" and "-", not starting with "_" or "-" (our physical indexes and the lock
#: add suffixes after "--", so a name may not hold "--" itself).
_NAME = re.compile(r"[a-z0-9][a-z0-9_-]{0,150}")


def is_cluster_url(location: object) -> bool:
    """True if ``location`` names an index on a cluster rather than a folder."""
    return isinstance(location, str) and location.lower().startswith(("http://", "https://"))


@dataclass(frozen=True, slots=True)
class ClusterLocation:
    """Where an index lives on a cluster: the cluster's URL and the index (alias) name."""

    url: str
    name: str

    def __str__(self) -> str:
        return f"{self.url}/{self.name}"


def parse_location(location: str) -> ClusterLocation:
    """``http://127.0.0.1:9200/news`` -> (``http://127.0.0.1:9200``, ``news``); SearcherError if
    it names no index or a name OpenSearch would refuse."""
    parts = urlsplit(location.strip())
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise SearcherError(f"{location!r} is not a cluster URL: give http://host:port/name")
    segments = [s for s in parts.path.split("/") if s]
    if len(segments) < 1:
        raise SearcherError(f"{location!r} names no index: give http://host:port/name (e.g. {location.rstrip('/')}/news)")
    name = segments[-1]
    if not _NAME.fullmatch(name) or "--" in name:
        raise SearcherError(f"bad index name {name!r} in {location!r}: use lower-case letters, digits, '_' and '-' "
                            "(not at the start, and no '--')")
    base_path = "/".join(segments[:-1])
    url = urlunsplit((parts.scheme.lower(), parts.netloc, f"/{base_path}" if base_path else "", "", ""))
    return ClusterLocation(url=url, name=name)
