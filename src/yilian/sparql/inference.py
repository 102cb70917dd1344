"""`yilian query --inference rdfs`: the RDFS entailments of the graph, added before a query runs.

Queries see only the triples that are stated (`?h a yl:Hospital` misses a yl:GeneralHospital).
`rdfs_closure` adds, in the named graph INFERRED_GRAPH of an in-memory store, what the RDFS
entailment rules of RDF 1.1 Semantics (section 9.2.1) derive from the data and the ontology:

- rdfs2 / rdfs3: the subject of a property with an rdfs:domain, and the IRI or blank-node
  object of one with an rdfs:range, have that class;
- rdfs5 / rdfs7: a triple with a property holds for its super-properties (rdfs:subPropertyOf,
  transitively);
- rdfs9 / rdfs11: an instance of a class is an instance of its super-classes
  (rdfs:subClassOf, transitively).

The axiomatic triples and the rules that only type resources (rdfs4, rdfs6, rdfs8, rdfs10,
rdfs12, rdfs13) are left out: they add a triple per term without answering a question.
A triple already in the store is not added again, so counts do not double. The cost is one
pass over the store in Python (about a second per 300,000 triples), which is why inference
is asked for, not the default.
"""

from __future__ import annotations

from collections import defaultdict

import pyoxigraph as ox

RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
SUB_CLASS_OF = ox.NamedNode(RDFS + "subClassOf")
SUB_PROPERTY_OF = ox.NamedNode(RDFS + "subPropertyOf")
DOMAIN = ox.NamedNode(RDFS + "domain")
RANGE = ox.NamedNode(RDFS + "range")
#: where the entailed triples go (the union default graph of a query includes it)
INFERRED_GRAPH = ox.NamedNode("https://w3id.org/yilian/inferred/rdfs")
MODES = ("none", "rdfs")


def _closure(edges: dict) -> dict:
    """node -> every node reachable from it by one or more edges (cycles allowed)."""
    out = {}
    for start in edges:
        seen, todo = set(), list(edges[start])
        while todo:
            n = todo.pop()
            if n not in seen:
                seen.add(n)
                todo.extend(edges.get(n, ()))
        out[start] = seen
    return out


def _schema(store: ox.Store, predicate: ox.NamedNode) -> dict:
    edges = defaultdict(set)
    for q in store.quads_for_pattern(None, predicate, None):
        if not isinstance(q.object, ox.Literal):
            edges[q.subject].add(q.object)
    return edges


def rdfs_closure(store: ox.Store) -> int:
    """Add the RDFS entailments of every graph of `store` (see the module docstring) to
    INFERRED_GRAPH; return how many triples were added. Only for a store of its own (an
    in-memory one): the on-disk query store is shared and keyed by its input files."""
    super_classes = _closure(_schema(store, SUB_CLASS_OF))
    super_properties = _closure(_schema(store, SUB_PROPERTY_OF))
    domains, ranges = _schema(store, DOMAIN), _schema(store, RANGE)
    types: dict = defaultdict(set)
    added: set = set()
    for q in store.quads_for_pattern(None, None, None):
        s, p, o = q.subject, q.predicate, q.object
        props = {p} | super_properties.get(p, set())
        for sup in props - {p}:
            added.add((s, sup, o))
        for prop in props:
            types[s].update(domains.get(prop, ()))
            if not isinstance(o, ox.Literal):
                types[o].update(ranges.get(prop, ()))
            if prop == RDF_TYPE and not isinstance(o, ox.Literal):
                types[s].add(o)
    for node, classes in types.items():
        for c in set(classes):
            classes |= super_classes.get(c, set())
        for c in classes:
            added.add((node, RDF_TYPE, c))
    new = [ox.Quad(s, p, o, INFERRED_GRAPH) for s, p, o in added
           if not isinstance(s, ox.Literal) and not any(True for _ in store.quads_for_pattern(s, p, o))]
    store.extend(new)
    return len(new)
