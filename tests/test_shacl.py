"""The SPARQL validator (yilian.shacl) against pySHACL, the reference implementation.

Both engines run on the same inputs and must report the same results: focus node, path,
value, source shape, constraint component, severity and messages (pySHACL words its
default messages differently, so a result of a shape without sh:message is compared
without them). Inputs: every shape fixture, the bundled graph, the bundled graph after
random edits, and a shapes graph that uses every SHACL Core component.
"""

from __future__ import annotations

import random
from collections import Counter
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib
from rdflib.namespace import SH

from yilian.rdf import convert
from yilian.shacl import engine as shacl, pyshacl_bridge, validate as validation
from yilian.prefixes import short
from yilian.dataset.formats import format_of
from yilian.dataset.parse import load, load_files, load_ontology
from yilian.dataset.sources import Sources, shapes_files

ROOT = Path(__file__).parents[1]
DATA = ROOT / "tests" / "data" / "shacl"
FIXTURES = sorted((ROOT / "tests" / "fixtures" / "shapes").glob("*.ttl"))

ONTOLOGY = load_ontology().quads
SHAPES = load_files(shapes_files()).quads


def _name(term) -> str:
    if term is None:
        return ""
    if isinstance(term, (ox.BlankNode, rdflib.BNode)):
        return "_:b"  # blank node labels differ between engines
    if isinstance(term, rdflib.term.Node):
        term = convert.to_ox(term)
    return short(term) if not isinstance(term, ox.Literal) else str(term)


def ours(data_quads, shapes_quads=SHAPES, ontology_quads=ONTOLOGY) -> Counter:
    index = shacl.Shapes(shapes_quads)
    declared = {m.value for _, p, m in index.triples if p.value == shacl.SH + "message"}
    out = Counter()
    for r in shacl.validate(data_quads, shapes_quads, ontology_quads):
        messages = tuple(sorted(m.value for m in r.messages))
        if messages == tuple(m.value for m in shacl._default_message(r.component)):
            messages = ()
        elif not (set(messages) <= declared or r.component == "SPARQLConstraintComponent"):
            messages = ()
        out[(r.severity.value, _name(r.focus), shacl.render_path(index, r.path, short), _name(r.value),
             _name(r.shape), r.component, messages)] += 1
    return out


def reference(data_quads, shapes_quads=SHAPES, ontology_quads=ONTOLOGY) -> Counter:
    import pyshacl

    shapes_graph = convert.to_graph(shapes_quads)
    declared = {str(m) for m in shapes_graph.objects(None, SH.message)}
    with pyshacl_bridge.memoised_sparql():
        _, g, _ = pyshacl.validate(
            convert.to_graph(data_quads), shacl_graph=shapes_graph,
            ont_graph=convert.to_graph(ontology_quads) if ontology_quads else None,
            inference="none", advanced=True, allow_warnings=True,
        )
    out = Counter()
    for r in g.objects(None, SH.result):
        messages = tuple(sorted(str(m) for m in g.objects(r, SH.resultMessage)))
        component = str(g.value(r, SH.sourceConstraintComponent))[len(shacl.SH):]
        if not (set(messages) <= declared or component == "SPARQLConstraintComponent"):
            messages = ()
        out[(str(g.value(r, SH.resultSeverity)), _name(g.value(r, SH.focusNode)),
             pyshacl_bridge.result_path(g, g.value(r, SH.resultPath)), _name(g.value(r, SH.value)),
             _name(g.value(r, SH.sourceShape)), component, messages)] += 1
    return out


def parse(path: Path) -> list[ox.Quad]:
    return list(ox.parse(path=str(path), format=format_of(path)))


@pytest.mark.parametrize("fixture", FIXTURES, ids=lambda p: p.stem)
def test_same_results_as_pyshacl_on_every_shape_fixture(fixture):
    quads = parse(fixture)
    expected = reference(quads)
    assert ours(quads) == expected
    if "-invalid-" in fixture.name:
        assert any(key[0] == shacl.SH + "Violation" for key in expected)


def test_same_results_as_pyshacl_on_the_bundled_graph():
    quads = load(Sources()).quads
    expected = reference(quads)
    assert ours(quads) == expected
    assert sum(expected.values()) > 0  # the advisory warnings


def _mutate(quads: list[ox.Quad], seed: int) -> list[ox.Quad]:
    """Random edits of the kinds that break shapes: dropped triples, objects replaced by
    other objects of the graph or by odd literals, triples with the wrong predicate."""
    r = random.Random(seed)
    xsd = "http://www.w3.org/2001/XMLSchema#"
    odd = [
        ox.Literal("x"), ox.Literal("是", language="zh"), ox.Literal("a", language="en"),
        ox.Literal(" ", language="zh"), ox.Literal("-3", datatype=ox.NamedNode(xsd + "integer")),
        ox.Literal("4", datatype=ox.NamedNode(xsd + "positiveInteger")),
        ox.Literal("0.0", datatype=ox.NamedNode(xsd + "decimal")),
        ox.Literal("150", datatype=ox.NamedNode(xsd + "decimal")),
        ox.Literal("1.5", datatype=ox.NamedNode(xsd + "double")),
        ox.Literal("2023", datatype=ox.NamedNode(xsd + "gYear")),
        ox.BlankNode("odd"), ox.NamedNode("https://w3id.org/yilian/id/nothing"),
    ]
    objects = [q.object for q in quads] + odd
    predicates = sorted({q.predicate.value for q in quads})
    out = list(quads)
    for _ in range(r.randint(3, 15)):
        k = r.random()
        q = out[r.randrange(len(out))]
        if k < 0.3:
            out.remove(q)
        elif k < 0.65:
            out.append(ox.Quad(q.subject, q.predicate, r.choice(objects)))
        elif k < 0.85:
            out[out.index(q)] = ox.Quad(q.subject, q.predicate, r.choice(objects))
        else:
            out.append(ox.Quad(q.subject, ox.NamedNode(r.choice(predicates)), r.choice(objects)))
    # and one edit that surely breaks a shape (a one-character quote on a fact node), so that
    # every seed compares violations whatever the random edits above happen to hit
    yl = "https://w3id.org/yilian/ontology#"
    facts = sorted({q.subject for q in out if q.predicate.value == yl + "source"}, key=str)
    out.append(ox.Quad(r.choice(facts), ox.NamedNode(yl + "quote"), ox.Literal("x")))
    return out


@pytest.mark.parametrize("seed", range(6))
def test_same_results_as_pyshacl_on_edited_graphs(seed):
    quads = _mutate(load(Sources()).quads, seed)
    expected = reference(quads)
    assert ours(quads) == expected
    assert sum(n for key, n in expected.items() if key[0] == shacl.SH + "Violation") > 0


def test_same_results_as_pyshacl_for_every_core_component():
    shapes = parse(DATA / "core-shapes.ttl")
    data = parse(DATA / "core-data.ttl")
    expected = reference(data, shapes, [])
    assert ours(data, shapes, []) == expected
    components = {key[5] for key in expected}
    core = {
        "Class", "Datatype", "NodeKind", "MinCount", "MaxCount", "MinExclusive", "MinInclusive",
        "MaxExclusive", "MaxInclusive", "MinLength", "MaxLength", "Pattern", "LanguageIn",
        "UniqueLang", "Equals", "Disjoint", "LessThan", "LessThanOrEquals", "Not", "And", "Xone",
        "Node", "QualifiedMinCount", "QualifiedMaxCount", "Closed", "HasValue", "In", "SPARQL",
    }
    assert {c + "ConstraintComponent" for c in core} <= components


def test_sparql_messages_fill_in_their_variables():
    results = shacl.validate(parse(DATA / "core-data.ttl"), parse(DATA / "core-shapes.ttl"))
    messages = {m.value for r in results for m in r.messages}
    assert "http://example.org/alice is older than http://example.org/carol" in messages


def test_literals_keep_their_written_form_and_datatype():
    # Oxigraph stores "0.0"^^xsd:decimal as "0" and "4"^^xsd:positiveInteger as xsd:integer;
    # the report must show the terms as written and check the datatype as written
    shapes = parse(DATA / "core-shapes.ttl")
    data = list(ox.parse(
        '@prefix ex: <http://example.org/> . @prefix xsd: <http://www.w3.org/2001/XMLSchema#> .\n'
        'ex:d a ex:DogShape ; ex:owner ex:o ; ex:legs "0.0"^^xsd:decimal , "4"^^xsd:nonNegativeInteger .',
        format=ox.RdfFormat.TURTLE))
    results = [r for r in shacl.validate(data, shapes) if r.component == "DatatypeConstraintComponent"]
    assert [r.value for r in results] == [ox.Literal("0.0", datatype=ox.NamedNode(shacl.XSD + "decimal"))]


def test_unsupported_shapes_fall_back_to_pyshacl(tmp_path, capsys):
    shapes = tmp_path / "shapes.ttl"
    shapes.write_text(
        "@prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <http://example.org/> .\n"
        "ex:S a sh:NodeShape ; sh:target [ a sh:SPARQLTarget ; sh:select \"SELECT ?this WHERE { ?this ex:p ?o }\" ; "
        "sh:prefixes ex: ] ; sh:property [ sh:path ex:p ; sh:qualifiedValueShape "
        "[ sh:class ex:C ] ; sh:qualifiedMinCount 1 ] .\n"
        "ex: sh:declare [ sh:prefix \"ex\" ; sh:namespace \"http://example.org/\"^^<http://www.w3.org/2001/XMLSchema#anyURI> ] .\n",
        encoding="utf-8")
    data = tmp_path / "data.ttl"
    data.write_text("<http://example.org/a> <http://example.org/p> <http://example.org/b> .\n", encoding="utf-8")
    sources = Sources(data=(str(data),), default_graph=False)
    with pytest.raises(shacl.Unsupported):
        shacl.validate(parse(data), parse(shapes))
    report = validation.validate(sources, "sparql", shapes_files=[shapes])
    assert report.engine == "pyshacl" and not report.conforms
    assert [f.component for f in report.findings] == ["sh:QualifiedMinCountConstraintComponent"]
    assert "sh:target" in capsys.readouterr().err


def test_cli_engines_give_the_same_report(run, tmp_path):
    bad = tmp_path / "bad.ttl"
    bad.write_text(
        "@prefix yl: <https://w3id.org/yilian/ontology#> . @prefix yid: <https://w3id.org/yilian/id/> .\n"
        "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> . @prefix org: <http://www.w3.org/ns/org#> .\n"
        "yid:t-m9 a yl:Membership ; rdfs:label \"成员\"@zh ; org:organization yid:t-m9 ; org:member yid:t-m9 ;\n"
        "    org:role yl:LinkedRole , yl:LeadRole ; yl:quote \"x\"@zh .\n", encoding="utf-8")
    sparql = run("validate", "--data", bad)
    reference_run = run("validate", "--engine", "pyshacl", "--data", bad)
    assert sparql.exit_code == reference_run.exit_code == 1
    assert sparql.stdout == reference_run.stdout
    assert "Violation: yid:t-m9" in sparql.stdout
    ttl_ours = rdflib.Graph().parse(data=run("validate", "--format", "turtle", "--data", bad).stdout)
    ttl_ref = rdflib.Graph().parse(
        data=run("validate", "--engine", "pyshacl", "--format", "turtle", "--data", bad).stdout)

    def summary(g):
        return sorted((str(g.value(r, SH.focusNode)), str(g.value(r, SH.sourceConstraintComponent)),
                       str(g.value(r, SH.resultPath)), str(g.value(r, SH.value)))
                      for r in g.objects(None, SH.result))

    assert summary(ttl_ours) == summary(ttl_ref) and len(summary(ttl_ours)) > 3


CLASS_SHAPES = """@prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <http://example.org/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
ex:AnimalShape a sh:NodeShape ; sh:targetClass ex:Animal ;
    sh:property [ sh:path ex:parent ; sh:class ex:Animal ] ,
                [ sh:path ex:vet ; sh:class ex:Person ] .
ex:Cat a rdfs:Class , sh:NodeShape ; sh:property [ sh:path ex:name ; sh:minCount 1 ] .
ex:LoopShape a sh:NodeShape ; sh:targetClass ex:A ; sh:property [ sh:path ex:name ; sh:minCount 1 ] .
"""

CLASS_DATA = """@prefix ex: <http://example.org/> . @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
ex:Mammal rdfs:subClassOf ex:Animal . ex:Dog rdfs:subClassOf ex:Mammal . ex:Cat rdfs:subClassOf ex:Mammal .
ex:Kitten rdfs:subClassOf ex:Cat .
_:odd rdfs:subClassOf ex:Person .
ex:A rdfs:subClassOf ex:B . ex:B rdfs:subClassOf ex:A .
ex:rex a ex:Dog ; ex:parent ex:fido , ex:tom , ex:rock , "Fido" ; ex:vet ex:ann , ex:bob , ex:eve .
ex:fido a ex:Animal ; ex:parent ex:rex .
ex:tom a ex:Kitten ; ex:name "Tom" ; ex:parent ex:tiny .
ex:tiny a ex:Kitten .
ex:rock a ex:Stone .
ex:ann a ex:Person . ex:bob a _:odd . ex:eve a ex:Robot .
ex:a1 a ex:A . ex:b1 a ex:B ; ex:name "b" .
"""


def test_class_checks_follow_the_class_hierarchy():
    # sh:class and sh:targetClass (and implicit class targets) see instances of subclasses at
    # any depth, through blank-node subclasses and subclass cycles: the engine looks each
    # class's subclasses up once, so these cases must match pySHACL
    shapes = list(ox.parse(CLASS_SHAPES, format=ox.RdfFormat.TURTLE))
    data = list(ox.parse(CLASS_DATA, format=ox.RdfFormat.TURTLE))
    expected = reference(data, shapes, [])
    assert ours(data, shapes, []) == expected
    ex = "http://example.org/"
    assert {(key[1], key[3]) for key in expected if key[5] == "ClassConstraintComponent"} == {
        (f"<{ex}rex>", f"<{ex}rock>"), (f"<{ex}rex>", '"Fido"'), (f"<{ex}rex>", f"<{ex}eve>")}
    assert {key[1] for key in expected if key[5] == "MinCountConstraintComponent"} == {f"<{ex}tiny>", f"<{ex}a1>"}


@pytest.mark.parametrize("seed", range(3))
def test_shapes_validated_side_by_side_give_the_same_results(monkeypatch, seed):
    """The engine validates the shapes with targets in several threads (engine.run): each
    thread keeps its own context and recursion check, so the results are those of one
    thread, result for result (the numbers of the contexts and of the variables in a
    constraint's SPARQL text aside: they count in the order the threads ask for them)."""
    import re

    quads = _mutate(load(Sources()).quads, seed)
    shapes = load_files(shapes_files()).quads
    ontology = load_ontology().quads

    def results(threads):
        monkeypatch.setenv("YILIAN_SHACL_THREADS", str(threads))
        found, _ = shacl.run(quads, shapes, ontology)
        return sorted((shacl.sort_key(r), str(r.constraint), re.sub(r"\?_v[0-9]+", "?_v", r.detail), r.copy)
                      for r in found)

    one = results(1)
    assert any(key[0] == shacl.SH + "Violation" for (key, *_rest) in one) and len(one) > 20
    assert results(4) == one


def _synthetic_with_violations(tmp_path, seed: int) -> list[ox.Quad]:
    """A small `yilian synth` graph with the bundled graph, edited (_mutate) so that it breaks
    shapes, plus an observation with two values and two units and an organization without a
    Chinese label (counts of at most one, qualified counts)."""
    from yilian.synth import generator

    out = tmp_path / "synth.nt"
    generator.synthesize(200, seed, out)
    quads = _mutate(load(Sources(data=(str(out),))).quads, seed)
    yl, xsd = "https://w3id.org/yilian/ontology#", "http://www.w3.org/2001/XMLSchema#"
    observation = next(q.subject for q in quads if q.predicate.value == yl + "unit")
    organization = next(q.subject for q in quads if q.predicate.value == yl + "locatedIn")
    quads += [ox.Quad(observation, ox.NamedNode(yl + "value"), ox.Literal("7", datatype=ox.NamedNode(xsd + "integer"))),
              ox.Quad(observation, ox.NamedNode(yl + "value"), ox.Literal("07", datatype=ox.NamedNode(xsd + "integer"))),
              ox.Quad(observation, ox.NamedNode(yl + "unit"), ox.NamedNode("https://w3id.org/yilian/id/unit-bed"))]
    return [q for q in quads if not (q.subject == organization and q.predicate.value.endswith("#label")
                                     and isinstance(q.object, ox.Literal) and q.object.language == "zh")]


@pytest.mark.parametrize("graph", ["bundled", "synthetic-0", "synthetic-1"])
def test_pairwise_counts_and_typed_focus_nodes_give_the_same_results(monkeypatch, tmp_path, graph):
    """The faster forms of the engine (issue 17) against the straightforward ones, result for
    result: counts of at most one as two distinct values and sh:qualifiedMinCount 1 as no
    conforming value (Engine.pairwise) against grouping every focus node; focus nodes of
    class targets written by one update reading the store's default graph (targets.by_type)
    against a SELECT over the whole core view."""
    import re

    from yilian.shacl import targets

    quads = (load(Sources()).quads if graph == "bundled"
             else _synthetic_with_violations(tmp_path, int(graph.rsplit("-", 1)[1])))
    shapes = load_files(shapes_files()).quads
    ontology = load_ontology().quads

    def results(fast: bool):
        if not fast:
            monkeypatch.setattr(targets, "by_type", lambda *_: False)
        found, triples = shacl.run(quads, shapes, ontology, pairwise=fast)
        monkeypatch.undo()
        return triples, sorted((shacl.sort_key(r), str(r.constraint), re.sub(r"\?_v[0-9]+", "?_v", r.detail), r.copy)
                               for r in found)

    fast = results(True)
    assert fast == results(False)
    components = {key[5] for (key, *_rest) in fast[1]}
    if graph != "bundled":
        assert {"MaxCountConstraintComponent", "QualifiedMinCountConstraintComponent"} <= components
    assert fast[1] == sorted((shacl.sort_key(r), str(r.constraint), re.sub(r"\?_v[0-9]+", "?_v", r.detail), r.copy)
                             for r in shacl.validate(quads, shapes, ontology))


def test_undefined_terms_found_while_the_data_is_read_once(tmp_path):
    """validate collects the yl: terms the ontology does not define while its one read of the
    data fills the scratch store (validate.Streamed with a TermUses): the same terms, uses,
    first uses and suggestions as a read of their own (vocabulary.undefined_terms)."""
    from yilian.sparql.vocabulary import TermUses, undefined_terms

    data = tmp_path / "typos.ttl"
    data.write_text("@prefix yl: <https://w3id.org/yilian/ontology#> .\n@prefix yid: <https://w3id.org/yilian/id/> .\n"
                    "yid:b yl:locatedin yid:a .\nyid:a yl:locatedin yid:c ; a yl:Hosptal .\nyl:Madeup a yl:Hosptal .\n"
                    "yid:b yl:locatedin yid:a .\n", encoding="utf-8")
    files = [*Sources().files(), data]
    streamed = validation.Streamed(files, terms=TermUses(ONTOLOGY))
    assert not streamed.watched
    for _ in streamed.quads:
        pass
    assert streamed.watched
    expected = undefined_terms(load_files(files).quads, ONTOLOGY)
    assert [u.term.rsplit("#", 1)[1] for u in expected] == ["Hosptal", "Madeup", "locatedin"]
    assert streamed.undefined(ONTOLOGY) == expected
    assert validation.Streamed(files).undefined(ONTOLOGY) == expected  # nothing watched: a read of its own
