"""`searcher index` and `searcher import`: bringing documents in."""

from __future__ import annotations

import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

import click

from .. import SearcherError
from .context import EXIT_INTERRUPTED, EXIT_NOTHING, CliError, State, pass_state
from .progress import ProgressBar
from .render import printable

if TYPE_CHECKING:
    from .. import SearchIndex


@click.command("index")
@click.argument("seeds_dir", required=False, type=click.Path(file_okay=False))
@click.option("--rebuild", is_flag=True, help="Build a fresh index beside the old one and swap it in.")
@click.option("--wait", type=float, default=None, help="Seconds to wait for another writer [default: 30].")
@click.option("--retry-for", type=click.FloatRange(min=1), default=None, envvar="SEARCHER_OPENSEARCH_RETRY_FOR",
              help="Cluster: seconds to go on retrying writes it does not take (a node down) before stopping; "
                   "[default: 300].")
@click.option("--max-size", "max_mb", type=float, default=10.0, show_default=True,
              help="Skip seeds larger than this many MB.")
@click.option("--follow-symlinks", is_flag=True, help="Follow symlinks that stay inside the seeds folder.")
@click.option("--jobs", type=click.IntRange(min=1), default=None,
              help="Processes for cleaning, and parallel writes to a cluster [default: cores].")
@click.option("--quiet", "-q", is_flag=True, help="No progress bar.")
@pass_state
def index_command(state: State, seeds_dir: str | None, rebuild: bool, wait: float | None, retry_for: float | None,
                  max_mb: float, follow_symlinks: bool, jobs: int | None, quiet: bool) -> None:
    """Build or update the index from a seeds folder (only what changed).

    \b
    Example:
        searcher index               # ./seeds -> ./index, incremental
        searcher index --rebuild     # from scratch, swapped in atomically
    """
    ix = state.open_index(wait=wait, retry_for=retry_for)
    folder = seeds_dir or state.seeds_dir
    write = ix.rebuild if rebuild else ix.update
    with _interrupted(ix, "the old index is kept unchanged" if rebuild else "run `searcher index` to go on"), \
            _progress_bar("seeds", quiet) as bar:
        report = write(folder, progress=bar, max_bytes=int(max_mb * 1024 * 1024), follow_symlinks=follow_symlinks,
                       jobs=jobs)
    for skipped in report.failed:
        click.echo(printable(f"searcher: skipped {skipped.path}: {skipped.reason}"), err=True)
    for warning in report.warnings:
        click.echo(printable(f"searcher: warning: {warning}"), err=True)
    click.echo(report.summary(), err=True)
    if report.failed or report.warnings:
        sys.exit(EXIT_NOTHING)


@contextmanager
def _interrupted(ix: "SearchIndex", then: str) -> Iterator[None]:
    """Ctrl-C: one line saying what the index holds now, and exit 130."""
    try:
        yield
    except KeyboardInterrupt:
        try:
            held = f"the index holds {len(ix):,} documents" if ix.exists() else "nothing was indexed"
        except SearcherError:
            held = "nothing was indexed"
        if sys.stderr.isatty():
            click.echo(err=True)  # past the terminal's ^C
        click.echo(f"searcher: interrupted; {held}; {then}", err=True)
        sys.exit(EXIT_INTERRUPTED)


def _progress_bar(unit: str, quiet: bool) -> ProgressBar:
    return ProgressBar(unit, enabled=False if quiet else None)


# ---------------------------------------------------------------------------- import

@click.command("import")
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False))
@click.option("--wait", type=float, default=None, help="Seconds to wait for another writer [default: 30].")
@click.option("--retry-for", type=click.FloatRange(min=1), default=None, envvar="SEARCHER_OPENSEARCH_RETRY_FOR",
              help="Cluster: seconds to go on retrying writes it does not take (a node down) before stopping; "
                   "[default: 300].")
@click.option("--jobs", type=click.IntRange(min=1), default=None,
              help="Processes for indexing, or parallel writes to a cluster [default: cores].")
@click.option("--max-size", "max_mb", type=float, default=10.0, show_default=True,
              help="Skip records (lines) larger than this many MB.")
@click.option("--quiet", "-q", is_flag=True, help="No progress bar.")
@pass_state
def import_command(state: State, files: tuple[str, ...], wait: float | None, retry_for: float | None,
                   jobs: int | None, max_mb: float, quiet: bool) -> None:
    """Index articles from JSON Lines files (one {"id", "title", "text", ...} object a line).

    An article whose id is already indexed is replaced. Bad lines are skipped with a
    warning; exit 1 when any were skipped.

    \b
    Example:
        searcher import reuters.jsonl
    """
    from .. import read_jsonl

    started = time.perf_counter()
    ix = state.open_index(wait=wait, retry_for=retry_for)
    with _interrupted(ix, "run the import again to go on (articles already indexed are replaced)"), \
            _progress_bar("articles", quiet) as bar:
        skipped = _SkipReporter(bar)
        noted = _SkipReporter(bar, verb="")  # kept, without a date that is not one
        max_bytes = int(max_mb * 1024 * 1024)
        records = (doc for path in files
                   for doc in read_jsonl(path, skipped=skipped, noted=noted, max_bytes=max_bytes))
        try:
            count = ix.add(records, jobs=jobs, progress=bar)
        except OSError as exc:
            raise CliError(f"cannot read {exc.filename or 'input'}: {exc.strerror or exc}") from exc
    seconds = time.perf_counter() - started
    rate = f" ({count / seconds:,.0f}/s)" if seconds > 0 else ""
    click.echo(f"{count} imported, {len(skipped)} skipped in {seconds:.1f} s{rate}", err=True)
    if skipped:
        sys.exit(EXIT_NOTHING)


class _SkipReporter(list):  # type: ignore[type-arg]
    """Collects skipped (or noted) lines for read_jsonl and warns about each at once, under the bar."""

    def __init__(self, bar: ProgressBar, verb: str = "skipped ") -> None:
        super().__init__()
        self.bar = bar
        self.verb = verb

    def append(self, bad: Any) -> None:
        super().append(bad)
        self.bar.clear()
        click.echo(printable(f"searcher: warning: {self.verb}{bad}"), err=True)


#: The commands this module adds to the `searcher` group.
COMMANDS = (index_command, import_command,)
