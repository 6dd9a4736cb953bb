"""How results and documents look on a terminal (JSON output is the records' own as_dict)."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import click

if TYPE_CHECKING:
    from .. import Document, Results


def print_results(results: "Results", color: bool) -> None:
    """Hits, facets, then the hit count and any suggestion on stderr."""

    def style(text: str, **kw: Any) -> str:
        return click.style(text, **kw) if color else text

    def echo(text: str = "") -> None:
        click.echo(text, color=color)  # click drops ANSI codes off a terminal unless told

    for hit in results:
        echo(f"{style(f'{hit.rank}.', bold=True)} {style(hit.title or hit.doc_id, bold=True)}")
        meta = [hit.source or "", hit.published.date().isoformat() if hit.published else "", hit.doc_id,
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
    if results.total > results.limit:
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
        "id": doc.doc_id, "source": doc.source, "published": doc.published.isoformat() if doc.published else None,
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
