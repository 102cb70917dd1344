"""Shape-based constraint components (SHACL 4.7): sh:node, sh:property (the engine validates
a property shape's focus nodes itself), sh:qualifiedValueShape with sh:qualifiedMinCount and
sh:qualifiedMaxCount."""

from __future__ import annotations

from ..shapes import SH, Component, integer, true
from ._sparql import at_least, at_most

NODE = Component("NodeConstraintComponent", ("node",), "Value does not conform to the sh:node shape")
PROPERTY = Component("PropertyConstraintComponent", ("property",), "Value does not conform to the sh:property shape")
QUALIFIED_MIN_COUNT = Component("QualifiedMinCountConstraintComponent",
                                ("qualifiedValueShape", "qualifiedMinCount", "qualifiedValueShapesDisjoint"),
                                "Fewer conforming values than sh:qualifiedMinCount")
QUALIFIED_MAX_COUNT = Component("QualifiedMaxCountConstraintComponent",
                                ("qualifiedValueShape", "qualifiedMaxCount", "qualifiedValueShapesDisjoint"),
                                "More conforming values than sh:qualifiedMaxCount")
COMPONENTS = (NODE, PROPERTY, QUALIFIED_MIN_COUNT, QUALIFIED_MAX_COUNT)


def value_conditions(engine, shape, v: str) -> list:
    """(component, SPARQL expression true when value node `v` satisfies it)."""
    return [(NODE, engine.conforms(s2, v)) for s2 in engine.shapes.sh(shape, "node")]


def qualified(engine, ps, qs, w: str) -> str:
    """A SPARQL expression: value node `w` counts for sh:qualifiedValueShape `qs` of `ps`: it
    conforms to `qs` and, with sh:qualifiedValueShapesDisjoint true, to none of the sibling
    shapes (the qualified value shapes of the other property shapes of ps's parent shapes)."""
    sh = engine.shapes
    cond = engine.conforms(qs, w)
    if any(true(d) for d in sh.sh(ps, "qualifiedValueShapesDisjoint")):
        parents = [s for s, p, o in sh.triples if o == ps and p.value == SH + "property"]
        siblings = []
        for parent in parents:
            for other in sh.sh(parent, "property"):
                for sib in sh.sh(other, "qualifiedValueShape"):
                    if sib != qs and sib not in siblings:
                        siblings.append(sib)
        cond = " && ".join([cond] + [f"!({engine.conforms(sib, w)})" for sib in siblings])
    return f"({cond})"


def property_conditions(engine, ps, v: str, path: str, w: str) -> list[str]:
    """SPARQL expressions true when focus node `v` satisfies the qualified counts of `ps`."""
    sh = engine.shapes
    parts = []
    for q in sh.sh(ps, "qualifiedValueShape"):
        conforming = f"{v} {path} {w} FILTER({qualified(engine, ps, q, w)})"
        parts += [at_least(v, conforming, w, integer(n)) for n in sh.sh(ps, "qualifiedMinCount")]
        parts += [at_most(v, conforming, w, integer(n)) for n in sh.sh(ps, "qualifiedMaxCount")]
    return parts


def check(engine, ps, key: str, path: str) -> None:
    """Report the focus nodes with too few or too many values conforming to the qualified shape."""
    sh = engine.shapes
    focus = engine.focus(key)
    for qs in sh.sh(ps, "qualifiedValueShape"):
        cond = qualified(engine, ps, qs, "?v")
        for n in sh.sh(ps, "qualifiedMinCount"):
            n = integer(n)
            if n <= 0:
                continue
            if n == 1 and engine.pairwise:  # no conforming value (no grouping: see cardinality.check)
                q = f"SELECT ?this WHERE {{ {focus} FILTER NOT EXISTS {{ ?this {path} ?v FILTER({cond}) }} }}"
            else:
                q = (f"SELECT ?this WHERE {{ {focus} OPTIONAL {{ ?this {path} ?v FILTER({cond}) }} }} "
                     f"GROUP BY ?this HAVING (COUNT(DISTINCT ?v) < {n})")
            for row in engine.select(q):
                engine.add(ps, QUALIFIED_MIN_COUNT, row["this"])
        for n in sh.sh(ps, "qualifiedMaxCount"):
            n = integer(n)
            if n in (0, 1) and engine.pairwise:  # one conforming value, or two distinct ones
                pair = (f" ?this {path} ?w FILTER(!sameTerm(?v, ?w) && {qualified(engine, ps, qs, '?w')})"
                        if n == 1 else "")
                q = f"SELECT DISTINCT ?this WHERE {{ {focus} ?this {path} ?v FILTER({cond}){pair} }}"
            else:
                q = (f"SELECT ?this WHERE {{ {focus} ?this {path} ?v FILTER({cond}) }} "
                     f"GROUP BY ?this HAVING (COUNT(DISTINCT ?v) > {n})")
            for row in engine.select(q):
                engine.add(ps, QUALIFIED_MAX_COUNT, row["this"])
