"""The `searcher` command line: each command parses options, calls the library, renders.

Exit codes follow grep: 0 found or done, 1 nothing found (for `index`: some seeds
skipped), 2 error. Errors are one line on stderr; `-v` adds the traceback.
"""

from __future__ import annotations

import json
import logging
import os
import sys
import traceback
from typing import TYPE_CHECKING, Any

import click

from .. import __version__
from ..core.errors import DocumentNotFoundError, SearcherError

if TYPE_CHECKING:
    from ..core.records import Document
    from ..index import SearchIndex
    from .progress import ProgressBar
    from ..core.records import Results

CONTEXT_SETTINGS = {"help_option_names": ["-h", "--help"], "max_content_width": 100}
EXIT_NOTHING = 1


class CliError(click.ClickException):
    """An error shown as one line, exiting 2 like grep."""

    exit_code = 2


class _Group(click.Group):
    """Turns library errors into one-line messages, and bugs into one line unless -v."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except DocumentNotFoundError as exc:
            click.echo(f"searcher: {exc}", err=True)
            ctx.exit(EXIT_NOTHING)
        except SearcherError as exc:
            raise CliError(str(exc)) from exc
        except (click.exceptions.Exit, click.ClickException, click.Abort):
            raise
        except Exception as exc:  # a bug: say so in one line, the traceback only with -v
            state = ctx.find_object(State)
            if state is not None and state.verbose:
                traceback.print_exc()
            raise CliError(f"internal error: {type(exc).__name__}: {exc} (run with -v for the traceback)") from exc


class State:
    """Options given to the group, shared with every command."""

    def __init__(self, index_dir: str, seeds_dir: str, verbose: int) -> None:
        self.index_dir = index_dir
        self.seeds_dir = seeds_dir
        self.verbose = verbose

    def open_index(self, *, wait: float | None = None) -> "SearchIndex":
        from ..index import SearchIndex, check_apart

        check_apart(self.index_dir, self.seeds_dir)
        return SearchIndex(self.index_dir) if wait is None else SearchIndex(self.index_dir, wait=wait)


pass_state = click.make_pass_decorator(State)


@click.group(cls=_Group, context_settings=CONTEXT_SETTINGS)
@click.option("--index-dir", envvar="SEARCHER_INDEX_DIR", default="index", show_default=True,
              type=click.Path(file_okay=False), help="Index folder (env SEARCHER_INDEX_DIR).")
@click.option("--seeds-dir", envvar="SEARCHER_SEEDS_DIR", default="seeds", show_default=True,
              type=click.Path(file_okay=False), help="Seeds folder (env SEARCHER_SEEDS_DIR).")
@click.option("-v", "--verbose", count=True, help="Say more on stderr; -v also shows tracebacks.")
@click.version_option(__version__, "--version", prog_name="searcher")
@click.pass_context
def cli(ctx: click.Context, index_dir: str, seeds_dir: str, verbose: int) -> None:
    """Full-text search for archives of captured news pages.

    \b
    Example:
        searcher index                 # build or update ./index from ./seeds
        searcher search "peace talks"  # ranked, highlighted hits
    """
    ctx.obj = State(index_dir, seeds_dir, verbose)
    if verbose:
        logging.basicConfig(level=logging.DEBUG if verbose > 1 else logging.INFO, stream=sys.stderr,
                            format="%(levelname)s %(name)s: %(message)s")


# ---------------------------------------------------------------------------- index

@cli.command("index")
@click.argument("seeds_dir", required=False, type=click.Path(file_okay=False))
@click.option("--rebuild", is_flag=True, help="Build a fresh index beside the old one and swap it in.")
@click.option("--wait", type=float, default=None, help="Seconds to wait for another writer [default: 30].")
@click.option("--max-size", "max_mb", type=float, default=10.0, show_default=True,
              help="Skip seeds larger than this many MB.")
@click.option("--follow-symlinks", is_flag=True, help="Follow symlinks that stay inside the seeds folder.")
@click.option("--jobs", type=click.IntRange(min=1), default=None, help="Processes for cleaning [default: cores].")
@click.option("--quiet", "-q", is_flag=True, help="No progress bar.")
@pass_state
def index_command(state: State, seeds_dir: str | None, rebuild: bool, wait: float | None, max_mb: float,
                  follow_symlinks: bool, jobs: int | None, quiet: bool) -> None:
    """Build or update the index from a seeds folder (only what changed).

    \b
    Example:
        searcher index               # ./seeds -> ./index, incremental
        searcher index --rebuild     # from scratch, swapped in atomically
    """
    ix = state.open_index(wait=wait)
    folder = seeds_dir or state.seeds_dir
    write = ix.rebuild if rebuild else ix.update
    with _progress_bar("seeds", quiet) as bar:
        report = write(folder, progress=bar, max_bytes=int(max_mb * 1024 * 1024), follow_symlinks=follow_symlinks,
                       jobs=jobs)
    for skipped in report.failed:
        click.echo(f"searcher: skipped {skipped.path}: {skipped.reason}", err=True)
    click.echo(report.summary(), err=True)
    if report.failed:
        sys.exit(EXIT_NOTHING)


def _progress_bar(unit: str, quiet: bool) -> "ProgressBar":
    from .progress import ProgressBar

    return ProgressBar(unit, enabled=False if quiet else None)


# ---------------------------------------------------------------------------- import

@cli.command("import")
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False))
@click.option("--wait", type=float, default=None, help="Seconds to wait for another writer [default: 30].")
@click.option("--jobs", type=click.IntRange(min=1), default=None, help="Processes for indexing [default: cores].")
@click.option("--quiet", "-q", is_flag=True, help="No progress bar.")
@pass_state
def import_command(state: State, files: tuple[str, ...], wait: float | None, jobs: int | None, quiet: bool) -> None:
    """Index articles from JSON Lines files (one {"id", "title", "text", ...} object a line).

    An article whose id is already indexed is replaced. Bad lines are skipped with a
    warning; exit 1 when any were skipped.

    \b
    Example:
        searcher import reuters.jsonl
    """
    from ..indexing.update import timer
    from ..sources.jsonl import read_jsonl

    elapsed = timer()
    ix = state.open_index(wait=wait)
    with _progress_bar("articles", quiet) as bar:
        skipped = _SkipReporter(bar)
        records = (doc for path in files for doc in read_jsonl(path, skipped=skipped))
        try:
            count = ix.add(records, jobs=jobs, progress=bar)
        except OSError as exc:
            raise CliError(f"cannot read {exc.filename or 'input'}: {exc.strerror or exc}") from exc
    seconds = elapsed()
    rate = f" ({count / seconds:,.0f}/s)" if seconds > 0 else ""
    click.echo(f"{count} imported, {len(skipped)} skipped in {seconds:.1f} s{rate}", err=True)
    if skipped:
        sys.exit(EXIT_NOTHING)


class _SkipReporter(list):  # type: ignore[type-arg]
    """Collects skipped lines for read_jsonl and warns about each at once, under the bar."""

    def __init__(self, bar: "ProgressBar") -> None:
        super().__init__()
        self.bar = bar

    def append(self, bad: Any) -> None:
        super().append(bad)
        self.bar.clear()
        click.echo(f"searcher: warning: skipped {bad}", err=True)


# ---------------------------------------------------------------------------- search

@cli.command("search")
@click.argument("query", nargs=-1, required=True)
@click.option("--limit", "-n", type=click.IntRange(min=1), default=10, show_default=True, help="Hits per page.")
@click.option("--page", "-p", type=click.IntRange(min=1), default=1, show_default=True, help="Page of hits.")
@click.option("--json", "as_json", is_flag=True, help="Print the results as one JSON document.")
@click.option("--jsonl", "as_jsonl", is_flag=True, help="Print one JSON object per hit.")
@click.option("--sort", type=click.Choice(["relevance", "date"]), default="relevance", show_default=True)
@click.option("--source", help="Only hits from this source (e.g. \"CBS News\").")
@click.option("--since", help="Only hits published on or after this date (YYYY-MM-DD).")
@click.option("--until", help="Only hits published on or before this date (YYYY-MM-DD).")
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
    use_color = _use_color(color)
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
    elif as_jsonl:
        for hit in results:
            click.echo(json.dumps(hit.as_dict(), ensure_ascii=False))
    else:
        _print_results(results, color)
    if not results.hits:
        sys.exit(EXIT_NOTHING)


@cli.command("similar")
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
    use_color = _use_color(color)
    results = state.open_index().similar(doc_id, limit=limit,
                                         highlight="ansi" if use_color and not (as_json or as_jsonl) else "plain")
    _output(results, as_json=as_json, as_jsonl=as_jsonl, color=use_color)


def _use_color(flag: bool | None) -> bool:
    if flag is not None:
        return flag
    return sys.stdout.isatty() and not os.environ.get("NO_COLOR")


def _print_results(results: "Results", color: bool) -> None:
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
    if results.suggestion:
        click.echo(f"Did you mean: {results.suggestion}?", err=True)


# ---------------------------------------------------------------------------- show, clean, stats

@cli.command("show")
@click.argument("doc_id")
@click.option("--json", "as_json", is_flag=True, help="Print the document as JSON.")
@pass_state
def show_command(state: State, doc_id: str, as_json: bool) -> None:
    """Print one indexed document.

    \b
    Example:
        searcher show 000_d8f0162b6785f52f
    """
    doc = state.open_index().get(doc_id)
    _print_document(doc, as_json=as_json, removed=False)


@cli.command("clean")
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
    from ..cleaning.cleaner import clean_file

    _print_document(clean_file(file), as_json=as_json, removed=removed)


def _print_document(doc: "Document", *, as_json: bool, removed: bool) -> None:
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


@cli.command("stats")
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
        click.echo(json.dumps(stats.as_dict(), ensure_ascii=False, indent=2))
        return
    click.echo(f"index:      {stats.path} (schema {stats.schema_version}, written by searcher {stats.searcher_version})")
    click.echo(f"documents:  {stats.documents}")
    click.echo(f"size:       {stats.size_bytes / 1e6:.1f} MB in {stats.segments} segment(s)")
    if stats.oldest and stats.newest:
        click.echo(f"published:  {stats.oldest.date()} .. {stats.newest.date()}")
    for name, count in stats.sources.items():
        click.echo(f"source:     {name} ({count})")


def main() -> None:
    """Entry point of the console script."""
    cli(prog_name="searcher")
