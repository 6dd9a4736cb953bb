"""Shared fixtures: a CLI runner, a private copy of the seeds, a built index."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

REPO = Path(__file__).resolve().parents[1]
#: Read-only evaluation data kept beside the checkout (never copied into the repo).
SHARED = REPO.parent / "shared"
GOLD_ID = "000_d8f0162b6785f52f"


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture
def seeds_dir(tmp_path: Path) -> Path:
    """A private copy of the shipped seeds/ folder."""
    target = tmp_path / "seeds"
    shutil.copytree(REPO / "seeds", target)
    return target


@pytest.fixture
def index_dir(tmp_path: Path) -> Path:
    return tmp_path / "index"


@pytest.fixture
def built_index(seeds_dir: Path, index_dir: Path):
    """A SearchIndex built from the shipped seeds."""
    from searcher import SearchIndex

    ix = SearchIndex(index_dir)
    ix.update(seeds_dir)
    yield ix
    ix.close()


@pytest.fixture
def gold() -> dict:
    import json

    return json.loads((SHARED / "gold" / f"{GOLD_ID}.json").read_text(encoding="utf-8"))
