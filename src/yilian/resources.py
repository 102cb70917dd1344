"""Where the bundled ontology, shapes, graph and named queries are.

In a wheel they are inside the package (``yilian/_data``); in a source checkout
(editable install, tests) they are the top-level folders of the repository.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


@lru_cache(maxsize=None)
def data_root() -> Path:
    bundled = _PACKAGE / "_data"
    if (bundled / "ontology").is_dir():
        return bundled
    checkout = _PACKAGE.parent.parent
    if (checkout / "ontology").is_dir():
        return checkout
    raise RuntimeError("yilian's bundled data (ontology/, shapes/, graph/) is missing; reinstall yilian")


def ontology_dir() -> Path:
    return data_root() / "ontology"


def shapes_dir() -> Path:
    return data_root() / "shapes"


def graph_dir() -> Path:
    return data_root() / "graph"


def queries_dir() -> Path:
    return _PACKAGE / "sparql" / "queries"


def package_file(*parts: str) -> Path:
    """A data file shipped inside the package (templates, static files, queries),
    e.g. package_file("network", "static", "network.js")."""
    return _PACKAGE.joinpath(*parts)
