"""Which embedding model the user chose, read without importing the semantic extra.

Every index write asks (an index with a model keeps its vectors up to date); a write
without one must not pay for importing ``searcher.semantic`` to find that out.
"""

from __future__ import annotations

import os

#: The environment variable naming the model folder when none is given.
MODEL_ENV = "SEARCHER_MODEL"


def given_model(model: str | os.PathLike[str] | None) -> str | None:
    """The model a caller gave (a folder or a known model's name), else ``SEARCHER_MODEL``, else None."""
    if model:
        return str(model)
    return os.environ.get(MODEL_ENV, "").strip() or None
