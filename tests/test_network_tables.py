"""`yilian network stats` reads the files into plain tables (network.triples) instead of
an RDF store: the network and its measures must be those built from the store."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from yilian.dataset import store as store_module
from yilian.dataset.sources import Sources
from yilian.dataset.store import inputs_for, memory_store
from yilian.network import triples
from yilian.network.analysis import analyse, render_stats
from yilian.network.build import Filters, build, notes

DATA = Path(__file__).resolve().parent / "data"
NET = DATA / "network.ttl"


def both(sources: Sources, **kw):
    """The network built the old way (store, with evidence) and from the tables without."""
    old = build(memory_store(sources, progress=False), **kw)
    inputs = inputs_for(sources)
    new = build(triples.from_files(inputs.data, inputs.ontology), evidence=False, **kw)
    return old, new


OPTIONS = [{}, {"people": True}, {"mode": "node"}, {"include_isolated": True},
           {"people": True, "mode": "node", "include_isolated": True},
           {"filters": Filters(kinds=("cooperation",))}, {"filters": Filters(since="2023")},
           {"filters": Filters(until="2022-06")}]


@pytest.mark.parametrize("kw", OPTIONS, ids=lambda kw: ",".join(kw) or "default")
@pytest.mark.parametrize("which", ["bundled", "fixture"])
def test_stats_from_the_tables_equal_stats_from_the_store(which, kw):
    sources = Sources() if which == "bundled" else Sources((str(NET),), False)
    old, new = both(sources, **kw)
    assert analyse(new) == analyse(old)
    assert notes(new) == notes(old)


def test_the_cli_stats_are_those_of_the_store(run):
    r = run("network", "stats", "--format", "json", "--people")
    assert r.exit_code == 0, r.stderr
    old = build(memory_store(Sources(), progress=False), people=True)
    assert r.stdout == render_stats(analyse(old), "json", 10).decode("utf-8")
    assert r.stderr == "".join(f"yilian: note: {line}\n" for line in notes(old))


@pytest.fixture(scope="module")
def synth_file(tmp_path_factory):
    """A synthetic health system big enough for sampled betweenness (over 2000 nodes)."""
    from click.testing import CliRunner

    from yilian.cli import main

    path = tmp_path_factory.mktemp("synth") / "synth.nt"
    r = CliRunner().invoke(main, ["synth", "--institutions", "8000", "--seed", "3", "-o", str(path), "-q"])
    assert r.exit_code == 0, r.stderr
    return path


def test_the_tables_build_the_same_network_on_a_synthetic_health_system(synth_file):
    old, new = both(Sources((str(synth_file),), True))
    G, H = old.graph, new.graph
    assert G.number_of_nodes() > 2000
    assert set(G.nodes) == set(H.nodes)
    assert {n: {k: v for k, v in d.items() if k != "sources"} for n, d in G.nodes(data=True)} == \
        {n: {k: v for k, v in d.items() if k != "sources"} for n, d in H.nodes(data=True)}
    evidence = {"facts", "weight", "sources", "quotes", "date"}
    assert {(u, v, k): {a: x for a, x in d.items() if a not in evidence} for u, v, k, d in G.edges(keys=True, data=True)} == \
        {(u, v, k): {a: x for a, x in d.items() if a not in evidence} for u, v, k, d in H.edges(keys=True, data=True)}
    assert old.alliances == new.alliances and set(old.isolated) == set(new.isolated)
    assert old.kinds == new.kinds
    a, b = analyse(old), analyse(new)
    # sampled betweenness draws its sources in node order, which is the store's order in one
    # and sorted ties in the other: every other figure is the same
    assert a["betweenness"]["approximate"] and b["betweenness"]["approximate"]
    assert {k: v for k, v in a.items() if k != "betweenness"} == {k: v for k, v in b.items() if k != "betweenness"}


def test_a_syntax_error_in_a_big_file_names_file_line_and_column(run, tmp_path, monkeypatch):
    monkeypatch.setattr(store_module, "BULK_BYTES", 0)  # read as a big file is
    bad = tmp_path / "bad.nt"
    bad.write_text('<http://example.org/a> <http://example.org/b> "x" .\n<http://example.org/a> <http://example.org/b> .\n')
    r = run("network", "stats", "--no-default-graph", "--data", bad)
    assert r.exit_code == 2 and r.stdout == ""
    assert f"{bad}:2:" in r.stderr and "Traceback" not in r.stderr


def test_the_tables_keep_each_triple_once(tmp_path):
    f = tmp_path / "twice.nt"
    line = '<http://example.org/f> <https://w3id.org/yilian/ontology#quote> "q" .\n'
    f.write_text(line * 2)
    t = triples.from_files([f])
    assert t.get(triples.YL + "quote").get("http://example.org/f") == ["q"]
    assert json.dumps(t.get(triples.YL + "source").opt("http://example.org/f")) == '[""]'


def test_prefixed_names_of_known_namespaces_are_those_of_the_full_search():
    from yilian import prefixes

    tails = ["", "a", "a/b", "x.y", "x.", "_-", "医院", "a#b", "/", "#x", "a/", "doc-004", "Hospital"]
    iris = [ns + tail for ns in prefixes.PREFIXES.values() for tail in tails] + ["http://example.org/x", "urn:x:y"]
    for iri in iris:
        assert prefixes.short_iri(iri) == prefixes._compact(iri, prefixes.PREFIXES), iri
