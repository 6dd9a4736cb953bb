"""The index folder on disk: a marker file, Whoosh generations, and the seed manifest.

Layout of an index folder::

    searcher-index.json   marker: format, schema version, writer version, current generation
    write.lock            the writers' lock (see locking.py)
    gen-000001/           a complete Whoosh index; the marker names the live one
    gen-000001/manifest.json   doc_id -> (content hash, seed path) as of a Whoosh generation

    gen-000001/readers.lock    held (shared flock) by every process reading this generation
    vectors.npz           with a model: the documents' vectors, naming the commit they match

A rebuild writes a new ``gen-*`` folder beside the live one and then replaces the marker
(an atomic rename), so readers see the old index or the new one and never half of either.
The old generation is removed as soon as no reader holds it: at once after the swap when
none does, else by the next write after its last reader closed. A reader that read the old
marker just before the swap finds its folder gone and reads the marker again.

A marker that is missing or damaged while generation folders remain is rewritten by the
next write to name the newest complete generation (one with a Whoosh commit, preferring
those with a manifest), so nothing indexed there is dropped or deleted.
"""

from __future__ import annotations

import errno
import fcntl
import json
import logging
import os
import re
import shutil
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ...core.errors import (
    IndexAccessError,
    IndexDamagedError,
    IndexNotFoundError,
    IndexVersionError,
    NotAnIndexError,
)
from ...core.files import atomic_write_text
from ...core.places import shown_location
from ...core.records import SeedState

logger = logging.getLogger(__name__)

MARKER_NAME = "searcher-index.json"
LOCK_NAME = "write.lock"
MANIFEST_NAME = "manifest.json"
READERS_NAME = "readers.lock"
INDEX_NAME = "MAIN"
#: The document vectors of an index made with a model (searcher.semantic.store), beside the marker.
VECTORS_NAME = "vectors.npz"
_FORMAT = "searcher-index"
_GENERATION = re.compile(r"gen-[0-9]{6,}")
REPAIR = "rebuild it from the seeds"


@dataclass(frozen=True, slots=True)
class Marker:
    """What the marker file says about an index folder."""

    schema_version: int
    searcher_version: str
    current: str
    updated: float
    previous: str | None = None


def access_error(exc: OSError, root: Path, doing: str) -> IndexAccessError:
    """An environment problem with the index folder, in one line: ``cannot write index/: permission denied``."""
    reason = (exc.strerror or str(exc)).lower()
    where = f" ({exc.filename})" if exc.filename and Path(exc.filename) != root else ""
    return IndexAccessError(f"cannot {doing} {root}/: {reason}{where}")


#: errno values that only a write can meet.
WRITE_ERRNOS = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EFBIG})


def is_about(exc: OSError, root: Path) -> bool:
    """True if ``exc`` concerns the index folder ``root`` (not, say, a seed being read)."""
    if exc.errno in WRITE_ERRNOS or not exc.filename:
        return True
    try:
        path = Path(os.fsdecode(exc.filename)).resolve()
        return path == root.resolve() or root.resolve() in path.parents
    except (OSError, TypeError, ValueError):
        return False


class IndexFolder:
    """One index folder: finds the live generation and manages the others."""

    def __init__(self, root: str | os.PathLike[str]) -> None:
        self.root = Path(root)
        self.marker_path = self.root / MARKER_NAME
        self.lock_path = self.root / LOCK_NAME

    def exists(self) -> bool:
        """True if the folder holds a searcher index."""
        return self.marker_path.is_file()

    def check_usable(self) -> None:
        """Refuse a folder that holds anything but a searcher index: we never overwrite it."""
        if self.root.exists() and not self.root.is_dir():
            raise NotAnIndexError(f"{self.root} is a file, not an index folder")
        if self.root.is_dir() and not self.exists():
            # A first build killed before it wrote the marker leaves only our own files.
            entries = [p for p in self.root.iterdir() if not _ours(p.name)]
            if entries:
                raise NotAnIndexError(
                    f"{self.root} is not empty and is not a searcher index; it is left untouched"
                )

    def read_marker(self) -> Marker:
        """The marker, or IndexNotFoundError / NotAnIndexError."""
        try:
            data: dict[str, Any] = json.loads(self.marker_path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise IndexNotFoundError(f"no index at {shown_location(self.root)}") from None
        except OSError as exc:  # the file is there: permission denied, an I/O error
            reason = (exc.strerror or str(exc)).lower()
            raise IndexAccessError(f"cannot read {self.marker_path}: {reason}") from None
        except ValueError as exc:
            raise IndexDamagedError(f"{self.marker_path} is damaged ({exc}); {REPAIR}") from None
        if not isinstance(data, dict) or data.get("format") != _FORMAT:
            raise NotAnIndexError(f"{self.root} is not a searcher index")
        try:
            return _marker_of(data)
        except (KeyError, TypeError, ValueError) as exc:
            raise IndexDamagedError(f"{self.marker_path} is damaged ({exc}); {REPAIR}") from None

    def check_version(self, marker: Marker, schema_version: int) -> None:
        """Raise IndexVersionError when the index's schema is not the one this code writes."""
        if marker.schema_version != schema_version:
            raise IndexVersionError.rebuild(shown_location(self.root), marker.schema_version,
                                            marker.searcher_version, schema_version)

    def write_marker(
        self, current: str, *, schema_version: int, searcher_version: str, previous: str | None = None
    ) -> None:
        """Point the index at generation folder ``current`` (atomic)."""
        data = {
            "format": _FORMAT,
            "schema_version": schema_version,
            "searcher_version": searcher_version,
            "current": current,
            "previous": previous,
            "updated": time.time(),
            "warning": "Whoosh indexes use pickle: open only index folders you trust.",
        }
        atomic_write_text(self.marker_path, json.dumps(data, indent=1) + "\n")

    def generations(self) -> list[str]:
        """The generation folders present, newest first (by number)."""
        found = [p.name for p in self.root.glob("gen-*") if _GENERATION.fullmatch(p.name) and p.is_dir()]
        return sorted(found, key=lambda name: int(name[4:]), reverse=True)

    def generation_path(self, name: str) -> Path:
        """The folder of generation ``name``."""
        return self.root / name

    def new_generation(self) -> Path:
        """Make an empty folder for the next generation."""
        self.root.mkdir(parents=True, exist_ok=True)
        numbers = [int(p.name[4:]) for p in self.root.glob("gen-*") if p.name[4:].isdigit()]
        path = self.root / f"gen-{max(numbers, default=0) + 1:06d}"
        path.mkdir()
        os.close(os.open(path / READERS_NAME, os.O_WRONLY | os.O_CREAT | os.O_CLOEXEC, 0o666))
        return path

    def hold_generation(self, name: str) -> int | None:
        """Take a reader's hold on generation ``name`` (a shared flock; give it back with
        :func:`release`), so no writer removes it while it is read. None for a generation
        made before holds existed. FileNotFoundError if the generation is gone."""
        gen = self.generation_path(name)
        try:
            fd = os.open(gen / READERS_NAME, os.O_RDONLY | os.O_CLOEXEC)
        except FileNotFoundError:
            if gen.is_dir():
                return None
            raise
        try:
            fcntl.flock(fd, fcntl.LOCK_SH)  # waits only while a writer is removing it
            if not gen.is_dir():
                raise FileNotFoundError(errno.ENOENT, "generation removed", str(gen))
        except BaseException:
            os.close(fd)
            raise
        return fd

    def live_size(self, generation: str) -> int:
        """Bytes of generation ``generation`` (the live one) and the marker: what a search reads."""
        gen = self.generation_path(generation)
        files = [self.marker_path, *(p for p in gen.rglob("*") if p.is_file())]
        total = 0
        for path in files:
            try:
                total += path.stat().st_size
            except OSError:
                pass
        return total

    def remove_stale_generations(self, keep: str, previous: str | None = None) -> None:
        """Delete generation folders left by finished or crashed rebuilds that no reader holds.

        Only call this while holding the write lock. A generation some reader holds is
        left for a later write; one made before holds existed is kept while it is the
        ``previous`` one (the last rebuild replaced it), as a reader may still use it.
        """
        for path in self.root.glob("gen-*"):
            if path.name != keep and path.is_dir():
                _remove_unless_read(path, keep_unknown=path.name == previous)


    def discard(self, *, remove_root: bool) -> None:
        """Remove what a failed first build made: the marker, generations, temp files, the lock
        (and the folder itself if it made it). Only call this holding the write lock."""
        for path in self.root.iterdir() if self.root.is_dir() else ():
            if _ours(path.name) or path.name == MARKER_NAME:
                if path.is_dir() and not path.is_symlink():
                    shutil.rmtree(path, ignore_errors=True)
                else:
                    try:
                        path.unlink()
                    except OSError:
                        pass
        if remove_root:
            try:
                self.root.rmdir()
            except OSError:
                pass


def _marker_of(data: dict[str, Any]) -> Marker:
    """The marker's fields, each of its type, or KeyError / TypeError / ValueError."""
    def typed(name: str, kind: type, default: Any) -> Any:
        value = data.get(name, default)
        if kind is float and isinstance(value, int) and not isinstance(value, bool):
            value = float(value)
        if not isinstance(value, kind) or isinstance(value, bool):
            raise TypeError(f"{name} is {value!r}, not {kind.__name__}")
        return value

    current = typed("current", str, None) if "current" in data else data["current"]
    previous = data.get("previous")
    for name, value in (("current", current), ("previous", previous)):
        if value is not None and not _GENERATION.fullmatch(value if isinstance(value, str) else ""):
            raise ValueError(f"{name} is {value!r}, not a generation folder")
    return Marker(
        schema_version=typed("schema_version", int, 0),
        searcher_version=typed("searcher_version", str, "?"),
        current=current,
        updated=typed("updated", float, 0.0),
        previous=previous,
    )


def release(hold: int | None) -> None:
    """Give back a hold taken by :meth:`IndexFolder.hold_generation`."""
    if hold is not None:
        os.close(hold)  # closing the descriptor drops its flock


def _remove_unless_read(gen: Path, *, keep_unknown: bool) -> None:
    try:
        fd = os.open(gen / READERS_NAME, os.O_RDONLY | os.O_CLOEXEC)
    except FileNotFoundError:  # made before holds existed (or a crashed rebuild's): readers unknown
        if not keep_unknown:
            shutil.rmtree(gen, ignore_errors=True)
        return
    except OSError:
        return
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:  # a reader holds it: the next write tries again
        os.close(fd)
        return
    try:
        shutil.rmtree(gen, ignore_errors=True)  # readers wait on the lock meanwhile, then find it gone
    finally:
        os.close(fd)


def _ours(name: str) -> bool:
    """Names searcher itself creates in an index folder."""
    return name in (LOCK_NAME, VECTORS_NAME) or name.startswith(("gen-", f".{MARKER_NAME}.", f".{VECTORS_NAME}."))


def read_manifest(generation: Path) -> tuple[int, dict[str, SeedState]]:
    """The manifest's Whoosh generation and its doc_id -> SeedState map; (-1, {}) if none."""
    try:
        data = json.loads((generation / MANIFEST_NAME).read_text(encoding="utf-8"))
        docs = {k: SeedState(*v) for k, v in data["docs"].items() if v[1]}
        return int(data["whoosh_generation"]), docs
    except (OSError, ValueError, KeyError, TypeError, IndexError):
        return -1, {}


def write_manifest(generation: Path, whoosh_generation: int, docs: dict[str, SeedState]) -> None:
    """Record which seed content each document came from, as of ``whoosh_generation``.

    Only documents from seed files are recorded: an update compares nothing else, and
    leaving out documents added from other code (``searcher import``) keeps the file, read
    and rewritten on every write, small (86,000 imported articles made it 2.9 MB,
    ~0.2 s to read and write for a 10-article add).
    """
    data = {"whoosh_generation": whoosh_generation, "docs": {k: v for k, v in docs.items() if v.path}}
    atomic_write_text(generation / MANIFEST_NAME, json.dumps(data, separators=(",", ":")))
