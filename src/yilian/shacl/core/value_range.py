"""Value range constraint components (SHACL 4.3): sh:minExclusive, sh:minInclusive,
sh:maxExclusive, sh:maxInclusive (compared as SPARQL compares values)."""

from __future__ import annotations

from ..scratch import typed
from ..shapes import Component

MIN_EXCLUSIVE = Component("MinExclusiveConstraintComponent", ("minExclusive",),
                          "Value is not greater than sh:minExclusive")
MIN_INCLUSIVE = Component("MinInclusiveConstraintComponent", ("minInclusive",), "Value is less than sh:minInclusive")
MAX_EXCLUSIVE = Component("MaxExclusiveConstraintComponent", ("maxExclusive",),
                          "Value is not less than sh:maxExclusive")
MAX_INCLUSIVE = Component("MaxInclusiveConstraintComponent", ("maxInclusive",),
                          "Value is greater than sh:maxInclusive")
COMPONENTS = (MIN_EXCLUSIVE, MIN_INCLUSIVE, MAX_EXCLUSIVE, MAX_INCLUSIVE)
_OPERATORS = ((MIN_EXCLUSIVE, ">"), (MIN_INCLUSIVE, ">="), (MAX_EXCLUSIVE, "<"), (MAX_INCLUSIVE, "<="))


def value_conditions(engine, shape, v: str) -> list:
    """(component, SPARQL expression true when value node `v` satisfies it)."""
    out = []
    for component, op in _OPERATORS:
        for b in engine.shapes.sh(shape, component.parameters[0]):
            out.append((component, f"(isLiteral({v}) && COALESCE({typed(v)} {op} {b}, false))"))
    return out
