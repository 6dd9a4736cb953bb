"""The `searcher` command line: each command parses options, calls the library, renders.

Exit codes follow grep: 0 found or done, 1 nothing found (for `index`: some seeds
skipped), 2 error, 130 interrupted (Ctrl-C). Every error is one line on stderr,
``searcher: error: ...`` (a usage error adds a line pointing to --help); `-v` adds the
traceback. Output cut short by its reader (``searcher search ... | head -1``) ends the
command quietly, as ripgrep does.
"""

from __future__ import annotations

import logging
import os
import select
import sys
import traceback
import warnings
from typing import Any, TextIO

import click

from .. import DocumentNotFoundError, SearcherError, SearcherWarning, __version__
from . import documents, indexing, models, searching, serving
from .advice import with_advice
from .context import EXIT_INTERRUPTED, EXIT_NOTHING, CliError, ClusterOptions, State, error_line

CONTEXT_SETTINGS = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


class _Group(click.Group):
    """Turns library errors into one-line messages, and bugs into one line unless -v.

    Every error leaves through :meth:`main`, which prints it in the one format
    (``searcher: error: ...``), whether the program runs as a script or under click's
    test runner.
    """

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except DocumentNotFoundError as exc:
            click.echo(error_line(with_advice(exc)), err=True)
            ctx.exit(EXIT_NOTHING)
        except SearcherError as exc:
            raise CliError(with_advice(exc)) from exc
        except (click.exceptions.Exit, click.ClickException, click.Abort, KeyboardInterrupt):
            raise
        except BrokenPipeError as exc:
            if _output_closed():
                # The reader of our output has gone (`| head -1`): nothing more to say, to no one.
                _silence_output()
                ctx.exit(0)
            raise _internal_error(ctx, exc) from exc
        except OSError as exc:
            raise CliError(_os_error_text(exc)) from exc
        except Exception as exc:  # a bug: say so in one line, the traceback only with -v
            raise _internal_error(ctx, exc) from exc

    def main(self, args: Any = None, prog_name: str | None = None, complete_var: str | None = None,
             standalone_mode: bool = True, **extra: Any) -> Any:
        try:
            code = super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
            code = code if isinstance(code, int) else 0
        except click.UsageError as exc:
            if _no_arguments(exc):
                # Bare `searcher`: the usage and the commands, on their lines (as git does).
                click.echo(exc.ctx.get_help())  # type: ignore[union-attr]
                code = exc.exit_code
                if standalone_mode:
                    sys.exit(code)
                return code
            click.echo(error_line(_usage_text(exc)), err=True)
            if exc.ctx is not None:
                click.echo(f"Try '{exc.ctx.command_path} --help' for help.", err=True)
            code = exc.exit_code
        except click.ClickException as exc:
            click.echo(error_line(exc.format_message()), err=True)
            code = exc.exit_code
        except (click.Abort, KeyboardInterrupt):
            click.echo("searcher: interrupted", err=True)
            code = EXIT_INTERRUPTED
        if standalone_mode:
            sys.exit(code)
        return code


_python_showwarning = warnings.showwarning


def _show_warning(message: Warning | str, category: type[Warning], filename: str, lineno: int,
                  file: TextIO | None = None, line: str | None = None) -> None:
    """searcher's own warnings as one line, ``searcher: warning: ...``; others as Python shows them."""
    if issubclass(category, SearcherWarning):
        from .render import printable

        click.echo(printable(f"searcher: warning: {' '.join(str(message).split())}"), err=True)
    else:
        _python_showwarning(message, category, filename, lineno, file, line)


def _internal_error(ctx: click.Context, exc: BaseException) -> CliError:
    state = ctx.find_object(State)
    if state is not None and state.verbose:
        traceback.print_exc()
    return CliError(f"internal error: {type(exc).__name__}: {exc} (run with -v for the traceback)")


def _os_error_text(exc: OSError) -> str:
    """An environment problem (permission denied, read-only or full disk) in one line."""
    reason = (exc.strerror or str(exc)).lower()
    where = f"{exc.filename}: " if exc.filename else ""
    return f"{where}{reason}"


def _no_arguments(exc: click.UsageError) -> bool:
    """True for the error click (8.2 on) raises for a group called with nothing at all;
    click 8.1 printed the help itself."""
    return isinstance(exc, getattr(click.exceptions, "NoArgsIsHelpError", ())) and exc.ctx is not None


def _usage_text(exc: click.UsageError) -> str:
    """click's message, plus what to do when a query word was taken for an option (not when
    click found an option of that name misspelt: ``--limt``)."""
    text = exc.format_message()
    if (isinstance(exc, click.NoSuchOption) and not exc.possibilities and exc.ctx is not None
            and exc.ctx.command.name == "search"):
        text = (f"{text.rstrip('.')}; to search for a word starting with '-', quote the query "
                "(searcher search 'taliban -iraq') or put -- before it (searcher search -- taliban -iraq)")
    return text


def _output_closed() -> bool:
    """True when whoever read our stdout or stderr has closed the pipe."""
    for stream in (sys.__stdout__, sys.__stderr__):
        try:
            fd = stream.fileno() if stream is not None else -1
        except (OSError, ValueError):
            continue
        if fd < 0:
            continue
        poller = select.poll()
        poller.register(fd, 0)  # POLLERR and POLLHUP are always reported
        if any(events & (select.POLLERR | select.POLLHUP) for _fd, events in poller.poll(0)):
            return True
    return False


def _silence_output() -> None:
    """Point stdout and stderr at /dev/null so the final flush at exit has nowhere to fail."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    for stream in (sys.__stdout__, sys.__stderr__):
        try:
            os.dup2(devnull, stream.fileno())  # type: ignore[union-attr]
        except (OSError, ValueError, AttributeError):
            pass
    os.close(devnull)


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
@click.option("--index", "index", envvar="SEARCHER_INDEX", metavar="LOCATION",
              help="Index folder, or an OpenSearch index as a URL: http://host:9200/name, several hosts as "
                   "http://h1:9200,h2:9200/name (env SEARCHER_INDEX; wins over --index-dir).")
@click.option("--index-dir", envvar="SEARCHER_INDEX_DIR", default="index", show_default=True,
              type=click.Path(file_okay=False), help="Index folder (env SEARCHER_INDEX_DIR).")
@click.option("--seeds-dir", envvar="SEARCHER_SEEDS_DIR", default="seeds", show_default=True,
              type=click.Path(file_okay=False), help="Seeds folder (env SEARCHER_SEEDS_DIR).")
@click.option("--ca-certs", envvar="SEARCHER_OPENSEARCH_CA_CERTS", metavar="PEM", type=click.Path(dir_okay=False),
              help="Cluster: trust the certificate authorities in this PEM file (env SEARCHER_OPENSEARCH_CA_CERTS).")
@click.option("--client-cert", envvar="SEARCHER_OPENSEARCH_CLIENT_CERT", metavar="PEM", type=click.Path(dir_okay=False),
              help="Cluster: log in with this client certificate (env SEARCHER_OPENSEARCH_CLIENT_CERT).")
@click.option("--client-key", envvar="SEARCHER_OPENSEARCH_CLIENT_KEY", metavar="PEM", type=click.Path(dir_okay=False),
              help="Cluster: the client certificate's key (env SEARCHER_OPENSEARCH_CLIENT_KEY).")
@click.option("--no-verify", is_flag=True, default=None,
              help="Cluster: do not check its certificate (warned about on every run; env SEARCHER_OPENSEARCH_VERIFY=0).")
@click.option("--user", envvar="SEARCHER_OPENSEARCH_USER", metavar="NAME",
              help="Cluster: log in as this user; the password from SEARCHER_OPENSEARCH_PASSWORD, never an option.")
@click.option("--model", metavar="NAME|DIR",
              help="Embedding model (a folder, or a fetched model's name; default: the folder SEARCHER_MODEL "
                   "names): `index` keeps each document's vectors, `search` ranks by meaning too "
                   "(docs/semantic.md).")
@click.option("-v", "--verbose", count=True, help="Say more on stderr; -v also shows tracebacks.")
@click.version_option(__version__, "--version", prog_name="searcher")
@click.pass_context
def cli(ctx: click.Context, index: str | None, index_dir: str, seeds_dir: str, ca_certs: str | None,
        client_cert: str | None, client_key: str | None, no_verify: bool | None, user: str | None,
        model: str | None, verbose: int) -> None:
    """Full-text search for archives of captured news pages.

    \b
    Example:
        searcher index                 # build or update ./index from ./seeds
        searcher search "peace talks"  # ranked, highlighted hits
        searcher --index http://127.0.0.1:9200/news index   # on an OpenSearch cluster
    """
    cluster = ClusterOptions(ca_certs=ca_certs, client_cert=client_cert, client_key=client_key,
                             verify=False if no_verify else None, user=user)
    ctx.obj = State(index_dir, seeds_dir, verbose, index=index or None, cluster=cluster, model=model or None)
    warnings.showwarning = _show_warning
    if verbose:
        logging.basicConfig(level=logging.DEBUG if verbose > 1 else logging.INFO, stream=sys.stderr,
                            format="%(levelname)s %(name)s: %(message)s")


for module in (indexing, searching, documents, serving, models):
    for command in module.COMMANDS:
        cli.add_command(command)


def main() -> None:
    """Entry point of the console script."""
    cli(prog_name="searcher")
