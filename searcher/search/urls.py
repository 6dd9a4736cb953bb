"""What ``url:`` matches: a host or domain, or the start of an address, as users type them.

The url field holds each address whole (one term), so ``url:slashgear.com`` matched
nothing unless typed as the stored address. Here it becomes the few address starts it
stands for: both schemes, with and without ``www.``, each followed by the end of the
host (``/``, ``:``, ``?``, ``#`` or nothing). Every part is a prefix of one term, which an
engine looks up in its sorted term list without walking the others.
"""

from __future__ import annotations

import re

from . import query_tree as qt

#: What may follow a host in an address.
HOST_ENDS = ("/", ":", "?", "#")
_SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*://")


def url_query(text: str, boost: float = 1.0) -> qt.Node:
    """The query for ``url:text``: ``slashgear.com`` finds ``https://www.slashgear.com/...``,
    ``www.nytimes.com/2019/`` the addresses under that path, a whole address itself and
    what starts with it."""
    scheme = _SCHEME.match(text)
    if scheme:
        schemes, rest = [scheme.group(0).lower()], text[scheme.end():]
    else:
        schemes, rest = ["http://", "https://"], text.lstrip("/")
    cut = min((i for i in (rest.find(ch) for ch in "/?#") if i >= 0), default=len(rest))
    host, path = rest[:cut].lower(), rest[cut:]
    if not host:
        return qt.Term("url", text, boost)
    hosts = [host] if host.startswith("www.") or scheme else [host, "www." + host]
    parts: list[qt.Node] = []
    for start in (s + h for s in schemes for h in hosts):
        if path:
            parts.append(qt.Prefix("url", start + path, boost))
        else:
            parts.append(qt.Term("url", start, boost))
            parts.extend(qt.Prefix("url", start + end, boost) for end in HOST_ENDS)
    return qt.Or(tuple(parts), boost)
