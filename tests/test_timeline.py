"""yilian timeline: dated facts in date order, partial dates as written, inferred dates marked."""

from __future__ import annotations

import csv
import io
import json

from yilian.errors import ExitCode

from test_search import synth_graph  # noqa: F401 - the shared synthetic-graph fixture

INFERRED = """@prefix yl: <https://w3id.org/yilian/ontology#> .
@prefix yid: <https://w3id.org/yilian/id/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix schema: <https://schema.org/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
yid:t-doc a yl:SourceDocument ; yl:corpusFile "t.txt" ; rdfs:label "测试文献"@zh .
yid:t-city a yl:PrefectureLevelCity ; rdfs:label "测试市"@zh .
yid:t-e1 a yl:Conference ; rdfs:label "测试会议"@zh ; schema:startDate "2023-04-17"^^xsd:date ;
    schema:location yid:t-city ; yl:source yid:t-doc ; yl:quote "4月17日召开测试会议"@zh ;
    yl:dateInferred true ; yl:dateInferredFrom yid:t-doc ; yl:note "The year is the document's."@en .
yid:t-e2 a yl:Ceremony ; rdfs:label "测试仪式"@zh ; schema:startDate "2023"^^xsd:gYear ;
    yl:source yid:t-doc ; yl:quote "2023年举行测试仪式"@zh .
yid:t-e3 a yl:Ceremony ; rdfs:label "测试揭牌"@zh ; schema:startDate "2023-04"^^xsd:gYearMonth ;
    yl:source yid:t-doc ; yl:quote "2023年4月揭牌"@zh .
yid:t-e4 a yl:Ceremony ; rdfs:label "早先的仪式"@zh ; schema:startDate "2022-12-31"^^xsd:date ;
    yl:source yid:t-doc ; yl:quote "2022年12月31日"@zh .
"""


def _rows(text):
    return list(csv.DictReader(io.StringIO(text)))


def test_partial_dates_sort_before_the_dates_inside_them(run, tmp_path):
    f = tmp_path / "t.ttl"
    f.write_text(INFERRED, encoding="utf-8")
    r = run("timeline", "--no-default-graph", "--data", f)
    assert r.exit_code == 0, r.stderr
    dates = [line.split("  ")[0] for line in r.stdout.splitlines()[2:-1]]
    assert dates == ["2022-12-31", "2023", "2023-04", "2023-04-17 (inferred)"]
    (row,) = [x for x in _rows(run("timeline", "--no-default-graph", "--data", f, "--format", "csv").stdout)
              if x["fact"] == "yid:t-e1"]
    assert (row["date"], row["date_inferred"], row["date_inferred_from"]) == ("2023-04-17", "true", "yid:t-doc")


def test_timeline_of_the_bundled_graph_is_in_date_order(run):
    rows = _rows(run("timeline", "--format", "csv").stdout)
    dates = [r["date"] for r in rows]
    assert all(dates) and dates == sorted(dates)
    assert any(r["date"] == "2023-04-17" and r["what"] == "湘潭市委书记" and "刘志仁" in r["about"] for r in rows)
    assert any(r["date"] == "2023-10-19" and "胡贺波" in r["about"] for r in rows)
    kinds = {r["kind"] for r in rows}
    assert {"posting", "designation", "post held", "metric observation", "conference"} <= kinds


def test_timeline_filters(run):
    rows = _rows(run("timeline", "--year", "2023", "--kind", "Posting", "--format", "csv").stdout)
    assert [(r["date"], r["about"].split("; ")[0]) for r in rows] == [("2023-05", "张凯")]
    rows = _rows(run("timeline", "--about", "胡贺波", "--format", "csv").stdout)
    assert rows and all(r["date"] == "2023-10-19" for r in rows)
    r = run("timeline", "--year", "23")
    assert r.exit_code == ExitCode.BAD_INPUT and r.stdout == ""


def test_timeline_on_a_synthetic_graph(run, synth_graph):  # noqa: F811
    rows = json.loads(run("timeline", "--format", "json", *synth_graph).stdout)
    assert rows
    dates = [r["date"] for r in rows]
    assert dates == sorted(dates)


def test_describe_and_facts_mark_inferred_dates(run, tmp_path):
    f = tmp_path / "t.ttl"
    f.write_text(INFERRED, encoding="utf-8")
    r = run("describe", "测试会议", "--no-default-graph", "--data", f)
    assert "  schema:startDate: 2023-04-17 (inferred from 测试文献 (yid:t-doc))" in r.stdout.splitlines()
    table = run("facts", "--no-default-graph", "--data", f).stdout
    assert "2023-04-17 (inferred)" in table
    r = run("describe", "2023-04-17", "--no-default-graph", "--data", f)
    assert "2023-04-17 (inferred)" in r.stdout
