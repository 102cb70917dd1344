"""yilian network: building the tie network from the graph, filters, measures, paths,
and GraphML / GEXF / JSON / DOT exports that networkx reads back unchanged."""

from __future__ import annotations

import json
import re
import subprocess
import sys

import networkx as nx
import pytest

from yilian.errors import ExitCode
from yilian.prefixes import PREFIXES
from yilian.dataset.sources import Sources
from yilian.dataset.store import memory_store
from yilian.network import analysis
from yilian.network.analysis import analyse, render_stats
from yilian.network.build import Filters, Network, build
from yilian.network.export import flat, from_json

from pathlib import Path

DATA = Path(__file__).resolve().parent / "data"

NET = DATA / "network.ttl"
ONLY = ["--no-default-graph", "--data", str(NET)]
YID = PREFIXES["yid"]


@pytest.fixture
def cjk_font_name():
    from yilian.network import view

    try:
        return view.find_cjk_font("医院").name
    except view.MissingFontError:
        return None


def fixture_net(**kw) -> Network:
    return build(memory_store(Sources((str(NET),), False)), **kw)


def bundled_net(**kw) -> Network:
    return build(memory_store(Sources()), **kw)


def ties(net) -> set[tuple[str, str, str]]:
    return {(u.removeprefix(YID), v.removeprefix(YID), k) for u, v, k in net.graph.edges(keys=True)}


# ---------------------------------------------------------------- building

def test_lead_mode_merges_alliances_into_their_leads():
    net = fixture_net()
    assert ties(net) == {
        ("n-h1", "n-h2", "joint-role"), ("n-h1", "n-c1", "linked-role"), ("n-h2", "n-h3", "member-role"),
        ("n-h1", "n-c1", "posting"), ("n-c2", "n-h3", "referral-channel"), ("n-h1", "n-c2", "expert-support"),
        ("n-d1", "n-h1", "unit-of"), ("n-h3", "javascript:alert(1)", "co-building"), ("n-h4", "n-u1", "linked-to"),
    }
    assert net.node_count() == 9 and YID + "n-group" not in net.graph
    support = net.graph.edges[YID + "n-h1", YID + "n-c2", "expert-support"]
    assert support["via"] == [YID + "n-group"] and support["directed"] is True
    assert net.graph.edges[YID + "n-c2", YID + "n-h3", "referral-channel"]["directed"] is False


def test_node_mode_keeps_alliances_as_nodes():
    net = fixture_net(mode="node")
    assert net.node_count() == 11 and net.edge_count() == 11
    assert ("n-h1", "n-group", "lead-role") in ties(net)
    assert ("n-h3", "n-tcm-alliance", "member-role") in ties(net)
    assert ("n-group", "n-c2", "expert-support") in ties(net)
    assert net.graph.nodes[YID + "n-group"]["group"] == "Alliance"


def test_each_tie_carries_its_facts_sources_and_quotes():
    net = fixture_net()
    posting = net.graph.edges[YID + "n-h1", YID + "n-c1", "posting"]
    (fact,) = posting["facts"]
    assert fact["iri"] == YID + "n-posting"
    assert fact["sources"] == ["yid:n-doc1"] and fact["files"] == ["n1.txt"]
    assert fact["quotes"] == ["第一书记、测试市中心医院王医生"]
    assert fact["person"] == "王医生" and fact["date"] == "2023-05"
    unit = net.graph.edges[YID + "n-d1", YID + "n-h1", "unit-of"]
    assert unit["facts"][0]["iri"] == "" and unit["sources"] == ["yid:n-doc1"]


def test_bundled_counts_agree_with_sparql():
    """Independent counts: postings are distinct (from, to) pairs; in node mode every lead
    membership is one lead-role tie."""
    store = memory_store(Sources())
    q = lambda text: list(store.query(text, prefixes=PREFIXES, use_default_graph_as_union=True))  # noqa: E731
    postings = q("SELECT DISTINCT ?a ?b WHERE { ?f a yl:Posting ; yl:fromOrganization ?a ; yl:toOrganization ?b }")
    leads = q("SELECT DISTINCT ?x ?a WHERE { ?m a yl:Membership ; org:role yl:LeadRole ; org:member ?x ; org:organization ?a }")
    net = build(store, mode="node")
    kinds = [k for _, _, k in net.graph.edges(keys=True)]
    assert kinds.count("posting") == len(postings) > 0
    assert kinds.count("lead-role") == len(leads) > 0
    lead_net = build(store)
    alliances_with_leads = {r["a"].value for r in leads} & {
        r["a"].value for r in q("SELECT ?a WHERE { ?a a/rdfs:subClassOf* yl:Alliance }")}
    assert not alliances_with_leads & set(lead_net.graph.nodes)


def test_people_add_person_nodes():
    net = fixture_net(people=True)
    assert ("n-person", "n-c1", "posted-to") in ties(net)
    assert net.graph.nodes[YID + "n-person"]["group"] == "Person"


# ---------------------------------------------------------------- filters

@pytest.mark.parametrize("args, expected", [
    (["--tie", "posting"], {("n-h1", "n-c1", "posting")}),
    (["--tie", "membership"], {("n-h1", "n-h2", "joint-role"), ("n-h1", "n-c1", "linked-role"),
                               ("n-h2", "n-h3", "member-role")}),
    (["--source", "yid:n-doc2"], {("n-h2", "n-h3", "member-role"), ("n-c2", "n-h3", "referral-channel"),
                                  ("n-h1", "n-c2", "expert-support"), ("n-h3", "javascript:alert(1)", "co-building")}),
    (["--until", "2023-12"], {("n-h1", "n-c1", "posting"), ("n-h4", "n-u1", "linked-to")}),
    (["--place", "测试县"], {("n-c2", "n-h3", "referral-channel")}),
    (["--alliance", "测试市中医联盟"], {("n-h2", "n-h3", "member-role")}),
])
def test_filters(run, args, expected):
    r = run("network", "export", "--format", "json", *args, *ONLY)
    assert r.exit_code == 0, r.stderr
    g = from_json(r.stdout_bytes)
    assert {(u.removeprefix(YID), v.removeprefix(YID), k) for u, v, k in g.edges(keys=True)} == expected


def test_unknown_tie_kind_is_a_usage_error(run):
    r = run("network", "stats", "--tie", "friendship", *ONLY)
    assert r.exit_code == ExitCode.BAD_INPUT
    assert "unknown tie kind 'friendship'" in r.stderr and "referral-channel" in r.stderr
    assert r.stderr.count("\n") == 1 and r.stdout == ""


def test_bad_date_is_a_usage_error(run):
    r = run("network", "stats", "--since", "last year", *ONLY)
    assert r.exit_code == ExitCode.BAD_INPUT and "not a date" in r.stderr


# ---------------------------------------------------------------- stats

def test_stats_json(run):
    r = run("network", "stats", "--format", "json", "--top", "3", *ONLY)
    assert r.exit_code == 0, r.stderr
    s = json.loads(r.stdout)
    assert (s["nodes"], s["edges"]) == (9, 9)
    assert s["degree_centrality"][0]["label"] == "测试市中心医院"
    assert len(s["degree_centrality"]) == 3
    assert s["betweenness"]["approximate"] is False
    assert s["components"]["sizes"] == [7, 2]
    assert {b["a"] + "|" + b["b"] for b in s["bridges"]} >= {"测试市中心医院呼吸科|测试市中心医院"}
    assert {a["label"] for a in s["articulation_points"]} == {"测试市中心医院", "测试县人民医院"}
    assert s["in_several_alliances"] == [{"organization": "测试市中医医院", "alliances": ["测试市中医联盟", "测试市城市医疗集团"]}]
    group = next(a for a in s["alliances"] if a["label"] == "测试市城市医疗集团")
    assert group["named_total"] == 3
    assert group["declared"] == [{"role": "linked-role", "count": 24, "member_kind": "", "named": 1,
                                  "sources": ["yid:n-doc1"], "fact": YID + "n-count"}]


def test_stats_table_on_the_bundled_graph(run):
    r = run("network", "stats")
    assert r.exit_code == 0, r.stderr
    out = r.stdout
    for heading in ("Degree centrality (top 10):", "Betweenness centrality (top 10, exact):", "Connected components:",
                    "Bridges", "Articulation points", "Organizations in several alliances:",
                    "Alliances: named members against declared counts:"):
        assert heading in out
    assert "湘潭市城市医疗集团" in out and "linked-role 0/24" in out


def test_betweenness_is_sampled_on_large_networks(monkeypatch):
    monkeypatch.setattr(analysis, "APPROX_BETWEENNESS_ABOVE", 3)
    s = analyse(fixture_net())
    assert s["betweenness"]["approximate"] is True and s["betweenness"]["seed"] == 0
    text = render_stats(s, "table", 10).decode()
    assert "approximate: 9 sampled sources, seed 0" in text


# ---------------------------------------------------------------- path

def test_path_shows_the_facts_along_the_way(run):
    r = run("network", "path", "测试市中心医院呼吸科", "甲镇卫生院", *ONLY)
    assert r.exit_code == 0, r.stderr
    lines = r.stdout.splitlines()
    assert lines[0] == "测试市中心医院呼吸科 → 甲镇卫生院: 2 steps"
    assert "→ 派驻 [posting]" in r.stdout and "→ 联系 [linked-role] via yid:n-group" in r.stdout
    assert "quote: “第一书记、测试市中心医院王医生”" in r.stdout
    assert "source: yid:n-doc1 [n1.txt]" in r.stdout
    assert lines[-1] == "甲镇卫生院  (yid:n-c1)"


def test_path_json_and_alliance_names(run):
    r = run("network", "path", "yid:n-group", "Yi Town Health Centre", "--format", "json", *ONLY)
    assert r.exit_code == 0, r.stderr
    doc = json.loads(r.stdout)
    assert doc["from"]["label"] == "测试市中心医院"  # the group is drawn as its lead
    assert doc["length"] == 1 and doc["steps"][0]["ties"][0]["kind"] == "expert-support"
    assert "drawn as its lead" in r.stderr


def test_unconnected_path_exits_1(run):
    r = run("network", "path", "测试市中心医院", "测试大学", *ONLY)
    assert r.exit_code == ExitCode.FALSE
    assert "are not connected" in r.stdout


def test_unknown_organization_is_a_usage_error(run):
    r = run("network", "path", "测试市中心医院", "没有这家医院", *ONLY)
    assert r.exit_code == ExitCode.BAD_INPUT
    assert r.stderr.startswith("yilian: error: nothing in the graph is named '没有这家医院'")


# ---------------------------------------------------------------- exports

def _flat_attrs(G):
    nodes = {n: {k: flat(v) for k, v in d.items()} for n, d in G.nodes(data=True)}
    edges = {(u, v, k): {a: flat(x) for a, x in d.items()} for u, v, k, d in G.edges(keys=True, data=True)}
    return nodes, edges


@pytest.mark.parametrize("fmt", ["graphml", "gexf", "json"])
@pytest.mark.parametrize("mode", ["lead", "node"])
def test_exports_round_trip_through_networkx(run, tmp_path, fmt, mode):
    out = tmp_path / f"net.{fmt}"
    r = run("network", "export", "--alliances", mode, "-o", out)
    assert r.exit_code == 0, r.stderr
    assert r.stdout == ""
    net = bundled_net(mode=mode)
    if fmt == "graphml":
        back = nx.read_graphml(out, force_multigraph=True)
    elif fmt == "gexf":
        back = read_mixed_gexf(out)
    else:
        back = from_json(out.read_bytes())
    assert back.is_directed() and back.is_multigraph()
    assert back.number_of_nodes() == net.node_count() > 0
    assert back.number_of_edges() == net.edge_count() > 0
    want_nodes, want_edges = _flat_attrs(net.graph)
    if fmt == "json":
        assert dict(back.nodes(data=True)) == dict(net.graph.nodes(data=True))
        assert {(u, v, k): d for u, v, k, d in back.edges(keys=True, data=True)} == \
               {(u, v, k): d for u, v, k, d in net.graph.edges(keys=True, data=True)}
        return
    got_nodes = {n: {k: v for k, v in d.items() if k != "viz"} for n, d in back.nodes(data=True)}
    assert got_nodes == want_nodes
    got_edges = {}
    for u, v, k, d in back.edges(keys=True, data=True):
        d = dict(d)
        d.pop("id", None)
        d.pop("viz", None)
        if fmt == "gexf":  # GEXF keeps the weight as a float
            d["weight"] = int(d["weight"])
        got_edges[(u, v, d["kind"])] = d
    assert got_edges == want_edges


def read_mixed_gexf(path):
    """networkx's read_gexf refuses a mixed graph ("Undirected edge found in directed
    graph"), so it reads a copy without the per-edge type="undirected" (checked apart)."""
    import io

    text = Path(path).read_bytes()
    return nx.read_gexf(io.BytesIO(text.replace(b' type="undirected"', b"")))


def test_gexf_has_colours_positions_and_undirected_ties(run, tmp_path, cjk_font_name):
    """GEXF had no colours or positions, and undirected ties came out directed."""
    import xml.etree.ElementTree as ET

    from yilian.network import view

    out = tmp_path / "net.gexf"
    r = run("network", "export", "-o", out)
    assert r.exit_code == 0, r.stderr
    net = bundled_net()
    G = net.graph
    ns = {"g": "http://www.gexf.net/1.2draft", "viz": "http://www.gexf.net/1.2draft/viz"}
    root = ET.parse(out).getroot()
    graph = root.find("g:graph", ns)
    assert graph.get("defaultedgetype") == "directed"
    edges = graph.findall("g:edges/g:edge", ns)
    assert len(edges) == net.edge_count()
    undirected_ids = {f"{u} {k} {v}" for u, v, k, d in G.edges(keys=True, data=True) if not d["directed"]}
    assert undirected_ids and {e.get("id") for e in edges if e.get("type") == "undirected"} == undirected_ids
    assert all(e.get("type") in (None, "undirected") for e in edges)
    with pytest.raises(nx.NetworkXError, match="Undirected edge found in directed graph"):
        nx.read_gexf(out)  # networkx does not read mixed graphs; Gephi does
    back = read_mixed_gexf(out)
    drawing = view.drawing_layout(net, font_name=cjk_font_name, labels=False)
    for n, d in back.nodes(data=True):
        colour = view.GROUP_COLOURS[G.nodes[n]["group"]]
        assert d["viz"]["color"] == {"r": int(colour[1:3], 16), "g": int(colour[3:5], 16), "b": int(colour[5:7], 16),
                                     "a": 1.0}
        x, y = drawing.pos[n]
        assert (d["viz"]["position"]["x"], d["viz"]["position"]["y"]) == (round(x * 72, 2), round(y * 72, 2))
    kind_of = {f"{u} {k} {v}": k for u, v, k in G.edges(keys=True)}
    for e in edges:  # networkx reads no edge viz: the XML itself
        colour = view.tie_colour(kind_of[e.get("id")])
        c = e.find("viz:color", ns)
        assert (c.get("r"), c.get("g"), c.get("b")) == tuple(str(int(colour[i:i + 2], 16)) for i in (1, 3, 5))
    assert len({e.find("viz:color", ns).get("r") for e in edges}) > 3
    # positions are the SVG drawing's, the same on every run
    assert run("network", "export", "-o", tmp_path / "again.gexf").exit_code == 0
    strip = lambda b: re.sub(rb'lastmodifieddate="[^"]*"', b"", b)  # noqa: E731
    assert strip((tmp_path / "again.gexf").read_bytes()) == strip(out.read_bytes())


def test_graphml_has_one_type_per_key(tmp_path, run):
    out = tmp_path / "n.graphml"
    assert run("network", "export", "-o", out).exit_code == 0
    text = out.read_text(encoding="utf-8")
    import re

    keys = re.findall(r'<key id="[^"]+" for="(\w+)" attr.name="([^"]+)" attr.type="(\w+)"', text)
    seen: dict = {}
    for for_, name, typ in keys:
        assert seen.setdefault((for_, name), typ) == typ
    assert ("edge", "kind") in seen and seen[("edge", "weight")] in ("int", "long")


def test_dot_export(run):
    r = run("network", "export", "--format", "dot", *ONLY)
    assert r.exit_code == 0, r.stderr
    assert r.stdout.startswith("digraph yilian {")
    assert r.stdout.count(" -> ") == 9
    assert '[label="测试市中心医院", group="Hospital"]' in r.stdout
    assert 'label="</script><script>window.pwned=1</script>"' in r.stdout  # quoted, not markup, in DOT


def test_format_from_extension_and_refusals(run, tmp_path):
    r = run("network", "export", *ONLY)
    assert r.exit_code == ExitCode.BAD_INPUT and "say which format" in r.stderr
    r = run("network", "export", "-o", tmp_path / "x.unknown", *ONLY)
    assert r.exit_code == ExitCode.BAD_INPUT and "cannot tell the format" in r.stderr
    r = run("network", "export", "--format", "json", "-o", NET, *ONLY)
    assert r.exit_code == ExitCode.BAD_INPUT and "one of the input files" in r.stderr


def test_query_start_up_does_not_import_the_network_libraries():
    code = ("import sys, yilian.cli, yilian.network.build, yilian.cli.network, yilian.network.view; "
            "print(sorted(m for m in ('networkx', 'matplotlib', 'pyvis') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_people_through_the_cli_on_the_bundled_graph(run):
    """--people adds people with their posts, postings and mentoring, counted against
    independent SPARQL over the same graph."""
    import csv
    import io
    import json

    def count(q):
        return int(list(csv.reader(io.StringIO(run("query", q, "--format", "csv").stdout)))[1][0])

    plain = json.loads(run("network", "stats", "--format", "json").stdout)
    people = json.loads(run("network", "stats", "--people", "--format", "json").stdout)
    assert not {"position", "posted-to", "mentoring"} & set(plain["tie_kinds"])
    kinds = people["tie_kinds"]
    assert kinds["posted-to"] == count("SELECT (COUNT(*) AS ?n) WHERE { ?x a yl:Posting ; yl:person ?p ; yl:toOrganization ?o }")
    assert kinds["mentoring"] == count("SELECT (COUNT(*) AS ?n) WHERE { ?m a yl:Mentoring }")
    assert kinds["position"] == count("SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?p ?o WHERE { "
                                      "?h a yl:PositionHolding ; org:member ?p ; org:organization ?o } }")
    assert people["nodes"] > plain["nodes"]
    r = run("network", "path", "林芳", "谭家山镇卫生院", "--people")
    assert r.exit_code == 0, r.stderr
    assert r.stdout.splitlines()[0] == "林芳 → 谭家山镇卫生院: 1 step"
    assert "[posted-to]" in r.stdout and "[position]" in r.stdout
    assert "quote: “新任卫生院第一书记、湘潭县人民医院呼吸科主任林芳”" in r.stdout
    # without --people a person is not a node of the network
    assert run("network", "path", "林芳", "谭家山镇卫生院").exit_code != 0


# ---------------------------------------------------------------- colours

def test_tie_colour_does_not_depend_on_the_kinds_present():
    """A tie kind's colour was its position among the kinds present: 'posting' was brown,
    red, cyan or blue depending on the filters. Now every known kind has its own colour."""
    from yilian.network.build import _FIXED_KINDS
    from yilian.network.view import TIE_COLOURS, kind_styles, tie_colour

    store = memory_store(Sources())
    colours = set()
    for kw in ({}, {"mode": "node"}, {"filters": Filters(kinds=("posting",))},
               {"filters": Filters(kinds=("posting", "cooperation"))}):
        styles = kind_styles(build(store, **kw))
        colours.add(styles["posting"]["color"])
    assert colours == {TIE_COLOURS["posting"]}
    # every kind the ontology and the builder know has its own entry in the table
    roles_and_types = {r["k"].value.rsplit("#", 1)[-1] for r in store.query(
        "SELECT ?k WHERE { { ?k a yl:MembershipRole } UNION { ?k a yl:CooperationType } }",
        prefixes=PREFIXES, use_default_graph_as_union=True)}
    from yilian.network.build import kebab

    known = set(_FIXED_KINDS) | {kebab(x) for x in roles_and_types}
    assert known <= set(TIE_COLOURS), known - set(TIE_COLOURS)
    assert len(set(TIE_COLOURS[k] for k in known if k != "has-unit")) == len(known) - 1  # all distinct
    # a kind outside the table: derived from its name, stable, a colour of its family's hue
    new = tie_colour("joint-training", "cooperation")
    assert new == tie_colour("joint-training", "cooperation") and re.fullmatch(r"#[0-9a-f]{6}", new)
    assert new != tie_colour("joint-research", "cooperation")
    import colorsys

    r, g, b = (int(new[i:i + 2], 16) / 255 for i in (1, 3, 5))
    assert 185 <= colorsys.rgb_to_hls(r, g, b)[0] * 360 <= 230


# ---------------------------------------------------------------- what is left out, and why

def test_hidden_organizations_without_ties_are_counted_on_stderr(run):
    """The default network dropped 24 of 74 organizations without saying so, among them the
    leads of four of the five specialty alliances (22 of 74 since the 医者红 team and the
    trade unions that founded it are tied)."""
    for cmd in (["stats", "--format", "json"], ["export", "--format", "json"]):
        r = run("network", *cmd)
        assert r.exit_code == 0, r.stderr
        assert r.stderr == "yilian: note: 22 organizations without ties are not shown (--include-isolated shows them)\n"
        r = run("network", *cmd, "--include-isolated")
        assert r.exit_code == 0 and r.stderr == ""
    plain = json.loads(run("network", "stats", "--format", "json").stdout)
    every = json.loads(run("network", "stats", "--format", "json", "--include-isolated").stdout)
    assert plain["isolated_not_shown"] == 22 and every["isolated_not_shown"] == 0
    assert every["nodes"] == plain["nodes"] + 22 == 74
    net = bundled_net()
    labels = {d["label"] for d in net.isolated.values()}
    assert {"湘潭市中医医院", "湘潭市口腔医院", "湘潭市六医院", "湘潭市妇幼保健院"} <= labels
    assert all(d["leads"] for d in net.isolated.values() if d["label"] in {"湘潭市中医医院", "湘潭市口腔医院"})


def test_alliance_filter_that_leaves_nothing_says_why(run):
    """`network stats --alliance 湘潭市中医联盟` printed "0 nodes" with exit 0 and no hint."""
    r = run("network", "stats", "--alliance", "湘潭市中医联盟")
    assert r.exit_code == 0
    assert r.stdout.startswith("Network: 0 nodes, 0 ties")
    assert r.stderr.splitlines() == [
        "yilian: note: 1 organization without ties is not shown (--include-isolated shows it)",
        "yilian: note: 湘潭市中医联盟 is drawn as its lead 湘潭市中医医院, and the graph names no other member of it, "
        "so there is no lead → member tie; it declares 30 members (yid:doc-004) (try --alliances node or --include-isolated)",
    ]
    r = run("network", "stats", "--alliance", "湘潭市中医联盟", "--alliances", "node", "--format", "json")
    assert r.exit_code == 0 and r.stderr == ""
    assert json.loads(r.stdout)["tie_kinds"] == {"lead-role": 1}
    r = run("network", "stats", "--alliance", "湘潭市中医联盟", "--include-isolated", "--format", "json")
    assert json.loads(r.stdout)["nodes"] == 1 and "(try --alliances node)" in r.stderr


def test_filters_that_leave_no_tie_say_so(run):
    r = run("network", "export", "--format", "json", "--tie", "designation", "--place", "测试县", *ONLY)
    assert r.exit_code == 0
    assert from_json(r.stdout_bytes).number_of_nodes() == 0
    assert r.stderr.splitlines()[-1].startswith("yilian: note: no tie is left after the filters (places=yid:")


def test_path_from_an_organization_without_ties_says_why(run):
    r = run("network", "path", "湘潭市中医医院", "湘潭市中心医院")
    assert r.exit_code == ExitCode.BAD_INPUT and r.stdout == ""
    assert r.stderr == ("yilian: error: 湘潭市中医医院 (湘潭市中医医院) has no ties in this network (no tie links it "
                        "to another organization; --alliances node ties it to the alliances it belongs to)\n")
    assert run("network", "path", "湘潭市中医医院", "湘潭市中医联盟", "--alliances", "node").exit_code == 0


def test_gexf_is_the_same_bytes_on_another_day(run, tmp_path, monkeypatch):
    """networkx wrote today's date into <meta lastmodifieddate>: the same graph exported
    the next day gave other bytes."""
    import time as time_module

    a, b = tmp_path / "a.gexf", tmp_path / "b.gexf"
    assert run("network", "export", "-o", a).exit_code == 0
    real = time_module.strftime
    monkeypatch.setattr(time_module, "strftime", lambda fmt, *t: real(fmt, time_module.gmtime(86400 * 400)))
    assert run("network", "export", "-o", b).exit_code == 0
    assert a.read_bytes() == b.read_bytes()
    assert b"lastmodifieddate" not in a.read_bytes()


def test_network_export_format_contradicting_the_extension_is_refused(run, tmp_path):
    """--format html -o ties.gexf wrote HTML into a .gexf file (query and export refuse
    this); -o naming a folder said "cannot tell the format" instead of that it is a folder."""
    out = tmp_path / "ties.gexf"
    r = run("network", "export", "--format", "html", "-o", out)
    assert r.exit_code == 2 and not out.exists()
    assert r.stderr.startswith("yilian: error: --format html contradicts -o") and r.stderr.count("\n") == 1
    r = run("network", "export", "-o", tmp_path)
    assert r.exit_code == 2 and "folder" in r.stderr
    r = run("network", "export", "--format", "gexf", "-o", tmp_path / "ties.bin")
    assert r.exit_code == 0 and (tmp_path / "ties.bin").read_bytes().startswith(b"<?xml")


@pytest.mark.parametrize("option, name, kind", [
    ("--place", "湘潭市中心医院", "yl:Hospital"),          # a hospital is not a place
    ("--alliance", "湘潭县", "yl:County"),                # a county is not an alliance
    ("--alliance", "yid:xiangtan-central-hospital", "yl:Hospital"),
])
def test_filter_naming_the_wrong_kind_is_refused_not_0_nodes(run, option, name, kind):
    """--place 湘潭市中心医院 and --alliance 湘潭县 kept nothing and exited 0 with 0 nodes."""
    for sub in (["stats"], ["export", "--format", "json"]):
        r = run("network", *sub, option, name)
        assert r.exit_code == 2, r.stdout
        assert r.stdout == ""
        assert len(r.stderr.strip().splitlines()) == 1
        assert f"which is not a{'n alliance' if option == '--alliance' else ' place'} (it is a {kind})" in r.stderr


def test_filter_of_the_right_kind_is_accepted(run):
    for option, name in (("--place", "湘潭县"), ("--place", "yid:xiangtan"), ("--alliance", "湘乡市紧密型县域医共体")):
        r = run("network", "stats", "--include-isolated", option, name)
        assert r.exit_code == 0, r.stderr
        assert "Network: 0 nodes" not in r.stdout


def test_source_filter_takes_the_document_forms_facts_takes_and_refuses_other_things(run):
    """`network stats --source 004` took 004 as a fact's name and `--source 湘潭县` as a
    county, each giving 0 nodes and exit 0, while `facts --source 004` meant doc-004."""
    want = run("network", "stats", "--source", "yid:doc-004", "--format", "json")
    assert want.exit_code == 0 and json.loads(want.stdout)["nodes"] > 0
    for form in ("004", "doc-004", "004_fe1569b424d83979.txt"):
        r = run("network", "stats", "--source", form, "--format", "json")
        assert r.exit_code == 0, r.stderr
        assert json.loads(r.stdout) == json.loads(want.stdout)
    r = run("network", "stats", "--source", "湘潭县")
    assert r.exit_code == 2 and r.stdout == ""
    assert r.stderr.startswith("yilian: error: no source document matches '湘潭县'")


def test_ambiguous_filter_name_does_not_point_at_an_empty_stdout(run):
    """network --alliance 医共体 said "the list by kind is on stdout" and wrote nothing there."""
    r = run("network", "stats", "--alliance", "医共体")
    assert r.exit_code == 2 and r.stdout == ""
    assert "stdout" not in r.stderr and "yilian describe --all '医共体'" in r.stderr
