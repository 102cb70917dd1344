"""Comparing RDF exactly: term for term, with blank nodes matched by isomorphism.

Two graphs are the same here when they hold the same terms — lexical form, datatype and
language tag — not merely the same values: ``"060"^^xsd:integer`` and ``"60"^^xsd:integer``
are different RDF terms (RDF 1.1 Concepts, 3.3 "Literals": term equality compares lexical
forms). Both sides are read with pyoxigraph's parser, which keeps lexical forms (only an
Oxigraph *Store* normalises them); blank nodes are matched by RDF Dataset Canonicalization
(RDFC-1.0, W3C Recommendation 2024).
"""

from __future__ import annotations

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


def _dataset(quads: Iterable[ox.Quad], merge_graphs: bool) -> ox.Dataset:
    d = ox.Dataset()
    blank = False
    for q in quads:
        if merge_graphs:
            q = ox.Quad(q.subject, q.predicate, q.object)
        d.add(q)
        blank = blank or any(isinstance(t, ox.BlankNode) for t in (q.subject, q.object, q.graph_name))
    if blank:
        d.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
    return d


def same(a: Iterable[ox.Quad], b: Iterable[ox.Quad], *, merge_graphs: bool = False) -> bool:
    """Whether two sets of quads are the same RDF dataset, term for term (blank nodes
    matched by isomorphism). With ``merge_graphs`` graph names are ignored: the union
    of all graphs is compared, as a triple format (Turtle, N-Triples …) writes it."""
    da, db = _dataset(a, merge_graphs), _dataset(b, merge_graphs)
    return len(da) == len(db) and {str(q) for q in da} == {str(q) for q in db}


def differences(a: Iterable[ox.Quad], b: Iterable[ox.Quad], *, merge_graphs: bool = False,
                limit: int = 3) -> list[str]:
    """Up to ``limit`` lines naming quads in one side only (blank nodes canonically
    relabelled), for error messages and test failures."""
    da, db = _dataset(a, merge_graphs), _dataset(b, merge_graphs)
    sa, sb = {str(q) for q in da}, {str(q) for q in db}
    out = [f"only in the input: {q}" for q in sorted(sa - sb)[:limit]]
    out += [f"only in the output: {q}" for q in sorted(sb - sa)[:limit]]
    return out
