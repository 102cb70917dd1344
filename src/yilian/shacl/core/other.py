"""Other constraint components (SHACL 4.8): sh:closed (with sh:ignoredProperties),
sh:hasValue, sh:in."""

from __future__ import annotations

import pyoxigraph as ox

from ..scratch import term
from ..shapes import Component, true

CLOSED = Component("ClosedConstraintComponent", ("closed", "ignoredProperties"),
                   "Property is not allowed by the closed shape")
HAS_VALUE = Component("HasValueConstraintComponent", ("hasValue",), "The required sh:hasValue is missing")
IN = Component("InConstraintComponent", ("in",), "Value is not in sh:in")
COMPONENTS = (CLOSED, HAS_VALUE, IN)


def closed(engine, shape) -> bool:
    return any(true(c) for c in engine.shapes.sh(shape, "closed"))


def closed_allowed(engine, shape) -> list[str]:
    """The predicates a closed shape allows, as SPARQL terms."""
    sh = engine.shapes
    allowed = []
    for ps in sh.sh(shape, "property"):
        p = sh.sh1(ps, "path")
        if isinstance(p, ox.NamedNode):
            allowed.append(str(p))
    for lst in sh.sh(shape, "ignoredProperties"):
        allowed.extend(term(i) for i in sh.items(lst))
    return allowed


def value_conditions(engine, shape, v: str, closed_too: bool = True) -> list:
    """(component, SPARQL expression true when value node `v` satisfies it); `closed_too=False`
    leaves out sh:closed, which check_closed reports triple by triple instead."""
    sh = engine.shapes
    out = []
    for lst in sh.sh(shape, "in"):
        cond = " || ".join(f"sameTerm({v}, {term(m)})" for m in sh.items(lst)) or "false"
        out.append((IN, f"({cond})"))
    if closed_too and closed(engine, shape):
        allowed = closed_allowed(engine, shape)
        w, o = engine.var(), engine.var()
        cond = f"{w} NOT IN ({', '.join(allowed)})" if allowed else "true"
        out.append((CLOSED, f"NOT EXISTS {{ {v} {w} {o} FILTER({cond}) }}"))
    return out


def node_conditions(engine, shape, v: str) -> list[str]:
    """sh:hasValue of a node shape: the focus node is that value."""
    return [f"sameTerm({v}, {term(x)})" for x in engine.shapes.sh(shape, "hasValue")]


def property_conditions(engine, ps, v: str, path: str, w: str) -> list[str]:
    """sh:hasValue of a property shape: some value node is that value."""
    return [f"EXISTS {{ {v} {path} {w} FILTER(sameTerm({w}, {term(x)})) }}" for x in engine.shapes.sh(ps, "hasValue")]


def check_closed(engine, shape, values: str, v: str) -> None:
    """sh:closed reports each offending triple: path = its predicate, value = its object."""
    if not closed(engine, shape):
        return
    allowed = closed_allowed(engine, shape)
    cond = f"?p NOT IN ({', '.join(allowed)})" if allowed else "true"
    for row in engine.select(f"SELECT DISTINCT ?this ?p ?o WHERE {{ {values} {v} ?p ?o FILTER({cond}) }}"):
        engine.add(shape, CLOSED, row["this"], value=row["o"], path=row["p"])


def check_node_has_value(engine, shape, values: str) -> None:
    for x in engine.shapes.sh(shape, "hasValue"):
        for row in engine.select(f"SELECT ?this WHERE {{ {values} FILTER(!sameTerm(?this, {term(x)})) }}"):
            engine.add(shape, HAS_VALUE, row["this"])


def check(engine, ps, key: str, path: str) -> None:
    """Report the focus nodes of property shape `ps` that lack its sh:hasValue."""
    for x in engine.shapes.sh(ps, "hasValue"):
        q = (f"SELECT ?this WHERE {{ {engine.focus(key)} FILTER NOT EXISTS {{ ?this {path} ?v "
             f"FILTER(sameTerm(?v, {term(x)})) }} }}")
        for row in engine.select(q):
            engine.add(ps, HAS_VALUE, row["this"])
