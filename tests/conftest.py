"""Shared test helpers: an in-process CLI runner and paths to the fixtures."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from yilian.cli import main

ROOT = Path(__file__).resolve().parents[1]
DATA = Path(__file__).resolve().parent / "data"
MINI = DATA / "mini.ttl"
CORPUS = ROOT.parent / "shared" / "corpus"


def unordered_concat(csv_text: str) -> list[list[list[str]]]:
    """CSV rows with each cell split at GROUP_CONCAT separators and sorted: SPARQL leaves
    the order inside GROUP_CONCAT to the engine (and to the order the data was loaded in)."""
    import csv
    import io
    import re

    return [[sorted(re.split(r"、| / |; | ", cell)) for cell in row] for row in csv.reader(io.StringIO(csv_text))]


@pytest.fixture
def run():
    """Run the CLI in-process: run("query", "...") -> click Result (stdout, stderr, exit_code)."""

    def _run(*args, input=None):
        return CliRunner().invoke(main, [str(a) for a in args], input=input, catch_exceptions=False)

    return _run


@pytest.fixture
def mini():
    """CLI arguments that select only the tiny test graph."""
    return ["--no-default-graph", "--data", str(MINI)]


@pytest.fixture(autouse=True, scope="session")
def _private_store_cache(tmp_path_factory):
    """Query stores built by the tests go to a temporary cache, never ~/.cache/yilian."""
    import os

    old = os.environ.get("XDG_CACHE_HOME")
    os.environ["XDG_CACHE_HOME"] = str(tmp_path_factory.mktemp("xdg-cache"))
    yield
    if old is None:
        os.environ.pop("XDG_CACHE_HOME", None)
    else:
        os.environ["XDG_CACHE_HOME"] = old
