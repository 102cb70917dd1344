"""The validation report (SHACL 3.6): results, their messages and order, the report graph,
and the report rendered as text, JSON or the standard SHACL validation report in Turtle."""

from __future__ import annotations

import contextlib
import json
from dataclasses import dataclass, field

import pyoxigraph as ox

from .core import cardinality, logical, other, property_pair, shape_based, string_based, value_range, value_type
from ..prefixes import PREFIXES, short
from .shapes import RDF, SH, XSD, Shapes
from .sparql_constraints import COMPONENTS as SPARQL_COMPONENTS
from ..tables import counted

REPORT_FORMATS = ["text", "turtle", "json"]
RDF_TYPE = ox.NamedNode(RDF + "type")

#: every constraint component the SPARQL engine implements, by local name
COMPONENTS = {c.name: c for family in (value_type, cardinality, value_range, string_based, property_pair,
                                        logical, shape_based, other)
              for c in family.COMPONENTS} | {c.name: c for c in SPARQL_COMPONENTS}


@dataclass(frozen=True)
class Result:
    """One validation result of the SPARQL engine (terms as pyoxigraph terms)."""

    focus: ox.Term
    path: ox.Term | None  # the shapes-graph node of the result path (or a data IRI for sh:closed)
    value: ox.Term | None
    shape: ox.Term
    component: str  # local name in sh:, e.g. "MinCountConstraintComponent"
    severity: ox.NamedNode
    messages: tuple[ox.Literal, ...]
    constraint: ox.Term | None = None
    # tell apart results that agree on every reported field: which constraint (two sh:class
    # values), which pair (sh:lessThan), which language (sh:uniqueLang) …
    detail: str = ""
    # … and where the focus node came from: a property shape shared by two node shapes, or a
    # value node reached from two focus nodes of a parent property shape, gives a result each time
    context: str = ""
    copy: int = 0


def default_message(component: str) -> tuple:
    """The message of a result whose shape has no sh:message (worded by yilian)."""
    c = COMPONENTS.get(component)
    return (ox.Literal(c.default_message if c is not None else component),)


def sort_key(r: Result):
    return (r.severity.value, str(r.focus), str(r.path), str(r.value), str(r.shape), r.component,
            tuple(m.value for m in r.messages))


@dataclass
class Finding:
    severity: str
    focus: str
    path: str
    value: str
    message: str
    shape: str
    component: str


@dataclass
class Report:
    conforms: bool  # no violations (warnings and infos are advisory): exit 0
    triples_of_report: list = field(default_factory=list)  # the SHACL validation report, as ox.Triples
    findings: list[Finding] = field(default_factory=list)
    triples: int = 0
    engine: str = "sparql"


def _sh(name: str) -> ox.NamedNode:
    return ox.NamedNode(SH + name)


def _bool(value: bool) -> ox.Literal:
    return ox.Literal("true" if value else "false", datatype=ox.NamedNode(XSD + "boolean"))


def term_text(term, short=short) -> str:
    """A focus node or value as a term: ex:a, <http://…>, _:b, "B-02"@en, "007"^^xsd:int, "x"
    (SHACL compares terms, so the report shows the language tag and datatype that made a
    value fail)."""
    if term is None:
        return ""
    if isinstance(term, ox.Literal):
        text = str(ox.Literal(term.value))  # quoted and escaped as in N-Triples
        if term.language:
            return f"{text}@{term.language}"
        if term.datatype.value == XSD + "string":
            return text
        return f"{text}^^{short(term.datatype)}"
    return short(term)


def compactor(extra: dict[str, str]):
    """short() with the prefixes the user's shapes files declare added to yilian's (which win
    a clash)."""
    if not extra:
        return short
    prefixes = {**{p: ns for p, ns in extra.items() if p not in PREFIXES and ns not in PREFIXES.values()},
                **PREFIXES}
    return lambda term: short(term, prefixes)


def shape_text(shapes: Shapes, node, short=short) -> str:
    """A source shape for the text report. A blank-node property shape is named after its
    parent and path (<parent>/ex:p), since blank-node labels change from run to run;
    another blank node is "_:"."""
    if not isinstance(node, ox.BlankNode):
        return short(node)
    from .shapes import render_path

    parents = [s for s, p, o in shapes.triples if o == node and p.value == SH + "property"]
    path = shapes.sh1(node, "path")
    if len(parents) == 1 and path is not None:
        return f"{shape_text(shapes, parents[0], short)}/{render_path(shapes, path, short)}"
    return "_:"


def report_triples(results: list[Result], shapes: Shapes) -> list[ox.Triple]:
    """The results as a SHACL validation report graph (what pySHACL's results graph holds).
    sh:conforms is true only when there are no results at all (SHACL 3.6.1), whatever their
    severity; yilian's exit code counts only violations."""
    conforms = not results
    out: list[ox.Triple] = []
    copied: set = set()

    def ref(node):
        # blank-node paths, shapes and constraints are copied from the shapes graph
        if isinstance(node, ox.BlankNode) and node not in copied:
            copied.add(node)
            out.extend(ox.Triple(*t) for t in shapes.closure(node))
        return node

    report = ox.BlankNode()
    out.append(ox.Triple(report, RDF_TYPE, _sh("ValidationReport")))
    out.append(ox.Triple(report, _sh("conforms"), _bool(conforms)))
    for r in results:
        node = ox.BlankNode()
        out.append(ox.Triple(report, _sh("result"), node))
        out.append(ox.Triple(node, RDF_TYPE, _sh("ValidationResult")))
        out.append(ox.Triple(node, _sh("focusNode"), r.focus))
        if r.path is not None:
            out.append(ox.Triple(node, _sh("resultPath"), ref(r.path)))
        if r.value is not None:
            out.append(ox.Triple(node, _sh("value"), r.value))
        out.append(ox.Triple(node, _sh("sourceShape"), ref(r.shape)))
        out.append(ox.Triple(node, _sh("sourceConstraintComponent"), _sh(r.component)))
        out.append(ox.Triple(node, _sh("resultSeverity"), r.severity))
        if r.constraint is not None:
            out.append(ox.Triple(node, _sh("sourceConstraint"), ref(r.constraint)))
        for m in r.messages:
            out.append(ox.Triple(node, _sh("resultMessage"), m))
    return out


def sort(findings: list[Finding]) -> list[Finding]:
    return sorted(findings, key=lambda f: (f.severity != "Violation", f.focus, f.path, f.message, f.value,
                                           f.shape, f.component))


@contextlib.contextmanager
def quiet_rdflib():
    """rdflib logs a traceback for each ill-typed literal it reads (SHACL reports them as
    sh:datatype results); keep them off stderr while it runs."""
    import logging

    import warnings

    logger = logging.getLogger("rdflib.term")
    level = logger.level
    logger.setLevel(logging.CRITICAL)
    try:
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", module="rdflib")  # "Parsing weird boolean"
            yield
    finally:
        logger.setLevel(level)


def report_turtle(triples: list[ox.Triple]) -> bytes:
    """The report graph as Turtle, every term as written (pyoxigraph's writer: an ill-typed
    value such as "none"^^xsd:boolean stays that term). Blank nodes are numbered in order of
    first use, so the same report gives the same bytes."""
    labels: dict = {}

    def label(t):
        if isinstance(t, ox.BlankNode):
            if t not in labels:
                labels[t] = ox.BlankNode(f"b{len(labels)}")
            return labels[t]
        return t

    out = [ox.Triple(label(t.subject), t.predicate, label(t.object)) for t in triples]
    # each subject's triples together, subjects in order of first use
    first: dict = {}
    for t in out:
        first.setdefault(t.subject, len(first))
    out.sort(key=lambda t: first[t.subject])
    used = {p: ns for p, ns in PREFIXES.items()
            if any(str(x).startswith("<" + ns) for t in out for x in (t.subject, t.predicate, t.object))
            or any(isinstance(t.object, ox.Literal) and t.object.datatype.value.startswith(ns) for t in out)}
    used.update({"sh": SH, "xsd": XSD})
    return ox.serialize(out, format=ox.RdfFormat.TURTLE, prefixes=used) or b""


def render(report: Report, fmt: str) -> bytes:
    """The report as text (one line per result, then a summary), JSON, or Turtle."""
    if fmt == "turtle":
        return report_turtle(report.triples_of_report)
    if fmt == "json":
        doc = {
            "conforms": report.conforms,
            "triples": report.triples,
            "results": [f.__dict__ for f in report.findings],
        }
        return (json.dumps(doc, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
    lines = []
    for f in report.findings:
        where = f.focus + (f" {f.path}" if f.path else "")
        value = f" (value: {f.value})" if f.value else ""
        lines.append(f"{f.severity}: {where}: {f.message}{value} [{f.shape}]")
    violations = sum(1 for f in report.findings if f.severity == "Violation")
    others = len(report.findings) - violations
    if report.conforms:
        lines.append(f"Conforms: {counted(report.triples, 'triple')} checked, {counted(others, 'warning')}.")
    else:
        lines.append(f"Does not conform: {counted(violations, 'violation')}, {counted(others, 'other result')} "
                     f"in {counted(report.triples, 'triple')}.")
    return ("\n".join(lines) + "\n").encode("utf-8")
