"""Turning pyoxigraph terms and quads into rdflib ones (for pySHACL and the serializers).

Terms are converted exactly: an rdflib literal keeps the lexical form it was parsed with
(``Literal(..., normalize=False)``), so ``"060"^^xsd:integer`` stays ``"060"``, not ``"60"``
(rdflib normalises literals by default, ``rdflib.NORMALIZE_LITERALS``). What rdflib cannot
hold — RDF 1.2 triple terms and directional language strings — raises ``UsageError``
instead of being dropped.
"""

from __future__ import annotations

from typing import Iterable

import pyoxigraph as ox
import rdflib
from rdflib import BNode, Literal, URIRef

from ..errors import UsageError

XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
RDF_LANGSTRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"


def term(t):
    """A pyoxigraph term as the rdflib term with the same lexical form, datatype and
    language tag; None for the default graph. Raises UsageError for RDF 1.2 terms."""
    if isinstance(t, ox.NamedNode):
        return URIRef(t.value)
    if isinstance(t, ox.BlankNode):
        return BNode(t.value)
    if isinstance(t, ox.Literal):
        if t.language:
            if getattr(t, "direction", None) is not None:
                raise UsageError(f"cannot write the directional language string {t} (RDF 1.2) in this format",
                                 hint="remove the base direction (--ltr / --rtl) or keep the file as it is")
            return Literal(t.value, lang=t.language, normalize=False)
        dt = t.datatype.value
        if dt == XSD_STRING:
            return Literal(t.value, normalize=False)
        return Literal(t.value, datatype=URIRef(dt), normalize=False)
    if isinstance(t, ox.DefaultGraph):
        return None
    if isinstance(t, ox.Triple):
        raise UsageError(f"cannot write the triple term {t} (RDF 1.2) in this format",
                         hint="use N-Triples or N-Quads 1.2 tools for RDF 1.2 data")
    raise TypeError(f"unsupported RDF term {t!r}")


def to_graph(quads: Iterable[ox.Quad]) -> rdflib.Graph:
    """All quads merged into one rdflib graph (graph names dropped), terms kept exactly."""
    g = rdflib.Graph()
    for q in quads:
        g.add((term(q.subject), term(q.predicate), term(q.object)))
    return g


def to_dataset(quads: Iterable[ox.Quad]) -> rdflib.Dataset:
    """The quads as an rdflib Dataset (one graph per graph name), terms kept exactly."""
    ds = rdflib.Dataset()
    for q in quads:
        gname = term(q.graph_name)
        ctx = ds.default_graph if gname is None else ds.graph(gname)
        ctx.add((term(q.subject), term(q.predicate), term(q.object)))
    return ds


def to_ox(t):
    """An rdflib term as a pyoxigraph term (lexical form kept: ``str(literal)``)."""
    if isinstance(t, URIRef):
        return ox.NamedNode(str(t))
    if isinstance(t, BNode):
        return ox.BlankNode(str(t))
    if isinstance(t, Literal):
        if t.language:
            return ox.Literal(str(t), language=t.language)
        if t.datatype is not None:
            return ox.Literal(str(t), datatype=ox.NamedNode(str(t.datatype)))
        return ox.Literal(str(t))
    raise TypeError(f"unsupported RDF term {t!r}")
