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


_LABELS = (ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label"),
           ox.NamedNode("http://www.w3.org/2004/02/skos/core#prefLabel"))


def label(store: ox.Store, node, lang: str = "zh") -> str:
    """The best human label of a node: its `lang` label, then en, then zh, then one
    without a language, then a short name. Several labels in one language: rdfs:label
    before skos:prefLabel, then the first in code-point order (so the choice is stable).
    Read with quads_for_pattern, not a query: pages and tables ask for thousands."""
    if not isinstance(node, (ox.NamedNode, ox.BlankNode)):
        return short(node)
    best: dict[str, str] = {}
    for p in _LABELS:
        found: dict[str, str] = {}
        for q in store.quads_for_pattern(node, p, None):
            lit = q.object
            if isinstance(lit, ox.Literal):
                key = lit.language or ""
                if key not in found or lit.value < found[key]:
                    found[key] = lit.value
        for key, value in found.items():
            best.setdefault(key, value)
    for key in (lang, "en", "zh", ""):
        if key in best:
            return best[key]
    return short(node)
