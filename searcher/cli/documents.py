"""`searcher show`, `searcher clean` and `searcher stats`: one document, the cleaner, the index."""

from __future__ import annotations

import sys

import click

from .context import EXIT_NOTHING, State, pass_state
from .render import json_text, print_document, printable, typeable_id


@click.command("show")
@click.argument("doc_id")
@click.option("--json", "as_json", is_flag=True, help="Print the document as JSON.")
@pass_state
def show_command(state: State, doc_id: str, as_json: bool) -> None:
    """Print one indexed document.

    DOC_ID is a document's id (a seed's path below the seeds folder, such as
    2020/page.html) or any start of one that no other id shares.

    \b
    Example:
        searcher show 000_d8f0162b6785f52f
    """
    ix = state.open_index()
    doc = ix.get(ix.resolve_id(doc_id))
    print_document(doc, as_json=as_json, removed=False)


@click.command("clean")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--json", "as_json", is_flag=True, help="Print the cleaned Document as JSON.")
@click.option("--removed", is_flag=True, help="Also list the lines taken out, with their labels.")
@pass_state
def clean_command(state: State, file: str, as_json: bool, removed: bool) -> None:
    """Run the cleaner alone on one seed file and print what it keeps.

    \b
    Example:
        searcher clean seeds/000_d8f0162b6785f52f.txt --removed
    """
    from .. import clean_file

    print_document(clean_file(file), as_json=as_json, removed=removed)


@click.command("stats")
@click.option("--json", "as_json", is_flag=True, help="Print the figures as JSON.")
@pass_state
def stats_command(state: State, as_json: bool) -> None:
    """Print what the index holds: documents, sources, dates, size.

    \b
    Example:
        searcher stats --json
    """
    stats = state.open_index().stats()
    if as_json:
        click.echo(json_text(stats.as_dict(), indent=2))
        return
    click.echo(f"index:      {printable(stats.path)} (schema {stats.schema_version}, written by searcher {stats.searcher_version})")
    click.echo(f"documents:  {stats.documents}")
    click.echo(f"size:       {stats.size_bytes / 1e6:.1f} MB in {stats.segments} segment(s)")
    if stats.oldest and stats.newest:
        click.echo(f"published:  {stats.oldest.date()} .. {stats.newest.date()}")
    for name, count in stats.sources.items():
        click.echo(f"source:     {printable(name)} ({count})")


@click.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON array of {doc_id, title, title_guessed, source, url, published}.")
@click.option("--jsonl", "as_jsonl", is_flag=True, help="Print one such JSON object a line.")
@pass_state
def list_command(state: State, as_json: bool, as_jsonl: bool) -> None:
    """List every document: its id, date and title, in the order of the ids; exit 1 when
    the index holds none.

    \b
    Example:
        searcher list | grep -i taliban
        searcher list --jsonl | jq -r .url
    """
    if as_json and as_jsonl:
        raise click.UsageError("--json and --jsonl cannot be used together")
    count = 0
    if as_json:
        click.echo("[", nl=False)
    for doc in state.open_index().documents():
        if as_json or as_jsonl:
            record = {"doc_id": doc.doc_id, "title": doc.display_title, "title_guessed": doc.title_guessed,
                      "source": doc.source, "url": doc.url,
                      "published": doc.published.isoformat() if doc.published else None}
            lead = "" if as_jsonl else ("\n  " if not count else ",\n  ")
            click.echo(lead + json_text(record), nl=as_jsonl)
        else:
            day = doc.published.date().isoformat() if doc.published else "-"
            click.echo(f"{typeable_id(doc.doc_id)}\t{day}\t{printable(' '.join(doc.display_title.split()))}")
        count += 1
    if as_json:
        click.echo("\n]" if count else "]")
    if not count:
        sys.exit(EXIT_NOTHING)


@click.command("delete")
@click.argument("doc_ids", nargs=-1, required=True, metavar="DOC_ID...")
@pass_state
def delete_command(state: State, doc_ids: tuple[str, ...]) -> None:
    """Remove documents from the index; exit 1 if some were not there.

    \b
    Example:
        searcher delete note-1 note-2
    """
    missing = state.open_index().delete_many(doc_ids)
    for doc_id in missing:
        click.echo(printable(f"searcher: no document {doc_id!r} in the index"), err=True)
    removed = len(dict.fromkeys(doc_ids)) - len(missing)
    click.echo(f"{removed} deleted, {len(missing)} not found", err=True)
    if missing:
        sys.exit(EXIT_NOTHING)


#: The commands this module adds to the `searcher` group.
COMMANDS = (show_command, list_command, clean_command, stats_command, delete_command,)
