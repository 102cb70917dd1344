"""Which RDF files make up the graph a command works on: the bundled graph, the user's
--data files and folders (URLs downloaded first), and the bundled ontology and shapes."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

import pyoxigraph as ox

from .. import resources
from ..errors import InputError
from .formats import FORMATS, format_of, is_url


#: the named graph that holds the bundled ontology inside a query store
ONTOLOGY_GRAPH = ox.NamedNode("https://w3id.org/yilian/ontology")


def collect_files(paths: Iterable[str | Path]) -> list[Path]:
    """Expand files and folders (recursively, sorted) into the RDF files they hold;
    an http(s) URL named by the user is downloaded first."""
    out: list[Path] = []
    for raw in paths:
        if isinstance(raw, str) and is_url(raw):
            from .download import fetch

            out.append(fetch(raw))
            continue
        p = Path(raw)
        if p.is_dir():
            found = sorted(f for f in p.rglob("*") if f.is_file() and f.suffix.lower() in FORMATS)
            if not found:
                raise InputError("the folder holds no RDF files", where=str(p),
                                 hint="RDF files end in " + " ".join(sorted(FORMATS)))
            out.extend(found)
        elif p.is_file():
            format_of(p)  # fail early on an unknown extension
            out.append(p)
        elif p.exists():
            raise InputError("not a regular file or folder", where=str(p), hint="give an RDF file or a folder of them")
        else:
            raise InputError("no such file or folder", where=str(p), hint="check the path")
    return out


@dataclass(frozen=True)
class Sources:
    """Which RDF files make up the graph a command works on."""

    data: tuple[str, ...] = ()
    default_graph: bool = True

    def files(self) -> list[Path]:
        paths: list[str | Path] = []
        if self.default_graph:
            paths.append(resources.graph_dir())
        paths.extend(self.data)
        files = collect_files(paths)
        # a file named twice (bundled and --data) is read once
        seen: set[Path] = set()
        unique = []
        for f in files:
            key = f.resolve()
            if key not in seen:
                seen.add(key)
                unique.append(f)
        return unique


def ontology_files() -> list[Path]:
    return collect_files([resources.ontology_dir()])


def shapes_files() -> list[Path]:
    return collect_files([resources.shapes_dir()])
