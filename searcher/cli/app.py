"""The `searcher` command line: each command parses options, calls the library, renders.

Exit codes follow grep: 0 found or done, 1 nothing found (for `index`: some seeds
skipped), 2 error. Errors are one line on stderr; `-v` adds the traceback.
"""

from __future__ import annotations

import logging
import sys
import traceback
from typing import Any

import click

from .. import DocumentNotFoundError, SearcherError, __version__
from . import documents, indexing, searching
from .context import EXIT_NOTHING, CliError, State

CONTEXT_SETTINGS = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


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


#: Shown after the commands in `searcher --help`.
EPILOG = """\b
Examples:
  searcher import archive.jsonl                      # bring an existing archive in
  searcher search '"peace talks" -iraq' --since 2020-01-01 --json
  searcher search taliban --format csv > hits.csv    # one row per hit

\b
Shell completion (bash; zsh and fish likewise): add to ~/.bashrc
  eval "$(_SEARCHER_COMPLETE=bash_source searcher)"
"""


@click.group(cls=_Group, context_settings=CONTEXT_SETTINGS, epilog=EPILOG)
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


for module in (indexing, searching, documents):
    for command in module.COMMANDS:
        cli.add_command(command)


def main() -> None:
    """Entry point of the console script."""
    cli(prog_name="searcher")
