"""What to type next: the command line's advice after a library error.

The library's messages say what is wrong in its own words (a library user never types
`searcher index`); the command line adds the command that mends it.
"""

from __future__ import annotations

from .. import (
    DocumentNotFoundError,
    IndexDamagedError,
    IndexNotFoundError,
    IndexVersionError,
    NotAnIndexError,
    VectorsUnavailableError,
)

#: (error class, what the command line adds), the first that matches.
ADVICE: tuple[tuple[type[Exception], str], ...] = (
    (IndexNotFoundError, "; run `searcher index` first (or `searcher import FILE`)"),
    (IndexDamagedError, " with `searcher index --rebuild`"),
    (IndexVersionError, " with `searcher index --rebuild`"),
    (NotAnIndexError, "; give another --index-dir (or --index)"),
    (DocumentNotFoundError, "; `searcher list` shows every id"),
)


#: What the command line adds for an index folder that must not be rebuilt in place
#: (``IndexDamagedError.foreign``).
FOREIGN_ADVICE = " (`searcher --index-dir NEW_FOLDER index`)"


#: What the command line adds when semantic ranking cannot run, by ``VectorsUnavailableError.remedy``.
VECTORS_ADVICE = {
    "make": "; index with a model to make them (`searcher index --model DIR`), or search with --mode keyword",
    "update": "; run `searcher index` to bring them up to date, or search with --mode keyword",
}


def with_advice(exc: Exception) -> str:
    """The error's message and, if the command line has one, its advice."""
    message = str(exc)
    if isinstance(exc, IndexDamagedError) and exc.foreign:
        return message + FOREIGN_ADVICE
    if isinstance(exc, VectorsUnavailableError):
        return message + VECTORS_ADVICE.get(exc.remedy, "")
    return message + next((advice for kind, advice in ADVICE if isinstance(exc, kind)), "")
