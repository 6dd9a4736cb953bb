"""``--color[=WHEN]`` as git, ripgrep and ls take it: ``auto`` (colour on a terminal, unless
NO_COLOR is set), ``always`` or ``never``.

The spellings scripts already use keep working: ``--color`` alone is ``always``,
``--no-color`` is ``never``, and ``--color WHEN`` (ripgrep's) is ``--color=WHEN``. Click
cannot give an option an optional value without taking the next word as it (in
``searcher search --color taliban`` "taliban" would become the value), so
:class:`ColorCommand` spells these out before click parses the arguments; nothing after
``--`` is touched.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from typing import Any, TypeVar

import click

#: The values of --color.
WHEN = ("auto", "always", "never")

F = TypeVar("F", bound=Callable[..., Any])


class ColorCommand(click.Command):
    """A command whose ``--color`` and ``--no-color`` are read as ``--color=WHEN``."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        return super().parse_args(ctx, spelled_out(args))


def spelled_out(args: list[str]) -> list[str]:
    """``args`` with ``--color`` (alone, or before a WHEN) and ``--no-color`` as ``--color=WHEN``."""
    out: list[str] = []
    i = 0
    while i < len(args):
        arg = args[i]
        if arg == "--":
            out.extend(args[i:])
            break
        if arg == "--color":
            given = i + 1 < len(args) and args[i + 1] in WHEN
            out.append(f"--color={args[i + 1] if given else 'always'}")
            i += 2 if given else 1
            continue
        out.append("--color=never" if arg == "--no-color" else arg)
        i += 1
    return out


def color_option() -> Callable[[F], F]:
    """The ``--color`` option (the command must be a :class:`ColorCommand`)."""
    return click.option("--color", type=click.Choice(WHEN), default="auto", show_default=True, metavar="WHEN",
                        help="Colour the output: auto (on a terminal, unless NO_COLOR), always or never; "
                             "--color alone is always, --no-color never.")


def color_wanted(when: str) -> bool:
    """Whether to colour the output for ``--color=WHEN``."""
    if when != "auto":
        return when == "always"
    return sys.stdout.isatty() and not os.environ.get("NO_COLOR")
