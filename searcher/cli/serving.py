"""`searcher serve`: the search page and JSON API of searcher.web, on this machine by default."""

from __future__ import annotations

import click

from ..web import INSTALL_COMMAND, WEB_PACKAGES
from .context import CliError, State, pass_state
from .render import printable


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on (another than 127.0.0.1 lets other machines in).")
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True,
              help="Port to listen on (0: any free port).")
@click.option("--allowed-host", "allowed", multiple=True, metavar="NAME",
              help="A name requests may give as the host (besides localhost, 127.0.0.1 and [::1]); "
                   "repeatable. Others get 400. '*' lets any in.")
@click.option("--open", "open_browser", is_flag=True, help="Open the search page in a browser.")
@click.option("--workers", type=click.IntRange(1, 64), default=1, show_default=True,
              help="Processes serving requests, each with its own readers of the index (one per core).")
@pass_state
def serve_command(state: State, host: str, port: int, allowed: tuple[str, ...], open_browser: bool,
                  workers: int) -> None:
    """Serve a search page and a JSON API for the index (read-only) until Ctrl-C.

    Pages: / and /search?q=..., /documents/ID. JSON: /api/search, /api/documents/ID,
    /api/documents/ID/similar, /api/stats, and /openapi.json. A new index written by
    `searcher index` meanwhile is served at once, without a restart.

    Only requests whose Host is this machine's loopback name (or the address it listens on,
    or an --allowed-host) are answered: a web page elsewhere cannot read the index through
    your browser.

    \b
    Example:
        searcher serve --open
        searcher serve --host 0.0.0.0 --port 8080 --allowed-host search.example.org
        searcher serve --workers 2
    """
    for name in allowed:
        if "*" in name[1:] or (name.startswith("*") and name != "*" and not name.startswith("*.")):
            raise click.BadParameter(f"{name!r}: give a host name, '*.domain' or '*'", param_hint="--allowed-host")
    try:
        from ..web import server
    except ModuleNotFoundError as exc:
        package = (exc.name or "").partition(".")[0]
        if package in WEB_PACKAGES:
            raise CliError(f"searcher serve needs the web extra ({package} is not installed): "
                           f"{INSTALL_COMMAND}") from None
        raise
    ix = state.open_index()
    why = ix.needs_build(state.seeds_dir)
    if why:
        click.echo(printable(f"searcher: {why}; building it from {state.seeds_dir}"), err=True)
        click.echo(ix.update(state.seeds_dir).summary(), err=True)
    ix.close()
    try:
        sock = server.bind(host, port)
    except OSError as exc:
        raise CliError(f"cannot listen on {host} port {port}: {(exc.strerror or str(exc)).lower()}") from None
    if not server.is_loopback(sock):
        names = ", ".join(server.allowed_hosts(sock, allowed))
        click.echo(printable(f"searcher: listening on {host}, not only on this machine: anyone who can reach "
                             f"{server.address_url(sock)} can read the index (as host {names}; "
                             "--allowed-host adds a name)"), err=True)
    server.serve(state.location, sock, open_browser=open_browser, access_log=state.verbose > 0, hosts=allowed,
                 say=lambda line: click.echo(printable(line), err=True), workers=workers,
                 cluster=state.cluster_settings(), model=state.model)


#: The commands this module adds to the `searcher` group.
COMMANDS = (serve_command,)
