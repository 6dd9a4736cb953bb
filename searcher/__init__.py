"""searcher: full-text search for archives of captured news pages.

The public API::

    doc = searcher.clean_file(path)           # a seed file -> Document
    ix = searcher.SearchIndex("index")        # an index folder
    ix.update("seeds"); results = ix.search("peace talks")
    results = ix.search("peace talks", searcher.SearchOptions(sort="date"), limit=20)
    searcher.redacted(location)               # a location as it may be shown (no password)

``SearchIndex`` (and Whoosh with it) and the cleaner are imported on first use, so code
that only cleans pages does not pay for the search engine, and searching does not pay
for the cleaner.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from .core.version import __version__
from .core.locations import redacted
from .core.records import Document, Hit, IndexStats, RemovedLine, Results, ScorePart, UpdateReport
from .core.errors import (
    AmbiguousIdError,
    ClusterError,
    ClusterUnavailableError,
    DocumentError,
    DocumentNotFoundError,
    IndexAccessError,
    IndexDamagedError,
    IndexLockedError,
    IndexNotFoundError,
    IndexVersionError,
    InsecureClusterWarning,
    ModelError,
    NotAnIndexError,
    QueryError,
    SearcherError,
    SearcherWarning,
    SeedError,
    SourceFileError,
    VectorsUnavailableError,
)

__all__ = [
    "AmbiguousIdError",
    "ClusterError",
    "ClusterSettings",
    "ClusterUnavailableError",
    "DEFAULT_SETTINGS",
    "Document",
    "DocumentError",
    "DocumentNotFoundError",
    "Hit",
    "IndexAccessError",
    "IndexDamagedError",
    "IndexLockedError",
    "IndexNotFoundError",
    "IndexStats",
    "IndexVersionError",
    "InsecureClusterWarning",
    "KNOWN_MODELS",
    "EmbeddingModel",
    "ModelError",
    "NotAnIndexError",
    "QueryError",
    "RankingSettings",
    "RemovedLine",
    "Results",
    "ScorePart",
    "SearchIndex",
    "SearchOptions",
    "SearcherError",
    "SearcherWarning",
    "SeedError",
    "SourceFileError",
    "VectorsUnavailableError",
    "UpdateReport",
    "__version__",
    "clean_file",
    "clean_html",
    "clean_text",
    "fetch_model",
    "model_cache",
    "model_folder",
    "read_jsonl",
    "redacted",
]

if TYPE_CHECKING:
    # What type checkers see of the names below that are imported on first use: every one
    # of _LAZY (tests/library/test_typing.py checks), so `mypy --strict` sees real types, not Any.
    from .cleaning.cleaner import clean_file, clean_html, clean_text
    from .engines.opensearch.connection import ClusterSettings
    from .index import SearchIndex
    from .search.options import SearchOptions
    from .search.settings import DEFAULT_SETTINGS, RankingSettings
    from .semantic.encoder import EmbeddingModel
    from .semantic.fetch import KNOWN_MODELS, fetch_model, model_cache, model_folder
    from .sources.jsonl import read_jsonl

# Imported on first use: `searcher search` never needs the cleaner (nor its HTML parser).
_LAZY = {
    "clean_file": ".cleaning.cleaner",
    "clean_html": ".cleaning.cleaner",
    "clean_text": ".cleaning.cleaner",
    "SearchIndex": ".index",
    "SearchOptions": ".search.options",
    "RankingSettings": ".search.settings",
    "DEFAULT_SETTINGS": ".search.settings",
    "ClusterSettings": ".engines.opensearch.connection",
    "read_jsonl": ".sources.jsonl",
    # Semantic search (the semantic extra): numpy, onnxruntime and tokenizers load only when a model does.
    "EmbeddingModel": ".semantic.encoder",
    "KNOWN_MODELS": ".semantic.fetch",
    "fetch_model": ".semantic.fetch",
    "model_cache": ".semantic.fetch",
    "model_folder": ".semantic.fetch",
}


if not TYPE_CHECKING:  # a module __getattr__ would make every misspelt name Any to a type checker

    def __getattr__(name: str) -> Any:
        if name in _LAZY:
            import importlib

            value = getattr(importlib.import_module(_LAZY[name], __name__), name)
            globals()[name] = value
            return value
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


logging.getLogger(__name__).addHandler(logging.NullHandler())
