"""Turning pyoxigraph terms and quads into rdflib ones (for pySHACL and the serializers)."""

from __future__ import annotations

from typing import Iterable

import pyoxigraph as ox
import rdflib
from rdflib import BNode, Literal, URIRef

XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
RDF_LANGSTRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"


def term(t):
    if isinstance(t, ox.NamedNode):
        return URIRef(t.value)
    if isinstance(t, ox.BlankNode):
        return BNode(t.value)
    if isinstance(t, ox.Literal):
        if t.language:
            return Literal(t.value, lang=t.language)
        dt = t.datatype.value
        if dt == XSD_STRING:
            return Literal(t.value)
        return Literal(t.value, datatype=URIRef(dt))
    if isinstance(t, ox.DefaultGraph):
        return None
    raise TypeError(f"unsupported RDF term {t!r}")


def to_graph(quads: Iterable[ox.Quad]) -> rdflib.Graph:
    """All quads merged into one rdflib graph (graph names dropped)."""
    g = rdflib.Graph()
    for q in quads:
        g.add((term(q.subject), term(q.predicate), term(q.object)))
    return g


def to_dataset(quads: Iterable[ox.Quad]) -> rdflib.Dataset:
    ds = rdflib.Dataset()
    for q in quads:
        gname = term(q.graph_name)
        ctx = ds.default_graph if gname is None else ds.graph(gname)
        ctx.add((term(q.subject), term(q.predicate), term(q.object)))
    return ds


def to_ox(t):
    """An rdflib term as a pyoxigraph term."""
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
