"""Every command has help text and is documented in the README."""

from __future__ import annotations

from pathlib import Path

from searcher.cli import cli

README = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")


def test_every_command_has_help_and_is_in_the_readme(runner):
    for name, command in cli.commands.items():
        assert command.help and command.help.strip(), name
        assert f"`searcher {name}" in README, f"searcher {name} is not documented in README.md"


def test_readme_quickstart_is_two_commands():
    quickstart = README.split("## Quickstart", 1)[1].split("\n## ", 1)[0]
    commands = [line for line in quickstart.splitlines() if line.startswith(("pip ", "python "))]
    assert commands == ['pip install . && searcher search "Khalilzad re-set"',
                        'pip install ".[test]" && python -m pytest -q']


def test_ci_runs_the_readme_test_command():
    ci = (Path(__file__).resolve().parents[2] / ".ci" / "run").read_text(encoding="utf-8")
    assert 'pip install -q ".[test]" && python -m pytest -q' in ci


def test_the_layout_section_names_only_modules_that_exist():
    import re

    root = Path(__file__).resolve().parents[2]
    section = README.split("## How the code is laid out", 1)[1].split("\n## ", 1)[0]
    modules = {p.relative_to(root).as_posix() for p in root.glob("[bst]*/**/*.py")}
    named = set(re.findall(r"`([\w/]+\.py)`", section))
    assert len(named) > 20
    for name in named:
        assert any(m == name or m.endswith("/" + name) for m in modules), f"README names {name}: no such module"
    for folder in re.findall(r"`searcher/(\w+)/`", section):
        assert (root / "searcher" / folder).is_dir(), folder
