"""Output for scripts (`search --count`, `--ids`, `--format tsv|csv`, `--jsonl`): what
sqlite-utils, ripgrep and recollq users pipe into other tools. The records' own fields,
nothing computed here."""

from __future__ import annotations

import csv
import io
import json
from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:
    from .. import Hit, Results

#: The columns of `--format tsv|csv`, in order (a header row names them).
COLUMNS = ("rank", "doc_id", "score", "source", "published", "title", "snippet")


def print_count(results: "Results") -> None:
    """The number of hits, alone on a line."""
    click.echo(str(results.total))


def print_ids(results: "Results") -> None:
    """The page's document ids, one a line."""
    for hit in results:
        click.echo(hit.doc_id)


def _row(hit: "Hit") -> list[str]:
    published = hit.published.isoformat() if hit.published else ""
    return [str(hit.rank), hit.doc_id, str(round(hit.score, 6)), hit.source or "", published, hit.title, hit.snippet]


def print_table(results: "Results", fmt: str) -> None:
    """A header row, then one row per hit: ``tsv`` (tabs and line breaks in a value become
    spaces: no quoting, so `cut -f` works) or ``csv`` (RFC 4180 quoting)."""
    if fmt == "tsv":
        for row in [list(COLUMNS), *(_row(hit) for hit in results)]:
            click.echo("\t".join(" ".join(value.split()) if any(c in value for c in "\t\r\n") else value
                                 for value in row), color=True)  # ANSI only if asked (--highlight ansi)
        return
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    writer.writerows(_row(hit) for hit in results)
    click.echo(out.getvalue(), nl=False, color=True)


def print_jsonl(results: "Results") -> None:
    """One JSON object per hit; then, if there is one, a last line ``{"suggestion": "..."}``
    (it has no ``doc_id``: ``jq 'select(.doc_id)'`` keeps the hits)."""
    for hit in results:
        click.echo(json.dumps(hit.as_dict(), ensure_ascii=False))
    if results.suggestion:
        click.echo(json.dumps({"suggestion": results.suggestion}, ensure_ascii=False))
