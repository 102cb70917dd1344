"""Property pair constraint components (SHACL 4.5): sh:equals, sh:disjoint, sh:lessThan,
sh:lessThanOrEquals."""

from __future__ import annotations

from ..scratch import term, typed
from ..shapes import Component

EQUALS = Component("EqualsConstraintComponent", ("equals",), "Values differ from those of the sh:equals property")
DISJOINT = Component("DisjointConstraintComponent", ("disjoint",),
                     "Value is also a value of the sh:disjoint property")
LESS_THAN = Component("LessThanConstraintComponent", ("lessThan",),
                      "Value is not less than the sh:lessThan property's values")
LESS_THAN_OR_EQUALS = Component("LessThanOrEqualsConstraintComponent", ("lessThanOrEquals",),
                                "Value is greater than the sh:lessThanOrEquals property's values")
COMPONENTS = (EQUALS, DISJOINT, LESS_THAN, LESS_THAN_OR_EQUALS)
_ORDER = ((LESS_THAN, "<"), (LESS_THAN_OR_EQUALS, "<="))


def property_conditions(engine, ps, v: str, path: str, w: str) -> list[str]:
    """SPARQL expressions true when focus node `v` satisfies the property pairs of `ps`."""
    sh = engine.shapes
    parts = []
    for q in sh.sh(ps, "equals"):
        parts.append(f"NOT EXISTS {{ {v} {path} {w} FILTER NOT EXISTS {{ {v} {term(q)} {w} }} }}")
        parts.append(f"NOT EXISTS {{ {v} {term(q)} {w} FILTER NOT EXISTS {{ {v} {path} {w} }} }}")
    for q in sh.sh(ps, "disjoint"):
        parts.append(f"NOT EXISTS {{ {v} {path} {w} . {v} {term(q)} {w} }}")
    for component, op in _ORDER:
        for q in sh.sh(ps, component.parameters[0]):
            u = engine.var()
            parts.append(f"NOT EXISTS {{ {v} {path} {w} . {v} {term(q)} {u} "
                         f"FILTER(!COALESCE({typed(w)} {op} {typed(u)}, false)) }}")
    return parts


def check(engine, ps, key: str, path: str) -> None:
    """Report the values that break the property pairs of property shape `ps`."""
    sh = engine.shapes
    focus = engine.focus(key)
    for q_ in sh.sh(ps, "equals"):
        q = term(q_)
        for pattern in (f"?this {path} ?v FILTER NOT EXISTS {{ ?this {q} ?v }}",
                        f"?this {q} ?v FILTER NOT EXISTS {{ ?this {path} ?v }}"):
            for row in engine.select(f"SELECT DISTINCT ?this ?v WHERE {{ {focus} {pattern} }}"):
                engine.add(ps, EQUALS, row["this"], value=row["v"])
    for q_ in sh.sh(ps, "disjoint"):
        q = f"SELECT DISTINCT ?this ?v WHERE {{ {focus} ?this {path} ?v . ?this {term(q_)} ?v }}"
        for row in engine.select(q):
            engine.add(ps, DISJOINT, row["this"], value=row["v"])
    for component, op in _ORDER:
        for q_ in sh.sh(ps, component.parameters[0]):
            # one result per pair of values that is not in order
            q = (f"SELECT DISTINCT ?this ?v ?u WHERE {{ {focus} ?this {path} ?v . ?this {term(q_)} ?u "
                 f"FILTER(!COALESCE({typed('?v')} {op} {typed('?u')}, false)) }}")
            for row in engine.select(q):
                engine.add(ps, component, row["this"], value=row["v"], detail=str(row["u"]))


def node_conditions(engine, shape, v: str) -> list[str]:
    """sh:equals and sh:disjoint of a node shape (its value node is the focus node itself)."""
    sh = engine.shapes
    if not (sh.sh(shape, "equals") or sh.sh(shape, "disjoint")):
        return []
    w = engine.var()
    parts = []
    for q in sh.sh(shape, "equals"):
        parts.append(f"NOT EXISTS {{ {v} {term(q)} {w} FILTER(!sameTerm({w}, {v})) }}")
        parts.append(f"EXISTS {{ {v} {term(q)} {w} FILTER(sameTerm({w}, {v})) }}")
    for q in sh.sh(shape, "disjoint"):
        parts.append(f"NOT EXISTS {{ {v} {term(q)} {w} FILTER(sameTerm({w}, {v})) }}")
    return parts


def check_node(engine, shape, key: str) -> None:
    """Report sh:equals and sh:disjoint of a node shape."""
    sh = engine.shapes
    focus = engine.focus(key)
    for q_ in sh.sh(shape, "equals"):
        q = term(q_)
        for pattern in (f"FILTER NOT EXISTS {{ ?this {q} ?v FILTER(sameTerm(?v, ?this)) }} BIND(?this AS ?v)",
                        f"?this {q} ?v FILTER(!sameTerm(?v, ?this))"):
            for row in engine.select(f"SELECT DISTINCT ?this ?v WHERE {{ {focus} {pattern} }}"):
                engine.add(shape, EQUALS, row["this"], value=row["v"])
    for q_ in sh.sh(shape, "disjoint"):
        q = f"SELECT DISTINCT ?this WHERE {{ {focus} ?this {term(q_)} ?v FILTER(sameTerm(?v, ?this)) }}"
        for row in engine.select(q):
            engine.add(shape, DISJOINT, row["this"], value=row["this"])
