"""The scratch store the SPARQL engine validates in, and how terms are written into its queries.

Oxigraph stores typed literals by value: "0.0"^^xsd:decimal comes back as "0", and
"4"^^xsd:positiveInteger as "4"^^xsd:integer. SHACL compares terms as written (their
datatype, their lexical form, which terms are distinct), so every literal with an XSD
datatype other than xsd:string is stored twice: as written, under a datatype that Oxigraph
leaves alone (LEXICAL + the XSD datatype IRI), for the core constraints; and as Oxigraph
reads it, for the SHACL-SPARQL constraints, which see the graph the way `yilian query` does.

Every other triple is in the store's default graph, where Oxigraph keeps three indexes
instead of a named graph's six: at a million triples that halves the time and memory of
filling the store. The two copies of the typed literals are in named graphs of their own,
and a view (the default graph of a query) is the default graph with one of them.
"""

from __future__ import annotations

from collections import defaultdict

import pyoxigraph as ox

from .shapes import OWL, RDF, RDFS, XSD, Unsupported

FOCUS_GRAPH = ox.NamedNode("urn:yilian:shacl:focus")
FOCUS_OF = ox.NamedNode("urn:yilian:shacl:focusOf")
BASE_GRAPH = ox.DefaultGraph()  # every triple without an XSD-typed literal
LEXICAL_GRAPH = ox.NamedNode("urn:yilian:shacl:lexical")  # XSD-typed literals as written
VALUE_GRAPH = ox.NamedNode("urn:yilian:shacl:value")  # XSD-typed literals as Oxigraph reads them
LEXICAL = "urn:yilian:shacl:lexical:"
CORE_VIEW = [BASE_GRAPH, LEXICAL_GRAPH]
SPARQL_VIEW = [BASE_GRAPH, VALUE_GRAPH]
_STRING = XSD + "string"

# The ontology triples pySHACL copies into the data graph ("inoculation"): typings with
# these classes, and triples with these properties.
_RDFS_CLASSES = ["Class", "Container", "ContainerMembershipProperty", "Datatype", "Literal", "Resource"]
_OWL_CLASSES = [
    "AllDifferent", "AllDisjointClasses", "AllDisjointProperties", "Annotation", "AnnotationProperty",
    "AsymmetricProperty", "Axiom", "Class", "DataRange", "DatatypeProperty", "DeprecatedClass",
    "DeprecatedProperty", "FunctionalProperty", "InverseFunctionalProperty", "IrreflexiveProperty",
    "NamedIndividual", "NegativePropertyAssertion", "ObjectProperty", "Ontology", "OntologyProperty",
    "ReflexiveProperty", "Restriction", "SymmetricProperty", "TransitiveProperty",
]
_RDFS_PROPERTIES = ["comment", "domain", "isDefinedBy", "label", "member", "range", "seeAlso",
                    "subClassOf", "subPropertyOf"]
_OWL_PROPERTIES = [
    "allValuesFrom", "annotatedProperty", "annotatedSource", "annotatedTarget", "assertionProperty",
    "cardinality", "complementOf", "datatypeComplementOf", "differentFrom", "disjointUnionOf",
    "disjointWith", "distinctMembers", "equivalentClass", "equivalentProperty", "hasKey", "hasSelf",
    "hasValue", "intersectionOf", "inverseOf", "maxCardinality", "maxQualifiedCardinality", "members",
    "minCardinality", "minQualifiedCardinality", "onClass", "onDataRange", "onDatatype", "oneOf",
    "onProperties", "onProperty", "propertyChainAxiom", "propertyDisjointWith", "qualifiedCardinality",
    "sameAs", "someValuesFrom", "sourceIndividual", "targetIndividual", "targetValue", "unionOf",
    "withRestrictions",
]

def _encoded(t: ox.Literal) -> bool:
    return t.datatype.value.startswith(XSD) and t.datatype.value != _STRING and t.language is None


def encode(t):
    """A term as the core constraints see it (XSD-typed literals under a LEXICAL datatype)."""
    if isinstance(t, ox.Literal) and _encoded(t):
        return ox.Literal(t.value, datatype=ox.NamedNode(LEXICAL + t.datatype.value))
    return t


def decode(t):
    """A term of the scratch store as written in the data (the inverse of encode)."""
    if isinstance(t, ox.Literal) and t.datatype.value.startswith(LEXICAL):
        return ox.Literal(t.value, datatype=ox.NamedNode(t.datatype.value[len(LEXICAL):]))
    return t


def typed(v: str) -> str:
    """A SPARQL expression: the value of `v` as Oxigraph reads it (decoded)."""
    return (f"IF(isLiteral({v}) && STRSTARTS(STR(DATATYPE({v})), {string(LEXICAL)}), "
            f"STRDT(STR({v}), IRI(STRAFTER(STR(DATATYPE({v})), {string(LEXICAL)}))), {v})")


_INTEGER_RANGES = {
    "integer": (None, None), "long": (-(2**63), 2**63 - 1), "int": (-(2**31), 2**31 - 1),
    "short": (-(2**15), 2**15 - 1), "byte": (-128, 127), "nonNegativeInteger": (0, None),
    "positiveInteger": (1, None), "nonPositiveInteger": (None, 0), "negativeInteger": (None, -1),
    "unsignedLong": (0, 2**64 - 1), "unsignedInt": (0, 2**32 - 1), "unsignedShort": (0, 2**16 - 1),
    "unsignedByte": (0, 255),
}
_CASTABLE = {"boolean", "double", "float", "decimal", "dateTime", "date", "time", "gYear", "gYearMonth",
             "gMonth", "gMonthDay", "gDay", "duration", "yearMonthDuration", "dayTimeDuration"}


def well_formed(datatype: str, lexical: str) -> str:
    """A SPARQL expression: `lexical` (a string expression) is a valid form of the XSD datatype."""
    local = datatype[len(XSD):]
    if local in _INTEGER_RANGES:
        low, high = _INTEGER_RANGES[local]
        parts = [f"isLiteral(<{XSD}integer>({lexical}))"]
        if low is not None:
            parts.append(f"<{XSD}integer>({lexical}) >= {low}")
        if high is not None:
            parts.append(f"<{XSD}integer>({lexical}) <= {high}")
        return f"COALESCE({' && '.join(parts)}, false)"
    if local in _CASTABLE:
        return f"COALESCE(isLiteral(<{datatype}>({lexical})), false)"
    return "true"


def term(t) -> str:
    """A shapes-graph constant as SPARQL text, as the core constraints see it (encoded);
    a blank node cannot be named in a query (Unsupported)."""
    if isinstance(t, ox.BlankNode):
        raise Unsupported("a blank node used as a constant in a constraint")
    return str(encode(t))


def string(text: str) -> str:
    """A SPARQL string literal for `text`."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r") + '"'


def inoculated_ontology(ontology_quads) -> list[ox.Triple]:
    """The ontology triples pySHACL copies into the data graph."""
    classes = {RDFS + c for c in _RDFS_CLASSES} | {OWL + c for c in _OWL_CLASSES}
    props = {RDFS + p for p in _RDFS_PROPERTIES} | {OWL + p for p in _OWL_PROPERTIES}
    quads = list(ontology_quads)
    out = []
    individuals = set()
    for q in quads:
        p = q.predicate.value
        if p in props or (p == RDF + "type" and isinstance(q.object, ox.NamedNode) and q.object.value in classes):
            out.append(ox.Triple(q.subject, q.predicate, q.object))
            if p == RDF + "type" and q.object.value == OWL + "NamedIndividual":
                individuals.add(q.subject)
    if individuals:
        for q in quads:
            if q.subject in individuals or q.object in individuals:
                out.append(ox.Triple(q.subject, q.predicate, q.object))
    # blank nodes the copied triples point to come along with their descriptions
    by_subject = defaultdict(list)
    for q in quads:
        by_subject[q.subject].append(q)
    todo = [t.object for t in out if isinstance(t.object, ox.BlankNode)]
    seen = set()
    while todo:
        b = todo.pop()
        if b in seen:
            continue
        seen.add(b)
        for q in by_subject.get(b, []):
            out.append(ox.Triple(q.subject, q.predicate, q.object))
            if isinstance(q.object, ox.BlankNode):
                todo.append(q.object)
    return out


def split(statements):
    """Quads of the scratch store for triples (anything with .subject, .predicate and
    .object; the graph name of a quad is dropped): XSD-typed literals twice, as written
    (LEXICAL_GRAPH) and as values (VALUE_GRAPH); every other triple once, in the default
    graph (BASE_GRAPH). A quad of the default graph is passed on as it is (no new object)."""
    Literal, Quad, Default = ox.Literal, ox.Quad, ox.DefaultGraph
    lexical: dict = {}  # datatype -> its LEXICAL datatype, or False
    for t in statements:
        o = t.object
        if type(o) is Literal:
            dt = o.datatype
            enc = lexical.get(dt)
            if enc is None:
                enc = lexical[dt] = (ox.NamedNode(LEXICAL + dt.value)
                                     if dt.value.startswith(XSD) and dt.value != _STRING else False)
            if enc is not False:
                yield Quad(t.subject, t.predicate, Literal(o.value, datatype=enc), LEXICAL_GRAPH)
                yield Quad(t.subject, t.predicate, o, VALUE_GRAPH)
                continue
        if type(t) is Quad and type(t.graph_name) is Default:
            yield t
        else:
            yield Quad(t.subject, t.predicate, o)
