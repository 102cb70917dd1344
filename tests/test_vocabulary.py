"""Query help (sparql/vocabulary.py): a query that names a vocabulary term that exists
nowhere gets a warning with the closest real name, and `validate` warns about yl: terms the
ontology does not define. Warnings only: results and exit codes are unchanged."""

from __future__ import annotations

import json

import pytest

from yilian.dataset.parse import load, load_ontology
from yilian.dataset.sources import Sources
from yilian.dataset.store import memory_store
from yilian.sparql import vocabulary
from yilian.sparql.named import all_queries

from conftest import MINI

# a copy of the mini graph's facts with two misspellings of ontology terms
TYPO_TTL = """@prefix yl: <https://w3id.org/yilian/ontology#> .
@prefix yid: <https://w3id.org/yilian/id/> .
yid:t-hosp-b yl:locatedin yid:t-city .
yid:t-hosp-a a yl:TownshipHealthCenter .
"""


@pytest.fixture
def typo_data(tmp_path):
    path = tmp_path / "typo.ttl"
    path.write_text(TYPO_TTL, encoding="utf-8")
    return ["--no-default-graph", "--data", str(MINI), "--data", str(path)]


def warnings_of(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.startswith("yilian: warning: ")]


@pytest.mark.parametrize("wrong, right", [
    ("rdfs:lable", "rdfs:label"),
    ("yl:TownshipHealthCenter", "yl:TownshipHealthCentre"),
    ("yl:locatedin", "yl:locatedIn"),
    ("org:memberof", "org:memberOf"),
    ("<https://schema.org/startdate>", "<https://schema.org/startDate>"),
])
def test_misspelt_term_warns_with_the_closest_name(run, mini, wrong, right):
    r = run("query", f"SELECT ?s ?o WHERE {{ ?s {wrong} ?o }}", *mini)
    assert r.exit_code == 0
    assert r.stdout.splitlines()[0].split() == ["s", "o"] and len(r.stdout.splitlines()) == 2  # empty table
    (w,) = warnings_of(r.stderr)
    assert w.startswith(f"yilian: warning: query:1:25: {wrong} is ")
    assert w.endswith(f"so it matches nothing; did you mean {right}?")


def test_warning_does_not_change_the_results_or_the_exit_code_of_ask(run, mini):
    r = run("query", "ASK { ?s rdfs:lable ?o }", *mini)
    assert r.exit_code == 1  # ExitCode.FALSE, as without the warning
    assert r.stdout == "false\n"
    assert len(warnings_of(r.stderr)) == 1


def test_each_unknown_term_is_named_once_with_its_position(run, mini):
    q = "SELECT * WHERE {\n  ?h a yl:TownshipHealthCenter ;\n     rdfs:lable ?l .\n  ?x rdfs:lable ?y }"
    r = run("query", q, *mini)
    assert [w.split(": ")[2] for w in warnings_of(r.stderr)] == ["query:2:8", "query:3:6"]


def test_known_terms_give_no_warning(run, mini):
    q = ("SELECT * WHERE { ?h a/rdfs:subClassOf* yl:Hospital ; rdfs:label ?l ; yl:locatedIn ?p . "
         "OPTIONAL { ?h schema:startDate ?d ; rdf:_1 ?m ; owl:sameAs ?x ; skos:altLabel ?a ; "
         "<http://www.w3.org/2004/02/skos/core#prefLabel> ?pl ; sh:path ?sp ; prov:wasDerivedFrom ?w } "
         "FILTER(datatype(?d) = xsd:gYear) }")
    r = run("query", q, *mini)
    assert r.exit_code == 0 and warnings_of(r.stderr) == []


def test_a_term_used_in_the_data_is_known_even_if_the_ontology_lacks_it(run, typo_data):
    r = run("query", "SELECT ?s WHERE { ?s yl:locatedin ?o }", *typo_data)
    assert r.exit_code == 0 and "yid:t-hosp-b" in r.stdout
    assert warnings_of(r.stderr) == []


def test_a_prefix_the_query_binds_elsewhere_is_not_checked(run, mini):
    r = run("query", "PREFIX yl: <http://example.org/v#> SELECT * WHERE { ?s yl:whatever ?o }", *mini)
    assert warnings_of(r.stderr) == []
    r = run("query", "SELECT * WHERE { ?s <http://example.org/v#whatever> ?o }", *mini)
    assert warnings_of(r.stderr) == []


def test_no_named_query_names_an_unknown_term():
    store = memory_store(Sources(), progress=False)
    for q in all_queries():
        assert vocabulary.unknown_terms(store, q.text) == [], q.id


def test_query_help_example_finds_subclasses(run):
    r = run("query", "--help")
    assert "?h a/rdfs:subClassOf* yl:Hospital" in r.stdout
    assert "?h a yl:Hospital ;" not in r.stdout


def test_validate_warns_about_undefined_yl_terms_but_still_conforms(run, typo_data):
    r = run("validate", *typo_data)
    assert r.exit_code == 0, r.stdout
    lines = r.stdout.splitlines()
    assert lines[-1].startswith("Conforms:") and lines[-1].endswith("2 warnings.")
    assert any(line.startswith("Warning: yid:t-hosp-b yl:locatedin: yl:locatedin is used 1 time in the data "
                               "but the ontology does not define it (did you mean yl:locatedIn?)")
               for line in lines)
    assert any(line.startswith("Warning: yid:t-hosp-a rdf:type: yl:TownshipHealthCenter is used 1 time")
               and "(value: yl:TownshipHealthCenter) [ylsh:DefinedTerms]" in line for line in lines)


def test_validate_json_reports_undefined_terms_as_warnings(run, typo_data):
    doc = json.loads(run("validate", "--format", "json", *typo_data).stdout)
    assert doc["conforms"] is True
    found = {(f["focus"], f["path"], f["value"], f["severity"], f["shape"]) for f in doc["results"]}
    assert found == {("yid:t-hosp-b", "yl:locatedin", "", "Warning", "ylsh:DefinedTerms"),
                     ("yid:t-hosp-a", "rdf:type", "yl:TownshipHealthCenter", "Warning", "ylsh:DefinedTerms")}


def test_validate_turtle_report_has_the_warnings_as_shacl_results(run, typo_data):
    import rdflib

    g = rdflib.Graph().parse(data=run("validate", "--format", "turtle", *typo_data).stdout, format="turtle")
    rows = set(g.query("""PREFIX sh: <http://www.w3.org/ns/shacl#>
        SELECT ?focus ?sev ?shape WHERE { ?r a sh:ValidationResult ; sh:focusNode ?focus ;
            sh:resultSeverity ?sev ; sh:sourceShape ?shape ; sh:sourceConstraintComponent ?c }"""))
    sh, ylsh, yid = "http://www.w3.org/ns/shacl#", "https://w3id.org/yilian/shapes#", "https://w3id.org/yilian/id/"
    assert {(str(f), str(s), str(p)) for f, s, p in rows} == {
        (yid + "t-hosp-a", sh + "Warning", ylsh + "DefinedTerms"),
        (yid + "t-hosp-b", sh + "Warning", ylsh + "DefinedTerms")}
    assert (None, rdflib.URIRef(sh + "conforms"), rdflib.Literal(True)) in g


def test_bundled_graph_uses_only_defined_yl_terms():
    assert vocabulary.undefined_terms(load(Sources()).quads, load_ontology().quads) == []
