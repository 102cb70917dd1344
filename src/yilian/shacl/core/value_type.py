"""Value type constraint components (SHACL 4.1): sh:class, sh:datatype, sh:nodeKind."""

from __future__ import annotations

import pyoxigraph as ox

from ..scratch import LEXICAL, term, well_formed
from ..shapes import SH, XSD, Component, Unsupported

CLASS = Component("ClassConstraintComponent", ("class",), "Value is not an instance of the required class")
DATATYPE = Component("DatatypeConstraintComponent", ("datatype",), "Value does not have the required datatype")
NODE_KIND = Component("NodeKindConstraintComponent", ("nodeKind",), "Value is not of the required node kind")
COMPONENTS = (CLASS, DATATYPE, NODE_KIND)


def value_conditions(engine, shape, v: str) -> list:
    """(component, SPARQL expression true when value node `v` satisfies it)."""
    sh = engine.shapes
    out = []
    for c in sh.sh(shape, "class"):
        out.append((CLASS, f"EXISTS {{ {engine.instance_of(v, c)} }}"))
    for d in sh.sh(shape, "datatype"):
        if not isinstance(d, ox.NamedNode):
            raise Unsupported(f"sh:datatype {d}")
        if d.value.startswith(XSD) and d.value != XSD + "string":
            cond = f"(isLiteral({v}) && DATATYPE({v}) = <{LEXICAL}{d.value}> && {well_formed(d.value, f'STR({v})')})"
        else:
            cond = f"(isLiteral({v}) && DATATYPE({v}) = {term(d)})"
        out.append((DATATYPE, cond))
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
        out.append((NODE_KIND, kinds[name]))
    return out
