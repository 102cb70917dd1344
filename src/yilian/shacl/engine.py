"""A SHACL validator that runs each constraint once over the whole graph, as SPARQL.

pySHACL checks every constraint once per focus node in Python; on a graph of a million
triples that takes more than ten minutes. Here every shape's focus nodes are computed
once (one SPARQL update per shape, into a scratch named graph), and every constraint
becomes one SPARQL query over all of them, run by Oxigraph. Conformance to a shape used
inside sh:or, sh:xone, sh:not, sh:and, sh:node or sh:qualifiedValueShape is compiled to a
SPARQL expression (FILTER EXISTS … for the shape's property constraints).

Coverage: SHACL Core (targets, every core constraint component except
sh:qualifiedValueShapesDisjoint) and SHACL-SPARQL constraints (sh:sparql with sh:select).
Anything else raises Unsupported, and yilian falls back to pySHACL. The results are the
results pySHACL gives (tests/test_shacl.py compares the two on every fixture, the bundled
graph and synthetic graphs): the same focus nodes, paths, values, source shapes,
components, severities and messages. Two differences: a shape's default message (when it
has no sh:message) is worded by yilian, and a property shape shared by two node shapes
reports a result once, not once per parent.

As in pySHACL with an ont_graph, the RDFS and OWL axioms of the ontology (class and
property declarations, rdfs:subClassOf, rdfs:label …) are added to the data before
validation; the ontology's other triples are not.
"""

from __future__ import annotations

import itertools
import re
from collections import defaultdict
from dataclasses import dataclass, field

import pyoxigraph as ox

from ..sparql import lexer as sparql_lexer

SH = "http://www.w3.org/ns/shacl#"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
OWL = "http://www.w3.org/2002/07/owl#"
XSD = "http://www.w3.org/2001/XMLSchema#"

FOCUS_GRAPH = ox.NamedNode("urn:yilian:shacl:focus")
FOCUS_OF = ox.NamedNode("urn:yilian:shacl:focusOf")
# Oxigraph stores typed literals by value: "0.0"^^xsd:decimal comes back as "0", and
# "4"^^xsd:positiveInteger as "4"^^xsd:integer. SHACL needs the terms as written (their
# datatype, their lexical form, which terms are distinct), so every literal with an XSD
# datatype other than xsd:string is stored twice: as written, under a datatype that
# Oxigraph leaves alone (LEXICAL + the XSD datatype IRI), for the core constraints; and as
# Oxigraph reads it, for the SHACL-SPARQL constraints, which see the graph the way
# `yilian query` does.
BASE_GRAPH = ox.NamedNode("urn:yilian:shacl:base")  # every triple without an XSD-typed literal
LEXICAL_GRAPH = ox.NamedNode("urn:yilian:shacl:lexical")  # XSD-typed literals as written
VALUE_GRAPH = ox.NamedNode("urn:yilian:shacl:value")  # XSD-typed literals as Oxigraph reads them
LEXICAL = "urn:yilian:shacl:lexical:"
CORE_VIEW = [BASE_GRAPH, LEXICAL_GRAPH]
SPARQL_VIEW = [BASE_GRAPH, VALUE_GRAPH]
_USING = f"USING {BASE_GRAPH} USING {LEXICAL_GRAPH}"
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

_TARGETS = ("targetClass", "targetNode", "targetSubjectsOf", "targetObjectsOf")
# The sh: predicates this engine understands. A shapes graph that uses any other (sh:target,
# sh:qualifiedValueShapesDisjoint, sh:parameter of a custom constraint component, sh:rule …)
# is unsupported, and yilian validates it with pySHACL instead.
_KNOWN = {
    "class", "datatype", "nodeKind", "minCount", "maxCount", "minExclusive", "minInclusive",
    "maxExclusive", "maxInclusive", "minLength", "maxLength", "pattern", "flags", "languageIn",
    "uniqueLang", "equals", "disjoint", "lessThan", "lessThanOrEquals", "not", "and", "or", "xone",
    "node", "property", "qualifiedValueShape", "qualifiedMinCount", "qualifiedMaxCount", "closed",
    "ignoredProperties", "hasValue", "in", "sparql", "select", "prefixes", "declare", "prefix",
    "namespace", "path", "inversePath", "alternativePath", "zeroOrMorePath", "oneOrMorePath",
    "zeroOrOnePath", "severity", "message", "deactivated", "name", "description", "order", "group",
    "defaultValue", *_TARGETS,
}


class Unsupported(Exception):
    """The shapes graph uses a feature this engine does not implement."""


@dataclass(frozen=True)
class Result:
    focus: ox.Term
    path: ox.Term | None  # the shapes-graph node of the result path (or a data IRI for sh:closed)
    value: ox.Term | None
    shape: ox.Term
    component: str  # local name in sh:, e.g. "MinCountConstraintComponent"
    severity: ox.NamedNode
    messages: tuple[ox.Literal, ...]
    constraint: ox.Term | None = None
    detail: str = ""  # tells apart results that agree on every reported field (sh:uniqueLang's language)


class Shapes:
    """An index of the shapes graph."""

    def __init__(self, triples):
        self.spo: dict = defaultdict(lambda: defaultdict(list))
        self.triples = []
        for t in triples:
            s, p, o = t.subject, t.predicate, t.object
            self.triples.append((s, p, o))
            self.spo[s][p.value].append(o)

    def objects(self, s, p: str) -> list:
        return self.spo.get(s, {}).get(p, [])

    def value(self, s, p: str):
        objs = self.objects(s, p)
        return objs[0] if objs else None

    def sh(self, s, name: str) -> list:
        return self.objects(s, SH + name)

    def sh1(self, s, name: str):
        return self.value(s, SH + name)

    def items(self, node) -> list:
        out, seen = [], set()
        while node is not None and not (isinstance(node, ox.NamedNode) and node.value == RDF + "nil"):
            if node in seen:
                raise Unsupported("a cyclic RDF list in the shapes graph")
            seen.add(node)
            first = self.value(node, RDF + "first")
            if first is None:
                raise Unsupported("a malformed RDF list in the shapes graph")
            out.append(first)
            node = self.value(node, RDF + "rest")
        return out

    def closure(self, node) -> list:
        """The triples about a blank node, recursively (its concise bounded description)."""
        out, todo, seen = [], [node], set()
        while todo:
            n = todo.pop()
            if n in seen:
                continue
            seen.add(n)
            for p, objs in self.spo.get(n, {}).items():
                for o in objs:
                    out.append((n, ox.NamedNode(p), o))
                    if isinstance(o, ox.BlankNode):
                        todo.append(o)
        return out


def _encoded(t: ox.Literal) -> bool:
    return t.datatype.value.startswith(XSD) and t.datatype.value != _STRING and t.language is None


def encode(t):
    """A term as the core constraints see it (XSD-typed literals under a LEXICAL datatype)."""
    if isinstance(t, ox.Literal) and _encoded(t):
        return ox.Literal(t.value, datatype=ox.NamedNode(LEXICAL + t.datatype.value))
    return t


def decode(t):
    if isinstance(t, ox.Literal) and t.datatype.value.startswith(LEXICAL):
        return ox.Literal(t.value, datatype=ox.NamedNode(t.datatype.value[len(LEXICAL):]))
    return t


def _typed(v: str) -> str:
    """A SPARQL expression: the value of `v` as Oxigraph reads it (decoded)."""
    return (f"IF(isLiteral({v}) && STRSTARTS(STR(DATATYPE({v})), {_string(LEXICAL)}), "
            f"STRDT(STR({v}), IRI(STRAFTER(STR(DATATYPE({v})), {_string(LEXICAL)}))), {v})")


_INTEGER_RANGES = {
    "integer": (None, None), "long": (-(2**63), 2**63 - 1), "int": (-(2**31), 2**31 - 1),
    "short": (-(2**15), 2**15 - 1), "byte": (-128, 127), "nonNegativeInteger": (0, None),
    "positiveInteger": (1, None), "nonPositiveInteger": (None, 0), "negativeInteger": (None, -1),
    "unsignedLong": (0, 2**64 - 1), "unsignedInt": (0, 2**32 - 1), "unsignedShort": (0, 2**16 - 1),
    "unsignedByte": (0, 255),
}
_CASTABLE = {"boolean", "double", "float", "decimal", "dateTime", "date", "time", "gYear", "gYearMonth",
             "gMonth", "gMonthDay", "gDay", "duration", "yearMonthDuration", "dayTimeDuration"}


def _well_formed(datatype: str, lexical: str) -> str:
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


def _term(t) -> str:
    if isinstance(t, ox.BlankNode):
        raise Unsupported("a blank node used as a constant in a constraint")
    return str(encode(t))


def _string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r") + '"'


def _int(shapes: Shapes, node) -> int:
    if not isinstance(node, ox.Literal):
        raise Unsupported(f"a non-literal count {node}")
    try:
        return int(node.value)
    except ValueError:
        raise Unsupported(f"a non-integer count {node}") from None


def _true(node) -> bool:
    return isinstance(node, ox.Literal) and node.value in ("true", "1")


def _at_least(v: str, pattern: str, w: str, n: int) -> str:
    """A SPARQL expression: `pattern` binds at least n distinct `w` for node `v`."""
    if n <= 0:
        return "true"
    if n == 1:
        return f"EXISTS {{ {pattern} }}"
    return f"EXISTS {{ SELECT {v} WHERE {{ {pattern} }} GROUP BY {v} HAVING (COUNT(DISTINCT {w}) >= {n}) }}"


def _at_most(v: str, pattern: str, w: str, n: int) -> str:
    """A SPARQL expression: `pattern` binds at most n distinct `w` for node `v`."""
    if n == 0:
        return f"NOT EXISTS {{ {pattern} }}"
    return f"NOT EXISTS {{ SELECT {v} WHERE {{ {pattern} }} GROUP BY {v} HAVING (COUNT(DISTINCT {w}) > {n}) }}"


@dataclass
class Engine:
    shapes: Shapes
    store: ox.Store
    results: set = field(default_factory=set)
    _vars: itertools.count = field(default_factory=lambda: itertools.count())
    _keys: itertools.count = field(default_factory=lambda: itertools.count())
    _compiling: set = field(default_factory=set)
    _subclasses: dict = field(default_factory=dict)

    # ------------------------------------------------------------ shapes and paths

    def check_supported(self) -> None:
        for _, p, _ in self.shapes.triples:
            if p.value.startswith(SH) and p.value[len(SH):] not in _KNOWN:
                raise Unsupported(f"sh:{p.value[len(SH):]}")

    def target_shapes(self) -> list:
        seen, out = set(), []
        for s, p, o in self.shapes.triples:
            if s in seen:
                continue
            is_target = p.value.startswith(SH) and p.value[len(SH):] in _TARGETS
            implicit = (p.value == RDF + "type" and isinstance(o, ox.NamedNode)
                        and o.value in (RDFS + "Class", OWL + "Class")
                        and self._is_shape(s))
            if is_target or implicit:
                seen.add(s)
                out.append(s)
        return out

    def _is_shape(self, s) -> bool:
        types = {t.value for t in self.shapes.objects(s, RDF + "type")}
        return bool(types & {SH + "NodeShape", SH + "PropertyShape"}) or self.shapes.sh1(s, "path") is not None

    def path(self, node) -> str:
        """A SHACL path as a SPARQL property path."""
        if isinstance(node, ox.NamedNode):
            return str(node)
        if isinstance(node, ox.Literal) or node is None:
            raise Unsupported("a literal or missing sh:path")
        sh = self.shapes
        if sh.value(node, RDF + "first") is not None:
            parts = sh.items(node)
            if len(parts) < 2:
                raise Unsupported("a sequence path of fewer than two steps")
            return "(" + "/".join(self.path(p) for p in parts) + ")"
        for name, fmt in (("inversePath", "^({})"), ("zeroOrMorePath", "({})*"),
                          ("oneOrMorePath", "({})+"), ("zeroOrOnePath", "({})?")):
            inner = sh.sh1(node, name)
            if inner is not None:
                return fmt.format(self.path(inner))
        alt = sh.sh1(node, "alternativePath")
        if alt is not None:
            return "(" + "|".join(self.path(p) for p in sh.items(alt)) + ")"
        raise Unsupported("an unrecognised sh:path")

    def var(self) -> str:
        return f"?_v{next(self._vars)}"

    def instance_of(self, v: str, c, bound: bool = True) -> str:
        """A graph pattern: `v` is a SHACL instance of class `c` (rdf:type/rdfs:subClassOf*).
        The subclasses of `c` are looked up once per run, so that each value node costs a
        lookup of its types instead of a walk up the class hierarchy."""
        if not isinstance(c, ox.NamedNode):
            return f"{v} <{RDF}type>/<{RDFS}subClassOf>* {_term(c)}"
        if c not in self._subclasses:
            found = {c}
            # the data do not change during a run: only the focus graph is written
            for row in self.store.query(f"SELECT DISTINCT ?c WHERE {{ ?c <{RDFS}subClassOf>* {_term(c)} }}",
                                        default_graph=CORE_VIEW):
                found.add(row["c"])
            # a blank-node subclass cannot be named in a query: walk the hierarchy then
            ok = all(isinstance(x, ox.NamedNode) for x in found)
            self._subclasses[c] = sorted(found, key=str) if ok else None
        classes = self._subclasses[c]
        if classes is None:
            return f"{v} <{RDF}type>/<{RDFS}subClassOf>* {_term(c)}"
        if len(classes) == 1:
            return f"{v} <{RDF}type> {_term(c)}"
        t = self.var()
        if not bound:  # find the instances: one index lookup per class
            return f"VALUES {t} {{ {' '.join(_term(x) for x in classes)} }} {v} <{RDF}type> {t}"
        return f"{v} <{RDF}type> {t} FILTER({' || '.join(f'sameTerm({t}, {_term(x)})' for x in classes)})"

    def severity(self, shape) -> ox.NamedNode:
        sev = self.shapes.sh1(shape, "severity")
        return sev if isinstance(sev, ox.NamedNode) else ox.NamedNode(SH + "Violation")

    def messages(self, shape) -> tuple:
        return tuple(m for m in self.shapes.sh(shape, "message") if isinstance(m, ox.Literal))

    def active(self, shape) -> bool:
        return not any(_true(d) for d in self.shapes.sh(shape, "deactivated"))

    # ------------------------------------------------------------ value conditions

    def value_conditions(self, shape, v: str, closed: bool = True) -> list[tuple[str, str]]:
        """(component, SPARQL expression true when value node `v` satisfies it) for each
        constraint of `shape` that is checked on each value node on its own; `closed=False`
        leaves out sh:closed, which validate() reports triple by triple instead."""
        sh = self.shapes
        out: list[tuple[str, str]] = []
        for c in sh.sh(shape, "class"):
            out.append(("ClassConstraintComponent", f"EXISTS {{ {self.instance_of(v, c)} }}"))
        for d in sh.sh(shape, "datatype"):
            if not isinstance(d, ox.NamedNode):
                raise Unsupported(f"sh:datatype {d}")
            if d.value.startswith(XSD) and d.value != _STRING:
                cond = f"(isLiteral({v}) && DATATYPE({v}) = <{LEXICAL}{d.value}> && {_well_formed(d.value, f'STR({v})')})"
            else:
                cond = f"(isLiteral({v}) && DATATYPE({v}) = {_term(d)})"
            out.append(("DatatypeConstraintComponent", cond))
        for k in sh.sh(shape, "nodeKind"):
            kinds = {
                "IRI": f"isIRI({v})", "BlankNode": f"isBlank({v})", "Literal": f"isLiteral({v})",
                "BlankNodeOrIRI": f"(isBlank({v}) || isIRI({v}))",
                "BlankNodeOrLiteral": f"(isBlank({v}) || isLiteral({v}))",
                "IRIOrLiteral": f"(isIRI({v}) || isLiteral({v}))",
            }
            name = k.value[len(SH):] if isinstance(k, ox.NamedNode) and k.value.startswith(SH) else None
            if name not in kinds:
                raise Unsupported(f"sh:nodeKind {k}")
            out.append(("NodeKindConstraintComponent", kinds[name]))
        for name, op in (("minExclusive", ">"), ("minInclusive", ">="), ("maxExclusive", "<"),
                         ("maxInclusive", "<=")):
            for b in sh.sh(shape, name):
                out.append((name[0].upper() + name[1:] + "ConstraintComponent",
                            f"(isLiteral({v}) && COALESCE({_typed(v)} {op} {b}, false))"))
        for name, op in (("minLength", ">="), ("maxLength", "<=")):
            for n in sh.sh(shape, name):
                out.append((name[0].upper() + name[1:] + "ConstraintComponent",
                            f"(!isBlank({v}) && STRLEN(STR({v})) {op} {_int(sh, n)})"))
        flags = sh.sh1(shape, "flags")
        for pat in sh.sh(shape, "pattern"):
            args = _string(pat.value) + (", " + _string(flags.value) if flags is not None else "")
            out.append(("PatternConstraintComponent", f"(!isBlank({v}) && REGEX(STR({v}), {args}))"))
        for lst in sh.sh(shape, "languageIn"):
            tags = [t.value for t in sh.items(lst)]
            cond = " || ".join(f"LANGMATCHES(LANG({v}), {_string(t)})" for t in tags) or "false"
            out.append(("LanguageInConstraintComponent", f"(isLiteral({v}) && ({cond}))"))
        for lst in sh.sh(shape, "in"):
            members = sh.items(lst)
            cond = " || ".join(f"sameTerm({v}, {_term(m)})" for m in members) or "false"
            out.append(("InConstraintComponent", f"({cond})"))
        for s2 in sh.sh(shape, "not"):
            out.append(("NotConstraintComponent", f"!({self.conforms(s2, v)})"))
        for lst in sh.sh(shape, "and"):
            parts = [self.conforms(s2, v) for s2 in sh.items(lst)]
            out.append(("AndConstraintComponent", "(" + (" && ".join(parts) or "true") + ")"))
        for lst in sh.sh(shape, "or"):
            parts = [self.conforms(s2, v) for s2 in sh.items(lst)]
            out.append(("OrConstraintComponent", "(" + (" || ".join(parts) or "false") + ")"))
        for lst in sh.sh(shape, "xone"):
            parts = [f"IF({self.conforms(s2, v)}, 1, 0)" for s2 in sh.items(lst)]
            out.append(("XoneConstraintComponent", "((" + (" + ".join(parts) or "0") + ") = 1)"))
        for s2 in sh.sh(shape, "node"):
            out.append(("NodeConstraintComponent", self.conforms(s2, v)))
        if closed and any(_true(c) for c in sh.sh(shape, "closed")):
            allowed = self._closed_allowed(shape)
            w, o = self.var(), self.var()
            cond = f"{w} NOT IN ({', '.join(allowed)})" if allowed else "true"
            out.append(("ClosedConstraintComponent", f"NOT EXISTS {{ {v} {w} {o} FILTER({cond}) }}"))
        return out

    def _closed_allowed(self, shape) -> list[str]:
        sh = self.shapes
        allowed = []
        for ps in sh.sh(shape, "property"):
            p = sh.sh1(ps, "path")
            if isinstance(p, ox.NamedNode):
                allowed.append(str(p))
        for lst in sh.sh(shape, "ignoredProperties"):
            allowed.extend(_term(i) for i in sh.items(lst))
        return allowed

    def property_condition(self, ps, v: str) -> str:
        """True when focus node `v` satisfies every constraint of property shape `ps`."""
        sh = self.shapes
        if not self.active(ps):
            return "true"
        if sh.sh(ps, "sparql"):
            raise Unsupported("sh:sparql inside a shape used by sh:or/sh:and/sh:not/sh:xone/sh:node")
        path = self.path(sh.sh1(ps, "path"))
        w = self.var()
        parts = []
        values = f"{v} {path} {w}"
        parts += [_at_least(v, values, w, _int(sh, n)) for n in sh.sh(ps, "minCount")]
        parts += [_at_most(v, values, w, _int(sh, n)) for n in sh.sh(ps, "maxCount")]
        value_parts = [c for _, c in self.value_conditions(ps, w)]
        value_parts += [self.property_condition(ps2, w) for ps2 in sh.sh(ps, "property")]
        if value_parts:
            parts.append(f"NOT EXISTS {{ {v} {path} {w} FILTER(!({' && '.join(value_parts)})) }}")
        for x in sh.sh(ps, "hasValue"):
            parts.append(f"EXISTS {{ {v} {path} {w} FILTER(sameTerm({w}, {_term(x)})) }}")
        if any(_true(u) for u in sh.sh(ps, "uniqueLang")):
            w2 = self.var()
            parts.append(f"NOT EXISTS {{ {v} {path} {w} . {v} {path} {w2} "
                         f"FILTER(!sameTerm({w}, {w2}) && LANG({w}) != \"\" && LCASE(LANG({w})) = LCASE(LANG({w2}))) }}")
        for q in sh.sh(ps, "equals"):
            parts.append(f"NOT EXISTS {{ {v} {path} {w} FILTER NOT EXISTS {{ {v} {_term(q)} {w} }} }}")
            parts.append(f"NOT EXISTS {{ {v} {_term(q)} {w} FILTER NOT EXISTS {{ {v} {path} {w} }} }}")
        for q in sh.sh(ps, "disjoint"):
            parts.append(f"NOT EXISTS {{ {v} {path} {w} . {v} {_term(q)} {w} }}")
        for name, op in (("lessThan", "<"), ("lessThanOrEquals", "<=")):
            for q in sh.sh(ps, name):
                u = self.var()
                parts.append(f"NOT EXISTS {{ {v} {path} {w} . {v} {_term(q)} {u} "
                             f"FILTER(!COALESCE({_typed(w)} {op} {_typed(u)}, false)) }}")
        for q in sh.sh(ps, "qualifiedValueShape"):
            conforming = f"{v} {path} {w} FILTER({self.conforms(q, w)})"
            parts += [_at_least(v, conforming, w, _int(sh, n)) for n in sh.sh(ps, "qualifiedMinCount")]
            parts += [_at_most(v, conforming, w, _int(sh, n)) for n in sh.sh(ps, "qualifiedMaxCount")]
        return "(" + (" && ".join(parts) or "true") + ")"

    def conforms(self, shape, v: str) -> str:
        """A SPARQL expression: node `v` conforms to `shape`."""
        if not self.active(shape):
            return "true"
        if shape in self._compiling:
            raise Unsupported("a recursive shape")
        self._compiling.add(shape)
        try:
            sh = self.shapes
            if sh.sh1(shape, "path") is not None:
                return self.property_condition(shape, v)
            if sh.sh(shape, "sparql"):
                raise Unsupported("sh:sparql inside a shape used by sh:or/sh:and/sh:not/sh:xone/sh:node")
            parts = [c for _, c in self.value_conditions(shape, v)]
            parts += [f"sameTerm({v}, {_term(x)})" for x in sh.sh(shape, "hasValue")]
            parts += [self.property_condition(ps, v) for ps in sh.sh(shape, "property")]
            return "(" + (" && ".join(parts) or "true") + ")"
        finally:
            self._compiling.discard(shape)

    # ------------------------------------------------------------ running

    def focus(self, key: str, var: str = "?this") -> str:
        # the focus node is the object: it may be a literal (sh:targetObjectsOf, sh:targetNode)
        return f"GRAPH {FOCUS_GRAPH} {{ <{key}> {FOCUS_OF} {var} }}"

    def new_key(self) -> str:
        return f"urn:yilian:shacl:context:{next(self._keys)}"

    def materialise(self, key: str, where: str, var: str) -> None:
        self.store.update(f"INSERT {{ GRAPH {FOCUS_GRAPH} {{ <{key}> {FOCUS_OF} {var} }} }} {_USING} "
                          f"USING NAMED {FOCUS_GRAPH} WHERE {{ {where} }}")

    def target_pattern(self, shape) -> str:
        sh = self.shapes
        alts = []
        for c in sh.sh(shape, "targetClass"):
            alts.append(self.instance_of("?this", c, bound=False))
        implicit = {t.value for t in sh.objects(shape, RDF + "type")} & {RDFS + "Class", OWL + "Class"}
        if implicit and isinstance(shape, ox.NamedNode):
            alts.append(self.instance_of("?this", shape, bound=False))
        for n in sh.sh(shape, "targetNode"):
            alts.append(f"VALUES ?this {{ {_term(n)} }}")
        for p in sh.sh(shape, "targetSubjectsOf"):
            alts.append(f"?this {_term(p)} ?_o")
        for p in sh.sh(shape, "targetObjectsOf"):
            alts.append(f"?_s {_term(p)} ?this")
        return " UNION ".join("{ " + a + " }" for a in alts)

    def run(self) -> list[Result]:
        self.check_supported()
        for shape in self.target_shapes():
            if not self.active(shape):
                continue
            key = self.new_key()
            self.materialise(key, self.target_pattern(shape), "?this")
            self.validate(shape, key)
        return sorted(self.results, key=_sort_key)

    def add(self, shape, component: str, focus, value=None, path=None, messages=None, constraint=None):
        sh_path = self.shapes.sh1(shape, "path")
        self.results.add(Result(
            focus=decode(focus),
            path=path if path is not None else sh_path,
            value=decode(value),
            shape=shape,
            component=component,
            severity=self.severity(shape),
            messages=messages if messages is not None else (self.messages(shape) or _default_message(component)),
            constraint=constraint,
        ))

    def select(self, query: str):
        return self.store.query(query, default_graph=CORE_VIEW, named_graphs=[FOCUS_GRAPH])

    def validate(self, shape, key: str) -> None:
        """Validate the focus nodes in context `key` against `shape`."""
        sh = self.shapes
        path_node = sh.sh1(shape, "path")
        if path_node is None:
            values, v = self.focus(key), "?this"
        else:
            path = self.path(path_node)
            values, v = f"{self.focus(key)} ?this {path} ?v .", "?v"
        # each value node on its own
        for component, cond in self.value_conditions(shape, v, closed=False):
            projection = "?this" if v == "?this" else f"?this {v}"
            for row in self.select(f"SELECT DISTINCT {projection} WHERE {{ {values} FILTER(!({cond})) }}"):
                self.add(shape, component, row["this"], value=row[v[1:]])
        if any(_true(c) for c in sh.sh(shape, "closed")):
            # sh:closed reports each offending triple: path = its predicate, value = its object
            allowed = self._closed_allowed(shape)
            cond = f"?p NOT IN ({', '.join(allowed)})" if allowed else "true"
            for row in self.select(f"SELECT DISTINCT ?this ?p ?o WHERE {{ {values} {v} ?p ?o FILTER({cond}) }}"):
                self.add(shape, "ClosedConstraintComponent", row["this"], value=row["o"], path=row["p"])
        if path_node is None:
            for x in sh.sh(shape, "hasValue"):
                for row in self.select(f"SELECT ?this WHERE {{ {values} FILTER(!sameTerm(?this, {_term(x)})) }}"):
                    self.add(shape, "HasValueConstraintComponent", row["this"], value=row["this"])
        else:
            self.validate_property(shape, key, path)
        for ps in sh.sh(shape, "property"):
            if not self.active(ps):
                continue
            if path_node is None:
                self.validate(ps, key)
            else:
                sub = self.new_key()
                self.materialise(sub, f"{self.focus(key, '?f')} ?f {path} ?this", "?this")
                self.validate(ps, sub)
        for c in sh.sh(shape, "sparql"):
            self.validate_sparql(shape, c, key, path_node)

    def validate_property(self, ps, key: str, path: str) -> None:
        sh = self.shapes
        focus = self.focus(key)
        for n in sh.sh(ps, "minCount"):
            n = _int(sh, n)
            if n == 1:
                q = f"SELECT ?this WHERE {{ {focus} FILTER NOT EXISTS {{ ?this {path} ?v }} }}"
            elif n > 1:
                q = (f"SELECT ?this WHERE {{ {focus} OPTIONAL {{ ?this {path} ?v }} }} "
                     f"GROUP BY ?this HAVING (COUNT(DISTINCT ?v) < {n})")
            else:
                continue
            for row in self.select(q):
                self.add(ps, "MinCountConstraintComponent", row["this"])
        for n in sh.sh(ps, "maxCount"):
            n = _int(sh, n)
            if n == 0:
                q = f"SELECT DISTINCT ?this WHERE {{ {focus} ?this {path} ?v }}"
            else:
                q = (f"SELECT ?this WHERE {{ {focus} ?this {path} ?v }} "
                     f"GROUP BY ?this HAVING (COUNT(DISTINCT ?v) > {n})")
            for row in self.select(q):
                self.add(ps, "MaxCountConstraintComponent", row["this"])
        for x in sh.sh(ps, "hasValue"):
            q = (f"SELECT ?this WHERE {{ {focus} FILTER NOT EXISTS {{ ?this {path} ?v "
                 f"FILTER(sameTerm(?v, {_term(x)})) }} }}")
            for row in self.select(q):
                self.add(ps, "HasValueConstraintComponent", row["this"])
        if any(_true(u) for u in sh.sh(ps, "uniqueLang")):
            q = (f"SELECT DISTINCT ?this ?lang WHERE {{ {focus} ?this {path} ?v . ?this {path} ?w "
                 f"FILTER(!sameTerm(?v, ?w) && LANG(?v) != \"\" && LCASE(LANG(?v)) = LCASE(LANG(?w))) "
                 f"BIND(LCASE(LANG(?v)) AS ?lang) }}")
            for row in self.select(q):
                # one result per focus node and language
                self.results.add(Result(row["this"], sh.sh1(ps, "path"), None, ps, "UniqueLangConstraintComponent",
                                        self.severity(ps),
                                        self.messages(ps) or _default_message("UniqueLangConstraintComponent"),
                                        detail=row["lang"].value))
        for q_ in sh.sh(ps, "equals"):
            q = _term(q_)
            for pattern in (f"?this {path} ?v FILTER NOT EXISTS {{ ?this {q} ?v }}",
                            f"?this {q} ?v FILTER NOT EXISTS {{ ?this {path} ?v }}"):
                for row in self.select(f"SELECT DISTINCT ?this ?v WHERE {{ {focus} {pattern} }}"):
                    self.add(ps, "EqualsConstraintComponent", row["this"], value=row["v"])
        for q_ in sh.sh(ps, "disjoint"):
            q = f"SELECT DISTINCT ?this ?v WHERE {{ {focus} ?this {path} ?v . ?this {_term(q_)} ?v }}"
            for row in self.select(q):
                self.add(ps, "DisjointConstraintComponent", row["this"], value=row["v"])
        for name, op in (("lessThan", "<"), ("lessThanOrEquals", "<=")):
            for q_ in sh.sh(ps, name):
                q = (f"SELECT DISTINCT ?this ?v WHERE {{ {focus} ?this {path} ?v . ?this {_term(q_)} ?u "
                     f"FILTER(!COALESCE({_typed('?v')} {op} {_typed('?u')}, false)) }}")
                for row in self.select(q):
                    self.add(ps, name[0].upper() + name[1:] + "ConstraintComponent", row["this"], value=row["v"])
        for qs in sh.sh(ps, "qualifiedValueShape"):
            cond = self.conforms(qs, "?v")
            for n in sh.sh(ps, "qualifiedMinCount"):
                n = _int(sh, n)
                if n <= 0:
                    continue
                q = (f"SELECT ?this WHERE {{ {focus} OPTIONAL {{ ?this {path} ?v FILTER({cond}) }} }} "
                     f"GROUP BY ?this HAVING (COUNT(DISTINCT ?v) < {n})")
                for row in self.select(q):
                    self.add(ps, "QualifiedMinCountConstraintComponent", row["this"])
            for n in sh.sh(ps, "qualifiedMaxCount"):
                n = _int(sh, n)
                q = (f"SELECT ?this WHERE {{ {focus} ?this {path} ?v FILTER({cond}) }} "
                     f"GROUP BY ?this HAVING (COUNT(DISTINCT ?v) > {n})")
                for row in self.select(q):
                    self.add(ps, "QualifiedMaxCountConstraintComponent", row["this"])

    # ------------------------------------------------------------ SHACL-SPARQL

    def _prefix_block(self, constraint) -> str:
        lines = []
        for src in self.shapes.sh(constraint, "prefixes"):
            for decl in self.shapes.sh(src, "declare"):
                prefix, ns = self.shapes.sh1(decl, "prefix"), self.shapes.sh1(decl, "namespace")
                if prefix is None or ns is None:
                    raise Unsupported("an incomplete sh:declare")
                lines.append(f"PREFIX {prefix.value}: <{ns.value}>")
        return "\n".join(lines)

    def validate_sparql(self, shape, constraint, key: str, path_node) -> None:
        sh = self.shapes
        if not self.active(constraint):
            return
        select = sh.sh1(constraint, "select")
        if not isinstance(select, ox.Literal):
            raise Unsupported("sh:sparql without one sh:select")
        path = self.path(path_node) if path_node is not None else None
        text = self._prefix_block(constraint) + "\n" + select.value
        tokens = sparql_lexer.tokenize(text)
        out: list[str] = []
        depth, injected, projected_this, star, in_select = 0, False, False, False, False
        nested_select_depth = None
        for i, tok in enumerate(tokens):
            t = tok.text
            if tok.kind == "var" and t[0] == "$":
                name = t[1:]
                if name == "PATH":
                    if path is None:
                        raise Unsupported("$PATH in a SPARQL constraint of a node shape")
                    out.append(path)
                    continue
                if name == "this":
                    if nested_select_depth is not None:
                        raise Unsupported("$this inside a sub-select of a SPARQL constraint")
                    if in_select:
                        projected_this = True
                    out.append("?this")
                    continue
                if name == "currentShape":
                    out.append(_term(shape))
                    continue
                raise Unsupported(f"the pre-bound variable {t} in a SPARQL constraint")
            if tok.kind == "var" and t == "?this" and in_select:
                projected_this = True
            if tok.kind == "word" and t.upper() == "SELECT":
                if injected:
                    nested_select_depth = depth if nested_select_depth is None else nested_select_depth
                else:
                    in_select = True
            if in_select and t == "*":
                star = True
            if t == "{":
                if not injected:
                    out.append("{ " + self.focus(key) + " ")
                    injected, in_select = True, False
                    depth += 1
                    continue
                depth += 1
            elif t == "}":
                depth -= 1
                if nested_select_depth is not None and depth <= nested_select_depth:
                    nested_select_depth = None
            if tok.kind == "word" and t.upper() == "WHERE" and in_select:
                in_select = False
                if not projected_this and not star:
                    out.append("?this")
                    projected_this = True
            out.append(t)
        query = " ".join(out)
        messages = self.messages(shape)
        extra = tuple(m for m in sh.sh(constraint, "message") if isinstance(m, ox.Literal) and m not in messages)
        solutions = self.store.query(query, default_graph=SPARQL_VIEW, named_graphs=[FOCUS_GRAPH])
        names = [v.value for v in solutions.variables]
        for row in solutions:
            variables = {n: row[n] for n in names if row[n] is not None}
            focus = variables["this"]
            value = variables.get("value")
            if value is None and path_node is None:
                value = focus
            rpath = variables.get("path")
            msgs = tuple(_format(m, variables) for m in messages + extra) or _default_message(
                "SPARQLConstraintComponent")
            self.add(shape, "SPARQLConstraintComponent", focus, value=value,
                     path=rpath if rpath is not None else path_node, messages=msgs, constraint=constraint)


_TEMPLATE = re.compile(r"\{[?$]([A-Za-z_][A-Za-z0-9_]*)\}")


def _format(message: ox.Literal, variables: dict) -> ox.Literal:
    if "{" not in message.value:
        return message
    text = _TEMPLATE.sub(lambda m: _display(variables.get(m.group(1))) if m.group(1) in variables else m.group(0),
                         message.value)
    if message.language:
        return ox.Literal(text, language=message.language)
    return ox.Literal(text, datatype=message.datatype)


def _display(term) -> str:
    return term.value if isinstance(term, (ox.NamedNode, ox.Literal, ox.BlankNode)) else str(term)


_DEFAULTS = {
    "ClassConstraintComponent": "Value is not an instance of the required class",
    "DatatypeConstraintComponent": "Value does not have the required datatype",
    "NodeKindConstraintComponent": "Value is not of the required node kind",
    "MinCountConstraintComponent": "Fewer values than sh:minCount",
    "MaxCountConstraintComponent": "More values than sh:maxCount",
    "MinExclusiveConstraintComponent": "Value is not greater than sh:minExclusive",
    "MinInclusiveConstraintComponent": "Value is less than sh:minInclusive",
    "MaxExclusiveConstraintComponent": "Value is not less than sh:maxExclusive",
    "MaxInclusiveConstraintComponent": "Value is greater than sh:maxInclusive",
    "MinLengthConstraintComponent": "Value is shorter than sh:minLength",
    "MaxLengthConstraintComponent": "Value is longer than sh:maxLength",
    "PatternConstraintComponent": "Value does not match sh:pattern",
    "LanguageInConstraintComponent": "Value's language is not in sh:languageIn",
    "UniqueLangConstraintComponent": "More than one value with the same language tag",
    "EqualsConstraintComponent": "Values differ from those of the sh:equals property",
    "DisjointConstraintComponent": "Value is also a value of the sh:disjoint property",
    "LessThanConstraintComponent": "Value is not less than the sh:lessThan property's values",
    "LessThanOrEqualsConstraintComponent": "Value is greater than the sh:lessThanOrEquals property's values",
    "NotConstraintComponent": "Value conforms to the sh:not shape",
    "AndConstraintComponent": "Value does not conform to every sh:and shape",
    "OrConstraintComponent": "Value does not conform to any sh:or shape",
    "XoneConstraintComponent": "Value does not conform to exactly one sh:xone shape",
    "NodeConstraintComponent": "Value does not conform to the sh:node shape",
    "QualifiedMinCountConstraintComponent": "Fewer conforming values than sh:qualifiedMinCount",
    "QualifiedMaxCountConstraintComponent": "More conforming values than sh:qualifiedMaxCount",
    "ClosedConstraintComponent": "Property is not allowed by the closed shape",
    "HasValueConstraintComponent": "The required sh:hasValue is missing",
    "InConstraintComponent": "Value is not in sh:in",
    "SPARQLConstraintComponent": "The SPARQL constraint found a violation",
}


def _default_message(component: str) -> tuple:
    return (ox.Literal(_DEFAULTS.get(component, component)),)


def _sort_key(r: Result):
    return (r.severity.value, str(r.focus), str(r.path), str(r.value), str(r.shape), r.component,
            tuple(m.value for m in r.messages))


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


def _split(statements):
    """Quads of the scratch store for triples (anything with .subject, .predicate and
    .object): XSD-typed literals twice, as written (LEXICAL_GRAPH) and as values
    (VALUE_GRAPH); every other triple once (BASE_GRAPH)."""
    Literal, Quad = ox.Literal, ox.Quad
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
        yield Quad(t.subject, t.predicate, o, BASE_GRAPH)


def validate(data_quads, shapes_triples, ontology_quads=()) -> list[Result]:
    """Validate the data (quads; their graph names are ignored) against the shapes."""
    return run(data_quads, shapes_triples, ontology_quads)[0]


def run(data_quads, shapes_triples, ontology_quads=()) -> tuple[list[Result], int]:
    """The results, and the number of distinct triples in the data."""
    store = ox.Store()
    store.bulk_extend(_split(data_quads))
    # every data triple is once in BASE_GRAPH or LEXICAL_GRAPH (the store keeps a set)
    copies = next(iter(store.query(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH {VALUE_GRAPH} {{ ?s ?p ?o }} }}")))
    triples = len(store) - int(copies["n"].value)
    store.bulk_extend(_split(inoculated_ontology(ontology_quads)))
    shapes = Shapes(shapes_triples)
    return Engine(shapes, store).run(), triples


def render_path(shapes: Shapes, node, short=str) -> str:
    """A result path in compact SPARQL-like notation (^p, a/b, a|b, p*, p+, p?)."""
    if node is None:
        return ""
    if isinstance(node, ox.NamedNode):
        return short(node)
    inverse = shapes.sh1(node, "inversePath")
    if inverse is not None:
        return "^" + render_path(shapes, inverse, short)
    if shapes.value(node, RDF + "first") is not None:
        return "/".join(render_path(shapes, i, short) for i in shapes.items(node))
    for name, op in (("zeroOrMorePath", "*"), ("oneOrMorePath", "+"), ("zeroOrOnePath", "?")):
        inner = shapes.sh1(node, name)
        if inner is not None:
            return render_path(shapes, inner, short) + op
    alt = shapes.sh1(node, "alternativePath")
    if alt is not None:
        return "|".join(render_path(shapes, i, short) for i in shapes.items(alt))
    return "_:path"
