"""Where an index is, as messages name it."""

from __future__ import annotations

import os
from pathlib import PurePath


def shown_location(location: str | os.PathLike[str]) -> str:
    """``location`` as a message shows it: a relative folder with ``./`` in front, so that a
    bare name reads as a place ("no index at ./index", not "no index at index"); an absolute
    path, a path already starting with ``.`` and a URL are shown as given."""
    text = str(location)
    if "://" in text or not text or PurePath(text).is_absolute() or text.startswith((".", "~")):
        return text
    return f".{os.sep}{text}"
