"""`searcher search` and `searcher similar`: ranked hits."""

from __future__ import annotations

import json
import os
import sys
from typing import TYPE_CHECKING

import click

from .context import EXIT_NOTHING, State, pass_state
from .render import print_fallback, print_results

if TYPE_CHECKING:
    from .. import Results


@click.command("search")
@click.argument("query", nargs=-1, required=True)
@click.option("--limit", "-n", type=click.IntRange(min=1), default=10, show_default=True, help="Hits per page.")
@click.option("--page", "-p", type=click.IntRange(min=1), default=1, show_default=True, help="Page of hits.")
@click.option("--json", "as_json", is_flag=True, help="Print the results as one JSON document.")
@click.option("--jsonl", "as_jsonl", is_flag=True, help="Print one JSON object per hit.")
@click.option("--sort", type=click.Choice(["relevance", "date"]), default="relevance", show_default=True)
@click.option("--source", help="Only hits from this source (e.g. \"CBS News\").")
@click.option("--since", help="Only hits published on or after this date (YYYY, YYYY-MM, YYYY-MM-DD[THH:MM]).")
@click.option("--until", help="Only hits published on or before this date (YYYY-MM: to the end of that month).")
@click.option("--words", is_flag=True, help="Treat the query as plain words: no operators, fields or quotes.")
@click.option("--fragments", type=click.IntRange(min=0), default=3, show_default=True, help="Snippet fragments per hit.")
@click.option("--context", type=click.IntRange(min=1), default=12, show_default=True, help="Words of context around a match.")
@click.option("--facets", is_flag=True, help="Also print hit counts by source and by month.")
@click.option("--explain", is_flag=True, help="Show why each hit scored what it did (per field and word).")
@click.option("--expand/--no-expand", default=None,
              help="Also search words typical of the top hits [default: on for word queries].")
@click.option("--color/--no-color", default=None, help="Colour the output [default: on a terminal, unless NO_COLOR].")
@pass_state
def search_command(state: State, query: tuple[str, ...], limit: int, page: int, as_json: bool, as_jsonl: bool,
                   sort: str, source: str | None, since: str | None, until: str | None, words: bool,
                   fragments: int, context: int, facets: bool, explain: bool, expand: bool | None,
                   color: bool | None) -> None:
    """Search the index; exit 1 when nothing is found.

    \b
    Example:
        searcher search Khalilzad re-set
        searcher search '"peace talks" -Iraq' --since 2020-01-01
        searcher search 'title:taliban OR author:martin' --json
    """
    if as_json and as_jsonl:
        raise click.UsageError("--json and --jsonl cannot be used together")
    text = " ".join(query)
    if not text.strip():
        raise click.UsageError("empty query: give at least one word to search for")
    use_color = color_wanted(color)
    ix = state.open_index()
    why = ix.needs_build(state.seeds_dir)
    if why:
        click.echo(f"searcher: {why}; building it from {state.seeds_dir}", err=True)
        click.echo(ix.update(state.seeds_dir).summary(), err=True)
    results = ix.search(text, limit=limit, page=page, sort=sort, source=source, since=since, until=until,
                        syntax=not words, fragments=fragments, context=context,
                        highlight="ansi" if use_color and not (as_json or as_jsonl) else "plain", facets=facets,
                        explain=explain, expand=expand)
    _output(results, as_json=as_json, as_jsonl=as_jsonl, color=use_color)


def _output(results: "Results", *, as_json: bool, as_jsonl: bool, color: bool) -> None:
    if as_json:
        click.echo(json.dumps(results.as_dict(), ensure_ascii=False, indent=2))
        print_fallback(results)
    elif as_jsonl:
        for hit in results:
            click.echo(json.dumps(hit.as_dict(), ensure_ascii=False))
        print_fallback(results)
    else:
        print_results(results, color)
    if not results.hits:
        sys.exit(EXIT_NOTHING)


@click.command("similar")
@click.argument("doc_id")
@click.option("--limit", "-n", type=click.IntRange(min=1), default=10, show_default=True, help="How many articles.")
@click.option("--json", "as_json", is_flag=True, help="Print the results as one JSON document.")
@click.option("--jsonl", "as_jsonl", is_flag=True, help="Print one JSON object per hit.")
@click.option("--color/--no-color", default=None, help="Colour the output [default: on a terminal, unless NO_COLOR].")
@pass_state
def similar_command(state: State, doc_id: str, limit: int, as_json: bool, as_jsonl: bool, color: bool | None) -> None:
    """The articles most like DOC_ID (by its key words); exit 1 when there are none.

    \b
    Example:
        searcher similar 000_d8f0162b6785f52f --limit 5
    """
    if as_json and as_jsonl:
        raise click.UsageError("--json and --jsonl cannot be used together")
    use_color = color_wanted(color)
    results = state.open_index().similar(doc_id, limit=limit,
                                         highlight="ansi" if use_color and not (as_json or as_jsonl) else "plain")
    _output(results, as_json=as_json, as_jsonl=as_jsonl, color=use_color)


def color_wanted(flag: bool | None) -> bool:
    """Colour when asked, else on a terminal unless NO_COLOR is set."""
    if flag is not None:
        return flag
    return sys.stdout.isatty() and not os.environ.get("NO_COLOR")


#: The commands this module adds to the `searcher` group.
COMMANDS = (search_command, similar_command,)
