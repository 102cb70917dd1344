"""yilian validate, stats and describe through the CLI."""

from __future__ import annotations

import json
import re

import pytest
import rdflib

from yilian.errors import ExitCode

from conftest import MINI

INVALID = """@prefix yl: <https://w3id.org/yilian/ontology#> .
@prefix yid: <https://w3id.org/yilian/id/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix org: <http://www.w3.org/ns/org#> .
yid:t-m3 a yl:Membership ; rdfs:label "无来源的成员关系"@zh ;
    org:organization yid:t-group ; org:member yid:t-hosp-b ; org:role yl:LinkedRole .
"""


def test_validate_conforms_on_the_test_graph(run, mini):
    r = run("validate", *mini)
    assert r.exit_code == ExitCode.OK, r.stdout
    assert r.stdout.strip().splitlines()[-1].startswith("Conforms:")


def test_validate_reports_violations_in_every_format(run, tmp_path):
    bad = tmp_path / "bad.ttl"
    bad.write_text(INVALID, encoding="utf-8")
    args = ["--no-default-graph", "--data", MINI, "--data", bad]
    r = run("validate", *args)
    assert r.exit_code == ExitCode.FALSE
    lines = r.stdout.splitlines()
    assert any(line.startswith("Violation: yid:t-m3 yl:source:") for line in lines)
    assert any(line.startswith("Violation: yid:t-m3 yl:quote:") for line in lines)
    assert lines[-1].startswith("Does not conform: 2 violations")
    doc = json.loads(run("validate", "--format", "json", *args).stdout)
    assert doc["conforms"] is False
    assert {(x["focus"], x["path"]) for x in doc["results"] if x["severity"] == "Violation"} == \
        {("yid:t-m3", "yl:source"), ("yid:t-m3", "yl:quote")}
    ttl = run("validate", "--format", "turtle", *args)
    g = rdflib.Graph().parse(data=ttl.stdout, format="turtle")
    SH = rdflib.Namespace("http://www.w3.org/ns/shacl#")
    assert (None, SH.conforms, rdflib.Literal(False)) in g
    assert len(list(g.subjects(rdflib.RDF.type, SH.ValidationResult))) == 2


def test_validate_cannot_run_on_bad_input(run, tmp_path):
    bad = tmp_path / "broken.ttl"
    bad.write_text("@prefix ex: <http://e/> .\nex:a ex:b .\n", encoding="utf-8")
    r = run("validate", "--no-default-graph", "--data", bad)
    assert r.exit_code == ExitCode.BAD_INPUT and f"{bad}:2:" in r.stderr


def test_stats_counts_classes_and_documents(run, mini):
    r = run("stats", "--format", "json", *mini)
    doc = json.loads(r.stdout)
    assert doc["triples"] == 35
    classes = {c["class"]: c["instances"] for c in doc["classes"]}
    assert classes["yl:Membership"] == 2 and classes["yl:GeneralHospital"] == 1
    (d,) = doc["documents"]
    assert (d["document"], d["facts"], d["quotes"]) == ("yid:t-doc", 2, 2)
    table = run("stats", *mini).stdout
    assert table.startswith("Triples: 35\n") and "By source document:" in table


def test_stats_of_the_bundled_graph_has_facts_for_every_document(run):
    doc = json.loads(run("stats", "--format", "json").stdout)
    facts = {d["document"]: d["facts"] for d in doc["documents"]}
    assert set(facts) == {f"yid:doc-00{i}" for i in range(5)}
    assert all(n > 10 for n in facts.values()), facts


def test_describe_by_label_prefixed_name_and_iri(run, mini):
    by_label = run("describe", "测试市中心医院", *mini)
    assert by_label.exit_code == 0
    assert by_label.stdout.splitlines()[0] == "测试市中心医院  <https://w3id.org/yilian/id/t-hosp-a>"
    assert "Facts (1):" in by_label.stdout
    assert "quote: “由测试市中心医院牵头”" in by_label.stdout
    assert "source: yid:t-doc 测试文献" in by_label.stdout
    assert run("describe", "yid:t-hosp-a", *mini).stdout == by_label.stdout
    assert run("describe", "<https://w3id.org/yilian/id/t-hosp-a>", *mini).stdout == by_label.stdout
    assert run("describe", "test central hospital", *mini).stdout == by_label.stdout  # English, any case


def test_describe_json_and_turtle(run, mini):
    doc = json.loads(run("describe", "yid:t-group", "--format", "json", *mini).stdout)
    assert doc["iri"] == "https://w3id.org/yilian/id/t-group"
    assert len(doc["facts"]) == 2
    assert all("yl:quote" in f["properties"] for f in doc["facts"])
    ttl = run("describe", "yid:t-group", "--format", "turtle", *mini).stdout
    g = rdflib.Graph().parse(data=ttl, format="turtle")
    assert len(set(g.subjects())) == 3


def test_describe_ambiguous_and_unknown_names(run, mini):
    r = run("describe", "测试市中", *mini)  # part of two hospital names, not a whole name
    assert r.exit_code == ExitCode.BAD_INPUT and "names" in r.stderr and "yid:t-" in r.stderr
    r = run("describe", "不存在的医院", *mini)
    assert r.exit_code == ExitCode.BAD_INPUT and "nothing in the graph is named" in r.stderr
    r = run("describe", "yid:nope", *mini)
    assert r.exit_code == ExitCode.BAD_INPUT and "not in the graph" in r.stderr


def test_describe_on_the_bundled_graph_shows_sources_and_quotes(run):
    r = run("describe", "市五医院")
    assert r.exit_code == 0
    assert "湘潭市第五人民医院" in r.stdout.splitlines()[0]
    assert "quote: “" in r.stdout and "大众卫生报 第3212期, 2025-09-16" in r.stdout


# ---------------------------------------------------------------- issue 14: describe finds the entity

def test_describe_prefers_the_entity_to_fact_nodes_with_the_name(run):
    r = run("describe", "妇幼保健联盟")
    assert r.exit_code == 0, r.stderr
    assert r.stdout.splitlines()[0] == "湘潭市妇幼保健联盟  <https://w3id.org/yilian/id/xiangtan-mch-alliance>"
    assert re.search(r"^Also named '妇幼保健联盟': \d+ other things \(.*metric observation", r.stdout, re.M)
    listed = run("describe", "妇幼保健联盟", "--all").stdout
    assert "yid:f004-mch-alliance-member-count" in listed.split("Also named")[1]


def test_describe_lists_every_candidate_by_kind_when_a_name_is_shared(run):
    r = run("describe", "第一书记")
    assert r.exit_code == ExitCode.BAD_INPUT
    n = int(re.search(r"'第一书记' names (\d+) things", r.stderr).group(1))
    assert n > 20 and len(r.stderr.strip().splitlines()) == 1
    assert r.stdout.startswith(f"'第一书记' names {n} things:\n")
    assert "  posting (3):" in r.stdout and "  dispatch program (2):" in r.stdout  # the programme and its May-2023 batch
    assert "more (--all lists them)" in r.stdout  # the metric observations are cut, and say so
    full = run("describe", "第一书记", "--all")
    iris = [line.split()[0] for line in full.stdout.splitlines() if line.startswith("    yid:")]
    assert len(iris) == len(set(iris)) == n


def test_describe_shows_incoming_links(run):
    r = run("describe", "湘潭县人民医院")
    links = r.stdout.split("Linked from (")[1].split("\n\n")[0]
    assert "org:unitOf:" in links and "湘潭县人民医院肾内科 (yid:xtc-hospital-nephrology)" in links


def test_describe_a_place_rolls_up_its_institutions_facts(run):
    r = run("describe", "湘潭县")
    rollup = r.stdout.split("Facts about what 湘潭县 holds (")[1]
    assert "`yilian facts --about yid:xiangtan-county` lists them all" in rollup
    assert "- 急危重症接诊占比 — 湘潭县人民医院: 16.76 %, 2024, 004_fe1569b424d83979.txt" in rollup
    doc = json.loads(run("describe", "湘潭县", "--format", "json").stdout)
    assert any(f["what"] == "急危重症接诊占比" and f["value"] == "16.76" for f in doc["rollup"])


def test_describe_a_date_lists_what_happened_that_day(run):
    r = run("describe", "2024-08-30")
    assert r.exit_code == 0, r.stderr
    assert re.match(r"2024-08-30: \d+ facts dated 2024-08-30\n", r.stdout)
    assert "国家卫生健康委介绍推广福建省三明市医药卫生体制改革经验新闻发布会" in r.stdout
    assert "yilian timeline --year 2024" in r.stdout.splitlines()[-1]


def test_describe_refuses_an_empty_name(run):
    """describe '' printed all 828 candidates before its error line (every label fits '')."""
    r = run("describe", "  ")
    assert r.exit_code == 2 and r.stdout == "" and "nothing to describe" in r.stderr


@pytest.mark.parametrize("command", ["describe", "facts --about", "timeline --about"])
@pytest.mark.parametrize("typo, meant", [("湘潭中心医院", "'湘潭市中心医院'"), ("张楷", "'张凯'"), ("林方", "'林芳'"),
                                         ("湘谭", "'湘潭'"),
                                         ("xiangtan-centrl-hospital", "'yid:xiangtan-central-hospital'"),
                                         ("Xiangtan Centrl Hospital", "'Xiangtan Central Hospital'")])
def test_a_misspelt_name_gets_did_you_mean(run, command, typo, meant):
    """A name that is nothing in the graph only got "try part of the name": the closest
    names (labels and yid: local names) are offered, best first."""
    r = run(*command.split(), typo)
    assert r.exit_code == ExitCode.BAD_INPUT and r.stdout == ""
    (line,) = r.stderr.splitlines()
    assert line.startswith(f"yilian: error: nothing in the graph is named '{typo}' (did you mean {meant}")


def test_a_misspelt_prefixed_name_gets_did_you_mean(run):
    r = run("describe", "yid:lin-fan")
    assert r.exit_code == ExitCode.BAD_INPUT
    assert r.stderr.startswith("yilian: error: 'yid:lin-fan' is not in the graph (did you mean 'yid:lin-fang'")
