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

from ..dataset.parse import Loaded, load, load_files, load_ontology, stream_files
from ..dataset.formats import format_of
from ..dataset.sources import Sources
from ..dataset.sources import shapes_files as bundled_shapes_files
from ..prefixes import short as _short_ox
from . import engine as shacl
from . import pyshacl_bridge
from .report import RDF_TYPE
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


class Streamed:
    """The data's quads, read afresh from the files each time `.quads` is read (big files
    streamed by `dataset.parse.stream_files`): no list of every quad is kept (issue 17: at
    12M triples that list and the file's bytes were half of validate's memory). With
    `terms` (a sparql.vocabulary.TermUses), the first complete read also collects the yl:
    terms the ontology does not define (`undefined`), so that check needs no read of its own."""

    def __init__(self, files, check_literals: bool = True, terms=None):
        self.files, self.check_literals, self.terms = list(files), check_literals, terms
        self.watched = False  # a read with `terms` watching it has run to the end

    @property
    def quads(self):
        quads = stream_files(self.files, self.check_literals)
        if self.terms is None or self.watched:
            return quads
        return self._watch(quads)

    def _watch(self, quads):
        if self.terms.uses:  # an earlier watched read stopped half-way: start again
            self.terms.uses.clear()
        yield from self.terms.watch(quads)
        self.watched = True

    def undefined(self, ontology_quads):
        """The yl: terms the data uses and the ontology does not define (UndefinedTerm list)."""
        from ..sparql.vocabulary import undefined_terms

        if self.terms is not None and self.watched:
            return self.terms.result()
        return undefined_terms(self.quads, ontology_quads)


def validate(sources: Sources, engine: str = "sparql", shapes_files: list[Path] | None = None) -> Report:
    """Validate the data of `sources` against SHACL shapes.

    The shapes are the bundled ones unless `shapes_files` is given (then they replace them;
    shapes inside the data are data). The bundled ontology's RDFS/OWL axioms (class
    hierarchy, declarations) are added to the data when the bundled shapes or the bundled
    graph are used, never to foreign data validated against foreign shapes: they would make
    yilian's classes and properties part of someone else's graph.

    Raises PolicyError (exit 3) when a SPARQL constraint would reach the network (SERVICE),
    InputError (exit 2) when the shapes graph is ill-formed in a way SHACL says a processor
    must refuse; ValueError for an unknown engine. Then a warning is added for each yl: term
    the data uses that the ontology does not define (`with_undefined_terms`).
    """
    if engine not in ENGINES:
        raise ValueError(f"unknown validation engine {engine!r}")
    # against the user's own shapes the data is taken as given: ill-typed literals are
    # data that sh:datatype reports, not a reason to refuse the file
    data = Streamed(sources.files(), check_literals=not shapes_files)
    shapes_quads = load_files(shapes_files or bundled_shapes_files(), check_literals=not shapes_files).quads
    ontology_quads = load_ontology().quads if (not shapes_files or sources.default_graph) else []
    if ontology_quads:  # the yl: terms the ontology does not define, found on the read that fills the store
        from ..sparql.vocabulary import TermUses

        data.terms = TermUses(ontology_quads)
    short = compactor(_declared_prefixes(shapes_files or []))
    report = None
    if engine == "sparql":
        try:
            report = _validate_sparql(data, shapes_quads, ontology_quads, short)
        except shacl.Unsupported as exc:
            print(f"yilian: the shapes use {exc}, which the SPARQL validator does not implement; "
                  "validating with pySHACL (slower)", file=sys.stderr)
    if report is None:
        report = pyshacl_bridge.validate(load(sources, check_literals=not shapes_files).quads, shapes_quads,
                                         ontology_quads, short)
    # yl: terms the ontology does not define: only where yilian's ontology is in play
    return with_undefined_terms(report, data, ontology_quads) if ontology_quads else report


def _sh(name: str) -> ox.NamedNode:
    return ox.NamedNode(SH + name)


#: the (deactivated) shape in shapes/yilian-shapes.ttl that documents the defined-terms rule
DEFINED_TERMS_SHAPE = ox.NamedNode("https://w3id.org/yilian/shapes#DefinedTerms")


def with_undefined_terms(report: Report, data: Loaded | Streamed, ontology_quads) -> Report:
    """Add one sh:Warning result per yl: term that the data uses and the ontology does not
    define (a misspelling such as yl:locatedin: queries that name the defined term miss
    those triples). Warnings only: whether the graph conforms is unchanged. The rule is
    ylsh:DefinedTerms; it needs every triple as a focus, which SHACL targets cannot select,
    so yilian checks it here (sparql/vocabulary.py) rather than in a SHACL engine. `data`
    read through Streamed with its TermUses has the terms already (no second read)."""
    from ..sparql.vocabulary import undefined_terms
    found = data.undefined(ontology_quads) if isinstance(data, Streamed) else undefined_terms(data.quads, ontology_quads)
    if not found:
        return report
    warning = _sh("Warning")
    findings, triples = list(report.findings), list(report.triples_of_report)
    report_node = next((t.subject for t in triples if t.predicate == RDF_TYPE
                        and t.object == _sh("ValidationReport")), None)
    for u in found:
        term = ox.NamedNode(u.term)
        hint = f" (did you mean {_short_ox(ox.NamedNode(u.suggestion))}?)" if u.suggestion else ""
        message = (f"{_short_ox(term)} is used {u.uses} time{'s' if u.uses != 1 else ''} in the data but the "
                   f"ontology does not define it{hint}. A query that names a defined term does not find "
                   f"these triples; use the ontology's term, or define the new one in the ontology.")
        value = term if u.path is not None and u.path != term else None
        findings.append(Finding(severity="Warning", focus=_short_ox(u.focus),
                                path=_short_ox(u.path) if u.path is not None else "",
                                value=_short_ox(value) if value is not None else "", message=message,
                                shape=_short_ox(DEFINED_TERMS_SHAPE),
                                component=_short_ox(_sh("SPARQLConstraintComponent"))))
        if report_node is None:
            continue
        node = ox.BlankNode()
        triples += [ox.Triple(report_node, _sh("result"), node),
                    ox.Triple(node, RDF_TYPE, _sh("ValidationResult")),
                    ox.Triple(node, _sh("focusNode"), u.focus),
                    ox.Triple(node, _sh("sourceShape"), DEFINED_TERMS_SHAPE),
                    ox.Triple(node, _sh("sourceConstraintComponent"), _sh("SPARQLConstraintComponent")),
                    ox.Triple(node, _sh("resultSeverity"), warning),
                    ox.Triple(node, _sh("resultMessage"), ox.Literal(message))]
        if u.path is not None:
            triples.append(ox.Triple(node, _sh("resultPath"), u.path))
        if value is not None:
            triples.append(ox.Triple(node, _sh("value"), value))
    return Report(report.conforms, triples, sort(findings), report.triples, report.engine)
