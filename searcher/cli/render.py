"""How results and documents look on a terminal (JSON output is the records' own as_dict)."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import click

if TYPE_CHECKING:
    from .. import Document, Results


# Characters an id may hold and still be typed bare in a shell.
_BARE = "@%+=:,./-_"


def typeable_id(doc_id: str) -> str:
    """A document id as it is typed in a shell: bare when it can be, else quoted.

    ``sub/copy of x.txt`` -> ``'sub/copy of x.txt'``; an id with a control character (a
    newline in a file name) in ``$'...'`` form (bash, zsh). JSON output keeps the id as is.
    """
    if doc_id and all(ch.isalnum() or ch in _BARE for ch in doc_id):
        return doc_id
    if all(ch.isprintable() for ch in doc_id):
        import shlex

        return shlex.quote(doc_id)
    return "$'" + "".join(_ansi_c(ch) for ch in doc_id) + "'"


def _ansi_c(ch: str) -> str:
    """One character inside bash's ``$'...'`` quotes."""
    if ch in "'\\":
        return "\\" + ch
    if ch.isprintable():
        return ch
    return f"\\x{ord(ch):02x}" if ord(ch) < 0x100 else f"\\u{ord(ch):04x}" if ord(ch) < 0x10000 else f"\\U{ord(ch):08x}"


def print_results(results: "Results", color: bool) -> None:
    """Hits, facets, then the hit count and any suggestion on stderr."""

    def style(text: str, **kw: Any) -> str:
        return click.style(text, **kw) if color else text

    def echo(text: str = "") -> None:
        click.echo(text, color=color)  # click drops ANSI codes off a terminal unless told

    for hit in results:
        echo(f"{style(f'{hit.rank}.', bold=True)} {style(hit.title or hit.doc_id, bold=True)}")
        meta = [hit.source or "", hit.published.date().isoformat() if hit.published else "", typeable_id(hit.doc_id),
                f"score {hit.score:.2f}"]
        echo("   " + style(" · ".join(m for m in meta if m), dim=True))
        if hit.snippet:
            echo(f"   {hit.snippet}")
        for line in hit.explanation:
            echo("   " + style(line, dim=True))
        echo()
    if results.facets:
        for name, counts in results.facets.items():
            listed = ", ".join(f"{k} ({v})" for k, v in counts.items()) or "none"
            echo(f"{name}: {listed}")
    shown = f"{results.total} hit{'s' if results.total != 1 else ''}"
    if results.total and results.page > results.pages:
        shown += f"; page {results.page} is past the last page ({results.pages})"
    elif results.total > results.limit:
        shown += f" (page {results.page} of {results.pages})"
    click.echo(f"{shown} in {results.seconds:.3f} s", err=True)
    print_fallback(results)
    if results.suggestion:
        click.echo(f"Did you mean: {results.suggestion}?", err=True)


def print_fallback(results: "Results") -> None:
    """One line on stderr when a query with syntax was searched as plain words, and why."""
    if results.searched_as_words:
        click.echo(f"searched as plain words: {results.searched_as_words}", err=True)


def print_document(doc: "Document", *, as_json: bool, removed: bool) -> None:
    """A document's title, metadata and body (and the removed lines if asked), or its JSON."""
    if as_json:
        click.echo(json.dumps(doc.as_dict(), ensure_ascii=False, indent=2))
        return
    click.echo(doc.title)
    meta = {
        "id": typeable_id(doc.doc_id), "source": doc.source, "published": doc.published.isoformat() if doc.published else None,
        "authors": ", ".join(doc.authors) or None, "url": doc.url, "language": doc.language, "path": doc.path,
        "sections": " | ".join(doc.sections) or None,
    }
    for key, value in meta.items():
        if value:
            click.echo(f"{key + ':':11}{value}")
    click.echo()
    click.echo(doc.body)
    if removed:
        click.echo()
        click.echo(f"removed ({len(doc.removed)} lines):")
        for line in doc.removed:
            why = f" ({line.reason})" if line.reason else ""
            click.echo(f"  [{line.label}]{why} {line.text}")
