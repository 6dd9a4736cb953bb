"""searcher: full-text search for archives of captured news pages."""

from __future__ import annotations

import logging

from .cleaner import clean_file, clean_html, clean_text
from .document import Document, RemovedLine
from .errors import (
    DocumentNotFoundError,
    IndexLockedError,
    IndexNotFoundError,
    IndexVersionError,
    NotAnIndexError,
    QueryError,
    SearcherError,
    SeedError,
)

__version__ = "0.1.0"

__all__ = [
    "Document",
    "DocumentNotFoundError",
    "IndexLockedError",
    "IndexNotFoundError",
    "IndexVersionError",
    "NotAnIndexError",
    "QueryError",
    "RemovedLine",
    "SearcherError",
    "SeedError",
    "__version__",
    "clean_file",
    "clean_html",
    "clean_text",
]

logging.getLogger(__name__).addHandler(logging.NullHandler())
