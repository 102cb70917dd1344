"""Comparing RDF exactly: term for term, with blank nodes matched by isomorphism.

Two graphs are the same here when they hold the same terms — lexical form, datatype and
language tag — not merely the same values: ``"060"^^xsd:integer`` and ``"60"^^xsd:integer``
are different RDF terms (RDF 1.1 Concepts, 3.3 "Literals": term equality compares lexical
forms). Both sides are read with pyoxigraph's parser, which keeps lexical forms (only an
Oxigraph *Store* normalises them); blank nodes are matched by colour refinement (see same).
"""

from __future__ import annotations

import hashlib
from collections import Counter
from typing import Iterable

import pyoxigraph as ox

from ..errors import InputError

#: canonical RDF format name (rdf.export.RDF_FORMATS) -> pyoxigraph format
OX_FORMATS = {
    "turtle": ox.RdfFormat.TURTLE,
    "ntriples": ox.RdfFormat.N_TRIPLES,
    "nquads": ox.RdfFormat.N_QUADS,
    "trig": ox.RdfFormat.TRIG,
    "jsonld": ox.RdfFormat.JSON_LD,
    "rdfxml": ox.RdfFormat.RDF_XML,
}

#: the formats that hold named graphs; the others merge every graph into one
QUAD_FORMATS = ("nquads", "trig")


def parse(data: bytes, fmt: str) -> list[ox.Quad]:
    """The quads of ``data`` in canonical format ``fmt``, lexical forms as written.

    RDF/XML must also be well-formed XML 1.0 for a strict parser (expat): pyoxigraph's own
    RDF/XML parser is lenient and reads back some text other parsers refuse.
    Raises InputError when the data does not parse.
    """
    if fmt == "rdfxml":
        import xml.parsers.expat

        try:
            xml.parsers.expat.ParserCreate().Parse(data, True)
        except xml.parsers.expat.ExpatError as e:
            raise InputError(f"not well-formed XML: {e}") from None
    try:
        return list(ox.parse(data, format=OX_FORMATS[fmt]))
    except (SyntaxError, ValueError) as e:
        raise InputError(f"does not parse as {fmt}: {e}") from None


def _split(quads: Iterable[ox.Quad], merge_graphs: bool) -> tuple[set[str], set[ox.Quad]]:
    """(the quads without blank nodes, as N-Quads text; the quads with one)"""
    ground: set[str] = set()
    blank: set[ox.Quad] = set()
    for q in quads:
        if merge_graphs and not isinstance(q.graph_name, ox.DefaultGraph):
            q = ox.Quad(q.subject, q.predicate, q.object)
        if any(isinstance(t, ox.BlankNode) for t in (q.subject, q.object, q.graph_name)):
            blank.add(q)
        else:
            ground.add(str(q))
    return ground, blank


#: rounds of colour refinement: a blank node's colour sums up its neighbourhood this many
#: steps out (more than any blank-node nesting a writer bug could leave unchanged)
ROUNDS = 12


def _fingerprint(quads: set[ox.Quad]) -> Counter:
    """The quads with each blank node replaced by its colour: a hash of its neighbourhood
    (the exact terms around it, ROUNDS steps of colour refinement, 1-dimensional
    Weisfeiler-Leman). Isomorphic sets of quads always have the same fingerprint; a
    changed term anywhere changes it. Linear in the quads per round."""
    blank = [t for q in quads for t in (q.subject, q.object, q.graph_name) if isinstance(t, ox.BlankNode)]
    colour = dict.fromkeys(blank, "")
    rows = [(q.subject, q.predicate, q.object, q.graph_name) for q in quads]
    distinct = 1
    for _ in range(ROUNDS):
        seen: dict = {b: [] for b in colour}
        for row in rows:
            text = " ".join("_:" + colour[t] if isinstance(t, ox.BlankNode) else str(t) for t in row)
            for place, t in enumerate(row):
                if isinstance(t, ox.BlankNode):
                    seen[t].append(f"{place} {text}")
        colour = {b: hashlib.sha256("\n".join(sorted(lines)).encode("utf-8")).hexdigest()[:24]
                  for b, lines in seen.items()}
        now = len(set(colour.values()))
        if now == distinct:
            break
        distinct = now
    return Counter(" ".join("_:" + colour[t] if isinstance(t, ox.BlankNode) else str(t) for t in row) for row in rows)


def same(a: Iterable[ox.Quad], b: Iterable[ox.Quad], *, merge_graphs: bool = False) -> bool:
    """Whether two sets of quads are the same RDF dataset, term for term. With
    ``merge_graphs`` graph names are ignored: the union of all graphs is compared, as a
    triple format (Turtle, N-Triples …) writes it.

    Quads without blank nodes are compared as text. Quads with blank nodes are compared
    with each blank node replaced by its colour (_fingerprint): every term exactly, and the
    blank-node structure up to colour refinement, which tells apart all graphs that differ
    in a term and all but contrived non-isomorphic blank-node structures (regular graphs
    of blank nodes with identical surroundings). A full isomorphism test was too slow:
    rdflib's took minutes, and Oxigraph's RDFC-1.0 longer, on a chain of 1,000 nested
    blank nodes.
    """
    ground_a, blank_a = _split(a, merge_graphs)
    ground_b, blank_b = _split(b, merge_graphs)
    if ground_a != ground_b or len(blank_a) != len(blank_b):
        return False
    return not blank_a or _fingerprint(blank_a) == _fingerprint(blank_b)


def differences(a: Iterable[ox.Quad], b: Iterable[ox.Quad], *, merge_graphs: bool = False,
                limit: int = 3) -> list[str]:
    """Up to ``limit`` lines naming quads without blank nodes found in one side only, or
    one line saying that the blank-node structure differs; for error messages."""
    ground_a, blank_a = _split(a, merge_graphs)
    ground_b, blank_b = _split(b, merge_graphs)
    out = [f"only in the input: {q}" for q in sorted(ground_a - ground_b)[:limit]]
    out += [f"only in the output: {q}" for q in sorted(ground_b - ground_a)[:limit]]
    if not out:
        out.append(f"the triples with blank nodes differ ({len(blank_a)} in the input, {len(blank_b)} in the output)")
    return out
