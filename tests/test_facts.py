"""yilian facts: one readable row per fact, with qualifiers, units, changes, sources and filters."""

from __future__ import annotations

import csv
import io
import json

import pytest

from yilian.errors import ExitCode

from conftest import MINI

from test_search import synth_graph  # noqa: F401 - the shared synthetic-graph fixture


def _csv(text):
    return list(csv.DictReader(io.StringIO(text)))


def test_facts_prints_a_more_than_value_with_its_qualifier(run):
    r = run("facts", "--indicator", "日均处理影像量")
    assert r.exit_code == 0, r.stderr
    assert "6000+ 例" in r.stdout and r.stdout.endswith("\n1 fact\n")
    (row,) = _csv(run("facts", "--indicator", "日均处理影像量", "--format", "csv").stdout)
    assert (row["value"], row["qualifier"], row["unit"]) == ("6000", "more than", "例")
    assert row["source"] == "004_fe1569b424d83979.txt" and "6000余例" in row["quote"]


def test_facts_prints_approximately_and_at_most(run):
    rows = json.loads(run("facts", "--source", "003", "--format", "json").stdout)
    near_hundred = [r for r in rows if r["qualifier"] == "approximately" and r["value"] == "100"]
    assert near_hundred and all(r["value_text"].startswith("≈100") for r in near_hundred)
    (age,) = json.loads(run("facts", "--indicator", "第一书记选派年龄上限", "--format", "json").stdout)
    assert age["value_text"] == "≤45 岁"


def test_facts_about_a_county_rolls_up_its_hospitals(run):
    rows = _csv(run("facts", "--about", "湘潭县", "--format", "csv").stdout)
    critical = [r for r in rows if r["what"] == "急危重症接诊占比"]
    assert [(r["about"], r["value"], r["unit"], r["date"]) for r in critical] == [("湘潭县人民医院", "16.76", "%", "2024")]
    own = _csv(run("facts", "--about", "湘潭县", "--no-rollup", "--format", "csv").stdout)
    assert not any(r["what"] == "急危重症接诊占比" for r in own)
    assert len(own) < len(rows)


def test_facts_about_an_alliance_includes_its_members(run):
    rows = _csv(run("facts", "--about", "yid:xiangtan-urban-medical-group", "--format", "csv").stdout)
    abouts = {r["about"] for r in rows}
    assert any("湘潭市中心医院" in a for a in abouts)


def test_facts_change_with_its_unit_and_comparison(run):
    rows = json.loads(run("facts", "--indicator", "基层诊疗量占比", "--format", "json").stdout)
    first = rows[0]
    assert (first["date"], first["value"], first["change"], first["change_unit"], first["comparison"]) == \
        ("2023-01/2023-11", "67.36", "18.04", "个百分点", "year on year")
    assert [r["date"] for r in rows] == ["2023-01/2023-11", "2024"]
    table = run("facts", "--indicator", "基层诊疗量占比").stdout
    assert "+18.04 个百分点 year on year" in table


def test_facts_date_filters_keep_partial_dates_partial(run):
    rows = _csv(run("facts", "--year", "2023", "--format", "csv").stdout)
    assert rows and all(r["date"].startswith("2023") for r in rows)
    assert "2023-01/2023-11" in {r["date"] for r in rows}
    since = _csv(run("facts", "--since", "2025-09", "--format", "csv").stdout)
    assert since and all(r["date"] >= "2025-09" or r["date"].endswith("/..") for r in since)  # open periods overlap
    assert any(r["date"].endswith("/..") for r in since)
    r = run("facts", "--since", "last year")
    assert r.exit_code == ExitCode.BAD_INPUT and "'last year' is not a date" in r.stderr and r.stdout == ""


def test_facts_by_kind_and_unknown_about(run):
    rows = _csv(run("facts", "--kind", "Posting", "--format", "csv").stdout)
    assert sorted(r["about"].split("; ")[0] for r in rows) == ["张凯", "林芳", "雷超奇"]
    r = run("facts", "--about", "不存在的医院")
    assert r.exit_code == ExitCode.BAD_INPUT and "nothing in the graph is named" in r.stderr


def test_facts_on_a_synthetic_graph(run, synth_graph):  # noqa: F811
    rows = _csv(run("facts", "--kind", "Observation", "--year", "2022", "--format", "csv", *synth_graph).stdout)
    assert rows and all(r["date"] == "2022" and r["value"] and r["source"] for r in rows)
    assert all(r["kind"] == "metric observation" for r in rows)


def test_facts_written_to_a_file(run, tmp_path):
    out = tmp_path / "facts.csv"
    r = run("facts", "--kind", "Posting", "--format", "csv", "-o", out)
    assert r.exit_code == 0 and r.stdout == ""
    assert out.read_text(encoding="utf-8").startswith("fact,kind,what,about,date,")


def test_facts_refuse_to_overwrite_an_input(run, tmp_path):
    data = tmp_path / "mine.ttl"
    data.write_text(MINI.read_text(encoding="utf-8"), encoding="utf-8")
    before = data.read_bytes()
    r = run("facts", "--no-default-graph", "--data", data, "-o", data)
    assert r.exit_code == ExitCode.BAD_INPUT and data.read_bytes() == before


FILTERS = [{}, {"year": "2023"}, {"year": "2024", "kind": "Observation"}, {"since": "2023-04", "until": "2024"},
           {"dated_only": True}, {"indicator": "share visit"}, {"indicator": "门诊"}, {"kind": "Posting"},
           {"kind": "designation"}, {"source": "doc-001"}, {"source": "001", "year": "2023"}]


def _store(*files):
    from yilian.dataset.sources import Sources
    from yilian.dataset.store import memory_store

    return memory_store(Sources(tuple(files), default_graph=not files), progress=False)


def _same(a, b):
    assert [r.fact for r in a] == [r.fact for r in b]
    assert a == b


def test_fact_table_gives_the_rows_fact_rows_gives():
    """The web pages filter facts read once (FactTable); the CLI reads the graph (fact_rows):
    the same filters must give the same rows in the same order."""
    from yilian.explore.facts import FactTable, fact_rows, rollup
    from yilian.explore.graph import query

    store = _store()
    table = FactTable(store)
    for f in FILTERS:
        _same(fact_rows(store, **f), table.rows(**f))
    things = [s["x"] for s in query(store, """SELECT DISTINCT ?x WHERE { { ?x a/rdfs:subClassOf* yl:Place }
        UNION { ?x a/rdfs:subClassOf* yl:Alliance } UNION { ?x a/rdfs:subClassOf* org:Organization } }""")]
    assert len(things) > 50
    for x in things:
        assert sorted(n.value for n in rollup(store, x)) == sorted(n.value for n in table.rollup(x)), x
        for roll in (True, False):
            _same(fact_rows(store, about=x, rollup_about=roll), table.rows(about=x, rollup_about=roll))
    _same(fact_rows(store, about=things[0], kind="Observation", year="2024"),
          table.rows(about=things[0], kind="Observation", year="2024"))


def test_fact_table_on_a_synthetic_graph(synth_graph):  # noqa: F811
    from yilian.explore.facts import FactTable, fact_rows, rollup
    from yilian.explore.graph import query

    store = _store(synth_graph[-1])
    table = FactTable(store)
    _same(fact_rows(store), table.rows())
    _same(fact_rows(store, year="2023"), table.rows(year="2023"))
    places = [s["x"] for s in query(store, "SELECT DISTINCT ?x WHERE { ?x a/rdfs:subClassOf* yl:Place }")]
    for x in places:
        assert sorted(n.value for n in rollup(store, x)) == sorted(n.value for n in table.rollup(x)), x
        _same(fact_rows(store, about=x), table.rows(about=x))


def test_fact_table_refuses_what_fact_rows_refuses():
    import pytest

    from yilian.errors import UsageError
    from yilian.explore.facts import FactTable

    table = FactTable(_store())
    for bad in ({"kind": "Hospital"}, {"year": "20x4"}, {"year": "2024-01"}, {"source": "no-such-doc"}):
        with pytest.raises(UsageError):
            table.rows(**bad)


def test_names_read_once_give_the_candidates_a_query_gives():
    from yilian.explore.describe import candidates, name_table

    store = _store()
    names = name_table(store)
    for text in ("湘潭县", "湘潭", "xiangtan", "Hospital", "第一书记", "医联体", "no such name", "中心"):
        a, b = candidates(store, text), candidates(store, text, names)
        assert [(c.node, c.tier, c.match) for c in a] == [(c.node, c.tier, c.match) for c in b], text


def test_describe_with_a_fact_table_gives_what_the_queries_give():
    """The web pages describe with the Site's FactTable (facts, links and roll-up read
    without queries); `yilian describe` with queries: the same description for every node."""
    import pyoxigraph as ox

    from yilian.explore.describe import describe
    from yilian.explore.facts import FactTable

    store = _store()
    table = FactTable(store)
    nodes = {q.subject for q in store.quads_for_pattern(None, None, None) if isinstance(q.subject, ox.NamedNode)}
    nodes |= {q.object for q in store.quads_for_pattern(None, None, None) if isinstance(q.object, ox.NamedNode)}
    assert len(nodes) > 800
    for n in nodes:
        a, b = describe(store, n), describe(store, n, table=table)
        assert a.facts == b.facts and a.incoming == b.incoming, n
        _same(a.rollup, b.rollup)


@pytest.mark.parametrize("args", [["describe", "2024-13-45"], ["describe", "2024-02-30"], ["facts", "--since", "2024-13-01"],
                                  ["facts", "--until", "2023-02-29"], ["timeline", "--year", "2024-00"],
                                  ["network", "stats", "--since", "2024-13"], ["network", "stats", "--until", "2024-04-31"]])
def test_dates_not_on_the_calendar_are_refused(run, args):
    """2024-13-01 or 2024-02-30 matched nothing (describe: "0 facts dated"), or, as --since,
    everything after 2024: a date that is not on the calendar is bad input."""
    r = run(*args)
    assert r.exit_code == ExitCode.BAD_INPUT and r.stdout == ""
    (line,) = r.stderr.splitlines()
    assert line.startswith(f"yilian: error: '{args[-1]}' is not a date: ") and ("no month" in line or "no day" in line)
    if args[-2] != "--year":
        assert run(*args[:-1], "2024-02-29").exit_code == 0  # a leap day is a date
