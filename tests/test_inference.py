"""yilian query --inference rdfs: the RDFS entailments (sparql/inference.py) added before a query."""

from __future__ import annotations

import pyoxigraph as ox

from yilian.dataset.sources import Sources
from yilian.dataset.store import memory_store
from yilian.sparql.inference import INFERRED_GRAPH, rdfs_closure

COUNT_HOSPITALS = "SELECT (COUNT(?h) AS ?n) WHERE { ?h a yl:Hospital }"


def test_subclass_instances_are_found_with_inference_only(run, mini):
    assert run("query", "--format", "csv", COUNT_HOSPITALS, *mini).stdout.split() == ["n", "0"]
    assert run("query", "--format", "csv", "--inference", "rdfs", COUNT_HOSPITALS, *mini).stdout.split() == ["n", "2"]


def test_inference_matches_the_subclass_path_on_the_bundled_graph(run):
    path = run("query", "--format", "csv", "SELECT (COUNT(DISTINCT ?h) AS ?n) WHERE { ?h a/rdfs:subClassOf* yl:Hospital }")
    inferred = run("query", "--format", "csv", "--inference", "rdfs", COUNT_HOSPITALS)
    assert inferred.stdout == path.stdout and path.stdout.split()[1] != "0"


def test_super_properties_domains_and_ranges(run, mini):
    q = ("SELECT ?h ?c WHERE { ?h schema:location ?c ; a schema:Hospital . ?c a yl:Place . "
         "?m a org:Membership ; org:member ?h } ORDER BY ?h")
    r = run("query", "--format", "csv", "--inference", "rdfs", q, *mini)
    assert r.stdout.split() == ["h,c", "https://w3id.org/yilian/id/t-hosp-a,https://w3id.org/yilian/id/t-city",
                                "https://w3id.org/yilian/id/t-hosp-b,https://w3id.org/yilian/id/t-city"]


def test_no_stated_triple_is_added_again():
    store = memory_store(Sources(), progress=False)
    before = len(store)
    added = rdfs_closure(store)
    assert len(store) == before + added > before
    stated = {(q.subject, q.predicate, q.object) for q in store.quads_for_pattern(None, None, None)
              if q.graph_name != INFERRED_GRAPH}
    inferred = {(q.subject, q.predicate, q.object) for q in store.quads_for_pattern(None, None, None, INFERRED_GRAPH)}
    assert not stated & inferred
    assert all(not isinstance(o, ox.Literal) for s, p, o in inferred if p.value.endswith("#type"))


def test_inference_refuses_store_and_endpoint(run, tmp_path):
    r = run("query", "--inference", "rdfs", "--store", str(tmp_path / "s"), COUNT_HOSPITALS)
    assert r.exit_code == 2 and r.stdout == ""
    assert "--inference rdfs loads the graph into memory" in r.stderr
    r = run("query", "--inference", "rdfs", "--endpoint", "http://127.0.0.1:9/query", COUNT_HOSPITALS)
    assert r.exit_code == 2 and "--endpoint and --store do not apply" in r.stderr
