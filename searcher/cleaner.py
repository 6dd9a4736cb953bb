"""Seed -> Document: the public entry points of the cleaner.

PLACEHOLDER: keeps every line; the real line classifier and HTML extractor replace it.
"""

from __future__ import annotations

import os
from pathlib import Path

from .document import Document
from .seeds import DEFAULT_MAX_BYTES, read_seed, seed_kind
from .textnorm import normalize_text


def clean_text(text: str, doc_id: str = "document", *, path: str | None = None,
               content_hash: str | None = None) -> Document:
    """Clean a text capture of a page into a Document."""
    lines = [ln.strip() for ln in normalize_text(text).split("\n") if ln.strip()]
    title = lines[0] if lines else ""
    return Document(doc_id=doc_id, title=title, body="\n\n".join(lines[1:]), path=path,
                    content_hash=content_hash)


def clean_html(html: str | bytes, doc_id: str = "document", *, path: str | None = None,
               content_hash: str | None = None) -> Document:
    """Clean a raw HTML page into a Document."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(html, "lxml")
    return clean_text(soup.get_text("\n"), doc_id, path=path, content_hash=content_hash)


def clean_file(path: str | os.PathLike[str], doc_id: str | None = None, *,
               max_bytes: int | None = DEFAULT_MAX_BYTES) -> Document:
    """Read and clean one seed file (.txt capture or .html page)."""
    p = Path(path)
    text, digest = read_seed(p, max_bytes=max_bytes)
    doc_id = doc_id or p.stem
    cleaner = clean_html if seed_kind(p) == "html" else clean_text
    return cleaner(text, doc_id, path=str(p), content_hash=digest)
