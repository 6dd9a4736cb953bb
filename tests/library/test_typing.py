"""The public API is typed for users (py.typed), though `import searcher` loads most of it lazily."""

from __future__ import annotations

import ast
import importlib.util
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

import searcher

ROOT = Path(__file__).resolve().parents[2]
INIT = ROOT / "searcher" / "__init__.py"


def _type_checking_imports() -> dict[str, str]:
    """name -> module of every ``from .module import name`` under ``if TYPE_CHECKING:`` in __init__."""
    names = {}
    for node in ast.parse(INIT.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.If) and isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING":
            for stmt in node.body:
                if isinstance(stmt, ast.ImportFrom):
                    names.update({alias.name: "." + (stmt.module or "") for alias in stmt.names})
    return names


def test_every_lazy_name_is_imported_for_type_checkers() -> None:
    lazy = vars(searcher)["_LAZY"]
    assert lazy and _type_checking_imports() == lazy
    assert set(lazy) <= set(searcher.__all__)


def test_import_searcher_imports_neither_whoosh_nor_the_cleaner() -> None:
    code = ("import sys, searcher; "
            "bad = [m for m in sys.modules if m.startswith(('whoosh', 'searcher.cleaning', 'searcher.index', "
            "'searcher.engines', 'bs4', 'lxml'))]; assert not bad, bad; "
            "searcher.SearchIndex; assert 'searcher.index' in sys.modules")
    subprocess.run([sys.executable, "-c", code], check=True)


def _readme_example() -> str:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    match = re.search(r"## Library\n\n```python\n(.*?)```", readme, re.S)
    assert match, "README has no Library example"
    return match.group(1)


#: reveal_type(expression) -> what mypy must reveal (a substring), for the README's example.
REVEALED = {
    "ix": "searcher.index.SearchIndex",
    "report": "searcher.core.records.UpdateReport",
    "results": "searcher.core.records.Results",
    "results.total": "int",
    "hit": "searcher.core.records.Hit",
    "hit.score": "float",
    "doc": "searcher.core.records.Document",
    "ix.get('note-1')": "searcher.core.records.Document",
    "searcher.read_jsonl('x.jsonl')": "Iterator[searcher.core.records.Document]",
    "dated.published": "datetime.datetime | None",
    "next(iter(ix))": "str",
    "next(ix.documents())": "searcher.core.records.Document",
}
#: Lines after the README's example (issue 25): a date given as a string is typed as taken.
EXTRA = """
import datetime
dated = searcher.Document(doc_id="d", published="2020-01-01")
later = searcher.Document(doc_id="e")
later.published = datetime.date(2020, 1, 2)
"""


@pytest.mark.slow
@pytest.mark.skipif(importlib.util.find_spec("mypy") is None, reason="mypy is not installed (pip install '.[test]')")
def test_mypy_strict_sees_the_readme_library_example_typed(tmp_path: Path) -> None:
    """`mypy --strict` on the README's example: no error, and real types where it used to see Any."""
    public = [name for name in searcher.__all__ if name != "__version__"]
    code = "\n".join([_readme_example(), EXTRA, *(f"reveal_type({expr})" for expr in REVEALED),
                      *(f"reveal_type(searcher.{name})" for name in public), ""])
    (tmp_path / "example.py").write_text(code, encoding="utf-8")
    (tmp_path / "mypy.ini").write_text("[mypy]\n", encoding="utf-8")
    # An editable install is an import hook mypy cannot follow, so point it at this checkout;
    # --follow-imports=silent then treats searcher as an installed package is treated: analysed,
    # its own errors not reported (only the user's file is checked).
    env = {**os.environ, "MYPYPATH": str(ROOT)}
    out = subprocess.run([sys.executable, "-m", "mypy", "--strict", "--follow-imports=silent", "--no-incremental",
                          "--config-file", str(tmp_path / "mypy.ini"), "example.py"],
                         cwd=tmp_path, env=env, capture_output=True, text=True)
    lines = out.stdout.splitlines()
    errors = [line for line in lines if ": error:" in line]
    assert not errors, out.stdout
    revealed = [line.split('Revealed type is "', 1)[1].rstrip('"') for line in lines if "Revealed type is" in line]
    assert len(revealed) == len(REVEALED) + len(public), out.stdout
    for (expr, wanted), got in zip(REVEALED.items(), revealed):
        assert wanted in got.replace("builtins.", ""), (expr, got)
    for name, got in zip(public, revealed[len(REVEALED):]):
        # A class or a function of ours, or a function typed with builtins alone (searcher.redacted,
        # fetch_model -> Path).
        assert got != "Any" and ("searcher." in got or (got.startswith("def (") and "Any" not in got)), (name, got)
