"""The pySHACL engine: the reference implementation (one check per focus node in Python;
minutes on a graph of a million triples), with its results graph read into a Report."""

from __future__ import annotations

import contextlib

import pyoxigraph as ox

from ..prefixes import short as _short_ox
from ..errors import InputError
from .report import Finding, Report, quiet_rdflib, shape_text, sort, term_text
from .shapes import Shapes


def _n(term, short=_short_ox) -> str:
    """A compact name for an rdflib term in a report."""
    import rdflib

    if term is None:
        return ""
    if isinstance(term, rdflib.URIRef):
        return short(ox.NamedNode(str(term)))
    if isinstance(term, rdflib.BNode):
        return "_:" + str(term)
    if isinstance(term, rdflib.Literal):
        return str(term)
    return str(term)


def result_path(g, node, short=_short_ox) -> str:
    """A result path of pySHACL's results graph `g` in compact notation."""
    import rdflib
    from rdflib import RDF
    from rdflib.namespace import SH

    if node is None:
        return ""
    if isinstance(node, rdflib.URIRef):
        return _n(node, short)
    inverse = g.value(node, SH.inversePath)
    if inverse is not None:
        return "^" + result_path(g, inverse, short)
    items = list(rdflib.collection.Collection(g, node)) if g.value(node, RDF.first) is not None else []
    if items:
        return "/".join(result_path(g, i, short) for i in items)
    for pred, op in ((SH.zeroOrMorePath, "*"), (SH.oneOrMorePath, "+"), (SH.zeroOrOnePath, "?")):
        inner = g.value(node, pred)
        if inner is not None:
            return result_path(g, inner, short) + op
    alt = g.value(node, SH.alternativePath)
    if alt is not None:
        return "|".join(result_path(g, i, short) for i in rdflib.collection.Collection(g, alt))
    return "_:path"


@contextlib.contextmanager
def memoised_sparql():
    """Parse and translate each SPARQL text once while pySHACL runs.

    pySHACL hands rdflib the same SHACL-SPARQL constraint text once per focus node, and
    rdflib parses it from scratch each time: that was 90 % of validation time (38 s
    against 3 s for the bundled graph, with identical results). The cache lives only
    for one validation run and the original method is always restored.
    """
    from rdflib.plugins.sparql import processor

    original = processor.SPARQLProcessor.query
    cache: dict = {}

    def query(self, strOrQuery, initBindings=None, initNs=None, base=None, DEBUG=False):  # noqa: N803
        if isinstance(strOrQuery, str):
            key = (strOrQuery, base, tuple(sorted((k, str(v)) for k, v in (initNs or {}).items())))
            compiled = cache.get(key)
            if compiled is None:
                compiled = cache[key] = processor.translateQuery(processor.parseQuery(strOrQuery), base, initNs)
            strOrQuery = compiled
        return original(self, strOrQuery, initBindings, initNs, base, DEBUG)

    processor.SPARQLProcessor.query = query
    try:
        yield
    finally:
        processor.SPARQLProcessor.query = original


@contextlib.contextmanager
def _xpath_patterns():
    """Let pySHACL's sh:pattern use the `regex` package instead of Python's re.

    SHACL patterns are XPath regular expressions; Unicode property escapes such as \\p{L}
    are part of them, and Python's re raises "bad escape \\p" (pySHACL then crashes).
    `regex` reads them (and everything re reads, with the same flag values); XPath's block
    escapes (\\p{IsBasicLatin}) it does not, and such a pattern is refused before the run
    (_check_patterns). Restored after the run."""
    import regex
    from pyshacl.constraints.core import string_based_constraints as module

    original = module.re
    module.re = regex
    try:
        yield
    finally:
        module.re = original


def _import_prefixes(g) -> None:
    """Give each node named by sh:prefixes the sh:declare of the nodes it imports
    (owl:imports, transitively), as SHACL 5.2.1 reads them and pySHACL does not."""
    from rdflib.namespace import OWL, SH

    for node in set(g.objects(None, SH.prefixes)):
        seen, todo = set(), [node]
        while todo:
            n = todo.pop()
            if n in seen:
                continue
            seen.add(n)
            todo += list(g.objects(n, OWL.imports))
            if n != node:
                for decl in list(g.objects(n, SH.declare)):
                    g.add((node, SH.declare, decl))


def _only_true_switches(g) -> None:
    """Drop sh:uniqueLang, sh:closed and sh:deactivated values other than true: SHACL names
    only "true"^^xsd:boolean (pySHACL also takes "1"^^xsd:boolean), as the SPARQL engine does."""
    from rdflib import Literal
    from rdflib.namespace import SH, XSD

    for p in (SH.uniqueLang, SH.closed, SH.deactivated):
        for s_, o in list(g.subject_objects(p)):
            if not (isinstance(o, Literal) and str(o) == "true" and o.datatype == XSD.boolean):
                g.remove((s_, p, o))


def _check_patterns(g) -> None:
    """Refuse an sh:pattern the regex package cannot compile (one clear line, exit 2)."""
    import regex
    from rdflib.namespace import SH

    for pattern in set(g.objects(None, SH.pattern)):
        try:
            regex.compile(str(pattern))
        except regex.error as e:
            raise InputError(f"sh:pattern \"{pattern}\" is not a regular expression yilian can read: {e}",
                             where="shapes graph", hint="write it with \\p{L}-style properties, not XPath block names") from None
        except Exception as e:  # noqa: BLE001 - regex raises others on some inputs
            raise InputError(f"sh:pattern \"{pattern}\" cannot be read: {e}", where="shapes graph") from None


def _one_line(text: str) -> str:
    return " ".join(str(text).split())


def validate(data_quads, shapes_quads, ontology_quads, short=_short_ox) -> Report:
    """Validate with pySHACL (inference none, SHACL-AF on, as the SPARQL engine reads the shapes)."""
    import pyshacl
    from rdflib import RDF, Literal

    from .sparql_constraints import check_policy

    check_policy(Shapes(shapes_quads))  # before anything runs: no SERVICE, no FROM
    from rdflib.namespace import SH as RSH

    from ..rdf import convert

    with quiet_rdflib():
        data_graph = convert.to_graph(data_quads)
        ont_graph = convert.to_graph(ontology_quads) if ontology_quads else None
        shapes_graph = convert.to_graph(shapes_quads)
    _import_prefixes(shapes_graph)
    _only_true_switches(shapes_graph)
    _check_patterns(shapes_graph)
    from pyshacl.errors import ReportableRuntimeError

    with memoised_sparql(), _xpath_patterns(), quiet_rdflib():
        try:
            _, g, _ = pyshacl.validate(
                data_graph,
                shacl_graph=shapes_graph,
                ont_graph=ont_graph,
                inference="none",
                advanced=True,
                allow_warnings=True,
            )
        except ReportableRuntimeError as e:  # an ill-formed shapes graph (ShapeLoadError …)
            raise InputError(f"the shapes graph cannot be used: {_one_line(e.message)}", where="shapes graph",
                             hint="fix the shapes") from None
        except NotImplementedError as e:
            raise InputError(f"the shapes use something pySHACL does not implement: {_one_line(str(e))}",
                             where="shapes graph", hint="neither engine can validate these shapes") from None
    if isinstance(g, ReportableRuntimeError):  # a SHACL failure (SHACL 3.6.1.1), returned, not raised
        raise InputError(f"validation failed: {_one_line(g.message)}", where="shapes graph",
                         hint="SHACL requires a processor to refuse these shapes; fix them")
    shapes = Shapes(shapes_quads)
    findings = []
    # only the report's own results: those of shapes nested with sh:node are sh:detail
    for res in g.objects(None, RSH.result):
        findings.append(
            Finding(
                severity=_n(g.value(res, RSH.resultSeverity)).replace("sh:", ""),
                focus=term_text(convert.to_ox(g.value(res, RSH.focusNode)), short),
                path=result_path(g, g.value(res, RSH.resultPath), short),
                value=term_text(convert.to_ox(g.value(res, RSH.value)) if g.value(res, RSH.value) is not None else None,
                                short),
                message=" ".join(str(m) for m in g.objects(res, RSH.resultMessage)),
                shape=shape_text(shapes, convert.to_ox(g.value(res, RSH.sourceShape)), short),
                component=_n(g.value(res, RSH.sourceConstraintComponent)),
            )
        )
    # sh:conforms as SHACL defines it: no results at all (pySHACL, with allow_warnings, says
    # true when there are only warnings)
    for report in g.subjects(RDF.type, RSH.ValidationReport):
        g.set((report, RSH.conforms, Literal(not findings)))
    triples = [ox.Triple(convert.to_ox(s), convert.to_ox(p), convert.to_ox(o)) for s, p, o in g]
    # exit 0 unless a result is a violation, as on the SPARQL engine (pySHACL's own answer also
    # fails on a severity of the shapes' own, such as ex:MySeverity)
    no_violations = not any(f.severity == "Violation" for f in findings)
    return Report(no_violations, triples, sort(findings), len(data_graph), "pyshacl")
