"""The layered layout holds: import-linter's contracts, and no module borrowing another's private names."""

from __future__ import annotations

import ast
import importlib
import importlib.util
import os
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "searcher"


def test_import_contracts_are_kept(capsys: pytest.CaptureFixture[str]) -> None:
    from importlinter.cli import lint_imports

    cwd = os.getcwd()
    os.chdir(ROOT)  # the contracts name the package as it is in this checkout
    try:
        status = lint_imports(config_filename=str(ROOT / ".importlinter"), no_cache=True)
    finally:
        os.chdir(cwd)
    report = capsys.readouterr().out
    assert status == 0, report[report.find("Broken contracts"):]


def _module_name(path: Path, root: Path = ROOT) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _private_imports(path: Path) -> list[str]:
    """``from X import _name`` and ``module._name`` uses where X or module is another searcher module."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    modules: set[str] = set()  # names bound to other searcher modules by `from . import x`
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.level or (node.module or "").startswith("searcher")):
            for alias in node.names:
                if alias.name.startswith("_") and not alias.name.startswith("__"):
                    found.append(f"line {node.lineno}: from {'.' * node.level}{node.module or ''} import {alias.name}")
                if not node.module:
                    modules.add(alias.asname or alias.name)
    for node in ast.walk(tree):
        if (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id in modules
                and node.attr.startswith("_") and not node.attr.startswith("__")):
            found.append(f"line {node.lineno}: {node.value.id}.{node.attr}")
    return found


def test_no_module_uses_another_modules_private_names() -> None:
    broken = {_module_name(p): found for p in sorted(PACKAGE.rglob("*.py")) if (found := _private_imports(p))}
    assert not broken, broken


def test_the_private_name_check_can_fail(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text("from .rules import _CACHE\nfrom . import ranking\nranking._stats()\nfrom . import __version__\n")
    assert _private_imports(sample) == ["line 1: from .rules import _CACHE", "line 3: ranking._stats"]


def _implements(cls: type, protocol: type) -> None:
    """Every method of ``protocol`` is a method of ``cls`` with the same parameters."""
    import inspect

    methods = [name for name, value in vars(protocol).items()
               if not name.startswith("_") and inspect.isfunction(value)]
    assert methods
    for name in methods:
        ours, wanted = inspect.getattr_static(cls, name), vars(protocol)[name]
        assert callable(ours), (cls.__name__, name)
        if inspect.isfunction(ours):
            assert inspect.signature(ours).parameters.keys() == inspect.signature(wanted).parameters.keys(), name


def test_both_engines_implement_the_engine_protocol(tmp_path: Path) -> None:
    from searcher.engines.base import Engine
    from searcher.engines.whoosh.engine import WhooshEngine

    assert len([name for name in vars(Engine) if not name.startswith("_")]) >= 16
    _implements(WhooshEngine, Engine)
    engine = WhooshEngine(tmp_path / "ix")
    for name in Engine.__annotations__:
        assert hasattr(engine, name), name
    pytest.importorskip("opensearchpy", reason="opensearch-py is not installed (pip install '.[opensearch]')")
    from searcher.engines.opensearch.engine import OpenSearchEngine

    _implements(OpenSearchEngine, Engine)


def test_both_search_backends_implement_the_pipelines_protocol() -> None:
    """What the search pipeline asks of an engine (search/backend.py), each engine supplies."""
    import inspect

    from searcher.engines.whoosh.searching import WhooshBackend
    from searcher.search.backend import SearchBackend

    properties = [name for name, value in vars(SearchBackend).items() if isinstance(value, property)]
    assert set(properties) == {"settings", "query_fields", "dialect"}
    backends = [WhooshBackend]
    if importlib.util.find_spec("opensearchpy"):
        from searcher.engines.opensearch.searching import ClusterBackend

        backends.append(ClusterBackend)
    for backend in backends:
        _implements(backend, SearchBackend)
        for name in properties:  # a class attribute, a property, or set in __init__
            assert hasattr(backend, name) or name in inspect.getsource(backend.__init__), (backend.__name__, name)


def _imports(path: Path, module: str, modules: set[str]) -> set[str]:
    """The modules of ``modules`` that ``module`` (at ``path``) imports, anywhere in it: at
    the top, inside functions, and under ``if TYPE_CHECKING:``. ``from x import name``
    imports ``x.name`` when that is a module, else ``x``."""
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            stem = node.module or ""
            if node.level:
                base = package.split(".")[:len(package.split(".")) - node.level + 1]
                stem = ".".join(base + ([node.module] if node.module else []))
            found.update(f"{stem}.{alias.name}" if f"{stem}.{alias.name}" in modules else stem
                         for alias in node.names)
    return {m for m in found if m in modules and m != module}


def import_graph(root: Path = ROOT) -> dict[str, set[str]]:
    """Module -> the modules of the package it imports."""
    paths = {_module_name(p, root): p for p in sorted((root / "searcher").rglob("*.py"))}
    return {name: _imports(path, name, set(paths)) for name, path in paths.items()}


def import_cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The cycles of the graph: each strongly connected set of two or more modules (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    cycles: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for other in sorted(graph[node]):
            if other not in index:
                visit(other)
                low[node] = min(low[node], low[other])
            elif other in stack:
                low[node] = min(low[node], index[other])
        if low[node] == index[node]:
            found = []
            while True:
                member = stack.pop()
                found.append(member)
                if member == node:
                    break
            if len(found) > 1:
                cycles.append(sorted(found))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return cycles


def test_no_two_modules_import_each_other() -> None:
    """No circle of imports, however long, and whether the import runs or only type checkers
    see it (import-linter's contracts leave out TYPE_CHECKING imports)."""
    graph = import_graph()
    assert len(graph) > 90 and "searcher.search.pipeline" in graph["searcher.engines.whoosh.engine"]
    assert import_cycles(graph) == []


def test_the_cycle_check_can_fail(tmp_path: Path) -> None:
    package = tmp_path / "searcher"
    (package / "engines").mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "engines" / "__init__.py").write_text("")
    (package / "engines" / "engine.py").write_text("from . import searching\n")
    (package / "engines" / "searching.py").write_text(
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from .engine import Engine\n")
    (package / "a.py").write_text("def f():\n    from .b import g\n")
    (package / "b.py").write_text("from searcher import c\n")
    (package / "c.py").write_text("from .a import f\n")
    assert import_cycles(import_graph(tmp_path)) == [["searcher.a", "searcher.b", "searcher.c"],
                                                     ["searcher.engines.engine", "searcher.engines.searching"]]


def _prose(path: Path) -> str:
    """The docstrings and comments of a module: where it names other modules in words."""
    import io
    import tokenize

    source = path.read_text(encoding="utf-8")
    pieces = [tok.string for tok in tokenize.generate_tokens(io.StringIO(source).readline)
              if tok.type == tokenize.COMMENT]
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            pieces.append(ast.get_docstring(node) or "")
    return "\n".join(pieces)


def _stale_names(path: Path, modules: set[str], files: set[str]) -> list[str]:
    """Modules the docstrings and comments of ``path`` name (``searcher.x.y``, ``name.py``)
    that do not exist. ``searcher.reader()`` and the like are a Whoosh searcher's methods."""
    from whoosh.reading import IndexReader
    from whoosh.searching import Searcher

    text = _prose(path)
    stale = [name for name in re.findall(r"\b\w+\.py\b", text) if name not in files]
    for dotted in re.findall(r"\bsearcher(?:\.[A-Za-z_]\w*)+", text):
        parts = dotted.split(".")
        known = max(i for i in range(1, len(parts) + 1) if ".".join(parts[:i]) in modules)
        if known == 1 and (hasattr(Searcher, parts[1]) or hasattr(IndexReader, parts[1])):
            continue
        if known < len(parts) and not hasattr(importlib.import_module(".".join(parts[:known])), parts[known]):
            stale.append(dotted)
    return stale


def test_docstrings_name_only_modules_that_exist() -> None:
    modules = {_module_name(p) for p in PACKAGE.rglob("*.py")}
    files = {p.name for p in ROOT.rglob("*") if p.is_file()}
    stale = {_module_name(p): found for p in sorted(PACKAGE.rglob("*.py")) if (found := _stale_names(p, modules, files))}
    assert not stale, stale


def test_the_stale_name_check_can_fail(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text('"""Rules live in :mod:`searcher.text_extract`; scores in ranking.py;\n'
                      'see searcher.core.textnorm.normalize_text and searcher.search.options.Nope;\n'
                      'searcher.reader() is Whoosh\'s."""\n')
    modules = {_module_name(p) for p in PACKAGE.rglob("*.py")}
    assert _stale_names(sample, modules, {"sample.py"}) == ["ranking.py", "searcher.text_extract",
                                                             "searcher.search.options.Nope"]
