"""Targets (SHACL 2.1.3): which shapes have focus nodes, the SPARQL pattern that finds them,
and SHACL instances of a class (rdf:type/rdfs:subClassOf*), which sh:targetClass, implicit
class targets and sh:class share."""

from __future__ import annotations

import pyoxigraph as ox

from .scratch import CORE_VIEW, term
from .shapes import OWL, RDF, RDFS, SH

TARGETS = ("targetClass", "targetNode", "targetSubjectsOf", "targetObjectsOf")


def target_shapes(shapes) -> list:
    """The shapes with a target (explicit, or an implicit class target), in shapes-graph order."""
    seen, out = set(), []
    for s, p, o in shapes.triples:
        if s in seen:
            continue
        is_target = p.value.startswith(SH) and p.value[len(SH):] in TARGETS
        implicit = (p.value == RDF + "type" and isinstance(o, ox.NamedNode)
                    and o.value in (RDFS + "Class", OWL + "Class")
                    and shapes.is_shape(s))
        if is_target or implicit:
            seen.add(s)
            out.append(s)
    return out


def target_pattern(engine, shape) -> str:
    """A SPARQL group binding ?this to each focus node of `shape`."""
    sh = engine.shapes
    alts = []
    for c in sh.sh(shape, "targetClass"):
        alts.append(instance_of(engine, "?this", c, bound=False))
    implicit = {t.value for t in sh.objects(shape, RDF + "type")} & {RDFS + "Class", OWL + "Class"}
    if implicit and isinstance(shape, ox.NamedNode):
        alts.append(instance_of(engine, "?this", shape, bound=False))
    for n in sh.sh(shape, "targetNode"):
        alts.append(f"VALUES ?this {{ {term(n)} }}")
    for p in sh.sh(shape, "targetSubjectsOf"):
        alts.append(f"?this {term(p)} ?_o")
    for p in sh.sh(shape, "targetObjectsOf"):
        alts.append(f"?_s {term(p)} ?this")
    return " UNION ".join("{ " + a + " }" for a in alts)


def by_type(shapes, shape) -> bool:
    """True when the focus nodes of `shape` come from class targets and sh:targetNode only:
    its target pattern then reads rdf:type and rdfs:subClassOf triples whose objects are
    classes, never a literal, so the store's default graph alone answers it (scratch: only
    triples with an XSD-typed literal are elsewhere)."""
    return not (shapes.sh(shape, "targetSubjectsOf") or shapes.sh(shape, "targetObjectsOf"))


def instance_of(engine, v: str, c, bound: bool = True) -> str:
    """A graph pattern: `v` is a SHACL instance of class `c` (rdf:type/rdfs:subClassOf*).
    The subclasses of `c` are looked up once per run (engine.subclasses), so that each value
    node costs a lookup of its types instead of a walk up the class hierarchy."""
    if not isinstance(c, ox.NamedNode):
        return f"{v} <{RDF}type>/<{RDFS}subClassOf>* {term(c)}"
    if c not in engine.subclasses:
        found = {c}
        # the data do not change during a run: only the focus graph is written
        for row in engine.store.query(f"SELECT DISTINCT ?c WHERE {{ ?c <{RDFS}subClassOf>* {term(c)} }}",
                                      default_graph=CORE_VIEW):
            found.add(row["c"])
        # a blank-node subclass cannot be named in a query: walk the hierarchy then
        ok = all(isinstance(x, ox.NamedNode) for x in found)
        engine.subclasses[c] = sorted(found, key=str) if ok else None
    classes = engine.subclasses[c]
    if classes is None:
        return f"{v} <{RDF}type>/<{RDFS}subClassOf>* {term(c)}"
    if len(classes) == 1:
        return f"{v} <{RDF}type> {term(c)}"
    t = engine.var()
    if not bound:  # find the instances: one index lookup per class
        return f"VALUES {t} {{ {' '.join(term(x) for x in classes)} }} {v} <{RDF}type> {t}"
    return f"{v} <{RDF}type> {t} FILTER({' || '.join(f'sameTerm({t}, {term(x)})' for x in classes)})"
