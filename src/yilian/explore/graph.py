"""What the explore commands share: the data graphs of a store, internal queries with
terms substituted, and the best human label of a node."""

from __future__ import annotations

import re

import pyoxigraph as ox

from ..dataset.sources import ONTOLOGY_GRAPH
from ..prefixes import PREFIXES, short

YL = PREFIXES["yl"]
RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
LABEL_PROPS = ("rdfs:label", "skos:prefLabel", "skos:altLabel")


def data_graphs(store: ox.Store) -> list:
    """The graphs that hold data (everything but the bundled ontology)."""
    return [ox.DefaultGraph()] + [g for g in store.named_graphs() if g != ONTOLOGY_GRAPH]


def query(store: ox.Store, text: str, *, data_only: bool = False, **subst):
    """Run a trusted internal query with ?NAME replaced by the N-Triples form of subst[NAME];
    over the data graphs only when data_only, else over the union with the ontology."""
    kwargs = {"prefixes": PREFIXES}
    if data_only:
        kwargs["default_graph"] = data_graphs(store)
    else:
        kwargs["use_default_graph_as_union"] = True
    for k, v in subst.items():
        # terms are inserted in their N-Triples form, which pyoxigraph escapes
        text = re.sub(r"\?" + k + r"\b", str(v).replace("\\", "\\\\"), text)
    return store.query(text, **kwargs)


def label(store: ox.Store, node, lang: str = "zh") -> str:
    """The best human label of a node: zh label, then en, then any, then a short name."""
    if not isinstance(node, (ox.NamedNode, ox.BlankNode)):
        return short(node)
    best = {}
    for sol in query(store, "SELECT ?l WHERE { ?n rdfs:label|skos:prefLabel ?l }", n=node):
        lit = sol["l"]
        best.setdefault(lit.language or "", lit.value)
    for key in (lang, "en", "zh", ""):
        if key in best:
            return best[key]
    return short(node)
