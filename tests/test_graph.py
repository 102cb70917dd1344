"""The bundled graph: it conforms to the shapes, every quote is verbatim from its source,
and nothing from the unrelated articles on the same pages is in it."""

from __future__ import annotations

import re
from functools import lru_cache

import pytest
import rdflib
from rdflib import Namespace, RDF

from yilian.shacl import validate as validation
from yilian.rdf.convert import to_graph
from yilian.dataset.parse import load, load_ontology
from yilian.dataset.sources import Sources

from conftest import CORPUS

YL = Namespace("https://w3id.org/yilian/ontology#")

pytestmark = pytest.mark.skipif(not CORPUS.is_dir(), reason="../shared/corpus is not beside the project")


@lru_cache(maxsize=1)
def graph() -> rdflib.Graph:
    return to_graph(load(Sources()).quads + load_ontology().quads)


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


@lru_cache(maxsize=None)
def corpus_text(file_name: str) -> str:
    return squash((CORPUS / file_name).read_text(encoding="utf-8"))


def attested_nodes(g: rdflib.Graph):
    return sorted(set(g.subjects(YL.source, None)), key=str)


def test_bundled_graph_conforms():
    report = validation.validate(Sources())
    assert report.conforms, validation.render(report, "text").decode()[:4000]


def test_every_fact_has_source_and_quote():
    g = graph()
    missing = []
    fact_classes = set(g.transitive_subjects(rdflib.RDFS.subClassOf, YL.AttestedFact))
    for cls in fact_classes:
        for node in g.subjects(RDF.type, cls):
            if g.value(node, YL.source) is None or g.value(node, YL.quote) is None:
                missing.append(str(node))
    assert not missing


def test_every_quote_occurs_in_its_source_document():
    g = graph()
    problems = []
    for node in attested_nodes(g):
        files = [str(g.value(doc, YL.corpusFile)) for doc in g.objects(node, YL.source)]
        assert all(f != "None" for f in files), f"{node} cites a source without yl:corpusFile"
        texts = [corpus_text(f) for f in files]
        for quote in g.objects(node, YL.quote):
            if not any(squash(str(quote)) in t for t in texts):
                problems.append(f"{node}: {quote}")
        # every source a node names is backed by at least one of its quotes
        for f, t in zip(files, texts):
            if not any(squash(str(q)) in t for q in g.objects(node, YL.quote)):
                problems.append(f"{node}: no quote from {f}")
    assert not problems, "\n".join(problems)


def test_quotes_are_not_trivially_short():
    g = graph()
    short = [f"{n}: {q}" for n in attested_nodes(g) for q in g.objects(n, YL.quote) if len(squash(str(q))) < 4]
    assert not short


# Document 003 is a newspaper page: the health article ends with this sentence; everything
# after it (policing, schools, government services, fire safety, farmland) is unrelated.
END_OF_HEALTH_ARTICLE_003 = "“小病不出村、大病不出县”目标一步步成为现实。"


def test_nothing_from_the_unrelated_articles_of_003():
    g = graph()
    text = corpus_text("003_6be9a34e90ef74b9.txt")
    cut = text.index(squash(END_OF_HEALTH_ARTICLE_003)) + len(squash(END_OF_HEALTH_ARTICLE_003))
    late = []
    for node in attested_nodes(g):
        for q in g.objects(node, YL.quote):
            pos = text.find(squash(str(q)))
            if pos >= cut:
                late.append(f"{node}: {q}")
    assert not late
    labels = " ".join(str(o) for o in g.objects(None, rdflib.RDFS.label))
    for word in ("派出所", "娄底", "消防", "春华学校", "良田", "跨省通办", "百佳肾病医院", "邵阳"):
        assert word not in labels, word


def test_nothing_from_the_new_year_editorial_of_000():
    g = graph()
    text = corpus_text("000_633512ee8592b204.txt")
    cut = text.index(squash("健康湖南，人间值得"))
    late = [f"{n}: {q}" for n in attested_nodes(g) for q in g.objects(n, YL.quote)
            if text.find(squash(str(q))) >= cut]
    assert not late


def test_one_chinese_and_at_most_one_english_label_per_entity():
    g = graph()
    counts: dict = {}
    for s, o in g.subject_objects(rdflib.RDFS.label):
        counts.setdefault((s, o.language), []).append(str(o))
    dup = {k: v for k, v in counts.items() if len(v) > 1}
    assert not dup


def test_one_entity_per_real_world_thing():
    """Distinct entities share a Chinese name only where the name is a city-relative short
    name (市中心医院 is Xiangtan's central hospital in 000/001/003/004 and Zhuzhou's in 002)."""
    g = graph()
    kinds = {YL.Organization, YL.Person, YL.Place, YL.Indicator}
    typed = {s for k in kinds for c in g.transitive_subjects(rdflib.RDFS.subClassOf, k)
             for s in g.subjects(RDF.type, c)}
    by_name: dict = {}
    for p in (rdflib.RDFS.label, rdflib.SKOS.altLabel):
        for s, o in g.subject_objects(p):
            if s in typed and getattr(o, "language", None) == "zh":
                by_name.setdefault(str(o), set()).add(s)
    shared = {name: sorted(map(str, ents)) for name, ents in by_name.items() if len(ents) > 1}
    assert shared == {"市中心医院": ["https://w3id.org/yilian/id/xiangtan-central-hospital",
                                    "https://w3id.org/yilian/id/zhuzhou-central-hospital"]}
