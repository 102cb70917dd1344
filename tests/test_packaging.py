"""The ontology, shapes, graph and named queries are found wherever yilian is installed."""

from __future__ import annotations

from pathlib import Path

import yilian
from yilian import resources
from yilian.sparql.named import all_queries

from conftest import ROOT


def test_bundled_data_is_found():
    root = resources.data_root()
    for sub in ("ontology", "shapes", "graph"):
        assert any((root / sub).glob("*.ttl")), sub
    package = Path(yilian.__file__).resolve().parent
    if not package.is_relative_to(ROOT / "src"):  # an installed wheel: data inside the package
        assert root == package / "_data"
    assert len(all_queries()) == 14
