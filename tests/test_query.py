"""yilian query: result formats, table alignment, row order, ASK exit codes, CONSTRUCT, inputs."""

from __future__ import annotations

import csv
import io
import json
import xml.etree.ElementTree as ET

import rdflib
from rdflib.compare import isomorphic

from yilian.tables import display_width

SELECT = "SELECT ?h ?name WHERE { ?h a/rdfs:subClassOf* yl:Hospital ; rdfs:label ?name FILTER(lang(?name)='zh') } ORDER BY DESC(?name)"


def test_table_aligns_chinese_and_keeps_order(run, mini):
    r = run("query", SELECT, *mini)
    assert r.exit_code == 0, r.stderr
    lines = r.stdout.splitlines()
    assert lines[0].split() == ["h", "name"]
    body = lines[2:]
    # ORDER BY DESC on the Chinese names: 中医 (U+4E2D U+533B) sorts after 中心 (U+4E2D U+5FC3)? no: 医 < 心
    assert [line.split()[1] for line in body] == ["测试市中心医院", "测试市中医医院"]
    # the second column starts at the same display column on every line
    starts = {display_width(line[: line.index(line.split()[1])]) for line in lines[2:]}
    header_start = display_width(lines[0][: lines[0].index("name")])
    assert starts == {header_start}


def test_display_width_counts_cjk_as_two():
    assert display_width("湘潭abc") == 7
    assert display_width("") == 0


def test_csv_tsv_json_xml(run, mini):
    r = run("query", SELECT, "--format", "csv", *mini)
    rows = list(csv.reader(io.StringIO(r.stdout)))
    assert rows[0] == ["h", "name"]
    assert rows[1] == ["https://w3id.org/yilian/id/t-hosp-a", "测试市中心医院"]
    r = run("query", SELECT, "--format", "tsv", *mini)
    assert r.stdout.splitlines()[0] == "?h\t?name"
    assert '"测试市中心医院"@zh' in r.stdout
    r = run("query", SELECT, "--format", "json", *mini)
    doc = json.loads(r.stdout)
    assert doc["head"]["vars"] == ["h", "name"]
    assert [b["name"]["value"] for b in doc["results"]["bindings"]] == ["测试市中心医院", "测试市中医医院"]
    r = run("query", SELECT, "--format", "xml", *mini)
    root = ET.fromstring(r.stdout.encode())
    ns = {"s": "http://www.w3.org/2005/sparql-results#"}
    assert len(root.findall(".//s:result", ns)) == 2


def test_ask_exit_codes(run, mini):
    yes = run("query", "ASK { ?m org:role yl:LeadRole }", *mini)
    assert (yes.exit_code, yes.stdout) == (0, "true\n")
    no = run("query", "ASK { ?m org:role yl:LinkedRole }", *mini)
    assert (no.exit_code, no.stdout) == (1, "false\n")
    js = run("query", "ASK { ?m org:role yl:LinkedRole }", "--format", "json", *mini)
    assert json.loads(js.stdout)["boolean"] is False


def test_construct_is_rdf_and_parses_back(run, mini):
    r = run("query", "CONSTRUCT { ?h yl:locatedIn ?c } WHERE { ?h yl:locatedIn ?c }", *mini)
    assert r.exit_code == 0
    got = rdflib.Graph().parse(data=r.stdout, format="turtle")
    want = rdflib.Graph()
    Y = rdflib.Namespace("https://w3id.org/yilian/id/")
    loc = rdflib.URIRef("https://w3id.org/yilian/ontology#locatedIn")
    want.add((Y["t-hosp-a"], loc, Y["t-city"]))
    want.add((Y["t-hosp-b"], loc, Y["t-city"]))
    assert isomorphic(got, want)
    nt = run("query", "DESCRIBE yid:t-city", "--format", "ntriples", *mini)
    assert isomorphic(rdflib.Graph().parse(data=nt.stdout, format="nt"),
                      rdflib.Graph().parse(data=run("query", "DESCRIBE yid:t-city", *mini).stdout, format="turtle"))


def test_query_from_file_and_stdin(run, mini, tmp_path):
    f = tmp_path / "q.rq"
    f.write_text("SELECT (COUNT(*) AS ?n) WHERE { ?m a yl:Membership }", encoding="utf-8")
    r = run("query", "-f", f, "--format", "csv", *mini)
    assert r.stdout.splitlines() == ["n", "2"]
    r = run("query", "--format", "csv", *mini, input="SELECT (COUNT(*) AS ?n) WHERE { ?h a yl:TCMHospital }")
    assert r.stdout.splitlines() == ["n", "1"]


def test_output_file(run, mini, tmp_path):
    out = tmp_path / "out.csv"
    r = run("query", SELECT, "--format", "csv", "-o", out, *mini)
    assert r.exit_code == 0 and r.stdout == ""
    assert out.read_text(encoding="utf-8").splitlines()[0] == "h,name"


def test_format_must_fit_query_form(run, mini):
    r = run("query", SELECT, "--format", "turtle", *mini)
    assert r.exit_code == 2 and "CONSTRUCT and DESCRIBE" in r.stderr
    r = run("query", "CONSTRUCT WHERE { ?s ?p ?o }", "--format", "csv", *mini)
    assert r.exit_code == 2 and "SELECT and ASK" in r.stderr


def test_display_width_counts_terminal_columns():
    assert display_width("abc") == 3
    assert display_width("湘潭市") == 6
    assert display_width("e\u0301") == 1  # a combining accent takes no column
    assert display_width("Ａ1") == 3  # a full-width letter takes two
