"""Writing RDF deterministically and exactly: the same graph always gives the same bytes,
and every term is written as it was given (lexical form, datatype, language tag).

Blank nodes are relabelled canonically, triples are inserted in sorted order and the
N-Triples/N-Quads lines are sorted, so diffs show real changes only. Every output is parsed
back with a non-normalising parser and compared term for term with the input
(rdf.exact) before it is returned, so a writer that changed a term is an error, never a
silently different file.
"""

from __future__ import annotations

import contextlib
import decimal
import re
from typing import Iterable

import pyoxigraph as ox

from ..errors import InputError, UsageError
from ..prefixes import PREFIXES
from . import exact

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


_PREFIX_LINE = re.compile(r"@prefix ([^:\s]*): <([^>]*)> \.\Z")


def turtle_parts(triples: Iterable[tuple], prefixes: dict[str, str] | None = None) -> tuple[dict[str, str], str]:
    """Canonical Turtle of rdflib triples in two parts: {prefix: namespace} of the prefixes
    the body uses (``prefixes`` — a file's own, the empty one included — bound first, then
    the standard ones), and the body text after the prefix lines."""
    lines, body = _turtle_body(_canonical(triples, prefixes))
    used = {}
    for line in lines:
        m = _PREFIX_LINE.match(line)
        if not m:  # pragma: no cover - rdflib's prefix lines always match
            raise ValueError(f"unexpected prefix line from rdflib: {line!r}")
        used[m.group(1)] = m.group(2)
    return used, "\n".join(body).strip("\n") + "\n"


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


_XSD = "http://www.w3.org/2001/XMLSchema#"

#: datatype -> the lexical forms written bare (``60``, ``-1.50``, ``true``): those that match
#: the Turtle 1.1 production for that datatype (INTEGER, DECIMAL, BooleanLiteral) *and* that
#: every reader keeps — rdflib's Turtle parser reads a bare number as a Python number, so
#: ``060``, ``+5``, ``-0``, ``.5`` and every bare double (``1.0E0``) would come back
#: rewritten. All other forms are written ``"060"^^xsd:integer``.
_BARE = {
    _XSD + "integer": re.compile(r"(0|-?[1-9][0-9]*)\Z"),
    _XSD + "decimal": re.compile(r"-?(0|[1-9][0-9]*)\.[0-9]+\Z"),
    _XSD + "boolean": re.compile(r"(true|false)\Z"),
}


def _exact_literal_n3(original):
    """rdflib's Literal._literal_n3, writing a literal bare only in the forms of _BARE and
    as ``"lexical"^^datatype`` otherwise. rdflib's own writes the value instead: ``1.0E0``
    became ``1e+00``, ``"1"^^xsd:decimal`` became ``1.0`` and ``"1"^^xsd:boolean`` became
    ``1``, an xsd:integer (issue 12)."""

    def literal_n3(self, use_plain=False, qname_callback=None):
        if use_plain and self.datatype is not None and not self.language:
            bare = _BARE.get(str(self.datatype))
            if bare is not None and bare.match(str(self)):
                return str(self)
        return original(self, False, qname_callback)

    return literal_n3


@contextlib.contextmanager
def _writing():
    """rdflib's writers, with literal strings quoted correctly, typed literals written
    exactly as given, and blank nodes nested at most MAX_INLINE_DEPTH deep (see
    _bounded_nesting)."""
    from rdflib.plugins.serializers.turtle import TurtleSerializer
    from rdflib.term import Literal

    quote, n3 = Literal._quote_encode, Literal._literal_n3
    original_squared = TurtleSerializer.p_squared
    Literal._quote_encode = _long_string
    Literal._literal_n3 = _exact_literal_n3(n3)
    TurtleSerializer.p_squared = _bounded_nesting(original_squared)
    try:
        with _numeric_order():
            yield
    finally:
        Literal._quote_encode = quote
        Literal._literal_n3 = n3
        TurtleSerializer.p_squared = original_squared


@contextlib.contextmanager
def _numeric_order():
    """rdflib's order of literals, without its one failure: it compares two numeric
    literals by value, and Python refuses to order a Decimal (xsd:decimal) against a
    float NaN (``"NaN"^^xsd:double`` or xsd:float) with decimal.InvalidOperation, so
    sorting such a pair (fmt, export, and the Turtle writer's sort of objects) failed.
    Such a pair is compared as two floats instead, which is what rdflib does for an
    xsd:integer against a NaN (neither is greater)."""
    from rdflib.term import Literal

    original = Literal.__gt__

    def gt(self, other):
        try:
            return original(self, other)
        except decimal.InvalidOperation:
            return float(self.value) > float(other.value)

    Literal.__gt__ = gt
    try:
        yield
    finally:
        Literal.__gt__ = original



#: blank nodes are written inline (``[ … ]``) up to this depth; a deeper one is written by
#: its label and as a subject of its own. rdflib's Turtle writer recurses once per level
#: (Python's stack ends near 250 levels) and its parser too (fmt reads its output back).
MAX_INLINE_DEPTH = 32


def _bounded_nesting(p_squared):
    """rdflib's TurtleSerializer.p_squared (write a blank node inline), refusing to nest
    deeper than MAX_INLINE_DEPTH: the node is then written by label (p_default) and, not
    being marked done, later as a subject of its own. Linear in the nesting depth."""
    from rdflib.plugins.serializers.turtle import SUBJECT
    from rdflib.term import BNode

    def bounded(self, node, position, newline=False):
        depth = getattr(self, "_yilian_nesting", 0)
        if depth >= MAX_INLINE_DEPTH and isinstance(node, BNode) and position != SUBJECT:
            return False
        self._yilian_nesting = depth + 1
        try:
            return p_squared(self, node, position, newline)
        finally:
            self._yilian_nesting = depth

    return bounded


def _canonical(triples: Iterable[tuple], prefixes: dict[str, str] | None = None):
    import rdflib
    from rdflib.compare import to_canonical_graph

    g = rdflib.Graph(bind_namespaces="none")
    for t in triples:
        g.add(t)
    if any(isinstance(x, rdflib.BNode) for t in g for x in (t[0], t[2])):
        # rdflib's labels for ordinary graphs (the repository's files are formatted with
        # them); the linear-time labels where rdflib's would take quadratic time
        g = canonical_blank_node_trees(g, min_depth=DEEP_NESTING) or to_canonical_graph(g)
    out = _new_graph()
    for p, ns in (prefixes or {}).items():
        out.bind(p, ns, override=True, replace=True)
    for t in _sorted(g):
        out.add(t)
    return out


def _sorted(triples) -> list:
    """Triples in rdflib's order, ties broken by their N-Triples text.

    rdflib orders numeric literals by value, so ``"060"`` and ``"60"`` (or ``"10"^^xsd:int``
    and ``10``) compare neither less nor greater; sorting by the exact text first makes the
    order, and so the bytes, independent of the input order."""
    with _numeric_order():
        return sorted(sorted(triples, key=lambda t: tuple(x.n3() for x in t)))


#: blank nodes nested at least this deep are labelled by canonical_blank_node_trees: rdflib's
#: to_canonical_graph refines its colouring once per level over all blank nodes
DEEP_NESTING = 8


def canonical_blank_node_trees(g, min_depth: int = 0):
    """`g` (an rdflib Graph) with its blank nodes relabelled canonically in linear time,
    when they form trees (each blank node the object of at most one triple, no cycle:
    what Turtle's ``[ … ]`` and collections write) nested at least `min_depth` levels
    deep; None otherwise (then rdflib's general to_canonical_graph, whose refinement is
    quadratic on a chain of nested blank nodes: 8.5 s at 1,000 levels, minutes at 5,000).

    A blank node's label is a SHA-256 of its subtree (its predicates and objects, blank
    objects by their subtree hashes, computed bottom-up) and of its place (the label of
    the subject above it and the predicate, computed top-down). Two nodes can get the
    same hash only when they are interchangeable (the same subtree in the same place), so
    numbering such twins in any order gives the same graph, and the same bytes."""
    import hashlib
    from collections import defaultdict

    import rdflib

    BNode = rdflib.BNode
    edges: dict = defaultdict(list)  # blank subject -> [(predicate, object)]
    above: dict = {}  # blank object -> (subject, predicate)
    for s, p, o in g:
        if isinstance(s, BNode):
            edges[s].append((p, o))
        if isinstance(o, BNode):
            if o in above:
                return None  # shared: not a tree
            above[o] = (s, p)
    nodes = set(edges) | set(above)
    order = [b for b in nodes if b not in above or not isinstance(above[b][0], BNode)]
    level = dict.fromkeys(order, 1)
    i = 0
    while i < len(order):  # breadth-first from the roots: parents before children
        for _, o in edges.get(order[i], ()):
            if isinstance(o, BNode):
                order.append(o)
                level[o] = level[order[i]] + 1
        i += 1
    if len(order) != len(nodes):
        return None  # a cycle of blank nodes
    if max(level.values(), default=0) < min_depth:
        return None
    down: dict = {}
    for b in reversed(order):
        lines = sorted(f"{p.n3()} {'_:' + down[o] if isinstance(o, BNode) else o.n3()}" for p, o in edges.get(b, ()))
        down[b] = hashlib.sha256("\n".join(lines).encode("utf-8")).hexdigest()
    label: dict = {}
    used: set = set()
    for b in order:
        if b in above:
            s, p = above[b]
            place = f"{'_:' + label[s] if isinstance(s, BNode) else s.n3()} {p.n3()}"
        else:
            place = ""
        base = hashlib.sha256(f"{down[b]}\n{place}".encode("utf-8")).hexdigest()[:32]
        name, n = "cb" + base, 0
        while name in used:
            n += 1
            name = f"cb{base}n{n}"
        used.add(name)
        label[b] = name
    out = rdflib.Graph(bind_namespaces="none")
    relabel = {b: BNode(name) for b, name in label.items()}
    for s, p, o in g:
        out.add((relabel.get(s, s), p, relabel.get(o, o)))
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


def serialize(quads: Iterable[ox.Quad], fmt: str, prefixes: dict[str, str] | None = None) -> bytes:
    """Serialize quads in one of RDF_FORMATS; triple formats merge all graphs.

    Every term is written as given. ``prefixes`` ({prefix: namespace}, e.g. those the input
    files declare, parse.Loaded.prefixes) are bound before yilian's standard ones, so
    Turtle, TriG and RDF/XML write a file's ``ex:`` as ``ex:``, not ``ns1:``. The output is parsed back and compared term for term
    with ``quads`` (rdf.exact); UsageError when the format cannot express the data
    (RDF/XML: see check_rdfxml), InputError if the written text would not give the same
    graph back.
    """
    fmt = canonical_format(fmt)
    quads = list(quads)
    if fmt == "rdfxml":
        check_rdfxml(quads)
    out = _serialize(quads, fmt, prefixes)
    check_round_trip(quads, out, fmt)
    return out


def check_round_trip(quads: list[ox.Quad], out: bytes, fmt: str, *, where: str | None = None) -> None:
    """Raise InputError unless ``out`` parses (non-normalising, rdf.exact.parse) to exactly
    ``quads`` (merged into one graph for a triple format)."""
    fmt = canonical_format(fmt)
    try:
        back = exact.parse(out, fmt)
    except InputError as e:
        raise InputError(f"the {fmt} yilian wrote does not read back ({e.message}); nothing was written",
                         where=where, hint="report this with the input, or use --format ntriples") from None
    merge = fmt not in exact.QUAD_FORMATS
    if not exact.same(quads, back, merge_graphs=merge):
        diff = "; ".join(exact.differences(quads, back, merge_graphs=merge, limit=1))
        raise InputError(f"the {fmt} yilian wrote would not give back the same terms ({diff}); nothing was written",
                         where=where, hint="report this with the input, or use --format ntriples")


def _serialize(quads: list[ox.Quad], fmt: str, prefixes: dict[str, str] | None = None) -> bytes:
    from .convert import term

    if fmt in ("nquads", "trig"):
        graphs = _split_graphs(quads)
        names = sorted((n for n in graphs if n is not None), key=str)
        order = ([None] if None in graphs else []) + names
        if fmt == "nquads":
            lines: list[str] = []
            for name in order:
                for line in _nt_lines(_canonical(graphs[name], prefixes)):
                    lines.append(line if name is None else f"{line[:-1].rstrip()} {name.n3()} .")
            return ("\n".join(sorted(lines)) + "\n").encode("utf-8") if lines else b""
        prefix_lines: set[str] = set()
        blocks: list[str] = []
        for name in order:
            used, body = _turtle_body(_canonical(graphs[name], prefixes))
            prefix_lines.update(used)
            body_text = "\n".join(body).strip("\n")
            if name is None:
                blocks.append(body_text)
            else:
                inner = "\n".join("    " + line if line else "" for line in body_text.splitlines())
                blocks.append(f"{name.n3()} {{\n{inner}\n}}")
        return ("\n".join(sorted(prefix_lines)) + "\n\n" + "\n\n".join(blocks) + "\n").encode("utf-8")
    return serialize_triples(((term(q.subject), term(q.predicate), term(q.object)) for q in quads), fmt, prefixes)


def serialize_triples(triples: Iterable[tuple], fmt: str, prefixes: dict[str, str] | None = None) -> bytes:
    """Serialize rdflib triples in a triple format (Turtle, N-Triples, JSON-LD, RDF/XML),
    binding ``prefixes`` ({prefix: namespace}) before the standard ones.

    The terms are written as they are; callers that start from pyoxigraph quads use
    ``serialize``, which also checks the round trip."""
    fmt = canonical_format(fmt)
    g = _canonical(triples, prefixes)
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

        quads = [ox.Quad(to_ox(s), to_ox(p), to_ox(o)) for s, p, o in _sorted(g)]
        if fmt == "rdfxml":
            check_rdfxml(quads)
            used = {p: ns for p, ns in PREFIXES.items()
                    if any(str(q.predicate.value).startswith(ns) or
                           (isinstance(q.object, ox.NamedNode) and q.object.value.startswith(ns)) for q in quads)}
            out = ox.serialize(quads, format=ox.RdfFormat.RDF_XML, prefixes=used) or b""
            # a carriage return in a literal must be a character reference: XML parsers
            # turn a raw one into a line feed (XML 1.0, 2.11 "End-of-Line Handling");
            # the writer's own line breaks are line feeds, so every CR is in a literal
            return out.replace(b"\r", b"&#13;")
        import json

        doc = json.loads(ox.serialize(quads, format=ox.RdfFormat.JSON_LD) or b"[]")
        return (json.dumps(doc, ensure_ascii=False, indent=2, sort_keys=True) + "\n").encode("utf-8")
    raise UsageError(f"unknown RDF format '{fmt}'")


# --- RDF/XML: what it cannot express -------------------------------------------------

_RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
#: RDF/XML syntax names that cannot be property elements (RDF 1.1 XML Syntax, 7.2.5
#: coreSyntaxTerms, rdf:Description and the old terms; rdf:li is read back as rdf:_1, rdf:_2 …)
RDFXML_RESERVED = frozenset(_RDF + n for n in ("RDF", "ID", "about", "parseType", "resource", "nodeID", "datatype",
                                                "Description", "li", "aboutEach", "aboutEachPrefix", "bagID"))
#: characters XML 1.0 cannot hold, even as character references (XML 1.0, 2.2 "Characters")
_NOT_XML_CHAR = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
#: XML 1.0 (5th edition) 2.3 "Names": NameStartChar without ':', and NameChar without ':'
_START = (r"A-Z_a-z\xc0-\xd6\xd8-\xf6\xf8-\u02ff\u0370-\u037d\u037f-\u1fff\u200c\u200d"
          r"\u2070-\u218f\u2c00-\u2fef\u3001-\ud7ff\uf900-\ufdcf\ufdf0-\ufffd\U00010000-\U000effff")
_NAME_START_CHAR = re.compile(f"[{_START}]")
_NAME_CHAR = re.compile(f"[{_START}" r"\-.0-9\xb7\u0300-\u036f\u203f\u2040]")


def xml_local_name(iri: str) -> str:
    """The longest suffix of ``iri`` that is an XML name without a colon (an NCName): the
    local part of the element name RDF/XML writes a predicate as, or "" when there is none
    (``http://example.org/123``, ``…/``, ``…/a#``, ``…/a%20``)."""
    start = len(iri)
    while start > 0 and _NAME_CHAR.match(iri[start - 1]):
        start -= 1
    m = _NAME_START_CHAR.search(iri, start)
    return iri[m.start():] if m else ""


def check_rdfxml(quads: Iterable[ox.Quad]) -> None:
    """Raise UsageError (exit 2) when RDF/XML cannot express the quads.

    RDF/XML writes each predicate as an XML element name, split into a namespace and a local
    name, so a predicate is refused when its IRI does not end in an XML name
    (``<http://example.org/123>``, one ending in '/', '#', '-x' after a '/', '%20' …) or
    is an RDF/XML syntax name (``rdf:li``, ``rdf:about`` …); a literal is refused when it
    holds a character XML 1.0 cannot hold (U+0000–U+0008, U+000B, U+000C, U+000E–U+001F,
    U+FFFE, U+FFFF). Turtle and N-Triples can write all of these.
    """
    hint = "use --format turtle or --format ntriples"
    seen: set[str] = set()
    for q in quads:
        p = q.predicate.value
        if p not in seen:
            seen.add(p)
            if p in RDFXML_RESERVED:
                raise UsageError(f"RDF/XML cannot express the predicate <{p}>: it is an RDF/XML syntax name",
                                 hint=hint)
            if not xml_local_name(p):
                raise UsageError(f"RDF/XML cannot express the predicate <{p}>: it writes a predicate as an XML "
                                 "element name, and this IRI does not end in one (a name starts with a letter or "
                                 "'_')", hint=hint)
        for t in (q.subject, q.object):
            if isinstance(t, ox.Literal):
                bad = _NOT_XML_CHAR.search(t.value)
                if bad:
                    raise UsageError(f"RDF/XML cannot express the literal {t} (object of <{p}>): XML 1.0 cannot "
                                     f"hold the character U+{ord(bad.group()):04X}", hint=hint)
