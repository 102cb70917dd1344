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
