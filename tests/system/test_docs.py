"""The README and docs/ stay true: their examples run, their commands parse, their links resolve.

Every ```python block of the pages runs (from a folder holding a copy of the shipped seeds/,
as a reader would run it from the repository's root; a block that names the example cluster
URL runs against the test cluster instead). Every `searcher ...` line of a ```sh or ```console
block is parsed by the real click command (options, their values and arguments checked; nothing
runs). Every relative link names a file that exists, and an anchor names a heading of it.
"""

from __future__ import annotations

import re
import shlex
import shutil
import uuid
from pathlib import Path

import click
import pytest

from conftest import REPO, drop_cluster_index, opensearch_url
from searcher.cli import cli

README = REPO / "README.md"
DOCS = REPO / "docs"
#: Every page of user documentation: what these tests keep honest.
PAGES = [README, *sorted(DOCS.glob("*.md")), REPO / "tools" / "opensearch" / "README.md", REPO / "CHANGELOG.md"]
#: Pages linked before they exist, each with who writes it. When one lands, remove it here:
#: the link test then checks it like any other (test_pending_pages_do_not_exist_yet says so).
PENDING: dict[str, str] = {}
#: The cluster URL the examples use; a block naming it runs against the test cluster.
EXAMPLE_CLUSTER = "http://127.0.0.1:9200/news"
#: A fenced block: its language and its text.
FENCE = re.compile(r"^```(\w*)\n(.*?)^```", re.M | re.S)


def text(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def name(path: Path) -> str:
    return path.relative_to(REPO).as_posix()


def section(page: str, heading: str) -> str:
    """The text under a ``## heading``, up to the next heading of that level."""
    return page.split(f"\n## {heading}\n", 1)[1].split("\n## ", 1)[0]


def blocks(*languages: str) -> list[tuple[str, int, str]]:
    """(page, line number, text) of every fenced block in one of ``languages``."""
    found = []
    for page in PAGES:
        source = text(page)
        for match in FENCE.finditer(source):
            if match.group(1) in languages:
                found.append((name(page), source.count("\n", 0, match.start()) + 1, match.group(2)))
    return found


# ---------------------------------------------------------------------------- the Quickstart and CI

QUICKSTART = ['pip install . && searcher search "Khalilzad re-set"', 'pip install ".[test]" && python -m pytest -q']


def test_readme_quickstart_is_two_commands():
    quickstart = section(text(README), "Quickstart")
    commands = [line for line in quickstart.splitlines() if line.startswith(("pip ", "python "))]
    assert commands == QUICKSTART


def test_ci_runs_the_readme_test_command():
    ci = text(REPO / ".ci" / "run")
    assert 'pip install -q ".[test]" && python -m pytest -q' in ci
    assert QUICKSTART[1].replace("pip install ", "pip install -q ") in ci


def test_the_quick_run_in_the_readme_selects_a_registered_marker():
    setup = text(REPO / "setup.cfg")
    tests = section(text(README), "Running the tests")
    assert '`python -m pytest -q -m "not slow"`' in tests
    for marker in ("slow", "cluster"):
        assert re.search(rf"^\s+{marker}: ", setup, re.M), f"marker {marker} is not registered in setup.cfg"
        assert f"`{marker}`" in tests, f"README does not explain the {marker} marker"
    for folder in re.findall(r"`(\w+)/`", tests.split("`tests/` mirrors the package", 1)[1]):
        assert (REPO / "tests" / folder).is_dir(), f"README names tests/{folder}/: no such folder"


# ---------------------------------------------------------------------------- commands and options

def test_every_command_has_help_and_is_in_the_readme_and_cli_page():
    readme, reference = text(README), text(DOCS / "cli.md")
    for command_name, command in cli.commands.items():
        assert command.help and command.help.strip(), command_name
        assert f"`searcher {command_name}" in readme, f"searcher {command_name} is not in README.md"
        assert f"\n### searcher {command_name}\n" in reference, f"docs/cli.md has no section on searcher {command_name}"


def test_every_option_is_in_the_cli_page():
    reference = text(DOCS / "cli.md")
    commands = [("searcher", cli), *((f"searcher {n}", c) for n, c in cli.commands.items())]
    for command_name, command in commands:
        for param in command.params:
            if isinstance(param, click.Option) and param.name != "help":
                spelled = [o for o in param.opts + param.secondary_opts if o.startswith("--")]
                for option in spelled:
                    assert option in reference, f"{command_name} {option} is not in docs/cli.md"


SHELL_LINES = [(page, line + offset, command)
               for page, line, block in blocks("sh", "console")
               for offset, command in enumerate(block.splitlines(), start=1)
               if re.search(r"(^|&& |\$ )searcher\b", command)]


def searcher_words(line: str) -> list[str]:
    """The arguments of the ``searcher`` command on a shell line (after ``$``, env settings
    or ``&&``; up to a pipe, redirection, ``;`` or comment)."""
    lexer = shlex.shlex(line, posix=True, punctuation_chars="|&;<>")
    lexer.whitespace_split = True
    lexer.commenters = "#"
    words = list(lexer)
    start = words.index("searcher") + 1
    rest = words[start:]
    stops = [i for i, word in enumerate(rest) if set(word) <= set("|&;<>")]
    return rest[:stops[0]] if stops else rest


def parse(words: list[str]) -> None:
    """Parse ``searcher WORDS`` as the CLI would (options, their values, arguments), running nothing."""
    with cli.make_context("searcher", list(words)) as context:
        # The group leaves the command's name and its arguments at the end of the words.
        command_name, command, rest = cli.resolve_command(context, words[len(words) - len(context.args) - 1:])
        command.make_context(command_name, rest, parent=context).close()


@pytest.mark.parametrize(("page", "line", "command"), SHELL_LINES,
                         ids=[f"{page}:{line}" for page, line, _ in SHELL_LINES])
def test_shell_examples_parse(page, line, command, tmp_path, monkeypatch):
    words = searcher_words(command)
    # Run from a folder where the files the example names exist (click checks FILE arguments).
    monkeypatch.chdir(tmp_path)
    for word in words:
        if re.fullmatch(r"[\w./-]+\.(jsonl|txt|html)", word):
            (tmp_path / word).parent.mkdir(parents=True, exist_ok=True)
            (tmp_path / word).touch()
    try:
        parse(words)
    except click.exceptions.Exit:
        pass  # --help, --version
    except click.UsageError as error:
        pytest.fail(f"{page}:{line}: {command!r}: {error.format_message()}")


def test_the_shell_examples_are_found():
    assert len(SHELL_LINES) > 25, "the pattern for `searcher ...` lines finds too few"


def test_a_bad_option_in_an_example_would_fail():
    for words in (["search", "x", "--no-such-option"], ["search", "x", "--limit", "none"], ["no-such-command"],
                  ["show"], ["--no-such-global", "stats"]):
        with pytest.raises(click.UsageError):
            parse(words)
    parse(["--index", "http://127.0.0.1:9200/news", "search", "x", "-n", "3", "--json"])


# ---------------------------------------------------------------------------- links and names

def anchors(page: Path) -> set[str]:
    """The anchors GitHub makes of a page's headings (lower case, punctuation dropped, - for spaces)."""
    made = set()
    for heading in re.findall(r"^#+ (.+)$", re.sub(r"^```.*?^```", "", text(page), flags=re.M | re.S), re.M):
        made.add(re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-"))
    return made


LINK = re.compile(r"\]\(([^)\s]+)\)")


def test_every_relative_link_resolves():
    checked = 0
    for page in PAGES:
        for target in LINK.findall(text(page)):
            if re.match(r"[a-z]+:", target):
                continue
            path, _, anchor = target.partition("#")
            destination = (page.parent / path).resolve() if path else page
            if path and name(destination) in PENDING:
                continue
            assert destination.exists(), f"{name(page)} links to {target}: no such file"
            if anchor:
                assert anchor in anchors(destination), f"{name(page)} links to {target}: no such heading"
            checked += 1
    assert checked > 50


def test_pending_pages_do_not_exist_yet():
    for page, why in PENDING.items():
        assert not (REPO / page).exists(), f"{page} exists now: remove it from PENDING in {__file__}"
        assert page in text(README), why


def test_the_layout_section_names_only_folders_that_exist():
    layout = section(text(README), "How the code is laid out")
    folders = re.findall(r"`(searcher/\w+)/`", layout)
    assert len(folders) >= 7
    for folder in folders:
        assert (REPO / folder).is_dir(), f"README names {folder}/: no such folder"
    for module in re.findall(r"`(searcher/[\w/]+\.py)`", layout):
        assert (REPO / module).is_file(), module


def test_every_file_the_pages_name_exists():
    modules = {p.relative_to(REPO).as_posix() for p in REPO.glob("[bst]*/**/*.py")}
    named = 0
    for page in PAGES:
        for module in set(re.findall(r"`(?:python )?([\w/]+\.py)\b", text(page))):
            named += 1
            assert any(m == module or m.endswith("/" + module) for m in modules), \
                f"{name(page)} names {module}: no such file"
    assert named > 30


# ---------------------------------------------------------------------------- Python examples

def python_params():
    params = []
    for page, line, code in blocks("python"):
        marks = [pytest.mark.cluster, pytest.mark.slow] if EXAMPLE_CLUSTER in code else []
        params.append(pytest.param(code, id=f"{page}:{line}", marks=marks))
    return params


@pytest.mark.parametrize("code", python_params())
def test_python_examples_run(code, tmp_path, monkeypatch, request):
    shutil.copytree(REPO / "seeds", tmp_path / "seeds")
    monkeypatch.chdir(tmp_path)
    if EXAMPLE_CLUSTER in code:
        url, index = opensearch_url(), f"t20docs-{uuid.uuid4().hex[:10]}"
        request.addfinalizer(lambda: drop_cluster_index(url, index))
        code = code.replace(EXAMPLE_CLUSTER, f"{url}/{index}")
    exec(compile(code, request.node.callspec.id, "exec"), {"__name__": "__docs__"})


def test_there_are_python_examples_on_every_user_page():
    pages = {page for page, _, _ in blocks("python")}
    assert {"README.md", "docs/library.md", "docs/ranking.md", "docs/opensearch.md"} <= pages
