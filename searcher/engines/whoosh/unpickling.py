"""Whoosh's pickles read so that an index cannot run code.

Whoosh keeps parts of an index as pickles (the TOC's schema and segment list, a compound
segment's directory, stored fields, posting blocks), and a pickle can name any function of
any module to be called while it loads: an index folder from elsewhere could run whatever
it likes on `searcher search`. Every pickle Whoosh reads from an index is read here
instead (:func:`install` points Whoosh's readers at :func:`loads` and :func:`load`), by an
unpickler that admits only the classes and functions an index made by searcher holds
(:data:`ALLOWED`, by module and name); anything else raises :class:`ForbiddenPickle`, which
the engine reports as an index it must not open.

An index of ours that names something not listed (a new field type, a Whoosh release that
moved a class) fails to open as not ours: add the name to ALLOWED, as
tests/engines/test_unpickling.py lists what a rich index names. Whoosh is changed for the
whole process: a program that also opens Whoosh indexes of its own schema beside searcher
must add what they name too.
"""

from __future__ import annotations

import os
import pickle
import types
import warnings
from typing import Any

#: What the pickles of an index made by searcher name (with whoosh3 and with Whoosh 2.7.4):
#: Whoosh's schema, field, format, analysis, column and segment classes, ours, and the
#: few standard ones their state holds.
ALLOWED: frozenset[tuple[str, str]] = frozenset({
    # Standard types in the schema's and the stored fields' state ("__builtin__": a protocol 2
    # pickle's name for builtins; _codecs.encode: how protocol 2 writes bytes).
    ("builtins", "int"), ("builtins", "set"), ("builtins", "frozenset"),
    ("__builtin__", "long"), ("__builtin__", "set"), ("__builtin__", "frozenset"),
    ("_codecs", "encode"), ("collections", "defaultdict"), ("datetime", "datetime"), ("re", "_compile"),
    # The schema: fields, their formats and columns, the analyzers (Whoosh's parts and ours).
    ("whoosh.fields", "Schema"), ("whoosh.fields", "TEXT"), ("whoosh.fields", "ID"),
    ("whoosh.fields", "STORED"), ("whoosh.fields", "DATETIME"),
    ("whoosh.formats", "Positions"), ("whoosh.formats", "Existence"), ("whoosh.columns", "NumericColumn"),
    ("whoosh.analysis.analyzers", "CompositeAnalyzer"), ("whoosh.analysis.tokenizers", "RegexTokenizer"),
    ("whoosh.analysis.tokenizers", "IDTokenizer"), ("whoosh.analysis.filters", "LowercaseFilter"),
    ("whoosh.analysis.filters", "CharsetFilter"), ("searcher.engines.whoosh.schema", "TermFilter"),
    # The TOC's segment list.
    ("whoosh.codec.whoosh3", "W3Segment"), ("whoosh.codec.whoosh3", "W3Codec"),
})


class ForbiddenPickle(pickle.UnpicklingError):
    """A pickle in the index names something no index made by searcher holds (it may have been
    made to run code); ``filename``: the file it was read from, when known."""

    def __init__(self, module: str, name: str) -> None:
        super().__init__(f"a pickle naming {module}.{name}")
        self.module = module
        self.name = name
        self.filename: str | None = None


class _Restricted(pickle.Unpickler):
    def find_class(self, module: str, name: str) -> Any:
        if (module, name) in ALLOWED:
            return super().find_class(module, name)
        raise ForbiddenPickle(module, name)


class _Bytes:
    """Bytes as the file an Unpickler reads. ``peek`` lets it take the whole pickle at once
    (from a BytesIO, which has none, it reads opcode by opcode: 5x slower than pickle.loads)."""

    __slots__ = ("data", "pos")

    def __init__(self, data: Any) -> None:
        self.data = bytes(data)
        self.pos = 0

    def peek(self, _size: int = 0) -> bytes:
        return self.data[self.pos:] if self.pos else self.data

    def read(self, size: int = -1) -> bytes:
        start = self.pos
        self.pos = len(self.data) if size < 0 else min(len(self.data), start + size)
        return self.data[start:self.pos]

    def readinto(self, buffer: Any) -> int:
        chunk = self.read(len(buffer))
        buffer[:len(chunk)] = chunk
        return len(chunk)

    def readline(self) -> bytes:
        end = self.data.find(b"\n", self.pos) + 1 or len(self.data)
        return self.read(end - self.pos)


def loads(data: Any) -> Any:
    """``pickle.loads`` admitting only :data:`ALLOWED` (else :class:`ForbiddenPickle`)."""
    return _Restricted(_Bytes(data)).load()


def load(file: Any) -> Any:
    """``pickle.load`` admitting only :data:`ALLOWED`; a refusal names the file."""
    try:
        return _Restricted(file).load()
    except ForbiddenPickle as exc:
        exc.filename = getattr(file, "name", None) if isinstance(getattr(file, "name", None), str) else None
        raise


def file_of(exc: ForbiddenPickle) -> str | None:
    """The name of the index file the refused pickle was read from: the one :func:`load` was
    given, else the innermost Whoosh file being read where it was refused (found in the
    traceback's frames: a pickle read from bytes does not know its file)."""
    if exc.filename:
        return os.path.basename(exc.filename)
    from whoosh.filedb.structfile import StructFile

    found = None
    tb = exc.__traceback__
    while tb is not None:
        local = [v for v in tb.tb_frame.f_locals.values()]
        nearby = local + [v for value in local for v in vars_of(value)]
        nearby += [v for value in nearby[len(local):] for v in vars_of(value)]
        name = next((f._name for f in nearby if isinstance(f, StructFile) and isinstance(f._name, str)), None)
        found = name or found
        tb = tb.tb_next
    return found


def vars_of(value: Any) -> list[Any]:
    """The attributes of ``value`` (none for objects without a ``__dict__``)."""
    try:
        return list(vars(value).values())
    except TypeError:
        return []


#: ``pickle`` as Whoosh's index module sees it: the same, but reading through :func:`loads`.
_PICKLE = types.SimpleNamespace(**{**vars(pickle), "loads": loads, "load": load})


def install(*, restricted: bool = True) -> None:
    """Point every Whoosh module that reads a pickle from an index at :func:`loads` and
    :func:`load` (whoosh3 and Whoosh 2.7.4 alike; safe to call again). ``restricted=False``
    points them back at pickle's own, for benchmarks/hostile.py to measure the cost."""
    with warnings.catch_warnings():
        # Whoosh 2.7.4 compares literals with "is": Python warns as it compiles those modules
        # (each time, where their __pycache__ cannot be written), on every command now.
        warnings.simplefilter("ignore", SyntaxWarning)
        import whoosh.codec.whoosh3
        import whoosh.columns
        import whoosh.filedb.structfile
        import whoosh.formats
        import whoosh.index

    reads, read = (loads, load) if restricted else (pickle.loads, pickle.load)
    for module in (whoosh.codec.whoosh3, whoosh.columns, whoosh.formats):
        module.loads = reads  # type: ignore[attr-defined]
    structfile: Any = whoosh.filedb.structfile
    for name in ("load", "load_pickle"):  # whoosh3's name, Whoosh 2.7.4's
        if hasattr(structfile, name):
            setattr(structfile, name, read)
    index: Any = whoosh.index
    index.pickle = _PICKLE if restricted else pickle  # the TOC's schema
    # TOCs of Whoosh before 2.3 are read by a loader with an unpickler of its own: not ours.
    index.toc_loaders.clear()
