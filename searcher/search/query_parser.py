"""The query language parsed once, into the project's own tree (``query_tree``).

The language is the one searcher has always had, which Whoosh's query parser defined: the
same tokens ("taggers") and the same rewriting passes ("filters"), in the same order, so
every query, odd ones included, means exactly what it meant before. The passes work on a
small mutable syntax tree private to this module; the result is frozen into
``query_tree`` nodes. No engine is imported: a second engine runs the same tree.

``Dialect`` keeps the few corners where Whoosh 2.7.4's parser read a query differently
from whoosh3's (the default), so an engine built on 2.7.4 answers as it always did.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass, replace
from typing import Any

from . import query_tree as qt
from .fields import QUERY_FIELDS
from .limits import check_nesting
from .query_text import broken_syntax, check_fields, has_exclusions, plain_words


@dataclass(frozen=True)
class Dialect:
    """Where Whoosh 2.7.4's parser differed from whoosh3's (True: whoosh3's reading)."""

    #: ``[tomato TO x]``: "to" inside a word does not end the range start.
    range_to_is_a_word: bool = True
    #: ``[a TO b]^2`` boosts the range, and an unqualified range gets the field boosts.
    ranges_take_boosts: bool = True
    #: ``(published:>2020)`` works inside parentheses too.
    comparisons_in_groups: bool = True
    #: ``a[b*`` stays a wildcard rather than becoming a prefix.
    bracket_keeps_wildcard: bool = True
    #: ``title:a:b:c``: every unknown ``name:`` in a run is kept as text, not only the last.
    keeps_unknown_field_runs: bool = True
    #: A ``NOT`` left with nothing to negate is dropped (2.7.4: the query fails to parse).
    drops_empty_not: bool = True


WHOOSH3 = Dialect()
WHOOSH_2_7 = Dialect(False, False, False, False, False, False)


@dataclass(frozen=True)
class ParsedQuery:
    """A query as the engine should run it.

    ``tree``: the structured reading (None when syntax is off, broken, or unusable).
    ``words``: the plain-words reading, the fallback (None when the text has no words).
    ``has_exclusions``: with syntax on and not broken, the query excludes something; if its
    structured reading finds nothing to look for, it finds nothing (no fallback to words).
    ``broken``: syntax was on but broken, so only ``words`` applies; ``broken_reason`` says
    what is broken, for the user. ``syntax``: the query was read with syntax on.
    """

    text: str
    tree: qt.Node | None
    words: qt.Node | None
    has_exclusions: bool = False
    broken: bool = False
    broken_reason: str = ""
    syntax: bool = True


def parse_query(text: str, *, syntax: bool = True, index_fields: Collection[str] | None = None,
                dialect: Dialect = WHOOSH3) -> ParsedQuery:
    """Parse a user's query; QueryError for an unknown field, or parentheses nested past
    ``limits.MAX_NESTING``. The query's text was checked first (``limits.check_query``: not
    empty, not too long).

    ``index_fields``: every field the index has (a ``name:`` inside a word that is not one
    is kept as text); by default the fields the language names.
    """
    tree = None
    excluding = False
    reason = None
    if syntax:
        check_fields(text)
        check_nesting(text)
        reason = broken_syntax(text)
        if reason is None:
            known = frozenset(index_fields if index_fields is not None else QUERY_FIELDS.values())
            tree = parse_structured(text, known, dialect)
            excluding = has_exclusions(text)
    return ParsedQuery(text=text, tree=tree, words=words_tree(text), has_exclusions=excluding,
                       broken=reason is not None, broken_reason=reason or "", syntax=syntax)


def words_tree(text: str) -> qt.Node | None:
    """``text`` as plain words: each searched in the default fields, any of them matching."""
    words = plain_words(text).split(" ")
    if words == [""]:
        return None
    return qt.Or(tuple(qt.Term(None, w) for w in words), implicit=True)


def parse_structured(text: str, index_fields: frozenset[str], dialect: Dialect = WHOOSH3) -> qt.Node | None:
    """The structured reading of ``text``, or None where the language cannot read it."""
    try:
        group = _Parser(index_fields, dialect).run(text)
        return _freeze(group, dialect)
    except _Unusable:
        return None


class _Unusable(Exception):
    """The passes left something no query can be made of (Whoosh's parser raised there)."""


# ---------------------------------------------------------------------------- syntax nodes

class _Node:
    has_fieldname = False
    has_text = False
    has_boost = False
    fieldname: str | None = None
    boost = 1.0

    def is_ws(self) -> bool:
        return False

    def is_text(self) -> bool:
        return False

    def set_fieldname(self, name: str | None, override: bool = False) -> None:
        if self.has_fieldname and (self.fieldname is None or override):
            self.fieldname = name

    def set_boost(self, boost: float) -> None:
        if self.has_boost:
            self.boost = boost


class _Text(_Node):
    """A leaf that searches for text."""

    has_fieldname = has_text = has_boost = True

    def __init__(self, text: str) -> None:
        self.fieldname = None
        self.text = text
        self.boost = 1.0

    def is_text(self) -> bool:
        return True


class _Word(_Text):
    pass


class _Wild(_Text):
    pass


class _Prefix(_Text):
    pass


class _Fuzzy(_Text):
    def __init__(self, word: _Text, maxdist: int, prefixlength: int) -> None:
        super().__init__(word.text)
        self.fieldname, self.boost = word.fieldname, word.boost
        self.maxdist, self.prefixlength = maxdist, prefixlength


class _Phrase(_Text):
    def __init__(self, text: str, slop: int) -> None:
        super().__init__(text)
        self.slop = slop


class _Range(_Node):
    has_fieldname = True

    def __init__(self, start: str | None, end: str | None, startexcl: bool, endexcl: bool, boosts: bool) -> None:
        self.start, self.end, self.startexcl, self.endexcl = start, end, startexcl, endexcl
        self.fieldname = None
        self.boost = 1.0
        self.has_boost = boosts


class _Every(_Node):
    pass


class _Space(_Node):
    def is_ws(self) -> bool:
        return True


class _Marker(_Node):
    """Syntax that only marks a place: brackets, +, -, comparisons, operators."""

    def __init__(self, kind: str, original: str = "", value: Any = None) -> None:
        self.kind, self.original, self.value = kind, original, value


class _FieldName(_Node):
    has_fieldname = True

    def __init__(self, fieldname: str, original: str) -> None:
        self.fieldname, self.original = fieldname, original


def _to_word(node: Any) -> _Word:
    return _Word(node.original)


class _Group(_Node):
    """A group of nodes; ``kind`` says which query it becomes."""

    has_boost = True
    merging = True

    def __init__(self, kind: str, nodes: list | None = None, boost: float = 1.0, expands: bool = False) -> None:
        self.kind = kind  # "and", "or", "implicit", "andnot", "andmaybe", "require", "not"
        self.nodes: list = nodes or []
        self.boost = boost
        self.expands = expands  # a leaf's copies over the default fields (plus OR-ed siblings)
        if kind in ("andnot", "andmaybe", "require"):
            self.merging = False
            self.has_boost = False
        elif kind == "not":
            self.merging = False

    def is_or(self) -> bool:
        return self.kind in ("or", "implicit")

    def empty_copy(self) -> _Group:
        return _Group(self.kind, boost=self.boost, expands=self.expands)

    def set_fieldname(self, name: str | None, override: bool = False) -> None:
        for node in self.nodes:
            node.set_fieldname(name, override=override)

    def __len__(self) -> int:
        return len(self.nodes)


_AND_OPS = ("and", "or", "andnot", "andmaybe", "require")


# ---------------------------------------------------------------------------- the passes

_QMARKS = "?\u055e\u061f\u1367"
_RANGE = r"""
    (?P<open>\{|\[)
    (?P<start>
        ('[^']*?'\s+)
        |
        ([^\]}]+?(?=%(to)s))
    )?
    %(to)s
    (?P<end>
        (\s+'[^']*?')
        |
        ([^\]}]+?)
    )?
    (?P<close>}|])
"""
_FUZZY = r"(?<=\S)~(?P<maxdist>[0-9])?(/(?P<prefix>[1-9][0-9]*))?"


class _Parser:
    """The passes of the language, in Whoosh's order."""

    def __init__(self, index_fields: frozenset[str], dialect: Dialect) -> None:
        self.index_fields = index_fields
        self.dialect = dialect
        to = r"\b[Tt][Oo]\b" if dialect.range_to_is_a_word else r"[Tt][Oo]"
        # (pattern, maker) in the order the tokens are tried at each position
        self.taggers: list[tuple[re.Pattern[str], Any]] = [
            (re.compile(r"(?<=\s)ANDNOT(?=\s)"), lambda m: _Marker("andnot", m.group(0))),
            (re.compile(r"(?<=\s)ANDMAYBE(?=\s)"), lambda m: _Marker("andmaybe", m.group(0))),
            (re.compile(r"[*]:[*]"), lambda m: _Every()),
            (re.compile(r"(^|(?<=\W))'(?P<text>.*?)'(?=\s|\]|[)}]|$)"), lambda m: _Word(m.group("text"))),
            # A date with a time is one word ("19T23:" in it is not a field name).
            (re.compile(r"(?<![\w-])\d{4}-\d{1,2}-\d{1,2}T\d{1,2}:\d{2}(:\d{2}([.,]\d+)?)?(Z|[+-]\d{2}(:?\d{2})?)?(?![\w:])"),
             lambda m: _Word(m.group(0))),
            (re.compile(r"(?P<text>\w+|[*]):"), lambda m: _FieldName(m.group("text"), m.group(0))),
            (re.compile(f"(?P<text>[*{_QMARKS}])"), lambda m: _Wild(m.group("text"))),
            (re.compile(r'"(?P<text>.*?)"(~(?P<slop>[1-9][0-9]*))?'),
             lambda m: _Phrase(m.group("text"), int(m.group("slop")) if m.group("slop") else 1)),
            (re.compile(r"[(]"), lambda m: _Marker("open")),
            (re.compile(r"[)]"), lambda m: _Marker("close")),
            (re.compile(r"(^|(?<=(\s|[()])))NOT(?=\s)"), lambda m: _Marker("not", m.group(0))),
            (re.compile(r"(?<=\s)AND(?=\s)"), lambda m: _Marker("and", m.group(0))),
            (re.compile(r"(?<=\s)OR(?=\s)"), lambda m: _Marker("or", m.group(0))),
            (re.compile(r"(^|(?<=\s))REQUIRE(?=\s)"), lambda m: _Marker("require", m.group(0))),
            (re.compile(r"\^(?P<boost>[0-9]*(\.[0-9]+)?)($|(?=[ \t\r\n)]))"), self._boost),
            (re.compile(_FUZZY), lambda m: _Marker("fuzzy", m.group(0), (
                int(m.group("maxdist")) if m.group("maxdist") else 1,
                int(m.group("prefix")) if m.group("prefix") else 0))),
            (re.compile(r"(?P<rel>(<=|>=|<|>|=<|=>))"), lambda m: _Marker("gtlt", m.group(0), m.group("rel"))),
            (re.compile(r"(?<![^\s(])\+"), lambda m: _Marker("plus")),
            (re.compile(r"(?<![^\s(])-"), lambda m: _Marker("minus")),
            (re.compile(_RANGE % {"to": to}, re.VERBOSE), self._range),
            (re.compile(r"\s+"), lambda m: _Space()),
        ]

    @staticmethod
    def _boost(match: re.Match[str]) -> _Node:
        try:
            return _Marker("boost", match.group(0), float(match.group("boost")))
        except ValueError:
            return _Word(match.group(0))

    def _range(self, match: re.Match[str]) -> _Node:
        start, end = match.group("start"), match.group("end")
        if start:
            start = start.rstrip()
            if start.startswith("'") and start.endswith("'"):
                start = start[1:-1]
        if end:
            end = end.lstrip()
            if end.startswith("'") and end.endswith("'"):
                end = end[1:-1]
        return _Range(start, end, match.group("open") == "{", match.group("close") == "}",
                      self.dialect.ranges_take_boosts)

    def run(self, text: str) -> _Group:
        group = self.tag(text)
        group = self.do_groups(group)
        group = self.clean_boost(group)
        group = self.do_fuzzy(group)
        group = self.do_wildcards(group)
        group = self.do_aliases(group)
        group = self.do_gtlt(group)
        group = self.do_fieldnames(group)
        group = self.do_multifield(group)
        group = self.remove_whitespace(group)
        group = self.do_boost(group)
        group = self.do_plusminus(group)
        return self.do_operators(group)

    def tag(self, text: str) -> _Group:
        stack: list[_Node] = []
        prev = pos = 0
        while pos < len(text):
            node = end = None
            for expr, make in self.taggers:
                match = expr.match(text, pos)
                if match:
                    node, end = make(match), match.end()
                    break
            if node is None:
                pos += 1
                continue
            if prev < pos:
                stack.append(_Word(text[prev:pos]))
            stack.append(node)
            prev = pos = end
        if prev < len(text):
            stack.append(_Word(text[prev:]))
        return _Group("implicit", stack)

    def do_groups(self, group: _Group) -> _Group:
        stack = [_Group("implicit")]
        for node in group.nodes:
            if isinstance(node, _Marker) and node.kind == "open":
                stack.append(_Group("implicit"))
            elif isinstance(node, _Marker) and node.kind == "close":
                if len(stack) > 1:
                    last = stack.pop()
                    stack[-1].nodes.append(last)
            else:
                stack[-1].nodes.append(node)
        top = stack[0]
        for level in stack[1:]:
            top.nodes.extend(level.nodes)
        if len(top) == 1 and isinstance(top.nodes[0], _Group):
            boost = top.boost
            top = top.nodes[0]
            top.boost = boost
        return top

    @staticmethod
    def clean_boost(group: _Group) -> _Group:
        nodes = group.nodes
        for i, node in enumerate(nodes):
            if _is(node, "boost") and (not i or not nodes[i - 1].has_boost):
                nodes[i] = _to_word(node)
        return group

    def do_fuzzy(self, group: _Group) -> _Group:
        new = group.empty_copy()
        nodes = group.nodes
        i = 0
        while i < len(nodes):
            node = nodes[i]
            if i < len(nodes) - 1 and type(node) is _Word and _is(nodes[i + 1], "fuzzy"):
                node = _Fuzzy(node, *nodes[i + 1].value)
                i += 1
            if _is(node, "fuzzy"):
                node = _to_word(node)
            if isinstance(node, _Group):
                node = self.do_fuzzy(node)
            new.nodes.append(node)
            i += 1
        return new

    def do_wildcards(self, group: _Group) -> _Group:
        nodes = group.nodes
        i = 0
        while i < len(nodes):
            node = nodes[i]
            if type(node) is _Wild:
                if i < len(nodes) - 1 and nodes[i + 1].is_text():
                    node.text += nodes.pop(i + 1).text
                if i > 0 and nodes[i - 1].is_text():
                    node.text = nodes.pop(i - 1).text + node.text
                else:
                    i += 1
            else:
                if isinstance(node, _Group):
                    self.do_wildcards(node)
                i += 1
        for i, node in enumerate(nodes):
            if type(node) is _Wild:
                text = node.text
                if (len(text) > 1 and not ("[" in text and self.dialect.bracket_keeps_wildcard)
                        and not any(q in text for q in _QMARKS) and text.find("*") == len(text) - 1):
                    nodes[i] = _Prefix(text[:-1])
        return group

    def do_aliases(self, group: _Group) -> _Group:
        for i, node in enumerate(group.nodes):
            if isinstance(node, _Group):
                group.nodes[i] = self.do_aliases(node)
            elif node.has_fieldname and node.fieldname is not None and node.fieldname in QUERY_FIELDS:
                node.set_fieldname(QUERY_FIELDS[node.fieldname], override=True)
        return group

    def do_gtlt(self, group: _Group) -> _Group:
        new = group.empty_copy()
        nodes = group.nodes
        i = 0
        while i < len(nodes):
            node = nodes[i]
            if _is(node, "gtlt"):
                if i < len(nodes) - 1:
                    if not new.nodes:
                        raise _Unusable("a comparison with nothing before it")  # Whoosh: IndexError
                    nextnode = nodes[i + 1]
                    if isinstance(new.nodes[-1], _FieldName) and nextnode.has_text:
                        new.nodes.append(self._comparison(nextnode.text, node.value))
                        i += 1
            elif isinstance(node, _Group) and self.dialect.comparisons_in_groups:
                new.nodes.append(self.do_gtlt(node))
            else:
                new.nodes.append(node)
            i += 1
        return new

    def _comparison(self, text: str, rel: str) -> _Range:
        boosts = self.dialect.ranges_take_boosts
        if rel == "<":
            return _Range(None, text, False, True, boosts)
        if rel == ">":
            return _Range(text, None, True, False, boosts)
        if rel in ("<=", "=<"):
            return _Range(None, text, False, False, boosts)
        return _Range(text, None, False, False, boosts)

    def do_fieldnames(self, group: _Group) -> _Group:
        group = self._unknown_fields_to_text(group)
        new = group.empty_copy()
        nodes = group.nodes
        i = len(nodes)
        while i > 0:
            i -= 1
            node = nodes[i]
            if isinstance(node, _FieldName):
                node = _to_word(node)  # a field name in front of nothing
            elif isinstance(node, _Group):
                node = self.do_fieldnames(node)
            if i > 0 and not node.is_ws() and isinstance(nodes[i - 1], _FieldName):
                node.set_fieldname(nodes[i - 1].fieldname, override=False)
                i -= 1
            new.nodes.append(node)
        new.nodes.reverse()
        return new

    def _unknown_fields_to_text(self, group: _Group) -> _Group:
        """``name:`` that names no field of the index is text again (joined to what follows)."""
        new = group.empty_copy()
        pending: list[_FieldName] = []
        for node in group.nodes:
            if isinstance(node, _FieldName) and node.fieldname not in self.index_fields:
                if not self.dialect.keeps_unknown_field_runs:
                    pending.clear()
                pending.append(node)
                continue
            if pending:
                original = "".join(f.original for f in pending)
                if node.has_text:
                    node.text = original + node.text
                else:
                    new.nodes.append(_Word(original))
                pending = []
            new.nodes.append(node)
        if pending:
            new.nodes.append(_Word("".join(f.original for f in pending)))
        return new

    def do_multifield(self, group: _Group) -> _Group:
        for i, node in enumerate(group.nodes):
            if isinstance(node, _Group):
                group.nodes[i] = self.do_multifield(node)
            elif node.has_fieldname and node.fieldname is None:
                group.nodes[i] = _Group("or", [node], expands=True)
        return group

    def remove_whitespace(self, group: _Group) -> _Group:
        new = group.empty_copy()
        for node in group.nodes:
            if isinstance(node, _Group):
                new.nodes.append(self.remove_whitespace(node))
            elif not node.is_ws():
                new.nodes.append(node)
        return new

    def do_boost(self, group: _Group) -> _Group:
        new = group.empty_copy()
        for node in group.nodes:
            if isinstance(node, _Group):
                node = self.do_boost(node)
            elif _is(node, "boost"):
                if new.nodes and new.nodes[-1].has_boost:
                    new.nodes[-1].set_boost(node.value)
                    continue
                node = _to_word(node)
                node.stray = True  # made after fields were given out: it has none
            new.nodes.append(node)
        return new

    @staticmethod
    def do_plusminus(group: _Group) -> _Group:
        """Top level only: +x required, -x excluded, the rest optional."""
        required, optional, banned = _Group("and"), _Group("or"), _Group("or")
        target = optional
        for node in group.nodes:
            if _is(node, "plus"):
                target = required
            elif _is(node, "minus"):
                target = banned
            else:
                target.nodes.append(node)
                target = optional
        result = optional
        if required.nodes:
            result = _Group("andmaybe", [required, result])
        if banned.nodes:
            result = _Group("andnot", [result, banned])
        return result

    def do_operators(self, group: _Group) -> _Group:
        nodes = group.nodes
        i = 0
        while i < len(nodes):  # NOT first: it binds to the next clause
            if _is(nodes[i], "not"):
                length = len(nodes)
                del nodes[i]
                if i < length - 1:
                    nodes[i] = _Group("not", [nodes[i]])
            else:
                i += 1
        for kind in _AND_OPS:
            i = 0
            while i < len(nodes):
                if _is(nodes[i], kind):
                    self._infix(nodes, i, kind)
                else:
                    i += 1
        for i, node in enumerate(nodes):
            if isinstance(node, _Group):
                nodes[i] = self.do_operators(node)
        return group

    @staticmethod
    def _infix(nodes: list, i: int, kind: str) -> None:
        if 0 < i < len(nodes) - 1:
            left, right = nodes[i - 1], nodes[i + 1]
            merging = kind in ("and", "or")
            if merging and isinstance(left, _Group) and (left.is_or() if kind == "or" else left.kind == "and"):
                left.nodes.append(right)
                del nodes[i:i + 2]
            else:
                nodes[i - 1:i + 2] = [_Group(kind, [left, right])]
        else:
            del nodes[i]


def _is(node: _Node, kind: str) -> bool:
    return isinstance(node, _Marker) and node.kind == kind


# ---------------------------------------------------------------------------- freezing

_LEAF = {_Word: qt.Term, _Wild: qt.Wildcard, _Prefix: qt.Prefix}


def _freeze(node: _Node, dialect: Dialect) -> qt.Node:
    """The frozen tree for a syntax node; _Unusable where Whoosh could make no query."""
    if isinstance(node, _Group):
        return _freeze_group(node, dialect)
    kind = type(node)
    if getattr(node, "stray", False):
        return qt.Stray(node.text, node.boost)  # type: ignore[attr-defined]
    if kind in _LEAF:
        return _LEAF[kind](node.fieldname, node.text, node.boost)  # type: ignore[attr-defined]
    if isinstance(node, _Fuzzy):
        return qt.Fuzzy(node.fieldname, node.text, node.boost, node.maxdist, node.prefixlength)
    if isinstance(node, _Phrase):
        return qt.Phrase(node.fieldname, node.text, node.slop, node.boost)
    if isinstance(node, _Range):
        return qt.Range(node.fieldname, node.start, node.end, node.startexcl, node.endexcl, node.boost)
    if isinstance(node, _Every):
        return qt.MatchAll()
    raise _Unusable(f"stray syntax: {getattr(node, 'kind', type(node).__name__)}")


def _freeze_group(group: _Group, dialect: Dialect) -> qt.Node:
    kind = group.kind
    if group.expands:
        leaf = _freeze(group.nodes[0], dialect)
        if len(group.nodes) == 1:  # one unqualified leaf: the group's boost is the leaf's
            return _with_boost(leaf, group.boost)
        rest = tuple(_freeze(n, dialect) for n in group.nodes[1:])
        return qt.Or((leaf,) + rest, group.boost)
    if kind == "not":
        if not group.nodes:
            if dialect.drops_empty_not:
                return qt.Empty()
            raise _Unusable("NOT with nothing after it")
        return qt.Not(_freeze(group.nodes[0], dialect))
    children = tuple(_freeze(n, dialect) for n in group.nodes)
    if kind == "and":
        return qt.And(children, group.boost)
    if kind in ("or", "implicit"):
        return qt.Or(children, group.boost, implicit=kind == "implicit")
    a, b = children
    if kind == "andnot":
        return qt.AndNot(a, b)
    if kind == "andmaybe":
        return qt.AndMaybe(a, b)
    return qt.Require(a, b)


def _with_boost(leaf: qt.Node, boost: float) -> qt.Node:
    if boost == 1.0 or not isinstance(leaf, qt.LEAVES):
        return leaf
    return replace(leaf, boost=boost)
