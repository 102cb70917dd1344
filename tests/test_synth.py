"""`yilian synth`: a deterministic synthetic health system that conforms to the shapes."""

from __future__ import annotations

from collections import Counter

import pyoxigraph as ox
import pytest

from yilian.synth import generator as synth
from yilian.dataset.parse import load_ontology, parse_file
from yilian.dataset.sources import ONTOLOGY_GRAPH

YL = "https://w3id.org/yilian/ontology#"
RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    out = tmp_path_factory.mktemp("synth") / "synth.nt"
    synth.synthesize(300, 7, out)
    return out


@pytest.fixture(scope="module")
def medium(tmp_path_factory):
    out = tmp_path_factory.mktemp("synth") / "synth.ttl"
    summary = synth.synthesize(3000, 1, out)
    return out, summary


def test_output_conforms_to_the_shapes(run, small):
    r = run("validate", "--no-default-graph", "--data", small)
    assert r.exit_code == 0, r.stdout[-3000:]
    assert r.stdout.startswith("Conforms:") and ", 0 warnings." in r.stdout


def test_same_seed_same_bytes_other_seed_other_bytes(run, tmp_path):
    a, b, c = tmp_path / "a.nt", tmp_path / "b.nt", tmp_path / "c.nt"
    for out, seed in ((a, 5), (b, 5), (c, 6)):
        r = run("synth", "--institutions", 400, "--seed", seed, "-o", out)
        assert r.exit_code == 0, r.stderr
        assert r.stdout == ""
        assert "400 institutions" in r.stderr
    assert a.read_bytes() == b.read_bytes()
    assert a.read_bytes() != c.read_bytes()


def test_turtle_and_ntriples_hold_the_same_graph(tmp_path):
    synth.synthesize(250, 3, tmp_path / "s.ttl")
    synth.synthesize(250, 3, tmp_path / "s.nt")
    ttl = set(ox.parse(path=str(tmp_path / "s.ttl")))
    nt = set(ox.parse(path=str(tmp_path / "s.nt")))
    assert ttl == nt and len(nt) > 3000


def _store(path):
    store = ox.Store()
    store.extend(parse_file(path))
    store.extend(ox.Quad(q.subject, q.predicate, q.object, ONTOLOGY_GRAPH) for q in load_ontology().quads)
    return store


def _count(store, query):
    return {str(row[0].value).rsplit("#", 1)[-1]: int(row[1].value)
            for row in store.query(query, use_default_graph_as_union=True)}


def test_institutions_of_every_kind_in_realistic_proportions(medium):
    path, summary = medium
    store = _store(path)
    kinds = _count(store, f"""SELECT ?c (COUNT(?i) AS ?n) WHERE {{
        ?i a ?c . ?c <http://www.w3.org/2000/01/rdf-schema#subClassOf>* <{YL}HealthInstitution> }} GROUP BY ?c""")
    assert sum(kinds.values()) == summary.institutions == 3000
    for kind in ("GeneralHospital", "TCMHospital", "MaternalChildHealthHospital", "PsychiatricHospital",
                 "SpecialtyHospital", "TownshipHealthCentre", "VillageClinic", "PrimaryCareInstitution",
                 "DiseaseControlCentre"):
        assert kinds.get(kind, 0) > 0, kind
    primary = sum(kinds.get(k, 0) for k in ("VillageClinic", "PrimaryCareInstitution", "TownshipHealthCentre",
                                             "CommunityHealthServiceCentre", "CommunityHealthServiceStation"))
    hospitals = sum(v for k, v in kinds.items() if k.endswith("Hospital"))
    assert primary / 3000 > 0.85  # China: about 95 % of institutions are primary care
    assert 0.02 < hospitals / 3000 < 0.10  # and about 3.5 % hospitals


def test_alliances_facts_and_provenance(medium):
    path, _ = medium
    store = _store(path)
    classes = _count(store, "SELECT ?c (COUNT(?s) AS ?n) WHERE { ?s a ?c } GROUP BY ?c")
    for kind in ("UrbanMedicalGroup", "SpecialtyAlliance", "RemoteCollaboration", "CloseKnitCountyMedicalCommunity",
                 "Membership", "MemberCount", "PositionHolding", "Posting", "DispatchProgram", "Conference",
                 "Participation", "Designation", "Cooperation", "Observation", "OutreachActivity",
                 "SourceDocument", "Province", "PrefectureLevelCity", "Township", "Person"):
        assert classes.get(kind, 0) > 0, kind
    missing = list(store.query(f"""SELECT ?f WHERE {{
        ?f a ?c . ?c <http://www.w3.org/2000/01/rdf-schema#subClassOf>* <{YL}AttestedFact>
        FILTER NOT EXISTS {{ ?f <{YL}source>/a <{YL}SourceDocument> ; <{YL}quote> ?q }} }}""",
                               use_default_graph_as_union=True))
    assert missing == []
    # yearly observations: one per year for each county's primary-care share
    years = [str(r[0].value) for r in store.query(f"""SELECT DISTINCT ?y WHERE {{
        ?o <{YL}indicator> <https://w3id.org/yilian/id/ind-primary-care-visit-share> ; <{YL}period> ?y }} ORDER BY ?y""")]
    assert years == ["2021", "2022", "2023", "2024"]


def test_new_iris_do_not_clash_with_the_bundled_graph(small):
    shared = {"https://w3id.org/yilian/id/china"}
    subjects = {q.subject.value for q in ox.parse(path=str(small))}
    own = {s for s in subjects if s.startswith("https://w3id.org/yilian/id/synth-")}
    vocab = {s for s in subjects if s.rsplit("/", 1)[-1].startswith(("unit-", "ind-"))}
    assert subjects == own | vocab | shared


def test_plan_scales_like_china():
    p = synth.plan(1_000_000, 0)
    assert p.provinces == 31
    assert 320 <= p.cities <= 350
    assert 2800 <= p.counties <= 2900
    assert sum(sum(c) for prov in p.layout for c in prov) + synth.CITY_INSTITUTIONS * p.cities == 1_000_000


def test_bad_sizes_and_paths_leave_no_file(run, tmp_path):
    out = tmp_path / "x.nt"
    r = run("synth", "--institutions", 5, "-o", out)
    assert r.exit_code == 2 and not out.exists()
    r = run("synth", "--institutions", 100, "-o", tmp_path / "missing" / "x.nt")
    assert r.exit_code == 2 and "does not exist" in r.stderr
    r = run("synth", "--institutions", 100, "-o", tmp_path / "x.rdf")
    assert r.exit_code == 2 and ".nt or .ttl" in r.stderr
    assert list(tmp_path.iterdir()) == []


def test_interrupted_generation_leaves_no_file(tmp_path, monkeypatch):
    out = tmp_path / "x.nt"

    def boom(self, *a):
        raise KeyboardInterrupt

    monkeypatch.setattr(synth._City, "generate", boom)
    with pytest.raises(KeyboardInterrupt):
        synth.synthesize(100, 0, out)
    assert list(tmp_path.iterdir()) == []


def test_stdout(run):
    r = run("synth", "--institutions", 50, "-o", "-", "--quiet")
    assert r.exit_code == 0 and r.stderr == ""
    quads = list(ox.parse(r.stdout_bytes, format=ox.RdfFormat.N_TRIPLES))
    assert Counter(q.predicate.value for q in quads)["https://w3id.org/yilian/ontology#quote"] > 50
