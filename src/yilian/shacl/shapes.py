"""The shapes graph as the SPARQL engine reads it: an index of its triples, RDF lists,
SHACL paths (to SPARQL property paths and back to compact text), and the vocabulary.

Terms follow SHACL (W3C Recommendation, 2017-07-20): a *shape* is a node shape or a
property shape (one with sh:path); a *constraint component* is identified by its IRI in
the sh: namespace and has one or more parameters (sh:minCount, sh:class …).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

import pyoxigraph as ox

SH = "http://www.w3.org/ns/shacl#"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
OWL = "http://www.w3.org/2002/07/owl#"
XSD = "http://www.w3.org/2001/XMLSchema#"


class Unsupported(Exception):
    """The shapes graph uses a feature this engine does not implement."""


@dataclass(frozen=True)
class Component:
    """A SHACL constraint component: its local name in sh: (the IRI is SH + name), the
    parameters that trigger it, and the message of a result when the shape has no sh:message."""

    name: str
    parameters: tuple[str, ...]
    default_message: str

    @property
    def iri(self) -> str:
        return SH + self.name


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

    def is_shape(self, s) -> bool:
        types = {t.value for t in self.objects(s, RDF + "type")}
        return bool(types & {SH + "NodeShape", SH + "PropertyShape"}) or self.sh1(s, "path") is not None

    def severity(self, shape) -> ox.NamedNode:
        sev = self.sh1(shape, "severity")
        return sev if isinstance(sev, ox.NamedNode) else ox.NamedNode(SH + "Violation")

    def messages(self, shape) -> tuple:
        return tuple(m for m in self.sh(shape, "message") if isinstance(m, ox.Literal))

    def active(self, shape) -> bool:
        return not any(true(d) for d in self.sh(shape, "deactivated"))


def true(node) -> bool:
    """The literal true (sh:closed, sh:deactivated, sh:uniqueLang): SHACL names only
    "true"^^xsd:boolean; "1"^^xsd:boolean is another term and leaves the constraint off."""
    return isinstance(node, ox.Literal) and node.value == "true" and node.datatype.value == XSD + "boolean"


def integer(node) -> int:
    """A count parameter (sh:minCount …) as an int; anything else is Unsupported."""
    if not isinstance(node, ox.Literal):
        raise Unsupported(f"a non-literal count {node}")
    try:
        return int(node.value)
    except ValueError:
        raise Unsupported(f"a non-integer count {node}") from None


def sparql_path(shapes: Shapes, node) -> str:
    """A SHACL path (SHACL 2.3.1) as a SPARQL property path."""
    if isinstance(node, ox.NamedNode):
        return str(node)
    if isinstance(node, ox.Literal) or node is None:
        raise Unsupported("a literal or missing sh:path")
    if shapes.value(node, RDF + "first") is not None:
        parts = shapes.items(node)
        if len(parts) < 2:
            raise Unsupported("a sequence path of fewer than two steps")
        return "(" + "/".join(sparql_path(shapes, p) for p in parts) + ")"
    for name, fmt in (("inversePath", "^({})"), ("zeroOrMorePath", "({})*"),
                      ("oneOrMorePath", "({})+"), ("zeroOrOnePath", "({})?")):
        inner = shapes.sh1(node, name)
        if inner is not None:
            return fmt.format(sparql_path(shapes, inner))
    alt = shapes.sh1(node, "alternativePath")
    if alt is not None:
        return "(" + "|".join(sparql_path(shapes, p) for p in shapes.items(alt)) + ")"
    raise Unsupported("an unrecognised sh:path")


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
