"""The layered layout holds: import-linter's contracts, and no module borrowing another's private names."""

from __future__ import annotations

import ast
import os
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


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
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


def test_the_whoosh_engine_implements_the_engine_protocol(tmp_path: Path) -> None:
    import inspect

    from searcher.engines.base import Engine
    from searcher.engines.whoosh.engine import WhooshEngine

    methods = [name for name, value in vars(Engine).items()
               if not name.startswith("_") and (inspect.isfunction(value) or isinstance(value, property))]
    assert len(methods) >= 15
    for name in methods:
        ours, wanted = inspect.getattr_static(WhooshEngine, name), vars(Engine)[name]
        assert type(ours) is type(wanted), name
        if inspect.isfunction(wanted):
            assert inspect.signature(ours).parameters.keys() == inspect.signature(wanted).parameters.keys(), name
    engine = WhooshEngine(tmp_path / "ix")
    for name in Engine.__annotations__:
        assert hasattr(engine, name), name
