"""Index locations that name a cluster: ``http(s)://[user:password@]host:port/name``.

A location is a folder (the Whoosh engine) unless it starts with ``http://`` or
``https://``; then the last path segment is the index name (an alias on the cluster) and
the rest is the cluster's URL. The user and password are taken out of the URL here, once:
the URL the engine keeps, and every message made from it, holds no secret, and the
credentials travel only in the Authorization header. (More ways to give credentials, or
several hosts, belong here too: :class:`ClusterLocation` is what the engine connects with.)
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import unquote, urlsplit, urlunsplit

from ...core.errors import SearcherError
from ...core.locations import HIDDEN, is_url, redacted

#: What OpenSearch allows in an index name, kept to a safe subset: lower case letters,
#: digits, "_" and "-", not starting with "_" or "-" (our physical indexes and the lock
#: add suffixes after "--", so a name may not hold "--" itself).
_NAME = re.compile(r"[a-z0-9][a-z0-9_-]{0,150}")
_FORM = "give http(s)://[user:password@]host:port/name"
_ENCODE = ("percent-encode it in the URL (@ is %40, : is %3A, / is %2F, ? is %3F, # is %23, % is %25; "
           "urllib.parse.quote(password, safe='') does it)")

#: ``is_cluster_url(location)``: True if the location names an index on a cluster.
is_cluster_url = is_url


@dataclass(frozen=True, slots=True)
class Credentials:
    """A user and password for HTTP basic authentication (never shown: see ``__repr__``)."""

    user: str
    password: str = field(repr=False)

    def __repr__(self) -> str:
        return "Credentials(***)"


@dataclass(frozen=True, slots=True)
class ClusterLocation:
    """Where an index lives on a cluster: the cluster's URL (no credentials in it), the index
    (alias) name, and the credentials to send, if any. ``str()`` shows it without them."""

    url: str
    name: str
    credentials: Credentials | None = None

    def __str__(self) -> str:
        shown = f"{self.url}/{self.name}"
        return shown.replace("://", f"://{HIDDEN}@", 1) if self.credentials else shown


def parse_location(location: str) -> ClusterLocation:
    """``http://user:pw@127.0.0.1:9200/news`` -> (``http://127.0.0.1:9200``, ``news``, the
    credentials); SearcherError (naming nothing secret) if it names no index, a name
    OpenSearch would refuse, or holds a raw ``@``, ``:``, ``/``, ``?`` or ``#`` in its user or password."""
    text = location.strip()
    shown = redacted(text)
    scheme, _, rest = text.partition("://")
    authority_end = len(rest)
    for stop in "/?#":
        at = rest.find(stop)
        if at >= 0:
            authority_end = min(authority_end, at)
    userinfo, has_userinfo, _host = rest.rpartition("@")
    if has_userinfo and (len(userinfo) >= authority_end or "@" in userinfo or userinfo.count(":") > 1):
        # The user or password holds a character the URL syntax uses: "@" ends the user
        # part, "/", "?" and "#" the host part, a second ":" cannot be told from a port.
        raise SearcherError(f"the user or password in {shown} holds a raw '@', ':', '/', '?' or '#': {_ENCODE}")
    parts = urlsplit(text)
    try:
        parts.port  # noqa: B018 - urlsplit checks the port only when it is read
    except ValueError:
        raise SearcherError(f"bad port in {shown}: {_FORM}") from None
    if scheme.lower() not in ("http", "https") or not parts.hostname:
        raise SearcherError(f"{shown!r} is not a cluster URL: {_FORM}")
    if parts.query or parts.fragment or text.endswith(("?", "#")):
        raise SearcherError(f"{shown} has a query string or fragment, which searcher does not use: {_FORM}")
    segments = [s for s in parts.path.split("/") if s]
    if len(segments) < 1:
        raise SearcherError(f"{shown!r} names no index: {_FORM} (e.g. {shown.rstrip('/')}/news)")
    name = segments[-1]
    if not _NAME.fullmatch(name) or "--" in name:
        raise SearcherError(f"bad index name {name!r} in {shown!r}: use lower-case letters, digits, '_' and '-' "
                            "(not at the start, and no '--')")
    credentials = None
    if has_userinfo:
        try:
            user, password = (unquote(part, errors="strict") for part in (parts.username or "", parts.password or ""))
        except UnicodeDecodeError:
            raise SearcherError(f"the user or password in {shown} is not UTF-8 once percent-decoded") from None
        if ":" in user:
            raise SearcherError(f"the user in {shown} holds a ':', which HTTP basic authentication cannot send")
        credentials = Credentials(user, password)
    netloc = parts.netloc.rpartition("@")[2]
    base_path = "/".join(segments[:-1])
    url = urlunsplit((parts.scheme.lower(), netloc, f"/{base_path}" if base_path else "", "", ""))
    return ClusterLocation(url=url, name=name, credentials=credentials)
