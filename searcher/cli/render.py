"""How results and documents look on a terminal (JSON output is the records' own as_dict)."""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING, Any

import click

if TYPE_CHECKING:
    from .. import Document, Hit, Results


# What a terminal must never be sent from data: C0 and C1 controls and DEL (escape sequences:
# ESC, CSI U+009B, OSC, BEL...), bidi embeddings, overrides, isolates and marks (they reorder
# what follows on the line), line and paragraph separators, and lone surrogates (which
# cannot be encoded: printing one fails).
_BIDI_AND_SEPARATORS = "\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff"
_UNSAFE_CHAR = re.compile(f"[\x00-\x1f\x7f-\x9f{_BIDI_AND_SEPARATORS}]")
_UNSAFE_IN_LINES = re.compile(f"[\x00-\x08\x0b-\x1f\x7f-\x9f{_BIDI_AND_SEPARATORS}]")  # keeps \t and \n
# JSON escapes C0 controls in its strings itself; its own line breaks (indent) stay.
_UNSAFE_IN_JSON = re.compile(f"[\x7f-\x9f{_BIDI_AND_SEPARATORS}]")


def _escaped(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def printable(text: str, *, lines: bool = False) -> str:
    """Text that came from data (a name, id, title, snippet, source, path, an error quoting
    one) as it may be sent to a terminal: every control and bidi character becomes a visible
    escape (ESC -> ``\\x1b``, U+202E -> ``\\u202e``), so a file name cannot set the window
    title or clear the screen, and no text can reorder a line. ``lines`` keeps line breaks
    and tabs (a body, a CSV value). The one function every non-JSON output goes through;
    JSON output is escaped by :func:`json_text`.
    """
    pattern = _UNSAFE_IN_LINES if lines else _UNSAFE_CHAR
    return pattern.sub(_escaped, text) if pattern.search(text) else text


def json_text(value: Any, *, indent: int | None = None) -> str:
    """``json.dumps`` as the CLI prints it: non-ASCII kept, but the characters
    :func:`printable` escapes written as ``\\uXXXX`` (the same JSON value, safe on a terminal)."""
    text = json.dumps(value, ensure_ascii=False, indent=indent)
    return _UNSAFE_IN_JSON.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


#: What `--highlight ansi` puts around a match (the library's own codes).
ANSI_MATCH = ("\x1b[1;31m", "\x1b[0m")


def snippet_text(hit: "Hit", highlight: str) -> str:
    """A hit's snippet as printed: the data escaped by :func:`printable`, and for ``ansi`` the
    highlighting searcher adds put back around the matches (the only escape codes let through)."""
    if highlight != "ansi":
        return printable(hit.snippet)
    text, start, end = hit.snippet_text, *ANSI_MATCH
    out, pos = [], 0
    for s, e in hit.matches:
        out += [printable(text[pos:s]), start, printable(text[s:e]), end]
        pos = e
    out.append(printable(text[pos:]))
    return "".join(out)


# Characters an id may hold and still be typed bare in a shell.
_BARE = "@%+=:,./-_"


def typeable_id(doc_id: str) -> str:
    """A document id as it is typed in a shell: bare when it can be, else quoted.

    ``sub/copy of x.txt`` -> ``'sub/copy of x.txt'``; an id with a control character (a
    newline in a file name) in ``$'...'`` form (bash, zsh). JSON output keeps the id as is.
    """
    if doc_id and all(ch.isalnum() or ch in _BARE for ch in doc_id):
        return doc_id
    if all(ch.isprintable() for ch in doc_id):
        import shlex

        return shlex.quote(doc_id)
    return "$'" + "".join(_ansi_c(ch) for ch in doc_id) + "'"


def _ansi_c(ch: str) -> str:
    """One character inside bash's ``$'...'`` quotes."""
    if ch in "'\\":
        return "\\" + ch
    if ch.isprintable():
        return ch
    return f"\\x{ord(ch):02x}" if ord(ch) < 0x100 else f"\\u{ord(ch):04x}" if ord(ch) < 0x10000 else f"\\U{ord(ch):08x}"


def print_results(results: "Results", color: bool, highlight: str = "plain") -> None:
    """Hits, facets, then the hit count and any suggestion on stderr (``highlight``: the
    format the snippets were asked in)."""

    def style(text: str, **kw: Any) -> str:
        return click.style(text, **kw) if color else text

    def echo(text: str = "") -> None:
        click.echo(text, color=color)  # click drops ANSI codes off a terminal unless told

    for hit in results:
        echo(f"{style(f'{hit.rank}.', bold=True)} {style(printable(hit.title or hit.doc_id), bold=True)}")
        meta = [printable(hit.source or ""), hit.published.date().isoformat() if hit.published else "", typeable_id(hit.doc_id),
                f"score {hit.score:.2f}"]
        echo("   " + style(" · ".join(m for m in meta if m), dim=True))
        if hit.snippet:
            echo(f"   {snippet_text(hit, highlight)}")
        if hit.duplicates:
            echo("   " + style(copies_line(hit.duplicates), dim=True))
        for line in hit.explanation:
            echo("   " + style(printable(line), dim=True))
        echo()
    if results.facets:
        for name, counts in results.facets.items():
            listed = ", ".join(f"{printable(k)} ({v})" for k, v in counts.items()) or "none"
            echo(f"{printable(name)}: {listed}")
    shown = hit_count(results)
    if results.total and results.page > results.pages:
        shown += f"; page {results.page} is past the last page ({results.pages})"
    elif results.distinct > results.limit:
        shown += f" (page {results.page} of {results.pages})"
    click.echo(f"{shown} in {results.seconds:.3f} s", err=True)
    print_notes(results)
    if results.suggestion:
        click.echo(f"Did you mean: {printable(results.suggestion)}?", err=True)


#: How many ids of folded copies a hit lists (the rest are counted).
COPIES_SHOWN = 3


def copies_line(doc_ids: list[str]) -> str:
    """``+2 copies: a.html, b.txt`` for the copies folded into a hit."""
    listed = ", ".join(typeable_id(d) for d in doc_ids[:COPIES_SHOWN])
    more = ", ..." if len(doc_ids) > COPIES_SHOWN else ""
    return f"+{len(doc_ids)} cop{'ies' if len(doc_ids) != 1 else 'y'}: {listed}{more}"


def hit_count(results: "Results") -> str:
    """``12 hits`` or, when copies were folded, ``12 hits (+3 copies folded in, 15 in all)``."""
    shown = f"{results.distinct} hit{'s' if results.distinct != 1 else ''}"
    if results.copies:
        shown += (f" (+{results.copies} cop{'ies' if results.copies != 1 else 'y'} folded in, "
                  f"{results.total} in all)")
    return shown


def print_notes(results: "Results") -> None:
    """A line on stderr for each thing the hits alone do not say: a query with syntax was
    searched as plain words (and why), the query itself finds nothing (and why), undated
    hits come last in a date order."""
    if results.searched_as_words:
        click.echo(printable(f"searched as plain words: {results.searched_as_words}"), err=True)
    if results.empty_reason:
        click.echo(printable(f"nothing found: {results.empty_reason}"), err=True)
    if results.undated:
        some = f"{results.undated} hit{'s' if results.undated != 1 else ''}"
        click.echo(f"note: {some} {'have' if results.undated != 1 else 'has'} no date; sorted by date, "
                   f"{'they come' if results.undated != 1 else 'it comes'} last", err=True)


def print_document(doc: "Document", *, as_json: bool, removed: bool) -> None:
    """A document's title, metadata and body (and the removed lines if asked), or its JSON."""
    if as_json:
        click.echo(json_text(doc.as_dict(), indent=2))
        return
    click.echo(printable(doc.title))
    meta = {
        "id": typeable_id(doc.doc_id), "source": doc.source, "published": doc.published.isoformat() if doc.published else None,
        "authors": ", ".join(doc.authors) or None, "url": doc.url, "language": doc.language, "path": doc.path,
        "sections": " | ".join(doc.sections) or None,
    }
    for key, value in meta.items():
        if value:
            click.echo(f"{key + ':':11}{value if key == 'id' else printable(value)}")
    click.echo()
    click.echo(printable(doc.body, lines=True))
    if removed:
        click.echo()
        click.echo(f"removed ({len(doc.removed)} lines):")
        for line in doc.removed:
            why = f" ({line.reason})" if line.reason else ""
            click.echo(printable(f"  [{line.label}]{why} {line.text}"))
