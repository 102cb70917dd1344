"""Tests for shapes/yilian-shapes.ttl against the fixtures in tests/fixtures/shapes/.

Fixture names: <ShapeLocalName>-valid.ttl must conform (and contain a focus node of the
shape); <ShapeLocalName>-invalid-NN.ttl must not conform, with at least one sh:Violation
from that shape or one of its property shapes, and no violation from any other shape.
"""

from functools import lru_cache
from pathlib import Path

import pyshacl
import pytest
from rdflib import RDF, RDFS, Graph, Namespace, URIRef
from rdflib.collection import Collection

ROOT = Path(__file__).parents[1]
ONTOLOGY = ROOT / "ontology" / "yilian.ttl"
SHAPES = ROOT / "shapes" / "yilian-shapes.ttl"
FIXTURES = ROOT / "tests" / "fixtures" / "shapes"

SH = Namespace("http://www.w3.org/ns/shacl#")
YLSH = Namespace("https://w3id.org/yilian/shapes#")

FIXTURE_FILES = sorted(FIXTURES.glob("*.ttl"))


@lru_cache(maxsize=None)
def ontology_graph() -> Graph:
    return Graph().parse(ONTOLOGY, format="turtle")


@lru_cache(maxsize=None)
def shapes_graph() -> Graph:
    return Graph().parse(SHAPES, format="turtle")


def shape_for(fixture: Path) -> URIRef:
    stem = fixture.stem
    if stem.endswith("-valid"):
        return YLSH[stem[: -len("-valid")]]
    local, sep, number = stem.rpartition("-invalid-")
    assert sep and number.isdigit(), f"bad fixture name {fixture.name}"
    return YLSH[local]


def is_valid_fixture(fixture: Path) -> bool:
    return fixture.stem.endswith("-valid")


def shape_family(shapes: Graph, node_shape: URIRef) -> set:
    """The node shape and every property shape reachable from it by sh:property."""
    family, todo = set(), [node_shape]
    while todo:
        shape = todo.pop()
        if shape in family:
            continue
        family.add(shape)
        todo.extend(shapes.objects(shape, SH.property))
    return family


def targeted_node_shapes(shapes: Graph) -> set:
    targets = (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf)
    return {
        s
        for s in shapes.subjects(RDF.type, SH.NodeShape)
        if any(shapes.value(s, t) is not None for t in targets)
    }


def focus_nodes(shapes: Graph, shape: URIRef, data: Graph, ontology: Graph) -> set:
    """Focus nodes of the shape's targets among the nodes the fixture itself describes."""
    subclass_graph = ontology + data
    nodes = set()
    for cls in shapes.objects(shape, SH.targetClass):
        classes = set(subclass_graph.transitive_subjects(RDFS.subClassOf, cls))
        for c in classes:
            nodes.update(data.subjects(RDF.type, c))
    for node in shapes.objects(shape, SH.targetNode):
        if (node, None, None) in data:
            nodes.add(node)
    for prop in shapes.objects(shape, SH.targetSubjectsOf):
        nodes.update(data.subjects(prop, None))
    for prop in shapes.objects(shape, SH.targetObjectsOf):
        nodes.update(data.objects(None, prop))
    return nodes


def validate(data: Graph):
    return pyshacl.validate(
        data,
        shacl_graph=shapes_graph(),
        ont_graph=ontology_graph(),
        inference="none",
        advanced=True,
        allow_warnings=True,
    )


def top_level_results(results: Graph) -> list:
    """The report's sh:result values (not the nested sh:detail results)."""
    return [r for report in results.subjects(RDF.type, SH.ValidationReport) for r in results.objects(report, SH.result)]


def describe(results: Graph) -> str:
    lines = []
    for r in top_level_results(results):
        lines.append(
            f"{results.value(r, SH.resultSeverity)} {results.value(r, SH.sourceShape)} "
            f"focus={results.value(r, SH.focusNode)} value={results.value(r, SH.value)} "
            f"msg={[str(m) for m in results.objects(r, SH.resultMessage)]}"
        )
    return "\n".join(sorted(lines))


@pytest.mark.parametrize("fixture", FIXTURE_FILES, ids=[f.name for f in FIXTURE_FILES])
def test_fixture(fixture: Path):
    shapes = shapes_graph()
    shape = shape_for(fixture)
    assert (shape, RDF.type, SH.NodeShape) in shapes, f"{fixture.name}: no node shape {shape}"
    assert fixture.read_text(encoding="utf-8").startswith("#"), (
        f"{fixture.name} must start with a comment line saying what it tests"
    )
    data = Graph().parse(fixture, format="turtle")
    conforms, results, text = validate(data)
    family = shape_family(shapes, shape)
    all_results = top_level_results(results)

    if is_valid_fixture(fixture):
        assert focus_nodes(shapes, shape, data, ontology_graph()), (
            f"{fixture.name} contains no focus node of {shape}"
        )
        assert conforms, f"{fixture.name} should conform:\n{describe(results)}"
        assert not all_results, f"{fixture.name} should produce no results:\n{describe(results)}"
        return

    assert not conforms, f"{fixture.name} should not conform"
    violations = [r for r in all_results if results.value(r, SH.resultSeverity) == SH.Violation]
    ours = [r for r in violations if results.value(r, SH.sourceShape) in family]
    assert ours, f"{fixture.name}: no sh:Violation from {shape}:\n{describe(results)}"
    others = [r for r in violations if results.value(r, SH.sourceShape) not in family]
    assert not others, f"{fixture.name} also violates other shapes:\n{describe(results)}"
    for r in ours:
        assert any(str(m).strip() for m in results.objects(r, SH.resultMessage)), (
            f"{fixture.name}: result without a message:\n{describe(results)}"
        )


def _list_members(shapes: Graph, head) -> list:
    return list(Collection(shapes, head))


def all_shapes(shapes: Graph) -> dict:
    """Every shape in the file, mapped to the node shape it belongs to (or None)."""
    owner = {}
    for s in shapes.subjects(RDF.type, SH.NodeShape):
        owner.setdefault(s, None)
    for s in shapes.subjects(RDF.type, SH.PropertyShape):
        owner.setdefault(s, None)
    for s in shapes.subjects(SH.path, None):
        owner.setdefault(s, None)
    for parent, prop in shapes.subject_objects(SH.property):
        owner[prop] = parent
    for pred in (SH["or"], SH["and"], SH.xone):
        for parent, head in shapes.subject_objects(pred):
            for member in _list_members(shapes, head):
                owner.setdefault(member, parent)
    for pred in (SH.node, SH["not"], SH.qualifiedValueShape):
        for parent, member in shapes.subject_objects(pred):
            owner.setdefault(member, parent)
    return owner


def test_every_shape_has_iri_label_and_message():
    shapes = shapes_graph()
    problems = []
    for shape, parent in sorted(all_shapes(shapes).items(), key=lambda kv: str(kv[0])):
        if not (isinstance(shape, URIRef) and str(shape).startswith(str(YLSH))):
            problems.append(f"{shape}: not an IRI in {YLSH}")
            continue
        if shapes.value(shape, RDFS.label) is None:
            problems.append(f"{shape}: no rdfs:label")
        has_message = shapes.value(shape, SH.message) is not None
        if not has_message and parent is not None and shapes.value(shape, SH.path) is not None:
            has_message = shapes.value(parent, SH.message) is not None
        if not has_message:
            problems.append(f"{shape}: no sh:message")
    for constraint in shapes.objects(None, SH.sparql):
        if shapes.value(constraint, SH.message) is None:
            problems.append(f"{constraint}: SPARQL constraint without sh:message")
        if shapes.value(constraint, SH.prefixes) is None:
            problems.append(f"{constraint}: SPARQL constraint without sh:prefixes")
    assert not problems, "\n".join(problems)


def test_every_node_shape_has_valid_and_invalid_fixtures():
    names = {f.name for f in FIXTURE_FILES}
    missing = []
    for shape in sorted(targeted_node_shapes(shapes_graph())):
        local = str(shape)[len(str(YLSH)):]
        if f"{local}-valid.ttl" not in names:
            missing.append(f"{local}-valid.ttl")
        if not any(n.startswith(f"{local}-invalid-") for n in names):
            missing.append(f"{local}-invalid-01.ttl")
    assert not missing, "missing fixtures: " + ", ".join(missing)


def test_every_fixture_names_a_shape():
    known = targeted_node_shapes(shapes_graph())
    unknown = [f.name for f in FIXTURE_FILES if shape_for(f) not in known]
    assert not unknown, "fixtures for unknown or untargeted shapes: " + ", ".join(unknown)
