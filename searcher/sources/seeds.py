"""Find seed files in a folder and read them as text, whatever their encoding.

Decoding order, most certain first: a byte-order mark, strict UTF-8, the charset an HTML
page declares, then charset-normalizer's best guess. Files that are clearly not text
(images, PDFs, archives) are refused with a reason instead of being indexed as noise.
"""

from __future__ import annotations

import os
import re
import stat
import unicodedata
from collections.abc import Iterator
from pathlib import Path

from ..core.errors import SeedError
from ..core.records import SeedFile, SkippedSeed

#: File suffixes we know how to clean, and which cleaner they go to. Any other file in a seeds
#: folder (``readme.md``, ``data.json``, ``notes``) is skipped and named, never indexed.
SEED_KINDS = {".txt": "text", ".text": "text", ".html": "html", ".htm": "html", ".xhtml": "html"}
_SUFFIXES = ", ".join(SEED_KINDS)

#: Seeds bigger than this are skipped with a reason: a 50 MB "article" is a dump, not a page,
#: and cleaning it would stall the whole update. Override with ``max_bytes``.
DEFAULT_MAX_BYTES = 10 * 1024 * 1024

# Leading bytes of common binary formats that users drop into folders by mistake.
_MAGIC = (
    (b"\x89PNG", "PNG image"),
    (b"\xff\xd8\xff", "JPEG image"),
    (b"GIF8", "GIF image"),
    (b"%PDF", "PDF document"),
    (b"PK\x03\x04", "zip archive"),
    (b"\x1f\x8b", "gzip archive"),
    (b"BZh", "bzip2 archive"),
    (b"\x7fELF", "executable"),
    (b"RIFF", "RIFF media file"),
    (b"\x00\x00\x00", "binary file"),
)
_BOMS = (
    (b"\xef\xbb\xbf", "utf-8-sig"),
    (b"\xff\xfe\x00\x00", "utf-32-le"),
    (b"\x00\x00\xfe\xff", "utf-32-be"),
    (b"\xff\xfe", "utf-16-le"),
    (b"\xfe\xff", "utf-16-be"),
)
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([a-zA-Z0-9_.:-]+)""", re.I)
# Editor droppings and system files that are never seeds.
_IGNORED_NAME = re.compile(r"(^\.|~$|^#.*#$|\.(swp|swo|swx|tmp|part|crdownload|bak|orig)$|^Thumbs\.db$)", re.I)


def seed_kind(path: str | os.PathLike[str]) -> str:
    """``html`` for web pages, ``text`` for everything else (text captures)."""
    return SEED_KINDS.get(os.path.splitext(path)[1].lower(), "text")


def not_a_seed(name: str) -> str | None:
    """Why a file of this name is not a seed (its suffix is not one of SEED_KINDS), or None."""
    suffix = os.path.splitext(name)[1].lower()
    if suffix in SEED_KINDS:
        return None
    what = f"a {suffix} file" if suffix else "a file without a suffix"
    return f"{what}, not indexed (seeds are {_SUFFIXES} files)"


def seed_doc_id(parts: tuple[str, ...] | list[str]) -> str:
    """The document id of a seed: its path below the seeds folder, suffix included.

    ``X.txt`` and ``X.html`` (one page captured two ways) are two documents, so the suffix
    stays; folders are joined with ``/`` on every system, and the name is NFC-normalised so
    the id is the one a keyboard types (macOS hands out decomposed names). Stable for as
    long as the file keeps its name; a renamed file is a rename (matched by content hash).
    """
    return unicodedata.normalize("NFC", "/".join(parts))


def iter_seed_files(
    seeds_dir: str | os.PathLike[str],
    *,
    follow_symlinks: bool = False,
    skipped: list[SkippedSeed] | None = None,
) -> Iterator[SeedFile]:
    """Walk ``seeds_dir`` (sub-folders too) in a stable order and yield every seed file.

    Hidden files and editor temp files are ignored silently; other files that are not
    seeds by their suffix (see :data:`SEED_KINDS`) are reported in ``skipped``. Symlinks are not followed
    unless asked, and even then never outside the seeds folder or round a loop; each such
    file is reported in ``skipped``. Uses ``os.scandir`` so one walk of 20,000 seeds costs
    one stat each.
    """
    root = Path(seeds_dir)
    if not root.is_dir():
        raise SeedError(f"seeds folder not found: {root} (create it and put .txt or .html pages in it)")
    real_root = root.resolve()
    seen_dirs = {str(real_root)}
    stack: list[tuple[str, tuple[str, ...]]] = [(str(root), ())]
    while stack:
        folder, rel = stack.pop()
        try:
            with os.scandir(folder) as scan:
                entries = sorted(scan, key=lambda e: e.name)
        except OSError as exc:
            _note(skipped, folder, f"cannot list folder ({exc.strerror or exc})")
            continue
        subfolders = []
        for entry in entries:
            name = entry.name
            if name.startswith(".") or _IGNORED_NAME.search(name):
                continue
            try:
                kind, refused = _entry_kind(entry, follow_symlinks, real_root, seen_dirs)
                if refused:
                    _note(skipped, entry.path, refused)
                if kind == "folder":
                    subfolders.append((entry.path, (*rel, name)))
                if kind != "file":
                    continue
                refused = not_a_seed(name)
                if refused:
                    _note(skipped, entry.path, refused)
                    continue
                stat = entry.stat(follow_symlinks=follow_symlinks)
            except OSError as exc:
                _note(skipped, entry.path, f"cannot stat ({exc.strerror or exc})")
                continue
            yield SeedFile(path=entry.path, doc_id=seed_doc_id((*rel, name)), kind=seed_kind(name),
                           size=stat.st_size, mtime_ns=stat.st_mtime_ns, ctime_ns=stat.st_ctime_ns,
                           inode=stat.st_ino)
        stack.extend(reversed(subfolders))


def _entry_kind(entry: os.DirEntry[str], follow_symlinks: bool, real_root: Path,
                seen_dirs: set[str]) -> tuple[str | None, str | None]:
    """(``"folder"``, ``"file"`` or None to pass it by; why it is refused, to report, or None).

    A followed symlink to a folder is remembered in ``seen_dirs``, so a loop is walked once.
    """
    is_link = entry.is_symlink()
    if entry.is_dir(follow_symlinks=follow_symlinks):
        if is_link:
            real = os.path.realpath(entry.path)
            if not _inside(real, real_root):
                return None, "symlink to a folder outside the seeds folder, not followed"
            if real in seen_dirs:
                return None, "symlink loop, not followed"
            seen_dirs.add(real)
        return "folder", None
    if is_link:
        if not follow_symlinks:
            if not entry.is_dir(follow_symlinks=True):
                return None, "symlink, not followed (use --follow-symlinks)"
            return None, None
        if not os.path.exists(entry.path):
            return None, "broken symlink or symlink loop"
        if not _inside(os.path.realpath(entry.path), real_root):
            return None, "symlink to a file outside the seeds folder, not followed"
    if not entry.is_file(follow_symlinks=follow_symlinks):
        return None, not_regular(entry.stat(follow_symlinks=follow_symlinks).st_mode)
    return "file", None


def not_regular(mode: int) -> str | None:
    """Why a file of this ``st_mode`` cannot be a seed (reading a FIFO or a device may wait for
    ever, or never end), or None for a regular file."""
    if stat.S_ISREG(mode):
        return None
    kinds = ((stat.S_ISDIR, "a folder"), (stat.S_ISFIFO, "a named pipe (FIFO)"), (stat.S_ISSOCK, "a socket"),
             (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"))
    what = next((name for test, name in kinds if test(mode)), "a special file")
    return f"{what}, not a regular file"


def _inside(path: str, real_root: Path) -> bool:
    real = Path(os.path.realpath(path))
    return real == real_root or real_root in real.parents


def _note(skipped: list[SkippedSeed] | None, path: object, reason: str) -> None:
    if skipped is not None:
        skipped.append(SkippedSeed(str(path), reason))


def read_seed_bytes(path: str | os.PathLike[str], *, max_bytes: int | None = DEFAULT_MAX_BYTES) -> bytes:
    """The raw bytes of a seed, refusing what is not a regular file, unreadable, empty and
    oversized files with a reason.

    Opened without waiting (a FIFO's open would wait for a writer) and checked with fstat, so
    what is read is the file that was checked, even if its name was swapped for a FIFO or a
    device since the scan.
    """
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
        with os.fdopen(fd, "rb") as handle:
            info = os.fstat(fd)
            refused = not_regular(info.st_mode)
            if refused:
                raise SeedError(f"{path}: {refused}")
            if max_bytes is not None and info.st_size > max_bytes:
                raise SeedError(f"{path}: {info.st_size / 1e6:.1f} MB is over the {max_bytes / 1e6:.1f} MB "
                                "seed size cap")
            data = handle.read() if max_bytes is None else handle.read(max_bytes + 1)
    except SeedError:
        raise
    except PermissionError:
        raise SeedError(f"{path}: permission denied") from None
    except OSError as exc:
        raise SeedError(f"{path}: cannot read ({exc.strerror or exc})") from None
    if max_bytes is not None and len(data) > max_bytes:
        raise SeedError(f"{path}: over the {max_bytes / 1e6:.1f} MB seed size cap")
    if not data.strip():
        raise SeedError(f"{path}: empty file")
    return data


def content_hash(data: bytes) -> str:
    """A stable fingerprint of a seed's bytes: what incremental updates compare."""
    import hashlib  # here, not at the top: a search never hashes seeds (hashlib costs ~3 ms)

    return hashlib.blake2b(data, digest_size=16).hexdigest()


def decode_seed(data: bytes, *, name: str = "seed", kind: str = "text") -> str:
    """Decode a seed's bytes to text, or raise SeedError if they are not text at all.

    Whatever way the bytes were decoded (a byte-order mark, UTF-16 without one, UTF-8, a
    guess), text in which control characters are common is refused as binary content.
    """
    text = _decode(data, name, kind)
    if _looks_binary(text):
        raise SeedError(f"{name}: not a text or HTML page (binary content)")
    return text.replace("\x00", "")


def _decode(data: bytes, name: str, kind: str) -> str:
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(encoding).lstrip("\ufeff")
            except UnicodeDecodeError:
                raise SeedError(f"{name}: starts with a {encoding} byte-order mark but is not valid {encoding}") from None
    for magic, what in _MAGIC:
        if data.startswith(magic):
            raise SeedError(f"{name}: not a text or HTML page ({what})")
    utf16 = _utf16_without_bom(data)
    if utf16 is not None:
        return utf16
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return _decode_guess(data, name, kind)


def _utf16_without_bom(data: bytes) -> str | None:
    """UTF-16 text saved without a byte-order mark: every other byte of ASCII text is NUL."""
    sample = data[:4096]
    if len(sample) < 8 or b"\x00" not in sample:
        return None
    even, odd = sample[0::2], sample[1::2]
    for zeros, encoding in ((odd, "utf-16-le"), (even, "utf-16-be")):
        if zeros.count(0) > 0.6 * len(zeros):
            try:
                return data.decode(encoding)
            except UnicodeDecodeError:
                return None
    return None


def _decode_guess(data: bytes, name: str, kind: str) -> str:
    if kind == "html":
        declared = _META_CHARSET.search(data[:4096])
        if declared:
            try:
                return data.decode(declared.group(1).decode("ascii"))
            except (LookupError, UnicodeDecodeError):
                pass
    western = _as_western(data)
    if western is not None:
        return western
    from charset_normalizer import from_bytes  # only paid for when the cheap guesses fail

    best = from_bytes(data).best()
    if best is None:
        raise SeedError(f"{name}: not text in any known encoding (binary content?)")
    return str(best)


def _as_western(data: bytes) -> str | None:
    """Windows-1252 (a superset of printable latin-1), if the result reads like Western text.

    Most non-UTF-8 pages on the web are cp1252. Statistical detectors misjudge short
    cp1252 texts, so try it first, but accept it only when accented letters are a small
    share of all letters: Cyrillic or Greek bytes read as cp1252 come out almost all
    accented ("Ïðèâåò"), which sends them on to the detector.
    """
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError:
        return None
    letters = [ch for ch in text if ch.isalpha()]
    if not letters:
        return text
    accented = sum(1 for ch in letters if ord(ch) > 127)
    return text if accented / len(letters) < 0.25 else None


#: Characters read from each of the start, middle and end of a text to tell binary content.
_BINARY_WINDOW = 4096


def _looks_binary(text: str) -> bool:
    """Text where control characters are common is a binary file that happened to decode.

    Read at the start, middle and end: a text header does not hide a binary body.
    """
    if len(text) <= 3 * _BINARY_WINDOW:
        samples = [text]
    else:
        middle = len(text) // 2 - _BINARY_WINDOW // 2
        samples = [text[:_BINARY_WINDOW], text[middle:middle + _BINARY_WINDOW], text[-_BINARY_WINDOW:]]
    for sample in samples:
        controls = sum(1 for ch in sample if ord(ch) < 32 and ch not in "\t\n\r\f\v")
        if sample and controls / len(sample) > 0.05:
            return True
    return False


def read_seed(path: str | os.PathLike[str], *, max_bytes: int | None = DEFAULT_MAX_BYTES) -> tuple[str, str]:
    """Read a seed file as ``(text, content_hash)``; SeedError names the file and the reason."""
    data = read_seed_bytes(path, max_bytes=max_bytes)
    text = decode_seed(data, name=str(path), kind=seed_kind(path))
    if not text.strip():
        raise SeedError(f"{path}: no text in file")
    return text, content_hash(data)
