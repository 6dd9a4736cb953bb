"""Output for scripts (`search --count`, `--ids`, `--format tsv|csv`, `--jsonl`): what
sqlite-utils, ripgrep and recollq users pipe into other tools. The records' own fields,
nothing computed here."""

from __future__ import annotations

import csv
import io
from typing import TYPE_CHECKING

import click

from .render import json_text, printable, snippet_text, typeable_id

if TYPE_CHECKING:
    from .. import Hit, Results

#: The columns of `--format tsv|csv`, in order (a header row names them).
COLUMNS = ("rank", "doc_id", "score", "source", "published", "title", "snippet")


def print_count(results: "Results") -> None:
    """The number of hits, alone on a line."""
    click.echo(str(results.total))


def print_ids(results: "Results") -> None:
    """The page's document ids, one a line: as they are, or, when one holds a control or bidi
    character, quoted as a shell types it (``$'evil\\x1b[2J.txt'``), never raw."""
    for hit in results:
        click.echo(hit.doc_id if printable(hit.doc_id) == hit.doc_id else typeable_id(hit.doc_id))


def _row(hit: "Hit", highlight: str, lines: bool) -> list[str]:
    published = hit.published.isoformat() if hit.published else ""
    return [str(hit.rank), printable(hit.doc_id, lines=lines), str(round(hit.score, 6)),
            printable(hit.source or "", lines=lines), published, printable(hit.title, lines=lines),
            snippet_text(hit, highlight)]


def print_table(results: "Results", fmt: str, highlight: str = "none") -> None:
    """A header row, then one row per hit: ``tsv`` (tabs and line breaks in a value become
    spaces: no quoting, so `cut -f` works) or ``csv`` (RFC 4180 quoting)."""
    if fmt == "tsv":
        for row in [list(COLUMNS), *(_row(hit, highlight, lines=True) for hit in results)]:
            click.echo("\t".join(" ".join(value.split()) if any(c in value for c in "\t\r\n") else value
                                 for value in row), color=True)  # ANSI only if asked (--highlight ansi)
        return
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    writer.writerows(_row(hit, highlight, lines=True) for hit in results)
    click.echo(out.getvalue(), nl=False, color=True)


def print_jsonl(results: "Results") -> None:
    """One JSON object per hit; then, if there is one, a last line ``{"suggestion": "..."}``
    (it has no ``doc_id``: ``jq 'select(.doc_id)'`` keeps the hits)."""
    for hit in results:
        click.echo(json_text(hit.as_dict()))
    if results.suggestion:
        click.echo(json_text({"suggestion": results.suggestion}))
