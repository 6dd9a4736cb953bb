"""Scanning a seeds folder against what the index holds: which seeds are new or changed.

Content hashes decide; a seed's stat (size, mtime, ctime, inode: what git compares) only lets
a scan skip re-reading a file that has not been touched since it was hashed.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field

from ..core.errors import SeedError
from ..core.records import SeedFile, SeedState, SkippedSeed, UpdateReport
from ..sources.seeds import DEFAULT_MAX_BYTES, content_hash, iter_seed_files, read_seed_bytes


@dataclass(slots=True)
class ScanResult:
    """What a scan of the seeds folder found, against what the index holds."""

    #: seeds whose content is new or changed: to be cleaned
    pending: list[SeedFile]
    #: doc_id -> content hash of every seed seen
    seen: dict[str, str]
    #: doc ids whose file is present but unreadable: their indexed version is kept
    unreadable: set[str]
    #: unchanged seeds whose stat changed (touched), with their new stat: worth remembering
    restated: dict[str, SeedState] = field(default_factory=dict)


def scan_seeds(
    seeds_dir: str | os.PathLike[str],
    known: dict[str, SeedState],
    report: UpdateReport,
    *,
    max_bytes: int | None = DEFAULT_MAX_BYTES,
    follow_symlinks: bool = False,
) -> ScanResult:
    """Compare the seeds on disk with ``known`` (what the engine says is indexed from seeds).

    Seeds touched but not changed come back in ``restated`` with their new stat, so the
    next scan need not read them again. Seeds that cannot be used go to ``report.failed``.
    """
    pending: list[SeedFile] = []
    restated: dict[str, SeedState] = {}
    seen: dict[str, str] = {}
    unreadable: set[str] = set()
    skipped: list[SkippedSeed] = []
    for seed in iter_seed_files(seeds_dir, follow_symlinks=follow_symlinks, skipped=skipped):
        if seed.doc_id in seen or seed.doc_id in unreadable:
            skipped.append(SkippedSeed(str(seed.path), f"another seed already has the id {seed.doc_id!r}"))
            continue
        state = known.get(seed.doc_id)
        if state and _stat_of(state) == _stat_of(seed) and state.path == seed.path:
            seen[seed.doc_id] = state.hash  # same stat as when it was hashed: no need to read it
            report.unchanged += 1
            continue
        try:
            data = read_seed_bytes(seed.path, max_bytes=max_bytes)
        except SeedError as exc:
            skipped.append(SkippedSeed(str(seed.path), reason_of(exc, seed.path)))
            unreadable.add(seed.doc_id)
            continue
        digest = content_hash(data)
        seen[seed.doc_id] = digest
        if state and state.hash == digest:
            restated[seed.doc_id] = state._replace(path=seed.path, size=seed.size, mtime_ns=seed.mtime_ns,
                                                   ctime_ns=seed.ctime_ns, inode=seed.inode)
            report.unchanged += 1
        else:
            pending.append(seed)
    report.failed.extend(skipped)
    return ScanResult(pending, seen, unreadable, restated)


def _stat_of(seed: SeedFile | SeedState) -> tuple[int, int, int, int]:
    return seed.size, seed.mtime_ns, seed.ctime_ns, seed.inode


def reason_of(exc: BaseException, path: object) -> str:
    """The message of a SeedError without the file name it starts with."""
    message = str(exc)
    prefix = f"{path}: "
    return message[len(prefix):] if message.startswith(prefix) else message
