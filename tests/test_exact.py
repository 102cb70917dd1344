"""Exact data (issue 12, findings 1-3): export and fmt write every term as the input wrote
it, their round-trip checks compare exact terms and can fail, fmt keeps every prefix, and
RDF/XML refuses what it cannot express. Queries keep Oxigraph's value semantics."""

from __future__ import annotations

import contextlib
import xml.parsers.expat

import pyoxigraph as ox
import pytest
import rdflib

from yilian.errors import ExitCode
from yilian.rdf import exact, export as exporting, fmt as formatting

XSD = "http://www.w3.org/2001/XMLSchema#"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
FORMATS = ["turtle", "ntriples", "nquads", "trig", "jsonld", "rdfxml"]
RDFLIB = {"turtle": "turtle", "ntriples": "nt", "nquads": "nquads", "trig": "trig", "jsonld": "json-ld", "rdfxml": "xml"}

# every literal form issue 12 found rewritten, and the ones rdflib's Turtle writer rewrote
FORMS = {
    "060": ("060", "integer"),
    "+5": ("+5", "integer"),
    "1.0E0": ("1.0E0", "double"),
    '"1"^^xsd:boolean': ("1", "boolean"),
    '"007"^^xsd:int': ("007", "int"),
    '"10"^^xsd:int': ("10", "int"),
    "1.50": ("1.50", "decimal"),
    '"1"^^xsd:decimal': ("1", "decimal"),
    '"1."^^xsd:decimal': ("1.", "decimal"),
    '"INF"^^xsd:double': ("INF", "double"),
    '"0.0"^^xsd:float': ("0.0", "float"),
    '"-0"^^xsd:nonPositiveInteger': ("-0", "nonPositiveInteger"),
    '"+01"^^xsd:unsignedByte': ("+01", "unsignedByte"),
}
HEAD = "@prefix ex: <http://example.org/> .\n@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .\n"


def literal(lexical: str, datatype: str) -> ox.Literal:
    return ox.Literal(lexical, datatype=ox.NamedNode(XSD + datatype))


@contextlib.contextmanager
def rdflib_exact():
    """rdflib's parsers without literal normalisation: a second, independent reader."""
    old = rdflib.NORMALIZE_LITERALS
    rdflib.NORMALIZE_LITERALS = False
    try:
        yield
    finally:
        rdflib.NORMALIZE_LITERALS = old


def rdflib_objects(data: bytes, fmt: str) -> set[str]:
    """The objects of every triple, as N-Triples terms, read by rdflib without normalising."""
    with rdflib_exact():
        if fmt in ("nquads", "trig"):
            ds = rdflib.Dataset()
            ds.parse(data=data.decode("utf-8"), format=RDFLIB[fmt])
            return {o.n3() for _, _, o, _ in ds.quads((None, None, None, None))}
        g = rdflib.Graph().parse(data=data.decode("utf-8"), format=RDFLIB[fmt])
        return {o.n3() for o in g.objects()}


def write(tmp_path, body: str, name: str = "in.ttl"):
    f = tmp_path / name
    f.write_text(HEAD + body, encoding="utf-8")
    return f


# --- finding 1: fmt and export changed data ------------------------------------------


def test_fmt_keeps_leading_zeros_060(run, tmp_path):
    f = write(tmp_path, "ex:a ex:count 060 .\n")
    r = run("fmt", f)
    assert r.exit_code == 0, r.stderr
    # quoted: rdflib's Turtle parser reads a bare 060 as the number 60
    assert 'ex:a ex:count "060"^^xsd:integer .' in f.read_text(encoding="utf-8")
    assert exact.parse(f.read_bytes(), "turtle") == [ox.Quad(ox.NamedNode("http://example.org/a"),
                                                             ox.NamedNode("http://example.org/count"),
                                                             literal("060", "integer"))]
    assert run("fmt", "--check", f).exit_code == 0


@pytest.mark.parametrize("written", list(FORMS))
def test_fmt_keeps_literal_form(run, tmp_path, written):
    f = write(tmp_path, f"ex:b ex:p ex:c .\nex:a ex:p {written} .\n")
    assert run("fmt", f).exit_code == 0
    objects = {q.object for q in exact.parse(f.read_bytes(), "turtle")}
    assert literal(*FORMS[written]) in objects
    assert rdflib_objects(f.read_bytes(), "turtle") >= {rdflib.Literal(FORMS[written][0], datatype=rdflib.URIRef(XSD + FORMS[written][1]), normalize=False).n3()}


def test_export_ntriples_keeps_leading_zeros_060(run, tmp_path):
    f = write(tmp_path, "ex:a ex:count 060 .\n")
    r = run("export", "--format", "ntriples", "--no-default-graph", "--data", f)
    assert r.exit_code == 0, r.stderr
    assert r.stdout == f'<http://example.org/a> <http://example.org/count> "060"^^<{XSD}integer> .\n'


@pytest.mark.parametrize("fmt", FORMATS)
def test_export_keeps_every_literal_form(run, tmp_path, fmt):
    body = "".join(f"ex:a ex:p{i} {w} .\n" for i, w in enumerate(FORMS))
    f = write(tmp_path, body)
    r = run("export", "--format", fmt, "--no-default-graph", "--data", f)
    assert r.exit_code == 0, r.stderr
    want = {literal(*v) for v in FORMS.values()}
    assert {q.object for q in exact.parse(r.stdout_bytes, fmt)} == want
    assert rdflib_objects(r.stdout_bytes, fmt) == {str(o) for o in want}


def test_export_and_fmt_keep_060_and_60_apart(run, tmp_path):
    """"060" and "60" are two terms; rdflib orders them as equal values, which made the
    output depend on the input order."""
    a = write(tmp_path, "ex:a ex:p 060 , 60 , \"60\"^^xsd:int .\n", "a.ttl")
    b = write(tmp_path, "ex:a ex:p \"60\"^^xsd:int .\nex:a ex:p 60 .\nex:a ex:p 060 .\n", "b.ttl")
    for fmt in FORMATS:
        out_a = run("export", "--format", fmt, "--no-default-graph", "--data", a).stdout_bytes
        out_b = run("export", "--format", fmt, "--no-default-graph", "--data", b).stdout_bytes
        assert out_a == out_b, fmt
        assert len(exact.parse(out_a, fmt)) == 3, fmt
    assert formatting.canonical(a) == formatting.canonical(b)


def test_fmt_round_trip_check_fails_when_a_literal_would_change(run, tmp_path, monkeypatch):
    """The old check compared two graphs rewritten the same way and could not fail."""
    f = write(tmp_path, "ex:a ex:count 060 .\n")
    before = f.read_bytes()
    real = exporting.turtle_parts

    def normalising(triples, prefixes=None):
        used, body = real(triples, prefixes)
        return used, body.replace("060", "60")

    monkeypatch.setattr(exporting, "turtle_parts", normalising)
    r = run("fmt", f)
    assert r.exit_code == ExitCode.BAD_INPUT
    assert "would change the graph" in r.stderr and '"060"' in r.stderr
    assert f.read_bytes() == before
    assert run("fmt", "--check", f).exit_code == ExitCode.BAD_INPUT  # never "already canonical"


def test_export_round_trip_check_fails_when_a_literal_would_change(run, tmp_path, monkeypatch):
    f = write(tmp_path, "ex:a ex:count 060 .\n")
    out = tmp_path / "out.nt"
    out.write_text("precious", encoding="utf-8")
    real = exporting._serialize
    monkeypatch.setattr(exporting, "_serialize", lambda quads, fmt, prefixes=None: real(quads, fmt, prefixes).replace(b'"060"', b'"60"'))
    r = run("export", "--format", "ntriples", "-o", out, "--no-default-graph", "--data", f)
    assert r.exit_code == ExitCode.BAD_INPUT
    assert "would not give back the same terms" in r.stderr and '"060"' in r.stderr
    assert out.read_text(encoding="utf-8") == "precious"


def test_query_keeps_oxigraph_value_semantics(run, tmp_path):
    """Queries compare and return values (documented in the README and `query --help`)."""
    f = write(tmp_path, 'ex:a ex:count 060 ; ex:flag "1"^^xsd:boolean ; ex:n "007"^^xsd:int .\n')
    r = run("query", "--no-store", "--no-default-graph", "--data", f, "--format", "ntriples",
            "CONSTRUCT { <http://example.org/a> ?p ?o } WHERE { <http://example.org/a> ?p ?o }")
    assert r.exit_code == 0, r.stderr
    assert {q.object for q in exact.parse(r.stdout_bytes, "ntriples")} == {
        literal("60", "integer"), literal("true", "boolean"), literal("7", "integer")}
    assert "normalised" in run("query", "--help").stdout


# --- finding 2: fmt dropped prefixes -----------------------------------------------------


def test_fmt_keeps_prefix_relative_to_base(run, tmp_path):
    f = tmp_path / "reg.ttl"
    f.write_text("@base <http://data.example/reg/> .\n@prefix me: <onto#> .\n"
                 "<x> me:kind me:Registry .\n", encoding="utf-8")
    before = exact.parse(f.read_bytes(), "turtle")
    assert run("fmt", f).exit_code == 0
    text = f.read_text(encoding="utf-8")
    assert text.startswith("@base <http://data.example/reg/> .\n@prefix me: <onto#> .\n")
    assert "ns1:" not in text and "me:kind me:Registry" in text
    assert exact.same(exact.parse(f.read_bytes(), "turtle"), before)
    assert run("fmt", "--check", f).exit_code == 0


def test_fmt_keeps_empty_prefix(run, tmp_path):
    f = tmp_path / "e.ttl"
    f.write_text("@prefix : <http://example.org/> .\n:a :p :b .\n", encoding="utf-8")
    assert run("fmt", f).exit_code == 0
    assert f.read_text(encoding="utf-8") == "@prefix : <http://example.org/> .\n\n:a :p :b .\n\n"


def test_fmt_keeps_declared_prefixes_it_does_not_use(run, tmp_path):
    f = tmp_path / "u.ttl"
    f.write_text("PREFIX ex: <http://example.org/>\nPREFIX later: <http://later.example/>\nex:a ex:p ex:b .\n",
                 encoding="utf-8")
    assert run("fmt", f).exit_code == 0
    assert "@prefix later: <http://later.example/> ." in f.read_text(encoding="utf-8")


def test_fmt_writes_a_relative_prefix_absolute_when_base_changed_after_it(run, tmp_path):
    f = tmp_path / "b.ttl"
    f.write_text("@base <http://a.example/> .\n@prefix me: <onto#> .\n@base <http://b.example/> .\n"
                 "<x> me:p <y> .\n", encoding="utf-8")
    before = exact.parse(f.read_bytes(), "turtle")
    assert run("fmt", f).exit_code == 0
    text = f.read_text(encoding="utf-8")
    assert "@base <http://b.example/> ." in text and "@prefix me: <http://a.example/onto#> ." in text
    assert exact.same(exact.parse(f.read_bytes(), "turtle"), before)


# --- finding 3: RDF/XML that is not XML ----------------------------------------------------

CANNOT = {
    "digits": "http://example.org/123",
    "slash": "http://example.org/",
    "hash": "http://example.org/onto#",
    "percent": "http://example.org/a%20",
    "dash-digit": "http://example.org/-1",
    "dot-digit": "http://example.org/.5",
    "rdf:li": RDF + "li",
    "rdf:about": RDF + "about",
    "rdf:Description": RDF + "Description",
    "rdf:aboutEach": RDF + "aboutEach",
}
CAN = ["http://example.org/a.", "http://example.org/-a", "http://example.org/1a", "urn:isbn:123x",
       "http://example.org/a:b", "http://example.org/湘潭", RDF + "_1", RDF + "value"]


@pytest.mark.parametrize("predicate", list(CANNOT.values()), ids=list(CANNOT))
def test_rdfxml_export_refuses_predicate_without_xml_local_name(run, tmp_path, predicate):
    f = tmp_path / "p.nt"
    f.write_text(f'<http://example.org/s> <{predicate}> "v" .\n', encoding="utf-8")
    out = tmp_path / "old.rdf"
    out.write_text("precious", encoding="utf-8")
    r = run("export", "--format", "rdfxml", "-o", out, "--no-default-graph", "--data", f)
    assert r.exit_code == ExitCode.BAD_INPUT
    assert r.stderr.count("\n") == 1 and f"<{predicate}>" in r.stderr
    assert "--format turtle" in r.stderr and "ntriples" in r.stderr
    assert out.read_text(encoding="utf-8") == "precious"
    assert [p.name for p in sorted(tmp_path.iterdir())] == ["old.rdf", "p.nt"]


def test_rdfxml_query_refuses_predicate_without_xml_local_name(run, tmp_path):
    f = tmp_path / "p.nt"
    f.write_text('<http://example.org/s> <http://example.org/123> "v" .\n', encoding="utf-8")
    r = run("query", "--no-store", "--no-default-graph", "--data", f, "--format", "rdfxml",
            "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }")
    assert r.exit_code == ExitCode.BAD_INPUT and "<http://example.org/123>" in r.stderr and r.stdout == ""


def test_rdfxml_export_refuses_character_xml_cannot_hold(run, tmp_path):
    f = tmp_path / "c.nt"
    f.write_text('<http://example.org/s> <http://example.org/p> "a\\u0001b" .\n', encoding="utf-8")
    r = run("export", "--format", "rdfxml", "--no-default-graph", "--data", f)
    assert r.exit_code == ExitCode.BAD_INPUT and "U+0001" in r.stderr and r.stdout == ""


@pytest.mark.parametrize("predicate", CAN)
def test_rdfxml_export_writes_well_formed_xml_for_predicates_with_a_local_name(run, tmp_path, predicate):
    f = tmp_path / "p.nt"
    f.write_text(f'<http://example.org/s> <{predicate}> "v" .\n', encoding="utf-8")
    r = run("export", "--format", "rdfxml", "--no-default-graph", "--data", f)
    assert r.exit_code == 0, r.stderr
    xml.parsers.expat.ParserCreate().Parse(r.stdout_bytes, True)  # well-formed
    with rdflib_exact():
        g = rdflib.Graph().parse(data=r.stdout, format="xml")
    assert set(g) == {(rdflib.URIRef("http://example.org/s"), rdflib.URIRef(predicate), rdflib.Literal("v"))}


def test_rdfxml_export_keeps_carriage_return(run, tmp_path):
    """A conforming XML parser reads a raw CR as LF; the writer left it raw."""
    f = tmp_path / "cr.nt"
    f.write_text('<http://example.org/s> <http://example.org/p> "a\\rb\\r\\nc" .\n', encoding="utf-8")
    r = run("export", "--format", "rdfxml", "--no-default-graph", "--data", f)
    assert r.exit_code == 0, r.stderr
    with rdflib_exact():
        g = rdflib.Graph().parse(data=r.stdout, format="xml")
    assert list(g.objects()) == [rdflib.Literal("a\rb\r\nc")]


# --- finding 4: -o ignored the extension ------------------------------------------------


@pytest.mark.parametrize("ext,fmt", [(".nt", "ntriples"), (".ttl", "turtle"), (".nq", "nquads"), (".trig", "trig"),
                                     (".jsonld", "jsonld"), (".rdf", "rdfxml"), (".owl", "rdfxml"), (".xml", "rdfxml"),
                                     (".n3", "turtle"), (".NT", "ntriples")])
def test_export_to_file_takes_format_from_extension(run, mini, tmp_path, ext, fmt):
    out = tmp_path / f"yilian{ext}"
    r = run("export", "-o", out, *mini)
    assert r.exit_code == 0, r.stderr
    assert out.read_bytes() == run("export", "--format", fmt, *mini).stdout_bytes


def test_export_without_extension_writes_turtle(run, mini, tmp_path):
    out = tmp_path / "yilian"
    assert run("export", "-o", out, *mini).exit_code == 0
    assert out.read_bytes() == run("export", *mini).stdout_bytes


@pytest.mark.parametrize("args,stderr", [
    (["--format", "turtle", "-o", "x.nt"], "--format turtle contradicts -o x.nt (.nt is N-Triples)"),
    (["--format", "nt", "-o", "x.ttl"], "--format ntriples contradicts -o x.ttl (.ttl is Turtle)"),
    (["-o", "x.csv"], "cannot write -o x.csv: .csv is not an RDF file"),
    (["-o", "x.json"], "cannot write -o x.json: .json is not an RDF file"),
])
def test_export_refuses_format_that_contradicts_extension(run, mini, tmp_path, monkeypatch, args, stderr):
    monkeypatch.chdir(tmp_path)
    r = run("export", *args, *mini)
    assert r.exit_code == ExitCode.BAD_INPUT and stderr in r.stderr and r.stderr.count("\n") == 1
    assert list(tmp_path.iterdir()) == []


SELECT = "SELECT ?h WHERE { ?h a yl:Hospital } ORDER BY ?h"
CONSTRUCT = "CONSTRUCT { ?h a yl:Hospital } WHERE { ?h a yl:Hospital }"


@pytest.mark.parametrize("query,ext,fmt", [
    (SELECT, ".csv", "csv"), (SELECT, ".tsv", "tsv"), (SELECT, ".json", "json"), (SELECT, ".srj", "json"),
    (SELECT, ".xml", "xml"), (SELECT, ".srx", "xml"), (SELECT, ".txt", "table"), (SELECT, "", "table"),
    (CONSTRUCT, ".nt", "ntriples"), (CONSTRUCT, ".ttl", "turtle"), (CONSTRUCT, ".jsonld", "jsonld"),
    (CONSTRUCT, ".rdf", "rdfxml"), (CONSTRUCT, ".xml", "rdfxml"), (CONSTRUCT, ".txt", "turtle"),
])
def test_query_to_file_takes_format_from_extension(run, mini, tmp_path, query, ext, fmt):
    out = tmp_path / f"answer{ext}"
    r = run("query", "--no-store", "-o", out, *mini, query)
    assert r.exit_code == 0, r.stderr
    assert out.read_bytes() == run("query", "--no-store", "--format", fmt, *mini, query).stdout_bytes


@pytest.mark.parametrize("query,args,stderr", [
    (SELECT, ["--format", "csv", "-o", "a.tsv"], "--format csv contradicts -o a.tsv (.tsv is TSV)"),
    (SELECT, ["--format", "table", "-o", "a.csv"], "--format table contradicts -o a.csv (.csv is CSV)"),
    (SELECT, ["-o", "a.ttl"], "cannot write -o a.ttl: .ttl is for RDF, and a SELECT answer is not a graph"),
    (CONSTRUCT, ["-o", "a.csv"], "cannot write -o a.csv: .csv is for SELECT and ASK answers"),
    (CONSTRUCT, ["--format", "ntriples", "-o", "a.ttl"], "--format ntriples contradicts -o a.ttl (.ttl is Turtle)"),
])
def test_query_refuses_format_that_contradicts_extension(run, mini, tmp_path, monkeypatch, query, args, stderr):
    monkeypatch.chdir(tmp_path)
    r = run("query", "--no-store", *args, *mini, query)
    assert r.exit_code == ExitCode.BAD_INPUT and stderr in r.stderr and r.stderr.count("\n") == 1
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("ext,fmt", [(".json", "json"), (".ttl", "turtle"), (".txt", "text"), ("", "text")])
def test_validate_to_file_takes_format_from_extension(run, mini, tmp_path, ext, fmt):
    out = tmp_path / f"report{ext}"
    r = run("validate", "-o", out, *mini)
    assert r.exit_code == 0, r.stderr
    assert out.read_bytes() == run("validate", "--format", fmt, *mini).stdout_bytes


@pytest.mark.parametrize("args,stderr", [
    (["--format", "json", "-o", "r.ttl"], "--format json contradicts -o r.ttl (.ttl is Turtle)"),
    (["-o", "r.nt"], "cannot write -o r.nt: .nt is not a report format"),
])
def test_validate_refuses_format_that_contradicts_extension(run, mini, tmp_path, monkeypatch, args, stderr):
    monkeypatch.chdir(tmp_path)
    r = run("validate", *args, *mini)
    assert r.exit_code == ExitCode.BAD_INPUT and stderr in r.stderr
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("args, ext", [
    (["export", "-o", "{d}/y.ntt"], ".ntt"),
    (["query", "--name", "alliance-lead", "-o", "{d}/answer.xlsx"], ".xlsx"),
    (["validate", "-o", "{d}/report.pdf"], ".pdf"),
])
def test_an_unknown_output_extension_is_refused_not_written_in_a_default_format(run, tmp_path, args, ext):
    """export -o y.ntt wrote Turtle, query -o a.xlsx a text table, validate -o r.pdf the text
    report, all with exit 0 (found when tried as a new user would)."""
    r = run(*[a.format(d=tmp_path) for a in args])
    assert r.exit_code == 2 and f"from its extension '{ext}'" in r.stderr and r.stderr.count("\n") == 1
    assert list(tmp_path.iterdir()) == []
    given = run(*[a.format(d=tmp_path) for a in args], "--format", "json" if args[0] != "export" else "ntriples")
    assert given.exit_code in (0, 1)  # --format names the format: any file name will do


def test_export_and_fmt_order_a_decimal_and_a_nan_double_on_one_subject(run, tmp_path):
    """rdflib orders numeric literals by value and Python refuses to order a Decimal
    against a float NaN (decimal.InvalidOperation): fmt and export failed on
    ``ex:p 0.0 , "NaN"^^xsd:double`` (found by tests/test_properties.py)."""
    body = 'ex:a ex:p 0.0 , "NaN"^^xsd:double , "NaN"^^xsd:float , 0 , "INF"^^xsd:double .\n'
    f = write(tmp_path, body)
    want = {literal("0.0", "decimal"), literal("NaN", "double"), literal("NaN", "float"),
            literal("0", "integer"), literal("INF", "double")}
    for fmt in FORMATS:
        r = run("export", "--format", fmt, "--no-default-graph", "--data", f)
        assert r.exit_code == 0, (fmt, r.stderr)
        assert {q.object for q in exact.parse(r.stdout_bytes, fmt)} == want, fmt
    g = write(tmp_path, 'ex:a ex:p "INF"^^xsd:double , 0 , "NaN"^^xsd:float , "NaN"^^xsd:double , 0.0 .\n', "g.ttl")
    assert formatting.canonical(f) == formatting.canonical(g)
    r = run("fmt", f)
    assert r.exit_code == 0, r.stderr
    assert {q.object for q in exact.parse(f.read_bytes(), "turtle")} == want
