"""Hostile inputs for the cleaner, generated from its own rules: what tests and benchmarks time.

A regular expression that backtracks is slow only on the text it was written for: the words it
looks for, repeated with little in between. So the floods are built from the cleaner's own
data, and a new rule or tag pattern is covered without anyone writing a case for it:

- every :class:`~searcher.cleaning.rules.LineRule` gives its trigger words (its ``needs`` and
  the literal strings of its pattern), each repeated with each of a few separators, as one
  long line and as many lines of a thousand characters (the longest lines the cache skips, so
  every line is matched again);
- the HTML pass gives the tags and attributes its patterns look for (``<script>`` unclosed,
  ``<meta x`` unended, ``<!--`` unclosed, chrome class names), each repeated.

Each flood is ``(name, kind, text)`` with ``kind`` ``"text"`` (for ``clean_text``) or ``"html"``
(for ``clean_html``). Nothing here runs the cleaner.
"""

from __future__ import annotations

from collections.abc import Iterator

try:
    import re._constants as _sre
    import re._parser as _sre_parse
except ImportError:  # Python 3.10
    import sre_constants as _sre  # type: ignore[no-redef]
    import sre_parse as _sre_parse  # type: ignore[no-redef]

from .rules import RULES, LineRule

#: What goes between two copies of a trigger word: nothing (one long word), a space (many
#: words), and the punctuation the rules' patterns are built around.
SEPARATORS = ("", " ", "-", "/", " / ", ":", "|", ".", "(", "1", "'", "…")
#: Lines of this many characters: longer than the rule cache keeps, short enough to be many.
LINE_CHARS = 1000
#: Literal runs shorter than this are only kept when the rule has nothing longer.
_MIN_LITERAL = 2


def _literals(items: object, out: set[str]) -> None:
    """The runs of literal characters in a parsed pattern (branches and groups walked)."""
    run: list[str] = []

    def flush() -> None:
        if run:
            out.add("".join(run))
            run.clear()

    for op, av in items:  # type: ignore[attr-defined]
        if op is _sre.LITERAL:
            run.append(chr(av))
            continue
        if op is _sre.IN:  # a character set: its first literal stands for it
            literal = next((chr(value) for item, value in av if item is _sre.LITERAL), None)
            if literal is not None:
                run.append(literal)
                continue
        flush()
        if op is _sre.SUBPATTERN:
            _literals(av[-1], out)
        elif op is _sre.BRANCH:
            for branch in av[1]:
                _literals(branch, out)
        elif op in (_sre.MAX_REPEAT, _sre.MIN_REPEAT):
            _literals(av[2], out)
        elif op in (_sre.ASSERT, _sre.ASSERT_NOT):
            _literals(av[1], out)
    flush()


def trigger_words(rule: LineRule) -> list[str]:
    """The strings ``rule`` looks for: its ``needs`` and the literal runs of its pattern."""
    found: set[str] = set(rule.needs)
    _literals(_sre_parse.parse(rule.pattern.pattern, rule.pattern.flags), found)
    found = {word for word in found if word.strip()}
    longer = {word for word in found if len(word) >= _MIN_LITERAL}
    return sorted(longer or found)


def _repeat(unit: str, size: int) -> str:
    return (unit * (size // len(unit) + 1))[:size]


def _lines(unit: str, size: int) -> str:
    line = _repeat(unit, LINE_CHARS)
    return _repeat(line + "\n", size)


def rule_units(rules: tuple[LineRule, ...] = RULES) -> Iterator[tuple[int, str]]:
    """(rule number, unit): each trigger word of each rule with each separator, each unit once."""
    seen: set[str] = set()
    for number, rule in enumerate(rules):
        for word in trigger_words(rule):
            for sep in SEPARATORS:
                if word + sep not in seen:
                    seen.add(word + sep)
                    yield number, word + sep


#: The separators of the sample: a long word of trigger words, and the commonest punctuation.
SAMPLE_SEPARATORS = ("-", "/")


def rule_floods(size: int, rules: tuple[LineRule, ...] = RULES, *,
                sample: bool = False) -> Iterator[tuple[str, str, str]]:
    """Text floods of every rule's trigger words (each text once, though rules share words).

    ``sample``: each rule's first trigger word with :data:`SAMPLE_SEPARATORS` only, one long
    line each (a test's worth: about a hundred floods instead of some ten thousand).
    """
    if sample:
        for number, rule in enumerate(rules):
            for sep in SAMPLE_SEPARATORS:
                unit = trigger_words(rule)[0] + sep
                yield f"rule {number} ({rule.label}) {unit!r} one line", "text", _repeat(unit, size)
        return
    for number, unit in rule_units(rules):
        name = f"rule {number} ({rules[number].label}) {unit!r}"
        yield f"{name} one line", "text", _repeat(unit, size)
        yield f"{name} lines", "text", _lines(unit, size)


# Tags and attributes the HTML pass looks for (html.py's patterns, the parser, the metadata).
_HTML_UNITS = (
    "<script>", "<script>x", "<style>", "<noscript>", "<template>", "<svg>", "</script", "<script></scrip",
    "<meta x ", "<meta charset=", "<meta ", "<", "<a", "<!--", "<!-- x --", "<!", "<?xml ", "<?xml",
    "<p>", "</p", "<div>", "<div class='share'>", "<div class=", "<div class='", "<br>", "<li>", "<td>",
    "<h1>", "<h1>x</h1>", "<article>", "<a href=x>x</a>", "<time datetime=", "<title>",
    "<script type=application/ld+json>{", "<script type=application/ld+json>[",
    "<div class='" + "share " * 4 + "'>", "<div id='nav-", "<div class='a-b-c-d-e-",
    "&", "&amp", "&#", "&#x", "\x01",
)


def html_floods(size: int) -> Iterator[tuple[str, str, str]]:
    """HTML floods: each tag or attribute the HTML pass looks for, repeated, bare and in a page."""
    for unit in _HTML_UNITS:
        yield f"html {unit!r} bare", "html", _repeat(unit, size)
        body = _repeat(unit, max(size - 60, len(unit)))
        yield f"html {unit!r} in body", "html", f"<html><head></head><body>{body}</body></html>"


def floods(size: int) -> Iterator[tuple[str, str, str]]:
    """Every flood of ``size`` characters: the rules' (text) then the HTML pass's."""
    yield from rule_floods(size)
    yield from html_floods(size)


def normal_page(kind: str, size: int) -> str:
    """A page of ordinary news prose of about ``size`` characters, for comparison."""
    paragraph = ("The council met on Monday to discuss the budget, and the mayor said the city would "
                 "have to wait until the spring for a decision on the new bridge, officials said. ")
    words = paragraph.split()
    out: list[str] = []
    total = i = 0
    while total < size:
        # Paragraphs of varied length, each made distinct so the rule cache does not help.
        text = " ".join(words[(i + k) % len(words)] for k in range(20 + i % 40)) + f" {i}."
        out.append(text)
        total += len(text) + 2
        i += 1
    if kind == "html":
        paragraphs = "".join(f"<p>{p}</p>\n" for p in out)
        return (f"<html><head><title>Budget talks</title></head><body><nav><a href=/>Home</a></nav>"
                f"<article><h1>Budget talks</h1>{paragraphs}</article></body></html>")
    return "Budget talks\n\n" + "\n\n".join(out)

