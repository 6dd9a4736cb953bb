"""Index locations that name a cluster: ``http(s)://host:port[,host:port...]/name``.

A location is a folder (the Whoosh engine) unless it starts with ``http://`` or
``https://``; then the last path segment is the index name (an alias on the cluster) and
the rest says how to reach the cluster: one or more hosts (each tried in turn, as the
official clients do), an optional path prefix (a proxy's), and optionally ``user:password@``
(percent-encoded), which is taken out of the location at once so that no message shows it
(messages show the location through ``core.locations.redacted``). A raw ``@``, ``:``, ``/``,
``?`` or ``#`` in the user or password, or a query string, is refused in one line that shows
neither.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import unquote, urlsplit

from ...core.errors import SearcherError
from ...core.locations import is_url, redacted

#: What OpenSearch allows in an index name, kept to a safe subset: lower case letters,
#: digits, "_" and "-", not starting with "_" or "-" (our physical indexes and the lock
#: add suffixes after "--", so a name may not hold "--" itself).
_NAME = re.compile(r"[a-z0-9][a-z0-9_-]{0,150}")
#: One host of a location: a name or IPv4 address, or an IPv6 address in brackets; a port.
_HOST = re.compile(r"(?P<host>\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9._-]+)(?::(?P<port>[0-9]{1,5}))?")
_ENCODE = ("percent-encode it in the URL (@ is %40, : is %3A, / is %2F, ? is %3F, # is %23, % is %25; "
           "urllib.parse.quote(password, safe='') does it)")

#: ``is_cluster_url(location)``: True if the location names an index on a cluster rather than a folder.
is_cluster_url = is_url


@dataclass(frozen=True, slots=True)
class ClusterHost:
    """One address of the cluster (a node, or a proxy in front of the nodes)."""

    host: str
    port: int

    def __str__(self) -> str:
        return f"{self.host}:{self.port}"


@dataclass(frozen=True, slots=True)
class ClusterLocation:
    """Where an index lives on a cluster: how to reach the cluster, and the index (alias) name.

    ``url`` is the cluster as messages show it: the scheme, the hosts and the path prefix,
    never the user or password (kept apart in ``user``/``password``)."""

    scheme: str
    hosts: tuple[ClusterHost, ...]
    prefix: str
    name: str
    user: str | None = field(default=None, repr=False)
    password: str | None = field(default=None, repr=False)

    @property
    def url(self) -> str:
        return f"{self.scheme}://{','.join(str(h) for h in self.hosts)}{self.prefix}"

    def __str__(self) -> str:
        return f"{self.url}/{self.name}"


def parse_location(location: str) -> ClusterLocation:
    """``https://h1:9200,h2:9200/news`` -> (https, [h1:9200, h2:9200], ``news``); SearcherError if
    it names no index, a host that is not one, or a name OpenSearch would refuse. A host without
    a port gets the scheme's (443 or 80), as in any URL."""
    text = location.strip()
    shown = redacted(text)
    _check_userinfo(text, shown)
    parts = urlsplit(text)
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https") or not parts.netloc:
        raise SearcherError(f"{shown!r} is not a cluster URL: give http://host:port/name")
    if parts.query or parts.fragment or text.endswith(("?", "#")):
        raise SearcherError(f"{shown} has a query string or fragment, which searcher does not use: "
                            "give http(s)://[user:password@]host:port/name")
    userinfo, _, hostlist = parts.netloc.rpartition("@")
    hosts = []
    for item in hostlist.split(","):
        found = _HOST.fullmatch(item.strip())
        port = int(found["port"]) if found and found["port"] else (443 if scheme == "https" else 80)
        if not found or not 0 < port < 65536:
            raise SearcherError(f"{item.strip()!r} in {shown!r} is not a host: give host:port, several joined "
                                "by commas (https://h1:9200,h2:9200/news)")
        hosts.append(ClusterHost(found["host"].lower(), port))
    segments = [s for s in parts.path.split("/") if s]
    if len(segments) < 1:
        raise SearcherError(f"{shown!r} names no index: give http://host:port/name (e.g. {shown.rstrip('/')}/news)")
    name = segments[-1]
    if not _NAME.fullmatch(name) or "--" in name:
        raise SearcherError(f"bad index name {name!r} in {shown!r}: use lower-case letters, digits, '_' and '-' "
                            "(not at the start, and no '--')")
    base_path = "/".join(segments[:-1])
    user, password = None, None
    if userinfo:
        raw_user, has_password, raw_password = userinfo.partition(":")
        try:
            user = unquote(raw_user, errors="strict")
            password = unquote(raw_password, errors="strict") if has_password else None
        except UnicodeDecodeError:
            raise SearcherError(f"the user or password in {shown} is not UTF-8 once percent-decoded") from None
        if ":" in user:
            raise SearcherError(f"the user in {shown} holds a ':', which HTTP basic authentication cannot send")
    return ClusterLocation(scheme=scheme, hosts=tuple(dict.fromkeys(hosts)), prefix=f"/{base_path}" if base_path else "",
                           name=name, user=user or None, password=password)


def _check_userinfo(text: str, shown: str) -> None:
    """SearcherError if the user or password holds a character the URL syntax uses: "@" ends
    the user part, "/", "?" and "#" the host part, and a second ":" cannot be told from a port
    (urlsplit would read another host, or fail on the port, with the password in its message)."""
    rest = text.partition("://")[2]
    authority_end = min((at for at in (rest.find(stop) for stop in "/?#") if at >= 0), default=len(rest))
    userinfo, has_userinfo, _hosts = rest.rpartition("@")
    if has_userinfo and (len(userinfo) > authority_end or "@" in userinfo or userinfo.count(":") > 1):
        raise SearcherError(f"the user or password in {shown} holds a raw '@', ':', '/', '?' or '#': {_ENCODE}")
