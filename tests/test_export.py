"""yilian export: every format round-trips to an isomorphic graph, bytes are stable,
writes are atomic and never overwrite an input."""

from __future__ import annotations

import pytest
import rdflib
from rdflib.compare import isomorphic

from yilian.rdf import export as exporting
from yilian.rdf.convert import to_graph
from yilian.errors import ExitCode
from yilian.dataset.parse import load, parse_file
from yilian.dataset.sources import Sources

RDFLIB_NAMES = {"turtle": "turtle", "ntriples": "nt", "nquads": "nquads", "trig": "trig", "jsonld": "json-ld", "rdfxml": "xml"}


def bundled() -> rdflib.Graph:
    return to_graph(load(Sources()).quads)


@pytest.mark.parametrize("fmt", list(RDFLIB_NAMES))
def test_export_round_trips(run, fmt):
    r = run("export", "--format", fmt)
    assert r.exit_code == 0, r.stderr
    if fmt in ("nquads", "trig"):
        back = rdflib.Dataset()
        back.parse(data=r.stdout, format=RDFLIB_NAMES[fmt])
        got = rdflib.Graph()
        for s, p, o, _ in back.quads((None, None, None, None)):
            got.add((s, p, o))
    else:
        got = rdflib.Graph().parse(data=r.stdout, format=RDFLIB_NAMES[fmt])
    assert isomorphic(got, bundled())


@pytest.mark.parametrize("fmt", list(RDFLIB_NAMES))
def test_same_graph_same_bytes(run, fmt):
    assert run("export", "--format", fmt).stdout_bytes == run("export", "--format", fmt).stdout_bytes


def test_blank_nodes_and_insertion_order_do_not_change_bytes(tmp_path):
    a = tmp_path / "a.ttl"
    b = tmp_path / "b.ttl"
    a.write_text('@prefix ex: <http://e/> .\nex:s ex:p [ ex:q "1" ] , [ ex:q "2" ] .\nex:t ex:p ex:s .\n', encoding="utf-8")
    b.write_text('@prefix ex: <http://e/> .\nex:t ex:p ex:s .\nex:s ex:p [ ex:q "2" ] .\nex:s ex:p [ ex:q "1" ] .\n', encoding="utf-8")
    for fmt in RDFLIB_NAMES:
        qa = parse_file(a)
        qb = parse_file(b)
        assert exporting.serialize(qa, fmt) == exporting.serialize(qb, fmt), fmt


def test_named_graphs_survive_quad_formats(tmp_path):
    src = tmp_path / "g.trig"
    src.write_text('@prefix ex: <http://e/> .\nex:a ex:b ex:c .\nex:g { ex:x ex:y "z"@zh }\n', encoding="utf-8")
    quads = parse_file(src)
    for fmt in ("nquads", "trig"):
        out = tmp_path / f"out.{ 'nq' if fmt == 'nquads' else 'trig' }"
        out.write_bytes(exporting.serialize(quads, fmt))
        back = parse_file(out)
        assert sorted(map(str, back)) == sorted(map(str, quads))


def test_with_ontology_adds_the_ontology(run, mini):
    plain = rdflib.Graph().parse(data=run("export", *mini).stdout, format="turtle")
    full = rdflib.Graph().parse(data=run("export", "--with-ontology", *mini).stdout, format="turtle")
    onto = rdflib.URIRef("https://w3id.org/yilian/ontology#")
    assert (onto, rdflib.RDF.type, rdflib.OWL.Ontology) in full
    assert (onto, rdflib.RDF.type, rdflib.OWL.Ontology) not in plain
    assert len(full) > len(plain)


def test_export_to_file_and_refuse_overwriting_input(run, mini, tmp_path):
    out = tmp_path / "x.nt"
    r = run("export", "--format", "nt", "-o", out, *mini)
    assert r.exit_code == 0 and r.stdout == ""
    assert isomorphic(rdflib.Graph().parse(out, format="nt"), rdflib.Graph().parse(mini[-1], format="turtle"))
    copy = tmp_path / "in.ttl"
    copy.write_bytes(open(mini[-1], "rb").read())
    before = copy.read_bytes()
    r = run("export", "-o", copy, "--no-default-graph", "--data", copy)
    assert r.exit_code == ExitCode.BAD_INPUT and "one of the input files" in r.stderr
    assert copy.read_bytes() == before


def test_failed_export_leaves_existing_file(run, tmp_path):
    out = tmp_path / "keep.ttl"
    out.write_text("precious", encoding="utf-8")
    bad = tmp_path / "bad.ttl"
    bad.write_text("@prefix ex: <http://e/> .\nex:a ex:b .\n", encoding="utf-8")
    r = run("export", "-o", out, "--no-default-graph", "--data", bad)
    assert r.exit_code == ExitCode.BAD_INPUT
    assert out.read_text(encoding="utf-8") == "precious"
    assert [p.name for p in tmp_path.iterdir()] == sorted(["keep.ttl", "bad.ttl"]) or set(p.name for p in tmp_path.iterdir()) == {"keep.ttl", "bad.ttl"}


def test_unwritable_folder(run, mini, tmp_path):
    r = run("export", "-o", tmp_path / "no" / "such" / "dir.ttl", *mini)
    assert r.exit_code == ExitCode.BAD_INPUT and "does not exist" in r.stderr


@pytest.mark.parametrize("fmt", ["turtle", "trig"])
def test_export_keeps_the_files_own_prefix_not_ns1(run, tmp_path, fmt):
    """export wrote a file's own `ex:` as `ns1:` (the store keeps no prefixes): the
    prefixes the files declare are bound, the first file's where two disagree."""
    a = tmp_path / "a.ttl"
    a.write_text('@prefix ex: <http://example.org/> .\n@prefix : <http://example.org/empty#> .\n'
                 'ex:a ex:p :b .\n', encoding="utf-8")
    b = tmp_path / "b.ttl"
    b.write_text('@prefix ex: <http://example.net/other/> .\nex:c ex:q "1" .\n', encoding="utf-8")
    r = run("export", "--no-default-graph", "--data", str(a), "--data", str(b), "--format", fmt)
    assert r.exit_code == 0, r.stderr
    assert "@prefix ex: <http://example.org/> ." in r.stdout
    assert "@prefix : <http://example.org/empty#> ." in r.stdout
    assert "ex:a ex:p :b ." in r.stdout
    assert "@prefix ex: <http://example.net/other/>" not in r.stdout  # the first file's ex: wins
    g = rdflib.Graph().parse(data=r.stdout, format=fmt)
    want = rdflib.Graph().parse(a).parse(b)
    assert isomorphic(g, want)
