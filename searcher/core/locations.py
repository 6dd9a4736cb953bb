"""Index locations as they may be shown: never a secret.

A location is a folder, or an index on a cluster given as a URL, which may carry a user
and password (``https://user:password@host:9200/news``) or, in the future, a key in its
query string. :func:`redacted` is the one place those are taken out; every message, log
line, ``stats`` record and the ``serve`` banner shows a location through it.
"""

from __future__ import annotations

import os
import re

#: What replaces a secret.
HIDDEN = "***"

# An http(s) URL in a text: its credentials run to the last "@" before the next space (a
# password holding a raw "/" or "@" included), its query string and fragment to the next
# space or quote.
_CREDENTIALS = re.compile(r"(?i)\b(https?://)[^\s'\"<>]*@")
_QUERY = re.compile(r"(?i)\b(https?://[^\s'\"<>?#]*)[?#][^\s'\"<>]*")


def is_url(location: object) -> bool:
    """True if ``location`` names an index on a cluster (an http or https URL), not a folder."""
    return isinstance(location, str) and location.strip().lower().startswith(("http://", "https://"))


def redacted(text: str | os.PathLike[str]) -> str:
    """``text`` (a location, or a message that may hold one) with the user, password and query
    string of every http(s) URL in it replaced by ``***``: ``http://***@host:9200/news``.

    A folder is returned as it is: a file-system path is no secret on the command line
    (the web face sends none at all).
    """
    shown = os.fspath(text)
    if "://" not in shown:
        return shown
    shown = _CREDENTIALS.sub(lambda m: f"{m.group(1)}{HIDDEN}@", shown)
    return _QUERY.sub(lambda m: f"{m.group(1)}?{HIDDEN}", shown)
