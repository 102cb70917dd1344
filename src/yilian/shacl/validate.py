"""Checking the graph against the SHACL shapes: choosing the engine.

Two engines give the same results (tests/test_shacl.py compares them): "sparql"
(yilian.shacl.engine, the default: one SPARQL query per constraint over the whole graph, on
Oxigraph) and "pyshacl" (yilian.shacl.pyshacl_bridge: the reference implementation, one
check per focus node; minutes on a graph of a million triples). When the shapes use
something the SPARQL engine does not implement, validation falls back to pySHACL and says
so on stderr. The report is built and rendered by yilian.shacl.report.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pyoxigraph as ox

from ..dataset.parse import Loaded, load, load_files, load_ontology
from ..dataset.formats import format_of
from ..dataset.sources import Sources
from ..dataset.sources import shapes_files as bundled_shapes_files
from ..prefixes import short as _short_ox
from . import engine as shacl
from . import pyshacl_bridge
from .report import REPORT_FORMATS, Finding, Report, render, report_triples, compactor, shape_text, sort, term_text  # noqa: F401

ENGINES = ["sparql", "pyshacl"]
SH = shacl.SH


def _validate_sparql(data: Loaded, shapes_quads, ontology_quads, short=_short_ox) -> Report:
    shapes = shacl.Shapes(shapes_quads)
    results, triples = shacl.run(data.quads, shapes_quads, ontology_quads)
    conforms = not any(r.severity.value == SH + "Violation" for r in results)
    findings = [
        Finding(
            severity=_short_ox(r.severity).replace("sh:", ""),
            focus=term_text(r.focus, short),
            path=shacl.render_path(shapes, r.path, short),
            value=term_text(r.value, short),
            message=" ".join(m.value for m in r.messages),
            shape=shape_text(shapes, r.shape, short),
            component=_short_ox(ox.NamedNode(SH + r.component)),
        )
        for r in results
    ]
    return Report(conforms, report_triples(results, shapes), sort(findings), triples, "sparql")


def _declared_prefixes(files: list[Path]) -> dict[str, str]:
    """The prefixes the Turtle/TriG shapes files declare (for compact names in the report)."""
    out: dict[str, str] = {}
    for f in files:
        fmt = format_of(f)
        if fmt in (ox.RdfFormat.TURTLE, ox.RdfFormat.TRIG):
            parser = ox.parse(path=str(f), format=fmt, base_iri=f.resolve().as_uri())
            for _ in parser:
                pass
            for p, ns in parser.prefixes.items():
                out.setdefault(p, ns)
    return out


def validate(sources: Sources, engine: str = "sparql", shapes_files: list[Path] | None = None) -> Report:
    """Validate the data of `sources` against SHACL shapes.

    The shapes are the bundled ones unless `shapes_files` is given (then they replace them;
    shapes inside the data are data). The bundled ontology's RDFS/OWL axioms (class
    hierarchy, declarations) are added to the data when the bundled shapes or the bundled
    graph are used, never to foreign data validated against foreign shapes: they would make
    yilian's classes and properties part of someone else's graph.

    Raises PolicyError (exit 3) when a SPARQL constraint would reach the network (SERVICE),
    InputError (exit 2) when the shapes graph is ill-formed in a way SHACL says a processor
    must refuse; ValueError for an unknown engine.
    """
    if engine not in ENGINES:
        raise ValueError(f"unknown validation engine {engine!r}")
    # against the user's own shapes the data is taken as given: ill-typed literals are
    # data that sh:datatype reports, not a reason to refuse the file
    data = load(sources, check_literals=not shapes_files)
    shapes_quads = load_files(shapes_files or bundled_shapes_files(), check_literals=not shapes_files).quads
    ontology_quads = load_ontology().quads if (not shapes_files or sources.default_graph) else []
    short = compactor(_declared_prefixes(shapes_files or []))
    if engine == "sparql":
        try:
            return _validate_sparql(data, shapes_quads, ontology_quads, short)
        except shacl.Unsupported as exc:
            print(f"yilian: the shapes use {exc}, which the SPARQL validator does not implement; "
                  "validating with pySHACL (slower)", file=sys.stderr)
    return pyshacl_bridge.validate(data.quads, shapes_quads, ontology_quads, short)
