"""Logical constraint components (SHACL 4.6): sh:not, sh:and, sh:or, sh:xone. Conformance to
the shapes they name is compiled to a SPARQL expression (Engine.conforms)."""

from __future__ import annotations

from ..shapes import Component

NOT = Component("NotConstraintComponent", ("not",), "Value conforms to the sh:not shape")
AND = Component("AndConstraintComponent", ("and",), "Value does not conform to every sh:and shape")
OR = Component("OrConstraintComponent", ("or",), "Value does not conform to any sh:or shape")
XONE = Component("XoneConstraintComponent", ("xone",), "Value does not conform to exactly one sh:xone shape")
COMPONENTS = (NOT, AND, OR, XONE)


def value_conditions(engine, shape, v: str) -> list:
    """(component, SPARQL expression true when value node `v` satisfies it)."""
    sh = engine.shapes
    out = []
    for s2 in sh.sh(shape, "not"):
        out.append((NOT, f"!({engine.conforms(s2, v)})"))
    for lst in sh.sh(shape, "and"):
        parts = [engine.conforms(s2, v) for s2 in sh.items(lst)]
        out.append((AND, "(" + (" && ".join(parts) or "true") + ")"))
    for lst in sh.sh(shape, "or"):
        parts = [engine.conforms(s2, v) for s2 in sh.items(lst)]
        out.append((OR, "(" + (" || ".join(parts) or "false") + ")"))
    for lst in sh.sh(shape, "xone"):
        parts = [f"IF({engine.conforms(s2, v)}, 1, 0)" for s2 in sh.items(lst)]
        out.append((XONE, "((" + (" + ".join(parts) or "0") + ") = 1)"))
    return out
