"""Nested blank nodes (issue 13, finding 4): export and fmt took super-linear time (export
at 2,000 levels 29 s, fmt at 5,000 levels 246 s; rdflib's canonical labelling refines
once per level, its Turtle writer and parser recurse once per level). Now the labels of
blank-node trees are computed in linear time and Turtle nests at most
export.MAX_INLINE_DEPTH levels. Speed is measured in bench/, so these tests check the
result at 5,000 levels under a --timeout that the old code could not meet."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from yilian.rdf import export

DEPTH = 5000


def _nested(tmp_path, depth=DEPTH):
    f = tmp_path / "deep.ttl"
    f.write_text("@prefix ex: <http://e/> .\nex:a ex:p " + "[ ex:p " * depth + "ex:z" + " ]" * depth + " .\n",
                 encoding="utf-8")
    return f


def _chain_length(data: bytes, fmt) -> int:
    """Steps from ex:a along ex:p to ex:z; -1 if the chain is broken."""
    nxt = {}
    for q in ox.parse(data, format=fmt):
        assert q.subject not in nxt
        nxt[q.subject] = q.object
    node, steps = ox.NamedNode("http://e/a"), 0
    while node != ox.NamedNode("http://e/z"):
        if node not in nxt:
            return -1
        node, steps = nxt[node], steps + 1
    return steps if len(nxt) == steps else -1


@pytest.mark.parametrize("fmt, ox_fmt", [("turtle", ox.RdfFormat.TURTLE), ("ntriples", ox.RdfFormat.N_TRIPLES),
                                         ("trig", ox.RdfFormat.TRIG), ("jsonld", ox.RdfFormat.JSON_LD)])
def test_nested_blank_nodes_export_in_super_linear_time(run, tmp_path, fmt, ox_fmt):
    data = _nested(tmp_path)
    r = run("export", "--timeout", "60", "--format", fmt, "--no-default-graph", "--data", data)
    assert r.exit_code == 0, r.stderr
    assert _chain_length(r.stdout_bytes, ox_fmt) == DEPTH + 1
    again = run("export", "--timeout", "60", "--format", fmt, "--no-default-graph", "--data", data)
    assert again.stdout_bytes == r.stdout_bytes  # deterministic


def test_nested_blank_nodes_fmt_in_super_linear_time(run, tmp_path):
    f = _nested(tmp_path)
    r = run("fmt", "--timeout", "60", f)
    assert r.exit_code == 0, r.stderr
    text = f.read_bytes()
    assert _chain_length(text, ox.RdfFormat.TURTLE) == DEPTH + 1
    assert max(len(line) - len(line.replace(b"[", b"")) for line in text.splitlines()) <= export.MAX_INLINE_DEPTH
    r = run("fmt", "--check", "--timeout", "60", f)
    assert r.exit_code == 0 and "0 of 1 file would be reformatted" in r.stderr  # idempotent


def test_tree_labels_are_canonical():
    """The same graph with its blank nodes named differently, and twins (interchangeable
    subtrees), gives the same labels and keeps every node."""
    import rdflib

    def graph(names):
        g = rdflib.Graph()
        a, b, c, d = (rdflib.BNode(n) for n in names)
        e = rdflib.Namespace("http://e/")
        for s, p, o in [(e.x, e.p, a), (a, e.q, b), (a, e.q, c), (b, e.v, rdflib.Literal(1)),
                        (c, e.v, rdflib.Literal(1)), (d, e.r, e.x)]:
            g.add((s, p, o))
        return g

    one = export.canonical_blank_node_trees(graph("abcd"))
    two = export.canonical_blank_node_trees(graph("wzyx"))
    assert one is not None and len(one) == 6
    assert set(one) == set(two)
    shared = graph("abcd")
    shared.add((rdflib.URIRef("http://e/y"), rdflib.URIRef("http://e/p"), rdflib.BNode("b")))
    assert export.canonical_blank_node_trees(shared) is None  # not a tree: rdflib's labelling
