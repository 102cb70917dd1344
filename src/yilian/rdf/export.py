"""Writing RDF deterministically: the same graph always gives the same bytes.

Blank nodes are relabelled canonically, triples are inserted in sorted order and the
N-Triples/N-Quads lines are sorted, so diffs show real changes only.
"""

from __future__ import annotations

import contextlib
from typing import Iterable

import pyoxigraph as ox

from ..errors import UsageError
from ..prefixes import PREFIXES

# rdflib is imported inside the functions that need it: the query path must not pay
# for importing it.

#: --format names (first is the default) -> canonical name
RDF_FORMATS: dict[str, str] = {
    "turtle": "turtle",
    "ttl": "turtle",
    "ntriples": "ntriples",
    "nt": "ntriples",
    "nquads": "nquads",
    "nq": "nquads",
    "trig": "trig",
    "jsonld": "jsonld",
    "json-ld": "jsonld",
    "rdfxml": "rdfxml",
    "xml": "rdfxml",
}



def canonical_format(name: str) -> str:
    try:
        return RDF_FORMATS[name.lower()]
    except KeyError:
        raise UsageError(f"unknown RDF format '{name}'", hint="use one of: " + ", ".join(sorted(set(RDF_FORMATS.values())))) from None


def _new_graph():
    import rdflib

    g = rdflib.Graph(bind_namespaces="none")
    for p, ns in PREFIXES.items():
        g.bind(p, ns)
    return g


def turtle(triples: Iterable[tuple], prefixes: dict[str, str] | None = None) -> bytes:
    """Canonical Turtle of rdflib triples, binding extra prefixes (a file's own) first."""
    g = _canonical(triples, prefixes)
    with _writing():
        return g.serialize(format="turtle", encoding="utf-8")


def _long_string(self) -> str:
    """Turtle for a literal's string, replacing rdflib's Literal._quote_encode.

    rdflib writes a string with a newline in triple quotes and escapes its final quote only
    when the character before it is not a backslash, so a value ending in a backslash and a
    quote is written as text that does not parse (found by tests/test_properties.py).
    Escaping every quote is always valid.
    """
    if "\n" in self:
        return '"""' + self.replace("\\", "\\\\").replace('"', '\\"').replace("\r", "\\r") + '"""'
    return '"' + self.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r") + '"'


@contextlib.contextmanager
def _writing():
    """rdflib's writers, with literal strings quoted correctly."""
    from rdflib.term import Literal

    original = Literal._quote_encode
    Literal._quote_encode = _long_string
    try:
        yield
    finally:
        Literal._quote_encode = original


def _canonical(triples: Iterable[tuple], prefixes: dict[str, str] | None = None):
    import rdflib
    from rdflib.compare import to_canonical_graph

    g = rdflib.Graph(bind_namespaces="none")
    for t in triples:
        g.add(t)
    if any(isinstance(x, rdflib.BNode) for t in g for x in (t[0], t[2])):
        g = to_canonical_graph(g)
    out = _new_graph()
    for p, ns in (prefixes or {}).items():
        out.bind(p, ns, override=True, replace=True)
    for t in sorted(g):
        out.add(t)
    return out


def _split_graphs(quads: Iterable[ox.Quad]) -> dict:
    """graph name (None for the default graph) -> list of rdflib triples"""
    from .convert import term

    graphs: dict = {}
    for q in quads:
        graphs.setdefault(term(q.graph_name), []).append((term(q.subject), term(q.predicate), term(q.object)))
    return graphs


def _nt_lines(g) -> list[str]:
    text = g.serialize(format="nt", encoding="utf-8").decode("utf-8")
    return [line for line in text.splitlines() if line.strip()]


def _turtle_body(g) -> tuple[list[str], list[str]]:
    """(prefix lines, body lines) of the graph's Turtle."""
    with _writing():
        text = g.serialize(format="turtle", encoding="utf-8").decode("utf-8")
    prefixes, body = [], []
    for line in text.splitlines():
        (prefixes if line.startswith("@prefix") else body).append(line)
    return prefixes, body


def serialize(quads: Iterable[ox.Quad], fmt: str) -> bytes:
    """Serialize quads in one of RDF_FORMATS; triple formats merge all graphs."""
    from .convert import term

    fmt = canonical_format(fmt)
    quads = list(quads)
    if fmt in ("nquads", "trig"):
        graphs = _split_graphs(quads)
        names = sorted((n for n in graphs if n is not None), key=str)
        order = ([None] if None in graphs else []) + names
        if fmt == "nquads":
            lines: list[str] = []
            for name in order:
                for line in _nt_lines(_canonical(graphs[name])):
                    lines.append(line if name is None else f"{line[:-1].rstrip()} {name.n3()} .")
            return ("\n".join(sorted(lines)) + "\n").encode("utf-8") if lines else b""
        prefix_lines: set[str] = set()
        blocks: list[str] = []
        for name in order:
            prefixes, body = _turtle_body(_canonical(graphs[name]))
            prefix_lines.update(prefixes)
            body_text = "\n".join(body).strip("\n")
            if name is None:
                blocks.append(body_text)
            else:
                inner = "\n".join("    " + line if line else "" for line in body_text.splitlines())
                blocks.append(f"{name.n3()} {{\n{inner}\n}}")
        return ("\n".join(sorted(prefix_lines)) + "\n\n" + "\n\n".join(blocks) + "\n").encode("utf-8")
    return serialize_triples(((term(q.subject), term(q.predicate), term(q.object)) for q in quads), fmt)


def serialize_triples(triples: Iterable[tuple], fmt: str) -> bytes:
    """Serialize rdflib triples in a triple format (Turtle, N-Triples, JSON-LD, RDF/XML)."""
    fmt = canonical_format(fmt)
    g = _canonical(triples)
    if fmt in ("ntriples", "nquads"):
        lines = sorted(_nt_lines(g))
        return ("\n".join(lines) + "\n").encode("utf-8") if lines else b""
    if fmt in ("turtle", "trig"):
        with _writing():
            return g.serialize(format="turtle", encoding="utf-8")
    if fmt in ("jsonld", "rdfxml"):
        # pyoxigraph's writers: rdflib's JSON-LD writer drops a blank node that refers to
        # itself and its pretty RDF/XML writer loses blank-node cycles (found by
        # tests/test_properties.py)
        from .convert import to_ox

        quads = [ox.Quad(to_ox(s), to_ox(p), to_ox(o)) for s, p, o in sorted(g)]
        if fmt == "rdfxml":
            used = {p: ns for p, ns in PREFIXES.items()
                    if any(str(q.predicate.value).startswith(ns) or
                           (isinstance(q.object, ox.NamedNode) and q.object.value.startswith(ns)) for q in quads)}
            return ox.serialize(quads, format=ox.RdfFormat.RDF_XML, prefixes=used) or b""
        import json

        doc = json.loads(ox.serialize(quads, format=ox.RdfFormat.JSON_LD) or b"[]")
        return (json.dumps(doc, ensure_ascii=False, indent=2, sort_keys=True) + "\n").encode("utf-8")
    raise UsageError(f"unknown RDF format '{fmt}'")
