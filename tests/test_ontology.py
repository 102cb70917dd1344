"""The ontology: versioned, every term labelled in Chinese and English and defined."""

from __future__ import annotations

import rdflib
from rdflib import OWL, RDF, RDFS, SKOS

from yilian.rdf.convert import to_graph
from yilian.dataset.parse import load_ontology

YL = "https://w3id.org/yilian/ontology#"


def ontology() -> rdflib.Graph:
    return to_graph(load_ontology().quads)


def test_ontology_header():
    g = ontology()
    onto = rdflib.URIRef(YL)
    assert (onto, RDF.type, OWL.Ontology) in g
    assert g.value(onto, OWL.versionInfo) is not None


def test_every_term_has_zh_and_en_labels_and_an_english_definition():
    g = ontology()
    kinds = (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, SKOS.ConceptScheme)
    terms = {s for k in kinds for s in g.subjects(RDF.type, k) if str(s).startswith(YL)}
    assert len(terms) > 100
    problems = []
    for t in sorted(terms):
        langs = sorted(l.language for l in g.objects(t, RDFS.label))
        if langs != ["en", "zh"]:
            problems.append(f"{t}: labels {langs}")
        if not any(d.language == "en" for d in g.objects(t, SKOS.definition)):
            problems.append(f"{t}: no English definition")
    assert not problems, "\n".join(problems)


def test_reuses_standard_vocabularies():
    g = ontology()
    supers = {str(o) for o in g.objects(None, RDFS.subClassOf)} | {str(o) for o in g.objects(None, RDFS.subPropertyOf)}
    for ns in ("http://www.w3.org/ns/org#", "https://schema.org/", "http://www.w3.org/ns/prov#",
               "http://purl.org/linked-data/cube#", "http://www.w3.org/2004/02/skos/core#"):
        assert any(s.startswith(ns) for s in supers), ns
