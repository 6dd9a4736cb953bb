"""`searcher search` and `searcher similar`: ranked hits."""

from __future__ import annotations

import os
import sys
from dataclasses import replace
from typing import TYPE_CHECKING

import click

from .. import SearchOptions
from .context import EXIT_NOTHING, State, pass_state
from .render import json_text, print_fallback, print_results, printable
from .search_options import search_options
from .tables import print_count, print_ids, print_jsonl, print_table

if TYPE_CHECKING:
    from .. import Results


@click.command("search")
@click.argument("query", nargs=-1, required=True)
@search_options()
@click.option("--json", "as_json", is_flag=True, help="Print the results as one JSON document.")
@click.option("--jsonl", "as_jsonl", is_flag=True, help="Print one JSON object per hit.")
@click.option("--color/--no-color", default=None, help="Colour the output [default: on a terminal, unless NO_COLOR].")
@click.option("--count", "as_count", is_flag=True, help="Print only the number of hits.")
@click.option("--ids", "as_ids", is_flag=True, help="Print only the hits' document ids, one a line.")
@click.option("--format", "table", type=click.Choice(["tsv", "csv"]),
              help="One row per hit (rank, doc_id, score, source, published, title, snippet), after a header row.")
@click.option("--highlight", type=click.Choice(SearchOptions.HIGHLIGHTS),
              help="Snippet markup: **word**, terminal colour, <mark>, or none "
                   "[default: ansi with colour, else plain; none for --format].")
@pass_state
def search_command(state: State, query: tuple[str, ...], options: SearchOptions, as_json: bool, as_jsonl: bool,
                   color: bool | None, as_count: bool = False, as_ids: bool = False, table: str | None = None,
                   highlight: str | None = None) -> None:
    """Search the index; exit 1 when nothing is found.

    \b
    Example:
        searcher search Khalilzad re-set
        searcher search '"peace talks" -Iraq' --since 2020-01-01
        searcher search 'title:taliban OR author:martin' --json
        searcher search taliban --format csv > hits.csv
    """
    if as_json and as_jsonl:
        raise click.UsageError("--json and --jsonl cannot be used together")
    script_output(as_json=as_json, as_jsonl=as_jsonl, as_count=as_count, as_ids=as_ids, table=table,
                  highlight=highlight, facets=options.facets, explain=options.explain)
    if highlight == "ansi" and color is False:
        raise click.UsageError("--highlight ansi and --no-color cannot be used together")
    use_color = color_wanted(True if highlight == "ansi" else color)
    ix = state.open_index()
    why = ix.needs_build(state.seeds_dir)
    if why:
        click.echo(printable(f"searcher: {why}; building it from {state.seeds_dir}"), err=True)
        click.echo(ix.update(state.seeds_dir).summary(), err=True)
    if highlight is None:
        highlight = "none" if table else "ansi" if use_color and not (as_json or as_jsonl) else "plain"
    options = replace(options, highlight=highlight)
    if as_count:
        options = replace(options, limit=1, page=1, fragments=0)
    elif as_ids:
        options = replace(options, fragments=0)
    results = ix.search(" ".join(query), options)
    if not results.total and len(ix) == 0:
        click.echo(printable(f"searcher: the index at {ix.location} is empty: put .txt or .html pages in "
                             f"{state.seeds_dir} and run `searcher index`"), err=True)
    if as_count or as_ids or table:
        if as_count:
            print_count(results)
        elif as_ids:
            print_ids(results)
        else:
            print_table(results, table or "tsv", highlight)
        print_fallback(results)
        if not results.total:
            sys.exit(EXIT_NOTHING)
        return
    _output(results, as_json=as_json, as_jsonl=as_jsonl, color=use_color, highlight=highlight)


def script_output(*, as_json: bool, as_jsonl: bool, as_count: bool, as_ids: bool, table: str | None,
                  highlight: str | None, facets: bool, explain: bool) -> None:
    """UsageError for output options that cannot go together."""
    chosen = [name for name, on in (("--json", as_json), ("--jsonl", as_jsonl), ("--count", as_count),
                                    ("--ids", as_ids), ("--format", bool(table))) if on]
    if len(chosen) > 1:
        raise click.UsageError(f"{' and '.join(chosen)} cannot be used together: choose one output")
    if highlight and (as_json or as_jsonl):
        raise click.UsageError("--highlight does not apply to JSON, which gives each snippet as plain text "
                               "with the offsets of its matches")
    if highlight and (as_count or as_ids):
        raise click.UsageError(f"--highlight does not apply to {chosen[0]}: it prints no snippets")
    for name, on in (("--facets", facets), ("--explain", explain)):
        if on and chosen and chosen[0] not in ("--json", "--jsonl"):
            raise click.UsageError(f"{name} does not apply to {chosen[0]}: use it with the text or JSON output")


def _output(results: "Results", *, as_json: bool, as_jsonl: bool, color: bool, highlight: str) -> None:
    if as_json:
        click.echo(json_text(results.as_dict(), indent=2))
        print_fallback(results)
    elif as_jsonl:
        print_jsonl(results)
        print_fallback(results)
    else:
        print_results(results, color, highlight)
    if not results.hits:
        sys.exit(EXIT_NOTHING)


@click.command("similar")
@click.argument("doc_id")
@search_options("limit", "fragments", "context", "collapse", help={
    "limit": "How many articles.",
    "collapse": "Leave out copies of the article itself, and fold copies among the others."})
@click.option("--json", "as_json", is_flag=True, help="Print the results as one JSON document.")
@click.option("--jsonl", "as_jsonl", is_flag=True, help="Print one JSON object per hit.")
@click.option("--color/--no-color", default=None, help="Colour the output [default: on a terminal, unless NO_COLOR].")
@pass_state
def similar_command(state: State, doc_id: str, options: SearchOptions, as_json: bool, as_jsonl: bool,
                    color: bool | None) -> None:
    """The articles most like DOC_ID (an id, or a start of one no other id shares); exit 1 when none.

    \b
    Example:
        searcher similar 000_d8f0162b6785f52f --limit 5
    """
    if as_json and as_jsonl:
        raise click.UsageError("--json and --jsonl cannot be used together")
    use_color = color_wanted(color)
    highlight = "ansi" if use_color and not (as_json or as_jsonl) else "plain"
    results = state.open_index().similar(doc_id, replace(options, highlight=highlight))
    _output(results, as_json=as_json, as_jsonl=as_jsonl, color=use_color, highlight=highlight)


def color_wanted(flag: bool | None) -> bool:
    """Colour when asked, else on a terminal unless NO_COLOR is set."""
    if flag is not None:
        return flag
    return sys.stdout.isatty() and not os.environ.get("NO_COLOR")


#: The commands this module adds to the `searcher` group.
COMMANDS = (search_command, similar_command,)
