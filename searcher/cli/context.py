"""What every command shares: the group's options, the exit codes, the one-line error."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:
    from .. import ClusterSettings, SearchIndex

#: Exit code for "nothing found" (and for `index`: some seeds skipped), as grep.
EXIT_NOTHING = 1
#: Exit code after Ctrl-C (128 + SIGINT), as shells report it.
EXIT_INTERRUPTED = 130


def error_line(message: str) -> str:
    """The one format of every error the command line prints: ``searcher: error: ...``, one line
    (a cluster URL in it without its secrets, whatever raised it)."""
    from .. import redacted
    from .render import printable

    text = " ".join(message.split()) or "unknown error"
    return printable(f"searcher: error: {redacted(text)}")


class CliError(click.ClickException):
    """An error shown as one line, exiting 2 like grep."""

    exit_code = 2


@dataclass(frozen=True)
class ClusterOptions:
    """The group's options on how to reach a cluster (each None when not given: the
    environment's SEARCHER_OPENSEARCH_* setting, or the default, holds)."""

    ca_certs: str | None = None
    client_cert: str | None = None
    client_key: str | None = None
    verify: bool | None = None
    user: str | None = None

    def settings(self, retry_for: float | None = None) -> "ClusterSettings":
        from .. import ClusterSettings

        return ClusterSettings.from_env(**asdict(self), retry_for=retry_for)


class State:
    """Options given to the group, shared with every command."""

    def __init__(self, index_dir: str, seeds_dir: str, verbose: int, index: str | None = None,
                 cluster: ClusterOptions | None = None, model: str | None = None) -> None:
        self.index_dir = index_dir
        self.seeds_dir = seeds_dir
        self.verbose = verbose
        #: Where the index is: ``--index`` (a folder or a cluster URL) if given, else ``--index-dir``.
        self.location = index or index_dir
        self.cluster = cluster or ClusterOptions()
        #: ``--model``: the embedding model (None: SEARCHER_MODEL, else the index's own).
        self.model = model

    def cluster_settings(self, retry_for: float | None = None) -> "ClusterSettings | None":
        """How to reach the cluster, when the index is on one (None for a folder)."""
        if not self.location.lower().startswith(("http://", "https://")):
            return None
        return self.cluster.settings(retry_for)

    def open_index(self, *, wait: float | None = None, retry_for: float | None = None) -> "SearchIndex":
        """The index, refused if it overlaps the seeds folder (``wait``: for another writer;
        ``retry_for``: a cluster's writes retried that long without progress)."""
        from .. import SearchIndex

        cluster = self.cluster_settings(retry_for)
        ix = SearchIndex(self.location, cluster=cluster, model=self.model) if wait is None else \
            SearchIndex(self.location, wait=wait, cluster=cluster, model=self.model)
        ix.check_apart(self.seeds_dir)
        return ix


pass_state = click.make_pass_decorator(State)
