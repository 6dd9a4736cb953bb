"""Files written whole or not at all: what readers of an index folder may rely on.

Every file an index keeps beside its segments (the marker, manifests, per-segment caches,
the document vectors) is written to a temporary name in the same folder and renamed over
the old one, so a reader, or a write that crashed, sees the old content or the new and
never a torn one.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO


def atomic_write(path: Path | str, fill: Callable[[BinaryIO], object], *, durable: bool = True) -> None:
    """Write the file ``fill`` writes into the handle it is given, atomically (see above).

    Its mode is what the umask gives any new file (mkstemp's is 0600, which would keep the
    index from everyone the segment files are readable by). ``durable`` puts it on the disk
    before it takes its name; a file made from a segment's own data (spelling, stats), which
    readers can do without and the next commit writes again, need not wait for that.
    """
    path = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        os.fchmod(fd, 0o666 & ~current_umask())
        with os.fdopen(fd, "wb") as handle:
            fill(handle)
            if durable:
                handle.flush()
                os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def atomic_write_bytes(path: Path | str, data: bytes, *, durable: bool = True) -> None:
    """:func:`atomic_write` of ``data``."""
    atomic_write(path, lambda handle: handle.write(data), durable=durable)


def atomic_write_text(path: Path, text: str) -> None:
    """:func:`atomic_write` of ``text`` in UTF-8, on the disk before it takes its name."""
    atomic_write_bytes(path, text.encode("utf-8"))


def current_umask() -> int:
    """The process's umask (read without changing it where the system allows)."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError, IndexError):
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return mask
